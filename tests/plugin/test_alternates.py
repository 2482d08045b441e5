"""With several takes per shot, the placed take goes on the Foley tracks and the others on
tracks named per take, muted where the format can say so (.otio, FCP7 XML)."""

from __future__ import annotations

import re

import pytest

from foleyline.notes.schema import LayerKind
from foleyline.plugin.timeline import Placement, find_shots, read_timeline, write_foley_timeline


@pytest.mark.parametrize("fmt,muted", [("otio", True), ("fcp7", True), ("kdenlive", False), ("aaf", False)])
def test_alternates_sit_on_their_own_tracks(fmt, muted, timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory()
    wav = wav_factory()
    placements = [Placement(s, f"t{i}-{take}", "steps", LayerKind.FOLEY, wav, 12, 12, "steps", alternate=take)
                  for i, s in enumerate(find_shots(timeline).shots) for take in (0, 2, 3)]
    back = read_timeline(write_foley_timeline(timeline, placements, tmp_path / "foley", fmt=fmt))
    ours = [t for t in back.tracks if any(wav.name in (c.media_reference.target_url or "") for c in t.find_clips())]
    by_take = {}
    for track in ours:
        for clip in track.find_clips():
            # the take is in the clip's name, or (Kdenlive and AAF name clips by file) the track's
            said = re.search(r"take (\d+)", clip.name) or re.search(r"take (\d+)", track.name)
            take = said.group(1) if said else "placed"
            by_take.setdefault(take, set()).add(track.enabled)
    assert set(by_take) == {"placed", "2", "3"}
    assert by_take["placed"] == {True}
    assert by_take["2"] == by_take["3"] == ({False} if muted else {True})
