"""What the checkout holds, to find what a test run wrote into it (tests/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The tools' own folders in a checkout: the repository, the venv, bytecode, pytest's and ruff's
# caches (Hypothesis keeps its own in the suite's temporary folder: tests/conftest.py).
TOOL_FOLDERS = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache"}


def checkout_paths(root: Path = ROOT) -> set[str]:
    found: set[str] = set()
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in TOOL_FOLDERS]
        found.update(os.path.relpath(os.path.join(folder, name), root) for name in (*subfolders, *files))
    return found
