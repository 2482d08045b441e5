"""What the Foley tracks are called: a preset (``FOLEYLINE_TRACK_NAMES`` or the panel's export
settings), the one place a track's name is made.

    foley   "Foley BG", "Foley FX", "Foley"; a further track of a kind "Foley FX 2"
    short   "BG", "FX", "FOL"; numbered when a kind has several: "FX 1", "FX 2"
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from foleyline import config
from foleyline.errors import InvalidInput
from foleyline.notes.schema import LayerKind

__all__ = ["PRESETS", "TrackNames", "track_names"]


@dataclass(frozen=True)
class TrackNames:
    name: str
    label: str                          # as the panel offers it
    bases: dict[LayerKind, str]
    number_all: bool                    # several tracks of a kind: number the first too

    def base(self, kind: LayerKind) -> str:
        return self.bases[kind]

    def numbered(self, base: str, number: int) -> str:
        """The ``number``-th track (1-based) of a kind whose first is called ``base``, as
        ``placed_clips`` assigns them (before :meth:`final` numbers the first)."""
        return base if number == 1 else f"{base} {number}"

    def final(self, names: Sequence[str]) -> dict[str, str]:
        """Assigned track names -> the names written: with ``number_all`` a kind with a second
        track gets "FX 1" for its first."""
        if not self.number_all:
            return {name: name for name in names}
        several = {name.rsplit(" ", 1)[0] for name in names if name.rsplit(" ", 1)[-1].isdigit()}
        return {name: f"{name} 1" if name in several else name for name in names}


PRESETS = {
    preset.name: preset
    for preset in (
        TrackNames("foley", 'Foley BG / Foley FX / Foley ("Foley FX 2")',
                   {LayerKind.BG: "Foley BG", LayerKind.FX: "Foley FX", LayerKind.FOLEY: "Foley"}, number_all=False),
        TrackNames("short", "BG / FX / FOL (FX 1, FX 2 when several)",
                   {LayerKind.BG: "BG", LayerKind.FX: "FX", LayerKind.FOLEY: "FOL"}, number_all=True),
    )
}


def track_names(name: str | None = None) -> TrackNames:
    """The preset called ``name`` (default: the configured one)."""
    chosen = (name or config.track_names()).strip().lower()
    if chosen not in PRESETS:
        raise InvalidInput(f"no track-name preset {chosen!r}; choose one of {', '.join(PRESETS)} (FOLEYLINE_TRACK_NAMES)")
    return PRESETS[chosen]
