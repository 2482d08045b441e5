"""Checking the engine a run asks for, before any work: only that engine is probed (probing
another imports its code: a one-shot procedural run would pay torch's import for nothing)."""

from __future__ import annotations

import pytest

from foleyline.errors import InvalidInput
from foleyline.plugin.commands.checks import check_engine
from fresh_imports import imported_after

from .clikit import write_timeline


def test_an_unknown_engine_is_refused_naming_the_engines() -> None:
    with pytest.raises(InvalidInput, match="no such engine on this machine; the engines are .*procedural"):
        check_engine("cheese", None)


def test_checking_the_procedural_engine_imports_no_neural_engine() -> None:
    code = """
        from foleyline.plugin.commands.checks import check_engine
        check_engine('procedural', None)
    """
    assert imported_after(code, ("torch", "foleyline.server.engines.mmaudio")) == []


def test_a_one_shot_procedural_generate_imports_no_scipy(cli_clip, tmp_path) -> None:
    # scipy.signal imports all of itself (scipy.stats included): 0.75 s of a one-shot run; the
    # filters, peak finding and loudness are our own (server/media/{iir,peaks,bs1770}.py). No
    # marker: a marker's free text is matched by the embedding model, which needs torch; and a
    # first run fills the cache of the sound models' embeddings, as a machine's first shot does
    # (in a fresh interpreter too: this one may hold the embeddings in memory already).
    timeline = write_timeline(tmp_path / "cut.otio", cli_clip, [(12, 24), (40, 30)])
    env = {"FOLEYLINE_DATA_DIR": str(tmp_path / "data"), "FOLEYLINE_CONFIG_DIR": str(tmp_path / "config")}
    run = """
        from foleyline.cli import main
        assert main(["generate", {timeline!r}, "-o", {out!r}, "--seed", "1"]) == 0
    """
    imported_after(run.format(timeline=str(timeline), out=str(tmp_path / "first")), (), env=env)
    second = run.format(timeline=str(timeline), out=str(tmp_path / "out"))
    assert imported_after(second, ("scipy", "pyloudnorm", "torch"), env=env) == []
