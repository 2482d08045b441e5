"""The suite's own guard: what a test leaves in the checkout is found; the tools' folders
(bytecode, caches, the venv) are not a test's writing."""

from __future__ import annotations

from pathlib import Path

from checkout import checkout_paths


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
