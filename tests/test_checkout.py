"""The checkout as the tests meet it: what a test leaves in it is found (the tools' folders,
bytecode, caches, the venv, are not a test's writing), and nothing needs it as the working folder."""

from __future__ import annotations

import ast
from pathlib import Path

from checkout import ROOT, checkout_paths


def test_a_file_written_into_a_checkout_is_found_and_the_tools_folders_are_not(tmp_path: Path):
    (tmp_path / "server").mkdir()
    (tmp_path / "server" / "a.py").write_text("", encoding="utf-8")
    before = checkout_paths(tmp_path)
    for tool in ("__pycache__", ".pytest_cache", ".venv"):
        (tmp_path / "server" / tool).mkdir()
        (tmp_path / "server" / tool / "x").write_text("", encoding="utf-8")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "lib").mkdir()
    assert checkout_paths(tmp_path) - before == {"build", "build/lib"}


def test_no_test_imports_its_helpers_through_the_working_folder():
    # `tests.x` imports only where the checkout is the working folder on the path: not from the
    # pytest script, nor with PYTHONSAFEPATH=1. Helpers are imported by name (tests/ is on the path).
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            found += [f"{path.relative_to(ROOT)}:{node.lineno}" for name in names if name.split(".")[0] == "tests"]
    assert found == []
