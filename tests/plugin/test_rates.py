"""Write-back in every format at every rate the formats carry: the Foley clips read back on the
frames they were placed on (start, length and where in the WAV they begin)."""

from __future__ import annotations

from collections import Counter

import opentimelineio as otio
import pytest

from foleyline import timebase
from foleyline.notes.schema import LayerKind
from foleyline.plugin.timeline import Placement, find_shots, placed_clips, read_timeline, write_foley_timeline
from foleyline.plugin.timeline.conformance import foley_positions

TC = otio.opentime
# (label, rate, drop-frame, start timecode): the rates NLE exports carry
RATES = [
    ("23.976", 24000 / 1001, False, "01:00:00:00"),
    ("24", 24.0, False, "01:00:00:00"),
    ("25", 25.0, False, "10:00:00:00"),
    ("29.97 NDF", 30000 / 1001, False, "01:00:00:00"),
    ("29.97 DF", 30000 / 1001, True, "01:00:00;00"),
    ("30", 30.0, False, "00:59:50:00"),
    ("50", 50.0, False, "01:00:00:00"),
    ("59.94 NDF", 60000 / 1001, False, "01:00:00:00"),
    ("59.94 DF", 60000 / 1001, True, "01:00:00;00"),
]
FORMATS = ["otio", "fcp7", "fcpx", "edl", "aaf", "kdenlive", "xges"]
# the formats with a timeline start timecode (an EDL's is its first event, Kdenlive and GES have none)
CARRY_START = ("otio", "fcp7", "fcpx", "aaf")
# Kdenlive profiles and GES project rates are integers or NTSC: all of the above
CLIPS = [("A001", 5, 100, 48), ("A002", 53, 4000, 31), ("A003", 130, 17, 77)]


def _timeline(factory, rate, drop, start, tmp_path):
    timeline = factory(rate=rate, start_tc=start.replace(";", ":"), clips=CLIPS, media_dir=tmp_path)
    frames = timebase.timecode_to_frames(start, timebase.as_rate(rate, drop))
    timeline.global_start_time = TC.RationalTime(frames, rate)
    timeline.metadata["foleyline"] = {"drop_frame": drop}
    return timeline


def _check(timeline, fmt, wav, tmp_path, rate):
    shots = find_shots(timeline).shots
    placements = [Placement(s, f"t{i}{k.value}", k.value.lower(), k, wav, 12, 12, "steps")
                  for i, s in enumerate(shots) for k in ((LayerKind.FOLEY, LayerKind.FX) if i % 2 == 0 else (LayerKind.FOLEY,))]
    # Kdenlive and GES timelines start at zero: positions count from the timeline's start there
    gstart = timebase.to_frames(timeline.global_start_time, rate) if fmt in CARRY_START + ("edl",) else 0
    expected = Counter((gstart + c.start, c.duration, gstart + c.start if fmt == "edl" else c.media_start)
                       for c in placed_clips(timeline, placements, trim_overlaps=fmt == "edl"))
    out = write_foley_timeline(timeline, placements, tmp_path / f"foley_{fmt}", fmt=fmt)
    back = read_timeline(out, rate=rate if fmt == "edl" else None)
    assert foley_positions(back, [wav.name], with_source=True) == expected
    return back


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("label,rate,drop,start", RATES, ids=[r[0] for r in RATES])
def test_foley_lands_on_its_frames(fmt, label, rate, drop, start, timeline_factory, wav_factory, tmp_path):
    timeline = _timeline(timeline_factory, rate, drop, start, tmp_path)
    back = _check(timeline, fmt, wav_factory(seconds=8), tmp_path, rate)
    if fmt in CARRY_START:
        assert timebase.to_frames(back.global_start_time, rate) == timebase.to_frames(timeline.global_start_time, rate)


@pytest.mark.parametrize("fmt", FORMATS)
def test_sources_at_another_rate_than_the_timeline(fmt, timeline_factory, wav_factory, tmp_path):
    # 25 fps media on a 24 fps timeline, a 29.97 clip on it too: write-back places on the record frames
    timeline = _timeline(timeline_factory, 24.0, False, "01:00:00:00", tmp_path)
    for clip, media_rate in zip(timeline.find_clips(), (25.0, 30000 / 1001, 24.0)):
        source = clip.source_range
        clip.source_range = TC.TimeRange(source.start_time.rescaled_to(media_rate), source.duration.rescaled_to(media_rate))
    _check(timeline, fmt, wav_factory(seconds=8), tmp_path, 24.0)
