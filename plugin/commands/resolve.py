"""``foleyline resolve install``: put the Foleyline menu script where DaVinci Resolve looks.

The script (packaging/resolve/Foleyline.py, shipped in the wheel as ``foleyline.resolve_menu``)
is copied into Resolve's per-user Fusion/Scripts/Utility folder with this environment's
site-packages written in, so Resolve's Python finds foleyline. Resolve then lists it under
Workspace > Scripts > Utility > Foleyline.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import sysconfig
from importlib import resources
from pathlib import Path

import foleyline
from foleyline.errors import InvalidInput
from foleyline.fsutil import write_text_atomic

SCRIPT = "Foleyline.py"
SITE_LINE = 'FOLEYLINE_SITE = ""'
EXAMPLES = (
    "foleyline resolve install                 # then in Resolve: Workspace > Scripts > Utility > Foleyline",
    "foleyline resolve install --print-only    # where it would go",
    "foleyline resolve install --dest /opt/resolve/Fusion/Scripts/Utility   # for every user (as root)",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("install",), help="install: copy the menu script into Resolve's folder")
    parser.add_argument("--dest", type=Path, default=None, metavar="DIR",
                        help="the Scripts/Utility folder (default: Resolve's per-user folder on this system)")
    parser.add_argument("--print-only", action="store_true", help="say where it would go, write nothing")


def script_folder(system: str | None = None, home: Path | None = None, appdata: str | None = None) -> Path:
    """Resolve's per-user Fusion/Scripts/Utility folder on Linux, macOS ("Darwin") or Windows."""
    system = system or platform.system()
    home = home or Path.home()
    if system == "Darwin":
        return home / "Library/Application Support/Blackmagic Design/DaVinci Resolve/Fusion/Scripts/Utility"
    if system == "Windows":
        base = appdata if appdata is not None else os.environ.get("APPDATA")
        if not base:
            raise InvalidInput("APPDATA is not set, so Resolve's script folder is unknown; give it with --dest")
        return Path(base) / "Blackmagic Design/DaVinci Resolve/Support/Fusion/Scripts/Utility"
    return home / ".local/share/DaVinciResolve/Fusion/Scripts/Utility"


def site_packages() -> str:
    """The folder Resolve's Python must add to find foleyline: where it is installed, or, for an
    editable install (the package is the source tree), the environment's site-packages, whose
    .pth file points at the source."""
    package_parent = Path(foleyline.__file__).resolve().parents[1]
    if package_parent.name in ("site-packages", "dist-packages"):
        return str(package_parent)
    return sysconfig.get_paths()["purelib"]


def render(site_dir: str) -> str:
    text = (resources.files("foleyline.resolve_menu") / SCRIPT).read_text(encoding="utf-8")
    if SITE_LINE not in text:
        raise InvalidInput(f"the packaged {SCRIPT} has no {SITE_LINE!r} line to fill in; reinstall foleyline")
    return text.replace(SITE_LINE, f"FOLEYLINE_SITE = {site_dir!r}", 1)


def install(dest: Path) -> Path:
    target = dest / SCRIPT
    dest.mkdir(parents=True, exist_ok=True)
    return write_text_atomic(target, render(site_packages()))


def run(args: argparse.Namespace) -> int:
    dest = args.dest or script_folder()
    version = sys.version.split()[0]
    if args.print_only:
        print(f"would write {dest / SCRIPT} (Python {version}: Resolve's Python must be this version)")
        return 0
    target = install(dest)
    print(f"installed {target}; in Resolve: Workspace > Scripts > Utility > Foleyline "
          f"(Resolve's Python must be {version}: Preferences > General > External scripting using)")
    return 0
