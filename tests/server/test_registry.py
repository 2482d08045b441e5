"""The engine registry: lazy, reports what is missing; an engine that cannot run is an error, never a stand-in."""

from __future__ import annotations

import sys

import pytest

from foleyline.errors import InvalidInput, Unavailable
from foleyline.server.engines.registry import EngineRegistry
from serverkit import FakeEngine


class _NeedsWeights(FakeEngine):
    def load(self) -> None:
        raise Unavailable("weights for needs-weights not found in /models; run `foleyline models pull needs-weights`")


def _registry() -> EngineRegistry:
    return EngineRegistry(engines={"broken": "foleyline.server.engines.not_a_module:Engine",
                                   "fake": "serverkit:FakeEngine", "heavy": "test_registry:_NeedsWeights"},
                          default="fake")


def test_an_engine_that_cannot_run_is_an_error_naming_the_weights_and_the_pull_command() -> None:
    with pytest.raises(Unavailable, match=r"weights for needs-weights not found.*foleyline models pull needs-weights"):
        _registry().resolve("heavy")
    name, engine = _registry().resolve("")
    assert name == "fake" and isinstance(engine, FakeEngine)


def test_an_engine_whose_extra_is_missing_says_which_extra_to_install(tmp_path, monkeypatch) -> None:
    (tmp_path / "torch_engine_module.py").write_text("import torch\n\nclass Engine:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(sys.modules, "torch", None)  # as on a core install: importing torch fails
    registry = EngineRegistry(engines={"needs-torch": "torch_engine_module:Engine"}, default="needs-torch")
    with pytest.raises(Unavailable, match=r"neural.*pip install 'foleyline\[neural\]'"):
        registry.get("needs-torch")


def test_a_broken_engine_is_reported_not_fatal() -> None:
    registry = _registry()
    statuses = {s.name: s for s in registry.statuses()}
    assert statuses["fake"].available
    assert not statuses["broken"].available
    assert "not installed" in statuses["broken"].reason


def test_a_failed_load_is_remembered_as_the_reason() -> None:
    registry = _registry()
    with pytest.raises(Unavailable):
        registry.get("heavy")
    assert "models pull" in registry.status("heavy").reason


def test_an_unknown_engine_name_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match="no engine named 'nope'; the engines are broken, fake, heavy"):
        _registry().get("nope")


def test_engines_load_once() -> None:
    registry = _registry()
    assert registry.get("fake") is registry.get("fake")


def test_token_counts_are_reported_per_layer_before_any_weights_are_installed() -> None:
    from foleyline.notes import Event, Layer, LayerKind, Notes

    registry = EngineRegistry()  # the built-in engines; no model folder holds weights here
    long_layer = Layer("rain", LayerKind.BG, prompt="rain",
                       events=tuple(Event(i, i + 0.5, "heavy rain drumming on a tin roof and glass") for i in range(8)))
    notes = Notes(layers=(Layer("steps", LayerKind.FOLEY, prompt="boots on gravel"), long_layer))
    counts = {c.layer_label: c for c in registry.token_counts("thinksound", notes)}
    assert counts["rain"].over_limit and counts["rain"].limit == 77
    assert not counts["steps"].over_limit
    assert registry.token_counts("procedural", notes) == []  # no text limit
    with pytest.raises(InvalidInput, match="no engine named"):
        registry.token_counts("nope", notes)
