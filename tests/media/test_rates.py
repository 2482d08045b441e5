"""The same motion at another frame rate: a 50-120 fps picture is read on the pictures a 25-30 fps
camera would have taken (``analysis.ANALYSIS_RATE``), at the source's own times, and gives the
sync it gives at the rate the analysis was set at."""

from __future__ import annotations

import numpy as np
import pytest

from foleyline.server.media import analysis
from foleyline.server.media.analysis import analysis_step, analyze_motion
from foleyline.server.media.decode import decode_shot
from foleyline.server.media.frames import ANALYSIS_STREAM, FrameStream


def matched(found: np.ndarray, expected: np.ndarray, tolerance: float) -> int:
    return sum(bool(np.any(np.abs(found - t) <= tolerance)) for t in expected)


class TestHowManyPicturesAreRead:
    @pytest.mark.parametrize("rate, step", [(10.0, 1), (15.0, 1), (24000 / 1001, 1), (25.0, 1), (30000 / 1001, 1),
                                            (30.0, 1), (1000 / 33, 1), (50.0, 2), (60000 / 1001, 2), (60.0, 2),
                                            (120.0, 4), (240.0, 8)])
    def test_every_picture_up_to_30_fps_and_evenly_fewer_above(self, rate, step):
        assert analysis_step(np.arange(300) / rate) == step

    def test_a_shot_too_short_to_thin_is_read_whole(self):
        assert analysis_step(np.arange(5) / 60.0) == 1


def falling(rate: float, seconds: float = 1.0, start: float = 1.0) -> FrameStream:
    """A 10x10 white square over grey falls from rest at 0.3 s at 160 analysis pixels a second
    and lands at 0.6 s (then rests), filmed at ``rate`` from ``start`` s."""
    times = start + np.arange(int(seconds * rate)) / rate
    frames = np.full((len(times), 90, 160), 80, np.uint8)
    for i, t in enumerate(times - start):
        y = 10 + int(round(160 * min(max(t - 0.3, 0.0), 0.3)))
        frames[i, y : y + 10, 75:85] = 240
    return FrameStream(ANALYSIS_STREAM, frames, times)


class TestTheSameMotionAtHigherRates:
    @pytest.mark.parametrize("rate", [50.0, 60.0, 120.0])
    def test_a_landing_is_found_where_it_is_at_30_fps(self, rate):
        """Within a picture of those read (25 fps at 50, 30 at 60 and 120)."""
        read = rate / analysis_step(falling(rate).times)
        at_30, faster = analyze_motion(falling(30.0)), analyze_motion(falling(rate))
        assert len(at_30.onsets) == len(faster.onsets) == 1
        assert faster.onsets[0] == pytest.approx(at_30.onsets[0], abs=1 / read)
        assert faster.onsets[0] == pytest.approx(1.6, abs=1 / read)  # the landing, on the source's clock

    def test_read_at_every_picture_a_120_fps_landing_is_too_little_change_to_be_motion(self, monkeypatch):
        """What reading fewer pictures prevents: at 120 fps the square moves 1.3 pixels a picture,
        and the little each interval changes is under what the analysis counts as motion."""
        monkeypatch.setattr(analysis, "ANALYSIS_RATE", 1000.0)
        assert len(analyze_motion(falling(120.0)).onsets) == 0

    def test_onsets_and_energy_stay_on_the_sources_frames(self):
        stream = falling(60.0)
        result = analyze_motion(stream)
        times = np.asarray(stream.times)
        # An onset is the middle of two read pictures, which at every 2nd picture is a source frame.
        assert np.min(np.abs(times - result.onsets[0])) < 1e-9
        assert np.array_equal(result.times, times) and len(result.energy) == len(times)

    def test_a_cut_is_found_at_the_sources_own_frame(self, media_dir):
        metal = decode_shot(media_dir / "condfoleygen_hitting_metal.mp4", 0.0, 2.0, [ANALYSIS_STREAM]).streams["analysis"]
        other = decode_shot(media_dir / "condfoleygen_chopping.mp4", 2.0, 1.0, [ANALYSIS_STREAM]).streams["analysis"]
        # Each picture shown 4 times at 60 fps; the cut lands on an odd frame, between read ones.
        frames = np.concatenate([np.repeat(metal.frames[5:12], 4, axis=0)[:-1], np.repeat(other.frames[:10], 4, axis=0)])
        times = np.arange(len(frames)) / 60.0
        result = analyze_motion(FrameStream(ANALYSIS_STREAM, frames, times))
        assert list(result.cuts) == pytest.approx([27 / 60.0])


def blended_to_double(stream: FrameStream) -> FrameStream:
    """The clip at twice its rate the way FFmpeg's ``framerate`` filter (and an NLE's frame
    blending) makes it: the mean of each two camera frames put between them."""
    frames, times = stream.frames.astype(np.float32), np.asarray(stream.times)
    doubled = np.empty((2 * len(frames) - 1, *frames.shape[1:]), np.float32)
    doubled[0::2], doubled[1::2] = frames, (frames[:-1] + frames[1:]) / 2
    at = np.empty(len(doubled))
    at[0::2], at[1::2] = times, (times[:-1] + times[1:]) / 2
    return FrameStream(ANALYSIS_STREAM, np.round(doubled).astype(np.uint8), at)


@pytest.fixture(scope="module")
def ice(media_dir):
    """Boots stomping on ice (tuning half, 29.97 fps, handheld)."""
    return decode_shot(media_dir / "maskvat_ice_gt.mp4", 0.0, 8.0, [ANALYSIS_STREAM]).streams["analysis"]


class TestOnRealFootage:
    @pytest.mark.parametrize("first", [0, 1], ids=["starting-on-a-camera-frame", "starting-on-a-blend"])
    def test_the_stomps_blended_to_59_94_fps_are_found_as_at_29_97(self, ice, first):
        own = analyze_motion(ice).onsets
        doubled = blended_to_double(ice)
        shown = FrameStream(ANALYSIS_STREAM, doubled.frames[first:], doubled.times[first:])
        found = analyze_motion(shown).onsets
        assert len(found) == len(own)
        assert matched(found, own, 1 / 29.97 + 1e-6) == len(own)

    def test_read_at_every_picture_the_blends_move_the_stops(self, ice, monkeypatch):
        """What reading the camera's own pictures prevents: the blends halve each interval's
        change, and the ice's stops come out elsewhere (measured: 13 onsets, 8 of its 12 within a frame)."""
        own = analyze_motion(ice).onsets
        monkeypatch.setattr(analysis, "ANALYSIS_RATE", 1000.0)
        found = analyze_motion(blended_to_double(ice)).onsets
        assert matched(found, own, 1 / 29.97 + 1e-6) < len(own)
