"""Checking the engine a run asks for, before any work: only that engine is probed (probing
another imports its code: a one-shot procedural run would pay torch's import for nothing)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from foleyline.errors import InvalidInput
from foleyline.plugin.commands.checks import check_engine


def test_an_unknown_engine_is_refused_naming_the_engines() -> None:
    with pytest.raises(InvalidInput, match="no such engine on this machine; the engines are .*procedural"):
        check_engine("cheese", None)


def test_checking_the_procedural_engine_imports_no_neural_engine() -> None:
    probe = (
        "import sys\n"
        "from foleyline.plugin.commands.checks import check_engine\n"
        "check_engine('procedural', None)\n"
        "print(sorted(m for m in ('torch', 'foleyline.server.engines.mmaudio.engine') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
