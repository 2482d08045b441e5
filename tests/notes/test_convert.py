"""Notes between the protobuf message and the dataclasses."""

from __future__ import annotations

import pytest

from foleyline.errors import InvalidInput
from foleyline.notes import Event, EnergyPoint, Layer, LayerKind, Notes, Region, notes_from_proto, notes_to_proto
from foleyline.protos.v1 import foley_pb2 as pb

NOTES = Notes(
    reasoning="steps then a slam",
    layers=(
        Layer("steps", LayerKind.FOLEY, "boots", "music", (Event(0.5, 0.5, "left"),),
              Region(1.0, 0.1, 0.2, 0.3, 0.4), -3.0, False, 1.2, (EnergyPoint(0.0, 0.5),)),
        Layer("wind", LayerKind.BG, mute=True),
    ),
    version=4, shot_id="sh010", author="vlm:tiny",
)


def test_every_field_crosses_to_the_message() -> None:
    msg = notes_to_proto(NOTES)
    assert (msg.shot_id, msg.version, msg.author, msg.reasoning) == ("sh010", 4, "vlm:tiny", "steps then a slam")
    steps, wind = msg.layers
    assert steps.kind == pb.LAYER_KIND_FOLEY and wind.kind == pb.LAYER_KIND_BG
    assert steps.has_region and steps.region.width == 0.3 and not wind.has_region
    assert steps.events[0].description == "left" and steps.energy_points[0].value == 0.5
    assert (steps.gain_db, steps.energy_scale, wind.mute) == (-3.0, 1.2, True)
    assert notes_from_proto(msg) == NOTES


def test_a_message_survives_the_wire() -> None:
    wire = notes_to_proto(NOTES).SerializeToString()
    assert notes_from_proto(pb.Notes.FromString(wire)) == NOTES


def test_a_region_without_has_region_is_absent() -> None:
    msg = notes_to_proto(NOTES)
    msg.layers[0].has_region = False
    assert notes_from_proto(msg).layers[0].region is None


def test_a_layer_without_kind_is_refused_with_the_fix() -> None:
    msg = pb.Notes(layers=[pb.Layer(label="mystery")])
    with pytest.raises(InvalidInput, match="'mystery' has no kind.*LAYER_KIND_BG"):
        notes_from_proto(msg)
