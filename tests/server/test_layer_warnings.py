"""An engine's word on a layer (a prompt it has no model for, what plays instead) travels with
the take: in the take_ready event, in the store, in a take whose layer was kept, and beside a
draft. The server's engine settings (a sound library) reach the engine it builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from foleyline.notes import Layer, LayerKind
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.server.engines.registry import EngineRegistry
from serverkit import FakeEngine, collect, make_shot, two_layer_notes


class SayingEngine(FakeEngine):
    """The fake engine, with something to say about every layer but "impact"."""

    def layer_warnings(self, layer: Layer) -> list[str]:
        return [] if layer.label == "impact" else [f"layer {layer.label!r}: no sound model for it; it will sound like a tone"]


@pytest.fixture
def fake_engine() -> FakeEngine:
    return SayingEngine()


def _warnings(take: pb.Take) -> dict[str, list[str]]:
    return {layer.label: list(layer.warnings) for layer in take.layers}


def test_a_takes_layers_carry_the_engines_warnings(client, clip_path: Path) -> None:
    shot = make_shot(clip_path)
    shot.notes.CopyFrom(two_layer_notes(shot.id))
    shot.has_notes = True
    (take, *_) = collect(client.generate([shot], pb.GenerateSettings(seed=3, num_takes=1, handle_frames=-1)))["take_ready"]
    expected = {"room": ["layer 'room': no sound model for it; it will sound like a tone"], "impact": []}
    assert _warnings(take) == expected
    assert _warnings(client.get_take(take.id)) == expected          # kept in the store
    again = make_shot(clip_path)
    again.notes.CopyFrom(two_layer_notes(shot.id))
    again.has_notes = True
    again.only_layers.append("impact")
    again.base_take_id = take.id
    (new,) = collect(client.generate([again], pb.GenerateSettings(seed=9, handle_frames=-1)))["take_ready"]
    assert _warnings(new) == expected                               # the kept layer keeps its word


def test_a_draft_comes_with_what_the_engine_will_say(client, clip_path: Path) -> None:
    (event,) = list(client.draft_notes([make_shot(clip_path, shot_id="a")], writer="analysis", engine="fake"))
    labels = [layer.label for layer in event.notes.layers if layer.label != "impact"]
    assert labels
    said = [w for w in event.warnings if "no sound model" in w]
    assert said == [f"layer {label!r}: no sound model for it; it will sound like a tone" for label in labels]


def test_the_registry_builds_an_engine_with_the_servers_settings_for_it(tmp_path: Path) -> None:
    registry = EngineRegistry(
        {"procedural": "foleyline.server.engines.procedural:ProceduralEngine"}, discover=False,
        options={"procedural": {"sfx_library": tmp_path / "unplugged", "index_path": tmp_path / "index.sqlite3"}},
    )
    engine = registry.get("procedural")
    (problem,) = [w for w in engine.layer_warnings(Layer("hits", LayerKind.FX, prompt="wood knock")) if "library" in w]
    assert "sound library not used" in problem and "unplugged" in problem
