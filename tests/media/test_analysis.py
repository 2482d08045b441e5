"""analysis: motion energy, onsets at contact (where motion stops), cuts."""

from __future__ import annotations

import numpy as np
import pytest

from foleyline.errors import InvalidInput
from foleyline.notes import Region
from foleyline.server.media.analysis import analyze_motion
from foleyline.server.media.decode import decode_shot
from foleyline.server.media.frames import ANALYSIS_STREAM, FrameStream

README_HITS = [0.14, 0.90, 1.67, 2.45, 3.21, 3.95, 4.66, 5.44]  # ../shared/media/README.md
FPS = 25.0


def synthetic(positions: list[tuple[int, int] | None], *, extra: list[tuple[int, int]] | None = None, size=(90, 160)) -> FrameStream:
    """A grey picture with a 10x10 white square at (x, y) per frame (None: no square)."""
    h, w = size
    frames = np.full((len(positions), h, w), 80, np.uint8)
    for i, pos in enumerate(positions):
        for p in [pos] + ([extra[i]] if extra else []):
            if p is not None:
                frames[i, p[1] : p[1] + 10, p[0] : p[0] + 10] = 240
    return FrameStream(ANALYSIS_STREAM, frames, np.arange(len(positions)) / FPS)


def swing_and_stop(start: int, stop: int, total: int, x0: int = 10, speed: int = 8, y: int = 40) -> list[tuple[int, int]]:
    """At rest until ``start``, moving fast until ``stop`` (contact), then at rest."""
    xs = []
    for i in range(total):
        moved = min(max(i - start, 0), stop - start)
        xs.append((x0 + speed * moved, y))
    return xs


@pytest.fixture(scope="module")
def metal(media_dir):
    return decode_shot(media_dir / "condfoleygen_hitting_metal.mp4", 0.0, 6.0, [ANALYSIS_STREAM]).streams["analysis"]


class TestRealClip:
    def test_onsets_land_on_the_readme_hits(self, metal):
        result = analyze_motion(metal)
        for hit in README_HITS:
            nearest = np.min(np.abs(result.onsets - hit))
            assert nearest <= 0.1, f"no visual onset within 0.1 s of the hit at {hit} s (nearest {nearest:.3f})"
        # Extra onsets exist (the stick's backswing also stops) but stay within reason.
        assert len(result.onsets) <= 2 * len(README_HITS)

    def test_energy_curve_is_per_frame_and_normalised(self, metal):
        result = analyze_motion(metal)
        assert result.times.shape == result.energy.shape == (len(metal),)
        assert result.energy.max() == pytest.approx(1.0) and result.energy.min() >= 0
        assert result.onset_strengths.shape == result.onsets.shape
        assert np.all((result.onset_strengths > 0) & (result.onset_strengths <= 1))
        assert len(result.cuts) == 0


