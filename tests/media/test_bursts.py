"""bursts: sounds that start with a sudden change out of calm (a recoil's kick, a flash), as
a contact's sound starts where motion stops."""

from __future__ import annotations

import numpy as np

import tolerances

from foleyline.server.media.analysis import analyze_motion, detect_cuts
from foleyline.server.media.bursts import flashes, light_change
from foleyline.server.media.frames import ANALYSIS_STREAM, FrameStream, SourceKind

FPS = 30.0
SIZE = (90, 160)


def stream_of(frames: np.ndarray) -> FrameStream:
    return FrameStream(ANALYSIS_STREAM, np.clip(frames, 0, 255).astype(np.uint8), np.arange(len(frames)) / FPS)


_SKIN = np.kron(np.random.default_rng(5).uniform(20, 90, (7, 17)), np.ones((2, 2)))


def hand(frames: np.ndarray, i: int, y: float, x: int = 70) -> None:
    """A hand holding a gun: a dark, textured block (real things are not flat: a flat block's
    inside never changes as it moves)."""
    y0 = int(round(y))
    frames[i, y0 : y0 + 14, x : x + 34] = _SKIN


def recoil(shots: list[int], n: int) -> np.ndarray:
    """A hand at rest fires at the given frames: the gun kicks up 7, 4, 2 px, then the hand
    lowers it back over 13 frames (1 px a frame) and rests."""
    frames = np.full((n, *SIZE), 110.0)
    lift = {0: 7, 1: 4, 2: 2}
    y, rest = 50.0, 50.0
    for i in range(n):
        since = [i - s for s in shots if 0 <= i - s < 16]
        if since:
            k = since[-1]
            y = rest - sum(lift[j] for j in range(min(k + 1, 3))) + max(0, k - 2)
        else:
            y = rest
        hand(frames, i, y)
    return frames


def test_a_recoil_sounds_where_the_gun_kicks_not_where_its_kick_stops():
    shots = [15, 45, 75]
    result = analyze_motion(stream_of(recoil(shots, 100)))
    assert result.sources[0].kind is SourceKind.CONTACTS or any(s.kind is SourceKind.BURSTS for s in result.sources)
    expected = (np.array(shots) - 0.5) / FPS  # the kick happens between frame s-1 and s
    for t in expected:
        assert np.min(np.abs(result.onsets - t)) <= 1.0 / FPS, (result.onsets, expected)
    # The kicks are the strongest events (the hand settling back is quieter, if it sounds at all).
    strongest = np.sort(result.onsets[np.argsort(result.onset_strengths)[-3:]])
    np.testing.assert_allclose(strongest, expected, atol=1.0 / FPS)


def test_a_swing_that_eases_in_and_strikes_is_no_kick():
    # A stick accelerating over six frames down onto a table, then lifted back slowly.
    frames = np.full((60, *SIZE), 110.0)
    y = 10.0
    for i in range(60):
        k = i % 30
        y = 10 + sum(range(1, min(k, 8) + 1)) if k <= 8 else max(10.0, 46 - 3 * (k - 8))
        frames[i, int(y) : int(y) + 10, 60:70] = 30
    result = analyze_motion(stream_of(frames))
    hits = (np.array([8, 38]) + 0.5) / FPS
    assert len(result.onsets) == 2, result.onsets
    np.testing.assert_allclose(result.onsets, hits, atol=1.0 / FPS)


def test_a_light_door_closing_over_its_dark_doorway_is_motion_not_light():
    # Every pixel the door covers gets lighter, as in a flash; but only where the door is (a
    # third of the picture's grid cells, as the demo's door): its swing is motion, and where it
    # slams shut is a contact. (A light thing closing over most of the picture still reads as
    # light: bursts.LIT_SPREAD.)
    frames = np.full((48, *SIZE), 170.0)
    frames[:, 32:86, 60:100] = 25  # the dark doorway
    for i in range(48):  # the door closes from frame 10, faster and faster, shut at frame 20
        width = 40 if i >= 20 else 3 + int(37 * (max(i - 10, 0) / 10) ** 2)
        frames[i, 32:86, 60 : 60 + width] = 120
    assert not any(light_change(frames[i - 1], frames[i]) for i in range(11, 21))
    result = analyze_motion(stream_of(frames))
    assert result.sources[0].kind is SourceKind.CONTACTS
    assert np.min(np.abs(result.onsets - 19.5 / FPS)) <= 1.5 / FPS, result.onsets


def night(n: int, flashes_at: list[int]) -> np.ndarray:
    """A dark sky over a few lit windows; at each flash the whole sky lights up, then fades over
    five frames."""
    rng = np.random.default_rng(0)
    frames = np.full((n, *SIZE), 20.0) + rng.normal(0, 1.0, (n, *SIZE))
    frames[:, 60:80, 20:140:10] = 120  # windows
    for f in flashes_at:
        for k in range(6):
            if f + k < n:
                frames[f + k] += 60 * (0.5**k)
    return frames


def test_a_flash_is_a_burst_and_not_a_cut():
    frames = night(60, [10, 40])
    stream = stream_of(frames)
    assert len(detect_cuts(frames.astype(np.float32), stream.times)) == 0
    assert light_change(frames[9], frames[10]) and light_change(frames[11], frames[12])
    result = analyze_motion(stream)
    expected = (np.array([10, 40]) - 0.5) / FPS
    np.testing.assert_allclose(result.onsets, expected, atol=tolerances.SECONDS)
    bursts = [s for s in result.sources if s.kind is SourceKind.BURSTS]
    assert bursts and "flashes" in bursts[0].evidence


def test_a_bright_thing_moving_is_not_a_flash():
    frames = np.full((40, *SIZE), 20.0)
    for i in range(40):
        frames[i, 30:50, 5 + 3 * i : 25 + 3 * i] = 250
    times, _ = flashes(frames.astype(np.float32), np.arange(40) / FPS, np.zeros(0, int))
    assert len(times) == 0


def test_a_jump_cut_the_histograms_miss_is_a_cut():
    # The same textured place, and then (frame 20) the camera jolted 15 pixels in one frame.
    rng = np.random.default_rng(2)
    place = np.kron(rng.uniform(40, 200, (40, 70)), np.ones((3, 3)))
    frames = np.stack([place[10:100, 10:170] if i < 20 else place[25:115, 25:185] for i in range(40)])
    frames = frames + rng.normal(0, 1.0, frames.shape)
    cuts = detect_cuts(frames.astype(np.float32), np.arange(40) / FPS)
    assert list(cuts) == [20]


def test_a_picture_that_brightens_only_in_its_last_interval_has_no_flash_and_no_error():
    # (a 1 s range of condfoleygen_button.mp4 ends on such a rise; it raised a ValueError)
    frames = np.full((10, 90, 160), 80.0)
    frames[-1] += 80.0
    times, strengths = flashes(frames, np.arange(10) / FPS, np.zeros(0, int))
    assert len(times) == 0 and len(strengths) == 0
    assert analyze_motion(stream_of(frames)).onsets.size == 0
