"""Checks of notes beyond their syntax: against the shot's duration and between layers."""

from __future__ import annotations

import math

from foleyline.errors import InvalidInput
from foleyline.notes.schema import Notes

__all__ = ["problems", "check"]

# Event times a little past the end are allowed: frame-rounded durations lose up to a frame.
_SLACK_S = 0.05


def problems(notes: Notes, duration: float | None = None) -> list[str]:
    """Everything wrong with ``notes`` for a shot of ``duration`` seconds, as sentences."""
    out: list[str] = []
    seen: set[str] = set()
    for layer in notes.layers:
        name = f"layer {layer.label!r}"
        if not layer.label.strip():
            out.append("a layer has no label; give every layer a short name")
        if layer.label in seen:
            out.append(f"{name} appears twice; labels must be unique")
        seen.add(layer.label)
        numbers = [layer.gain_db, layer.energy_scale]
        numbers += [v for e in layer.events for v in (e.start, e.end)]
        numbers += [v for p in layer.energy_points for v in (p.time, p.value)]
        if any(not math.isfinite(v) for v in numbers):
            out.append(f"{name} holds a number that is not finite")
            continue
        if layer.energy_scale < 0:
            out.append(f"{name} has a negative energy scale ({layer.energy_scale})")
        for ev in layer.events:
            if ev.start < 0 or ev.end < ev.start:
                out.append(f"{name}: event {ev.description!r} runs {ev.start}-{ev.end} s; start >= 0 and end >= start")
            elif duration is not None and ev.start > duration + _SLACK_S:
                out.append(f"{name}: event {ev.description!r} at {ev.start} s is after the shot's end ({duration:.3f} s)")
        for p in layer.energy_points:
            if p.time < 0 or not 0 <= p.value <= 1:
                out.append(f"{name}: energy point {p.time} s={p.value} needs time >= 0 and value 0..1")
        r = layer.region
        if r is not None:
            if not (0 <= r.x <= 1 and 0 <= r.y <= 1 and 0 < r.width <= 1 and 0 < r.height <= 1
                    and r.x + r.width <= 1 + 1e-9 and r.y + r.height <= 1 + 1e-9):
                out.append(f"{name}: its region is not inside the frame (normalised 0..1)")
            if r.time < 0 or (duration is not None and r.time > duration + _SLACK_S):
                out.append(f"{name}: its region is drawn at {r.time} s, outside the shot")
    return out


def check(notes: Notes, duration: float | None = None) -> Notes:
    """``notes`` unchanged, or ``InvalidInput`` listing every problem."""
    found = problems(notes, duration)
    if found:
        raise InvalidInput("the notes have problems: " + "; ".join(found))
    return notes