def sound_onsets(audio: np.ndarray, rate: int, refractory: float = 0.2) -> np.ndarray:
    """Onsets of a clip's own sound: the 5 ms level jumps 12 dB above its last 30 ms, within
    30 dB of the loudest moment. (On hitting_metal this finds the README's hits.)"""
    from scipy.signal import find_peaks

    mono = audio.mean(axis=0)
    hop = rate // 200
    frames = mono[: len(mono) // hop * hop].reshape(-1, hop)
    level = 20 * np.log10(np.sqrt((frames**2).mean(axis=1)) + 1e-6)
    recent_low = np.array([level[max(0, i - 6) : i].min() if i else level[0] for i in range(len(level))])
    peaks, _ = find_peaks(level - recent_low, height=12, distance=int(refractory * 200))
    return peaks[level[peaks] > level.max() - 30] / 200


class TestAgainstTheClipsOwnSound:
    def test_the_sound_reference_agrees_with_the_readme(self, media_dir):
        shot = decode_shot(media_dir / "condfoleygen_hitting_metal.mp4", 0.0, 6.0, [], with_audio=True)
        sounds = sound_onsets(shot.audio, shot.audio_rate)
        assert all(np.min(np.abs(sounds - hit)) <= 0.03 for hit in README_HITS)

    def test_every_hit_on_the_bag_has_an_onset(self, media_dir):
        shot = decode_shot(media_dir / "condfoleygen_hitting_bag.mp4", 0.0, 6.0, [ANALYSIS_STREAM], with_audio=True)
        hits = sound_onsets(shot.audio, shot.audio_rate)
        assert len(hits) == 8
        onsets = analyze_motion(shot.streams["analysis"]).onsets
        assert all(np.min(np.abs(onsets - hit)) <= 0.1 for hit in hits), (hits, onsets)
        assert len(onsets) <= 2 * len(hits)

    def test_chopping_onsets_follow_the_knife(self, media_dir):
        shot = decode_shot(media_dir / "condfoleygen_chopping.mp4", 0.0, 8.0, [ANALYSIS_STREAM], with_audio=True)
        chops = sound_onsets(shot.audio, shot.audio_rate)
        assert 12 <= len(chops) <= 18  # "a cut about every 0.48 s"
        analysis = analyze_motion(shot.streams["analysis"])
        at_chop = np.array([np.min(np.abs(chops - t)) <= 0.1 for t in analysis.onsets])
        # Measured 13 of 15 (16 onsets): the knife also stops at the top of each stroke.
        assert at_chop.sum() >= 0.8 * len(chops), (at_chop.sum(), len(chops))
        assert len(analysis.onsets) <= 1.5 * len(chops)
        # Those other stops sound quieter: the knife landing loses its momentum into the board.
        # Measured mean strength 0.81 at the chops, 0.42 elsewhere (0.75 / 0.47 from the
        # moving area alone, before the flow's momentum was added).
        strengths = analysis.onset_strengths
        assert strengths[at_chop].mean() > 1.75 * strengths[~at_chop].mean()

    def test_repeated_frames_are_not_stops(self, media_dir):
        # This clip repeats every sixth frame (25 -> 29.97 fps); a repeat has no motion and
        # would look like a stop five times a second.
        from foleyline.server.media.analysis import distinct_frames

        stream = decode_shot(media_dir / "condfoleygen_chopping.mp4", 0.0, 2.0, [ANALYSIS_STREAM]).streams["analysis"]
        keep = distinct_frames(stream.frames.astype(np.float32))
        repeats = sorted(set(range(len(stream))) - set(keep.tolist()))
        assert len(repeats) == 10 and set(np.diff(repeats)) <= {5, 6, 7}
        onsets = analyze_motion(stream).onsets
        midpoints = [(stream.times[r - 1] + stream.times[r]) / 2 for r in repeats]
        assert not any(np.min(np.abs(onsets - m)) < 1e-6 for m in midpoints)


class TestContact:
    def test_the_onset_is_where_motion_stops_not_where_it_starts(self):
        stream = synthetic(swing_and_stop(start=10, stop=20, total=40))
        result = analyze_motion(stream)
        contact = 20 / FPS
        assert len(result.onsets) == 1
        assert abs(result.onsets[0] - contact) <= 1 / FPS
        assert abs(result.onsets[0] - 10 / FPS) > 0.3  # nothing at the start of the swing

    def test_a_stroke_that_slows_through_the_material_is_timed_where_it_arrived(self):
        # Fast (8 px/frame) up to frame 19, then 4, 2, 1 px as it sinks in (an axe in a log):
        # the sound is at the arrival, between frames 19 and 20, not where it comes to rest.
        xs, x = [], 10
        for i in range(40):
            x += 8 if 10 <= i < 20 else {20: 4, 21: 2, 22: 1}.get(i, 0)
            xs.append((x, 40))
        result = analyze_motion(synthetic(xs))
        strongest = result.onsets[np.argmax(result.onset_strengths)]
        assert strongest == pytest.approx(19.5 / FPS)

    @pytest.mark.parametrize("fps", [15.0, 30.0])
    def test_a_stroke_that_rebounds_is_timed_where_it_arrived_at_any_frame_rate(self, fps):
        # Fast (8 px/frame) up to frame 14, then back at 5 px/frame for three frames (a stick's
        # rebound: the moving area stays up, below the stroke's), then rest. The rebound holds the
        # picture's motion up for as many frames at 15 fps as at 30, so its stop comes three
        # intervals after the contact: 0.2 s at 15 fps. The hit is at the arrival all the same.
        xs, x = [], 10
        for i in range(40):
            x += 8 if 5 <= i < 15 else -5 if 15 <= i < 18 else 0
            xs.append((x, 40))
        stream = synthetic(xs)
        result = analyze_motion(FrameStream(ANALYSIS_STREAM, stream.frames, np.arange(len(xs)) / fps))
        strongest = result.onsets[np.argmax(result.onset_strengths)]
        assert strongest == pytest.approx(14.5 / fps)

    def test_a_stroke_that_arrives_going_up_is_the_top_of_a_swing_not_a_contact(self):
        # Down for 10 frames, rest, then back up for 10 frames, rest: two equal stops, and only
        # the one at the bottom strikes anything (a drumstick's rise stops silently).
        ys = [10 + 4 * min(max(i - 5, 0), 10) for i in range(30)] + [50 - 4 * min(max(i - 5, 0), 10) for i in range(30)]
        result = analyze_motion(synthetic([(70, y) for y in ys]))
        assert len(result.onsets) == 1
        assert abs(result.onsets[0] - 15 / FPS) <= 1 / FPS

    def test_a_stroke_ending_sideways_is_still_a_contact(self):
        # A hand slapping a wall, a racket meeting a ball: no gravity prior says it is silent.
        result = analyze_motion(synthetic(swing_and_stop(5, 15, 40)))
        assert len(result.onsets) == 1 and abs(result.onsets[0] - 15 / FPS) <= 1 / FPS

    def test_no_motion_no_onsets(self):
        result = analyze_motion(synthetic([(50, 40)] * 30))
        assert len(result.onsets) == 0 and np.all(result.energy == 0)

    def test_refractory_time_keeps_one_of_two_close_stops(self):
        positions = swing_and_stop(5, 15, 40)
        # A second short swing (frames 19-21) that stops 6 frames (0.24 s) after the first.
        for i in range(19, 40):
            positions[i] = (positions[15][0] + 8 * min(i - 18, 3), 40)
        assert len(analyze_motion(synthetic(positions), refractory=0.3).onsets) == 1
        assert len(analyze_motion(synthetic(positions), refractory=0.1).onsets) == 2

    def test_a_region_ignores_motion_outside_it(self):
        inside = swing_and_stop(5, 15, 40, x0=5, y=10)             # top band
        outside = swing_and_stop(20, 30, 40, x0=5, speed=6, y=70)   # bottom band, stops later
        stream = synthetic(inside, extra=outside)
        top = analyze_motion(stream, region=(0.0, 0.0, 1.0, 0.4))
        assert len(top.onsets) == 1 and abs(top.onsets[0] - 15 / FPS) <= 1 / FPS
        bottom = analyze_motion(stream, region=Region(time=0.0, x=0.0, y=0.6, width=1.0, height=0.4))
        assert len(bottom.onsets) == 1 and abs(bottom.onsets[0] - 30 / FPS) <= 1 / FPS

    def test_per_frame_boxes_follow_a_tracked_subject(self):
        stream = synthetic(swing_and_stop(5, 15, 40), extra=swing_and_stop(20, 30, 40, y=70))
        boxes = [(0.0, 0.3, 1.0, 0.3)] * 40  # the band of the first square, given per frame
        result = analyze_motion(stream, boxes=boxes)
        assert len(result.onsets) == 1 and abs(result.onsets[0] - 15 / FPS) <= 1 / FPS

    def test_bad_arguments(self):
        stream = synthetic([(50, 40)] * 10)
        with pytest.raises(InvalidInput, match="one box per frame"):
            analyze_motion(stream, boxes=[(0, 0, 1, 1)] * 3)
        with pytest.raises(InvalidInput, match="positive width"):
            analyze_motion(stream, region=(0.1, 0.1, 0.0, 0.5))
        with pytest.raises(InvalidInput):
            analyze_motion(stream, refractory=-1)


class TestCuts:
    def test_a_cut_is_found_and_is_not_an_onset(self, metal, media_dir):
        other = decode_shot(media_dir / "condfoleygen_chopping.mp4", 2.0, 1.0, [ANALYSIS_STREAM]).streams["analysis"]
        # Seven frames of the metal door, then ten of the chopping board (both 160x90 grey).
        frames = np.concatenate([metal.frames[5:12], other.frames[:10]])
        times = np.arange(len(frames)) / 15.0
        result = analyze_motion(FrameStream(ANALYSIS_STREAM, frames, times))
        assert list(result.cuts) == pytest.approx([7 / 15.0])
        assert not np.any(np.abs(result.onsets - 7 / 15.0) < 1.5 / 15.0)


def textured(tracks: list[list[tuple[int, int] | None]], frames: int, size=(90, 160)) -> tuple[np.ndarray, np.ndarray]:
    """Grey frames (float) with one 16x16 textured patch per track at (x, y) per frame (None:
    absent), and their times. Optical flow needs texture, as on real things."""
    rng = np.random.default_rng(0)
    patch = rng.integers(120, 255, (16, 16)).astype(np.float32)
    h, w = size
    out = np.full((frames, h, w), 40.0, np.float32)
    for track in tracks:
        for i, pos in enumerate(track):
            if pos is None:
                continue
            x, y = pos
            x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + 16, w), min(y + 16, h)
            if x1 > x0 and y1 > y0:
                out[i, y0:y1, x0:x1] = patch[y0 - y : y1 - y, x0 - x : x1 - x]
    return out, np.arange(frames) / FPS


