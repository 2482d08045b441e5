"""The engine registry: lazy, reports what is missing, falls back to the default with a warning."""

from __future__ import annotations

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


def test_an_unavailable_engine_falls_back_to_the_default_with_a_warning() -> None:
    name, engine, warnings = _registry().resolve("heavy")
    assert name == "fake" and isinstance(engine, FakeEngine)
    assert warnings == [
        "heavy unavailable (weights for needs-weights not found in /models; run `foleyline models pull needs-weights`); using fake instead"
    ]


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
