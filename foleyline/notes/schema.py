"""The notes as plain data. The protobuf message ``foleyline.v1.Notes`` carries the same fields;
``foleyline.notes.convert`` maps between the two and ``foleyline.notes.text`` between these and
the plain-text form an editor types.

Times are seconds from the shot's first frame (handles excluded).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class LayerKind(enum.Enum):
    BG = "BG"        # ambience, room tone, weather
    FX = "FX"        # hard effects
    FOLEY = "FOLEY"  # footsteps, props, cloth


@dataclass(frozen=True)
class Event:
    start: float
    end: float
    description: str = ""


@dataclass(frozen=True)
class Region:
    """A box on the frame at ``time`` (normalised 0..1, origin top-left)."""

    time: float
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class EnergyPoint:
    time: float
    value: float


@dataclass(frozen=True)
class Layer:
    label: str
    kind: LayerKind
    prompt: str = ""
    negative_prompt: str = ""
    events: tuple[Event, ...] = ()
    region: Region | None = None
    gain_db: float = 0.0
    mute: bool = False
    energy_scale: float = 1.0
    energy_points: tuple[EnergyPoint, ...] = ()


@dataclass(frozen=True)
class Notes:
    reasoning: str = ""
    layers: tuple[Layer, ...] = ()
    version: int = 1
    shot_id: str = ""
    author: str = "editor"

    def layer(self, label: str) -> Layer:
        for layer in self.layers:
            if layer.label == label:
                return layer
        raise KeyError(f"no layer named {label!r}; the layers are {[l.label for l in self.layers]}")