def path(frames: int, start: tuple[int, int], moves: list[tuple[int, int, int, int]]) -> list[tuple[int, int]]:
    """Positions per frame from ``start``; each move (first, last, dx, dy) shifts by (dx, dy)
    per frame for frames first+1..last."""
    x, y = start
    out = []
    for i in range(frames):
        for first, last, dx, dy in moves:
            if first < i <= last:
                x, y = x + dx, y + dy
        out.append((x, y))
    return out


class TestMomentumLost:
    """The flow's share of an onset's strength: how much momentum the moving material lost,
    following the material (not fixed places). Two events per clip, since losses are scaled to
    the clip's largest."""

    @staticmethod
    def lost(tracks, frames, peaks):
        from foleyline.server.media.momentum import Flow, momentum_totals, scaled_losses

        gray, times = textured(tracks, frames)
        return scaled_losses(*momentum_totals(Flow(gray, times), None, 1, 4, np.asarray(peaks), np.zeros(0, int)))

    def test_a_stop_loses_momentum_a_thing_passing_by_does_not(self):
        stops = path(30, (20, 10), [(0, 10, 0, 3)])            # down 3 px/frame, stops at frame 10
        passes = path(30, (60, 60), [(14, 29, 3, 0)])          # crosses the picture, never stops
        stop, passing = self.lost([stops, passes], 30, [10, 21])
        assert stop > 0 and passing < 0.2 * stop

    def test_a_bounce_loses_more_than_a_stop(self):
        bounce = path(30, (20, 10), [(0, 10, 0, 3), (10, 13, 0, -3)])  # down, then back up
        stop = path(30, (110, 10), [(14, 24, 0, 3)])                     # down, then still
        bounced, stopped = self.lost([bounce, stop], 30, [10, 24])
        assert bounced > 1.3 * stopped

    def test_leaving_the_picture_is_not_stopping(self):
        stop = path(30, (20, 10), [(0, 10, 0, 3)])
        leaves = path(30, (40, 60), [(12, 29, -4, 0)])  # out of the left edge at about frame 23
        stopped, left = self.lost([stop, leaves], 30, [10, 23])
        assert left < 0.2 * stopped

    def test_a_stop_after_a_downward_stroke_outweighs_one_after_an_upward_stroke(self):
        down = path(30, (20, 10), [(0, 10, 0, 3)])
        up = path(30, (110, 60), [(14, 24, 0, -3)])
        after_down, after_up = self.lost([down, up], 30, [10, 24])
        assert after_down > 2 * after_up

    def test_a_still_picture_loses_nothing(self):
        assert self.lost([[(50, 40)] * 20], 20, [10]).tolist() == [0.0]
