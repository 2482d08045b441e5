"""AAF files as Avid and Premiere export them beyond one sequence: several top-level
compositions, and a bin's audio subclip with no sequence at all."""

from __future__ import annotations

import pytest

from foleyline.errors import InvalidInput
from foleyline.plugin.timeline import read_timeline
from foleyline.plugin.timeline.conformance import conform_file
from foleyline.plugin.timeline.formats import read_timelines
from foleyline.plugin.timeline.timelines import describe

from timeline_exports import avid_audio_subclip_aaf, two_sequence_aaf


def test_two_top_level_compositions_are_two_timelines_each_conforming(tmp_path):
    path = two_sequence_aaf(tmp_path / "reels.aaf")
    infos = describe(read_timelines(path))
    assert [(i.name, i.start, i.duration, i.video_tracks) for i in infos] == [
        ("Reel 1", "01:00:00:00", "00:00:02:00", 1), ("Reel 2", "01:00:00:00", "00:00:04:00", 1)]
    with pytest.raises(InvalidInput, match="holds 2 timelines"):
        read_timeline(path)
    results = conform_file(path, workdir=tmp_path)
    assert [(r.timeline, r.ok, r.shots) for r in results] == [("1: Reel 1", True, 1), ("2: Reel 2", True, 1)]


def test_an_avid_audio_subclip_reads_as_its_clip_and_round_trips(tmp_path):
    path = avid_audio_subclip_aaf(tmp_path / "subclip.aaf")
    [timeline] = read_timelines(path)
    [clip] = timeline.find_clips()
    assert clip.source_range.start_time.value == 5 * 24 and clip.source_range.duration.value == 10 * 24
    [result] = conform_file(path, workdir=tmp_path)
    assert result.ok and result.stand_in == "audio only", result.detail
