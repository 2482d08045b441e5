"""Checking the engine a run asks for, before any work: only that engine is probed (probing
another imports its code: a one-shot procedural run would pay torch's import for nothing)."""

from __future__ import annotations

import pytest

from foleyline.errors import InvalidInput
from foleyline.plugin.commands.checks import check_engine
from fresh_imports import imported_after


def test_an_unknown_engine_is_refused_naming_the_engines() -> None:
    with pytest.raises(InvalidInput, match="no such engine on this machine; the engines are .*procedural"):
        check_engine("cheese", None)


def test_checking_the_procedural_engine_imports_no_neural_engine() -> None:
    code = """
        from foleyline.plugin.commands.checks import check_engine
        check_engine('procedural', None)
    """
    assert imported_after(code, ("torch", "foleyline.server.engines.mmaudio")) == []
