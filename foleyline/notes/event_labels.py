"""The descriptions the motion analysis writes on the events it drafts ("contact 3, strength
0.72", "movement, peak 0.40", "bed"): written here and recognised here. They say when and how
hard, not what sounds, so no matcher reads them as a sound (and none pays to embed them)."""

from __future__ import annotations

import re

__all__ = ["BED", "hit_label", "is_generated", "span_label"]

BED = "bed"

_GENERATED = re.compile(r"[a-z]+ \d+, strength \d+\.\d\d|movement, peak \d+\.\d\d|" + BED)


def hit_label(what: str, index: int, strength: float) -> str:
    """A drafted hit: ``what`` ("contact", "step", "call"), its number in the shot, its strength 0..1."""
    return f"{what} {index}, strength {strength:.2f}"


def span_label(peak: float) -> str:
    """A drafted stretch of movement, with its peak motion 0..1."""
    return f"movement, peak {peak:.2f}"


def is_generated(description: str) -> bool:
    """True for a description the analysis wrote (editors' and VLMs' words are free text)."""
    return _GENERATED.fullmatch(description.strip()) is not None
