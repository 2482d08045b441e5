"""`make test` and `make demo` on a machine nobody here has seen: the installs the Makefile runs
succeed whatever the user's own pip settings say."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def install_commands() -> list[str]:
    """The pip commands `make install` runs, as make spells them (printed, nothing run)."""
    done = subprocess.run(["make", "-n", "-B", "install"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=True)
    return [line for line in done.stdout.splitlines() if " -m pip install " in line]


def test_the_installs_ignore_a_users_pip_user_setting():
    commands = install_commands()
    assert len(commands) == 3, commands  # pip itself, torch, the project
    for command in commands:
        words = shlex.split(command)
        python = words.index(".venv/bin/python")
        # this environment's pip, asked for what is already installed: nothing downloaded
        words[python:] = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--no-deps", "pytest"]
        done = subprocess.run(["env", *words], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PIP_USER": "1", "PIP_REQUIRE_VIRTUALENV": "1"})
        assert done.returncode == 0, f"{command}\n{done.stderr}"
