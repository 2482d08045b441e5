"""The ``foleyline`` command: every subcommand sits beside the part it runs, and the base
package that everything imports reaches none of them."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from foleyline import cli

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("foleyline.server", "foleyline.plugin", "foleyline.desktop")


def _imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_base_package_imports_no_part_of_the_product() -> None:
    reaching = {
        str(path.relative_to(ROOT)): sorted(name for name in _imported_names(path) if name.startswith(PARTS))
        for path in sorted((ROOT / "foleyline").rglob("*.py"))
    }
    assert {path: names for path, names in reaching.items() if names} == {}


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_each_subcommand_lives_in_the_part_it_runs(name: str) -> None:
    module_name = cli.COMMANDS[name][0]
    assert module_name.startswith(tuple(f"{part}.commands." for part in PARTS)), module_name
    module = importlib.import_module(module_name)
    assert callable(module.add_arguments) and callable(module.run)


def test_help_imports_no_subcommand() -> None:
    probe = (
        "import sys\n"
        "from foleyline import cli\n"
        "try:\n"
        "    cli.main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in sys.modules if m.startswith({PARTS!r}) or m in ('torch', 'grpc', 'PyQt6')))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
