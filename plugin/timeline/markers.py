"""What a timeline's markers can select: their colours and names, as the export carries them.

Formats differ: FCPXML has marker kinds (standard, to-do, completed, chapter) and keywords,
which fcpxml.py turns into colours; an EDL has ``* LOC:`` lines with a colour; Kdenlive marker
categories, AAF comment markers and OTIO carry colours. FCP7 XML (xmeml) has no colours: its
reader calls every marker RED, so a selection by colour would take every marked clip. Such a
selection is refused, saying what there is to select by instead (the markers' names).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import opentimelineio as otio

from foleyline.plugin.timeline.formats import META_KEY, FORMATS

__all__ = ["MarkerInventory", "inventory", "check_marker_selection", "COLOURLESS_FORMATS"]

COLOURLESS_FORMATS = ("fcp7",)  # formats whose markers have no colour (the reader makes one up)


@dataclass(frozen=True)
class MarkerInventory:
    colours: Counter
    names: tuple[str, ...]      # distinct names, in timeline order
    unnamed: int
    colourless: bool            # the format carries no marker colours

    def describe(self) -> str:
        if not self.colours:
            return "the timeline has no markers"
        names = ", ".join(repr(n) for n in self.names[:12]) + (" ..." if len(self.names) > 12 else "")
        said = f"named {names}" if self.names else "all unnamed"
        if self.unnamed and self.names:
            said += f" ({self.unnamed} unnamed)"
        if self.colourless:
            return f"{sum(self.colours.values())} marker(s), {said}"
        colours = ", ".join(f"{c} x{n}" for c, n in self.colours.most_common())
        return f"{sum(self.colours.values())} marker(s): {colours}; {said}"


def _all_markers(timeline: otio.schema.Timeline):
    yield from timeline.tracks.markers
    for item in timeline.tracks.find_children():
        yield from getattr(item, "markers", [])


def inventory(timeline: otio.schema.Timeline) -> MarkerInventory:
    colours: Counter = Counter()
    names: list[str] = []
    unnamed = 0
    for marker in _all_markers(timeline):
        colours[(marker.color or "").upper()] += 1
        if marker.name and marker.name not in names:
            names.append(marker.name)
        elif not marker.name:
            unnamed += 1
    fmt = (timeline.metadata.get(META_KEY) or {}).get("source_format")
    return MarkerInventory(colours, tuple(names), unnamed, fmt in COLOURLESS_FORMATS)


def check_marker_selection(timeline: otio.schema.Timeline, colour: str | None, name: str | None) -> str | None:
    """Why a marker selection cannot mean what the editor asked, or None when it can."""
    if colour is None and name is None:
        return None
    found = inventory(timeline)
    fmt = (timeline.metadata.get(META_KEY) or {}).get("source_format")
    label = FORMATS[fmt].label if fmt in FORMATS else "this timeline"
    if colour is not None and found.colourless:
        return (f"{label} carries no marker colours (its reader calls every marker RED), so --marker-color cannot "
                f"tell them apart; select by name with --marker-name TEXT: {found.describe()}")
    if not found.colours:
        return f"--marker-{'color' if colour else 'name'}: the timeline has no markers ({label} as exported)"
    if colour is not None and found.colours[colour.upper()] == 0:
        return f"no marker is {colour.upper()}: {found.describe()}"
    if name is not None and not any(name.casefold() in n.casefold() for n in found.names):
        return f"no marker name holds {name!r}: {found.describe()}"
    return None
