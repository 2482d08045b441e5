"""`pip install foleyline` without extras: the core imports and runs with no torch, no PyQt6.

Each check runs in a fresh interpreter where importing any extra's modules fails, as on a core
install (foleyline/extras.py names them).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from foleyline.extras import EXTRAS

BLOCKED = sorted({name for extra in EXTRAS for name in extra.imports})
PRELUDE = textwrap.dedent(f"""
    import sys

    class NoExtras:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {BLOCKED!r}:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)

    sys.meta_path.insert(0, NoExtras())
""")


def run_core(code: str, *, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


def test_every_core_module_imports_without_the_extras():
    done = run_core("""
        import importlib, pkgutil
        from foleyline.extras import extra_of_part
        failed = []
        for root in ("foleyline", "foleyline.server", "foleyline.plugin", "foleyline.protos"):
            package = importlib.import_module(root)
            for info in pkgutil.walk_packages(package.__path__, root + "."):
                if extra_of_part(info.name) or info.name.endswith("__main__") or info.name.startswith("foleyline.desktop"):
                    continue
                try:
                    importlib.import_module(info.name)
                except Exception as exc:
                    failed.append(f"{info.name}: {exc!r}")
        print("\\n".join(failed) or "ok")
    """)
    assert done.stdout.strip().splitlines()[-1:] == ["ok"], done.stdout + done.stderr


def test_commands_of_an_extra_say_which_extra_to_install():
    done = run_core("""
        from foleyline import cli
        print(cli.main(["panel"]))
    """)
    assert done.stdout.strip() == "2"
    assert "pip install 'foleyline[panel]'" in done.stderr


def test_the_demo_runs_on_the_core(tmp_path):
    done = run_core(f"""
        from foleyline import cli
        sys.exit(cli.main(["demo", "-o", {str(tmp_path / "demo")!r}]))
    """, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "demo" / "demo_preview.mp4").is_file()
    assert any((tmp_path / "demo" / "foley").glob("*.wav"))
