"""camera: a handheld camera's own motion is taken out before anything is called motion, and
only where it is the camera's."""

from __future__ import annotations

import numpy as np

from foleyline.server.media.analysis import analyze_motion
from foleyline.server.media.camera import camera_shifts, frame_difference
from foleyline.server.media.contacts import GRID, NOISE_LEVEL, cell_differences
from foleyline.server.media.frames import ANALYSIS_STREAM, FrameStream

FPS = 25.0
SIZE = (90, 160)
PAD = 12


def scene(seed: int = 0) -> np.ndarray:
    """A still, textured place larger than the picture (blurred noise, like walls and floors)."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(40, 200, ((SIZE[0] + 2 * PAD) // 3 + 1, (SIZE[1] + 2 * PAD) // 3 + 1))
    return np.kron(coarse, np.ones((3, 3)))[: SIZE[0] + 2 * PAD, : SIZE[1] + 2 * PAD]


def shaken(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Frames of the still scene seen by a shaking hand (whole pixels), and where the hand was."""
    rng = np.random.default_rng(seed)
    place = scene(seed)
    offsets = np.cumsum(rng.integers(-2, 3, (n, 2)), axis=0).clip(-PAD + 1, PAD - 1)
    frames = np.stack([place[PAD - dy : PAD - dy + SIZE[0], PAD - dx : PAD - dx + SIZE[1]] for dx, dy in offsets])
    return frames, offsets


def stream_of(frames: np.ndarray) -> FrameStream:
    return FrameStream(ANALYSIS_STREAM, np.clip(frames, 0, 255).astype(np.uint8), np.arange(len(frames)) / FPS)


def test_a_shaking_camera_is_measured_and_taken_out():
    frames, offsets = shaken(30)
    shifts = camera_shifts(frames)
    moved = np.diff(offsets, axis=0)
    big = np.abs(moved).max(axis=1) > 0
    np.testing.assert_array_equal(shifts[1:][big], moved[big])
    overall, _, _ = cell_differences(frames, None, GRID, shifts)
    plain, _, _ = cell_differences(frames, None, GRID)
    assert overall[1:][big].max() < 0.05 < plain[1:][big].min()


def test_a_thing_moving_over_a_plain_background_is_not_the_camera():
    # The correlation sees only the square; moving the picture by its motion would erase it.
    frames = np.full((20, *SIZE), 80.0)
    for i in range(20):
        frames[i, 40:50, 10 + 5 * i : 20 + 5 * i] = 240
    assert not camera_shifts(frames).any()


def test_a_large_thing_in_front_of_a_still_camera_is_not_the_camera():
    # A textured board a third of the picture wide slides across a still, textured place.
    place = scene(1)[: SIZE[0], : SIZE[1]]
    board = scene(2)[:60, :55]
    frames = np.repeat(place[None], 20, axis=0).copy()
    for i in range(20):
        frames[i, 15:75, 3 * i : 3 * i + 55] = board
    assert not camera_shifts(frames).any()


def test_the_border_a_moved_frame_leaves_uncovered_has_not_changed():
    frames, _ = shaken(2, seed=3)
    difference = frame_difference(frames, 1, (3, -2))
    assert difference.shape == SIZE
    assert not difference[:, :3].any() and not difference[-2:, :].any()


def test_a_hit_filmed_handheld_has_its_contact_and_no_shake_contacts():
    frames, offsets = shaken(60, seed=4)
    for i, (dx, dy) in enumerate(offsets):  # a dark block slides from frame 20 to 29, then rests
        x = 56 + 4 * min(max(i - 20, 0), 9) + dx  # where it is in the place, seen from the camera
        frames[i, 40 + dy : 52 + dy, x : x + 12] = 10
    result = analyze_motion(stream_of(frames))
    assert len(result.onsets) >= 1
    assert np.min(np.abs(result.onsets - 29 / FPS)) <= 1.5 / FPS
    assert np.all(np.abs(result.onsets - 29 / FPS) <= 0.2), result.onsets  # no shake stop is a hit
    assert (frame_difference(frames, 5) > NOISE_LEVEL).mean() > 0.05  # the shake alone moves a lot
