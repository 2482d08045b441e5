"""pacing: frames dropped unevenly from a camera's (30 -> 21.5 fps) are found from the picture's
changes, and the motion over the long intervals is evened out."""

from __future__ import annotations

import numpy as np
import pytest

from foleyline.server.media import analysis
from foleyline.server.media.analysis import analyze_motion
from foleyline.server.media.decode import decode_shot
from foleyline.server.media.frames import ANALYSIS_STREAM, FrameStream
from foleyline.server.media.pacing import Pacing, uneven_pacing

SHOWN = 21.5  # the rate a dataset of web clips was brought down to


def dropped(camera: float, shown: float, seconds: float) -> np.ndarray:
    """Which of the camera's frames each shown frame is, dropping to the nearest earlier one."""
    return np.floor(np.arange(int(seconds * shown)) * camera / shown).astype(int)


def changes_of(frames_taken: np.ndarray, per_frame: float = 2.0, noise: float = 0.15, seed: int = 0) -> np.ndarray:
    """Mean absolute differences of a steadily moving picture, shown at the given camera frames:
    each interval changes in proportion to the camera frames it spans, with some noise."""
    rng = np.random.default_rng(seed)
    spans = np.diff(frames_taken)
    return np.r_[0.0, per_frame * spans * np.exp(rng.normal(0.0, noise, len(spans)))]


class TestFindingTheBeat:
    def test_a_30_fps_camera_dropped_to_21_5_fps_is_found_with_its_spans(self):
        taken = dropped(30.0, SHOWN, 8.3)
        times = np.arange(len(taken)) / SHOWN
        pacing = uneven_pacing(times, changes_of(taken))
        assert pacing is not None
        assert pacing.rate == pytest.approx(30.0, abs=0.05)
        assert np.array_equal(pacing.spans[1:], np.diff(taken))

    @pytest.mark.parametrize("camera, shown", [(30000 / 1001, 25.0), (60.0, 25.0), (25.0, 15.0), (24.0, SHOWN),
                                               (50.0, 30.0)])
    def test_other_uneven_conversions_are_found(self, camera, shown):
        taken = dropped(camera, shown, 8.0)
        pacing = uneven_pacing(np.arange(len(taken)) / shown, changes_of(taken))
        assert pacing is not None
        assert np.array_equal(np.diff(pacing.spans[1:]) != 0, np.diff(np.diff(taken)) != 0)

    @pytest.mark.parametrize("camera, shown", [(30.0, 30.0), (30.0, 15.0), (60.0, 30.0)])
    def test_evenly_paced_pictures_have_no_beat(self, camera, shown):
        taken = dropped(camera, shown, 8.0)  # every frame, or every other: even
        assert uneven_pacing(np.arange(len(taken)) / shown, changes_of(taken, noise=0.4)) is None

    def test_a_picture_whose_changes_follow_no_beat_has_none(self):
        rng = np.random.default_rng(3)
        times = np.arange(180) / SHOWN
        assert uneven_pacing(times, np.r_[0.0, rng.gamma(2.0, 1.0, 179)]) is None

    def test_a_shot_too_short_to_show_a_beat_is_left_as_it_is(self):
        taken = dropped(30.0, SHOWN, 0.5)
        assert uneven_pacing(np.arange(len(taken)) / SHOWN, changes_of(taken, noise=0.0)) is None


class TestEvening:
    def pacing(self) -> Pacing:
        taken = dropped(30.0, SHOWN, 8.3)
        return Pacing(rate=30.0, spans=np.r_[1, np.diff(taken)])

    def test_long_intervals_are_scaled_down_by_what_the_shot_shows_them_to_gain(self):
        pacing = self.pacing()
        long = pacing.spans == 2
        moving = np.where(long, 0.3, 0.1)  # three times the area over two camera frames
        (evened,) = pacing.evened(moving)
        assert np.allclose(evened, 0.1)

    def test_a_saturated_area_is_left_alone_and_never_raised(self):
        pacing = self.pacing()
        moving = np.where(pacing.spans == 2, 0.5, 0.6)  # the long intervals move less here
        (evened,) = pacing.evened(moving)
        assert np.array_equal(evened, moving)

    def test_each_grid_cell_gets_its_own_gain(self):
        pacing = self.pacing()
        long = pacing.spans == 2
        cells = np.stack([np.where(long, 0.4, 0.1), np.where(long, 0.2, 0.1)], axis=1)
        overall, evened = pacing.evened(cells.sum(axis=1), cells)
        assert evened.shape == cells.shape
        assert np.allclose(evened, 0.1)
        assert np.allclose(overall, 0.2)

    def test_capture_times_step_by_the_camera_frames_each_interval_spans(self):
        pacing = self.pacing()
        times = 1.0 + np.arange(len(pacing.spans)) / SHOWN
        captured = pacing.capture_times(times)
        assert captured[0] == 1.0
        assert np.allclose(np.diff(captured), pacing.spans[1:] / 30.0)


@pytest.fixture(scope="module")
def ice(media_dir):
    return decode_shot(media_dir / "maskvat_ice_gt.mp4", 0.0, 8.0, [ANALYSIS_STREAM]).streams["analysis"]


class TestOnRealFootage:
    """The ice stomp (tuning half, 29.97 fps) shown at 21.5 fps the way a web dataset brings
    clips down: frames dropped, timestamps even."""

    def dropped_ice(self, ice) -> FrameStream:
        times = np.asarray(ice.times)
        taken = dropped(1.0 / float(np.median(np.diff(times))), SHOWN, float(times[-1] - times[0]))
        taken = taken[taken < len(ice.frames)]
        return FrameStream(ANALYSIS_STREAM, ice.frames[taken], times[0] + np.arange(len(taken)) / SHOWN)

    def test_the_stomps_are_found_as_at_the_cameras_own_rate(self, ice):
        own_rate = analyze_motion(ice)
        found = analyze_motion(self.dropped_ice(ice))
        assert own_rate.camera_rate is None
        assert found.camera_rate == pytest.approx(30.0, abs=0.05)  # said in the drafted notes
        own, shown = own_rate.onsets, found.onsets
        matched = sum(bool(np.any(np.abs(shown - onset) < 0.1)) for onset in own)
        assert matched >= 0.75 * len(own)
        assert len(shown) <= len(own) + 3

    def test_read_without_its_pacing_the_beat_adds_stops(self, ice, monkeypatch):
        """What the evening prevents: every short interval after a long one reads as a stop."""
        own = analyze_motion(ice).onsets
        monkeypatch.setattr(analysis, "uneven_pacing", lambda times, mad: None)
        assert len(analyze_motion(self.dropped_ice(ice)).onsets) >= 1.5 * len(own)

    def test_clips_at_their_cameras_rate_have_no_beat(self, media_dir):
        """The chopping board's 25 fps brought up to 29.97 by repeats (left out before the beat is
        looked for), the metal door at 15 fps."""
        for clip in ("condfoleygen_chopping.mp4", "condfoleygen_hitting_metal.mp4"):
            stream = decode_shot(media_dir / clip, 0.0, 6.0, [ANALYSIS_STREAM]).streams["analysis"]
            kept = analysis.distinct_frames(stream.frames)
            gray = stream.frames[kept].astype(np.float32)
            mad = np.r_[0.0, np.abs(np.diff(gray, axis=0)).mean(axis=(1, 2))]
            assert uneven_pacing(np.asarray(stream.times)[kept], mad) is None, clip
