"""The panel previews the frames the server decodes: one media-start rule for both, on media
whose own timecode does not start at zero."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

import tolerances

from foleyline.desktop.timefmt import media_span
from foleyline.plugin.shots import shot_to_proto
from foleyline.plugin.timeline import find_shots, read_timeline
from foleyline.probe import probe
from foleyline.server.service import shot_from_proto
from foleyline.server.shot_timing import shot_timing

TC = otio.opentime
RATE = 24


def _timeline(path: Path, media: Path, source: otio.opentime.TimeRange, available: otio.opentime.TimeRange | None) -> Path:
    timeline = otio.schema.Timeline(name="tc", global_start_time=TC.from_timecode("01:00:00:00", RATE))
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    reference = otio.schema.ExternalReference(target_url=media.as_uri(), available_range=available)
    track.append(otio.schema.Clip(name="sh010", media_reference=reference, source_range=source))
    timeline.tracks.append(track)
    otio.adapters.write_to_file(timeline, str(path))
    return path


@pytest.mark.parametrize("exported_available_range", [False, True], ids=["like an EDL", "like an XML"])
@pytest.mark.parametrize("handles", [0, 12])
def test_the_panel_previews_the_range_the_server_decodes(tmp_path, small_clip, exported_available_range, handles):
    media = small_clip("A001.mov", rate=RATE, frames=4 * RATE, timecode="10:00:00:00")
    first = TC.from_timecode("10:00:00:00", RATE)
    # the shot shows 1.5 s of the file from 1 s in, counted in the file's own timecode
    source = TC.TimeRange(first + TC.RationalTime(RATE, RATE), TC.RationalTime(36, RATE))
    available = TC.TimeRange(first, TC.RationalTime(4 * RATE, RATE)) if exported_available_range else None
    shot = find_shots(read_timeline(_timeline(tmp_path / "cut.otio", media, source, available))).shots[0]

    preview = media_span(shot)
    timing = shot_timing(shot_from_proto(shot_to_proto(shot)), handles, probe(media).clock)

    assert preview.start == pytest.approx(1.0, abs=tolerances.SECONDS)
    assert preview.duration == pytest.approx(1.5, abs=tolerances.SECONDS)
    assert timing.media_start_s + timing.head_s == pytest.approx(preview.start, abs=tolerances.SECONDS)
    assert timing.shot_duration_s == pytest.approx(preview.duration, abs=tolerances.SECONDS)
    if handles == 0:
        assert (timing.media_start_s, timing.duration_s) == pytest.approx((preview.start, preview.duration), abs=tolerances.SECONDS)
