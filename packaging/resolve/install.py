"""Install the Foleyline menu script into DaVinci Resolve's Scripts/Utility folder.

Run it with the Python that has foleyline installed:  .venv/bin/python packaging/resolve/install.py
It copies Foleyline.py there with this environment's site-packages written in, so Resolve's
Python can import foleyline. --dest overrides the folder; --print-only shows what it would do.
"""

from __future__ import annotations

import argparse
import os
import platform
import site
import sys
import sysconfig
from pathlib import Path

HERE = Path(__file__).resolve().parent


def default_dest() -> Path:
    system = platform.system()
    if system == "Darwin":
        return Path.home() / "Library/Application Support/Blackmagic Design/DaVinci Resolve/Fusion/Scripts/Utility"
    if system == "Windows":
        return Path(os.environ.get("APPDATA", "")) / "Blackmagic Design/DaVinci Resolve/Support/Fusion/Scripts/Utility"
    return Path.home() / ".local/share/DaVinciResolve/Fusion/Scripts/Utility"


def site_packages() -> str:
    import foleyline

    # an editable install lives in the source tree; its finder is in purelib
    return sysconfig.get_paths()["purelib"] if Path(foleyline.__file__).exists() else site.getsitepackages()[0]


def render(site_dir: str) -> str:
    text = (HERE / "Foleyline.py").read_text(encoding="utf-8")
    marker = 'FOLEYLINE_SITE = ""'
    if marker not in text:
        raise SystemExit("packaging/resolve/Foleyline.py has no FOLEYLINE_SITE line to fill in")
    return text.replace(marker, f"FOLEYLINE_SITE = {site_dir!r}", 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=None, help="Resolve's Scripts/Utility folder")
    parser.add_argument("--print-only", action="store_true")
    args = parser.parse_args(argv)
    dest = args.dest or default_dest()
    text = render(site_packages())
    target = dest / "Foleyline.py"
    if args.print_only:
        print(f"would write {target} (Python {sys.version.split()[0]}; Resolve must use the same version)")
        return 0
    dest.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".py.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    print(f"installed {target}; in Resolve: Workspace > Scripts > Utility > Foleyline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
