"""foleyline.probe: what a media file holds, from its headers: picture, rate, sound, timecode."""

from __future__ import annotations

from fractions import Fraction

import pytest

from foleyline.errors import MediaError
from foleyline.probe import probe
from foleyline.timebase import MediaClock


def test_probe_reads_the_readme_facts(media_dir):
    info = probe(media_dir / "condfoleygen_hitting_metal.mp4")
    assert (info.width, info.height, info.fps) == (604, 340, 15.0)
    assert info.duration == pytest.approx(6.0, abs=0.07)
    assert info.has_audio and info.audio_rate == 44100 and info.audio_channels == 2
    chopping = probe(media_dir / "condfoleygen_chopping.mp4")
    assert chopping.frame_rate.fps == Fraction(30000, 1001)
    assert not probe(media_dir / "debian_opencv-doc_vtest.avi").has_audio


@pytest.mark.parametrize("suffix", [".mov", ".mp4", ".mkv"])
def test_the_start_timecode_is_read_from_the_container(small_clip, suffix):
    info = probe(small_clip(f"tc{suffix}", timecode="10:00:00:00"))
    assert info.timecode == "10:00:00:00"
    assert info.clock == MediaClock(info.duration, "10:00:00:00")
    assert info.duration == pytest.approx(1.0, abs=0.05)


def test_a_file_without_timecode_says_none(small_clip):
    assert probe(small_clip("plain.mp4")).timecode is None


def test_a_missing_file_says_where_it_looked(tmp_path):
    with pytest.raises(MediaError, match="not found"):
        probe(tmp_path / "nope.mov")
