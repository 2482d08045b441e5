"""Notes between the protobuf message (``foleyline.v1.Notes``) and the dataclasses.

Both directions are exact: ``notes_from_proto(notes_to_proto(n)) == n``, and a message made by
``notes_to_proto`` comes back field for field. A region is present in the message only when
``has_region`` is set (proto3 has no presence for sub-messages we want to rely on).
"""

from __future__ import annotations

from foleyline.errors import InvalidInput
from foleyline.notes.schema import EnergyPoint, Event, Layer, LayerKind, Notes, Region
from foleyline.protos.v1 import foley_pb2 as pb

__all__ = ["notes_to_proto", "notes_from_proto", "layer_to_proto", "layer_from_proto",
           "kind_to_proto", "kind_from_proto"]

_KIND_TO_PROTO = {
    LayerKind.BG: pb.LAYER_KIND_BG,
    LayerKind.FX: pb.LAYER_KIND_FX,
    LayerKind.FOLEY: pb.LAYER_KIND_FOLEY,
}
_KIND_FROM_PROTO = {v: k for k, v in _KIND_TO_PROTO.items()}


def kind_to_proto(kind: LayerKind) -> int:
    return _KIND_TO_PROTO[kind]


def kind_from_proto(value: int, label: str = "") -> LayerKind:
    try:
        return _KIND_FROM_PROTO[value]
    except KeyError:
        raise InvalidInput(
            f"layer {label!r} has no kind (got {pb.LayerKind.Name(value) if value in pb.LayerKind.values() else value}); "
            "set it to LAYER_KIND_BG, LAYER_KIND_FX or LAYER_KIND_FOLEY"
        ) from None


def layer_to_proto(layer: Layer) -> pb.Layer:
    msg = pb.Layer(
        label=layer.label,
        kind=kind_to_proto(layer.kind),
        prompt=layer.prompt,
        negative_prompt=layer.negative_prompt,
        events=[pb.Event(start=e.start, end=e.end, description=e.description) for e in layer.events],
        has_region=layer.region is not None,
        gain_db=layer.gain_db,
        mute=layer.mute,
        energy_scale=layer.energy_scale,
        energy_points=[pb.EnergyPoint(time=p.time, value=p.value) for p in layer.energy_points],
    )
    if layer.region is not None:
        r = layer.region
        msg.region.CopyFrom(pb.Region(time=r.time, x=r.x, y=r.y, width=r.width, height=r.height))
    return msg


def layer_from_proto(msg: pb.Layer) -> Layer:
    region = None
    if msg.has_region:
        r = msg.region
        region = Region(time=r.time, x=r.x, y=r.y, width=r.width, height=r.height)
    return Layer(
        label=msg.label,
        kind=kind_from_proto(msg.kind, msg.label),
        prompt=msg.prompt,
        negative_prompt=msg.negative_prompt,
        events=tuple(Event(e.start, e.end, e.description) for e in msg.events),
        region=region,
        gain_db=msg.gain_db,
        mute=msg.mute,
        energy_scale=msg.energy_scale if msg.HasField("energy_scale") else 1.0,
        energy_points=tuple(EnergyPoint(p.time, p.value) for p in msg.energy_points),
    )


def notes_to_proto(notes: Notes) -> pb.Notes:
    return pb.Notes(
        shot_id=notes.shot_id,
        version=notes.version,
        reasoning=notes.reasoning,
        layers=[layer_to_proto(layer) for layer in notes.layers],
        author=notes.author,
    )


def notes_from_proto(msg: pb.Notes) -> Notes:
    return Notes(
        reasoning=msg.reasoning,
        layers=tuple(layer_from_proto(layer) for layer in msg.layers),
        version=msg.version,
        shot_id=msg.shot_id,
        author=msg.author,
    )
