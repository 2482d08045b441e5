"""sources: what kind of thing makes the sound, decided from how the picture moves."""

from __future__ import annotations

import numpy as np
import pytest

from foleyline.server.media.analysis import analyze_motion
from foleyline.server.media.decode import decode_shot
from foleyline.server.media.frames import ANALYSIS_STREAM, FrameStream, SourceKind

FPS = 25.0
SIZE = (90, 160)


def stream_of(frames: np.ndarray) -> FrameStream:
    return FrameStream(ANALYSIS_STREAM, np.clip(frames, 0, 255).astype(np.uint8), np.arange(len(frames)) / FPS)


def blank(n: int) -> np.ndarray:
    return np.full((n, *SIZE), 80.0)


def square(frames: np.ndarray, i: int, x: float, y: float, side: int = 10, level: float = 240.0) -> None:
    x0, y0 = int(round(x)), int(round(y))
    frames[i, max(y0, 0) : y0 + side, max(x0, 0) : x0 + side] = level


def test_a_still_picture_is_nothing_that_sounds():
    frames = blank(50) + np.random.default_rng(0).normal(0, 1.5, (50, *SIZE))  # sensor noise
    result = analyze_motion(stream_of(frames))
    assert result.sources[0].kind is SourceKind.NONE
    assert len(result.onsets) == 0


def test_strokes_that_stop_are_contacts():
    frames = blank(60)
    for i in range(60):
        phase = i % 20  # rest 10 frames, then 10 frames down, then back at the top at once
        square(frames, i, 70, 10 + 5 * min(max(phase - 10, 0), 9) if phase >= 10 else 10)
    result = analyze_motion(stream_of(frames))
    assert result.sources[0].kind is SourceKind.CONTACTS
    assert len(result.onsets) >= 2
    np.testing.assert_allclose(result.sources[0].onsets, result.onsets)


def test_a_crowd_walking_is_steps_with_no_hit_per_stop():
    # Five people of a size cross the picture at walking pace, each with a stride's wobble.
    frames = blank(75)
    starts = [(5, 10), (150, 25), (20, 45), (140, 60), (60, 75)]
    for i in range(75):
        for k, (x, y) in enumerate(starts):
            heading = 1 if x < 80 else -1
            stride = 0.5 * (1 + np.sin(2 * np.pi * (i / 12.0 + k / 5)))  # speeds up and slows each step
            square(frames, i, x + heading * (1.2 * i + 3 * stride), y, side=6)
    result = analyze_motion(stream_of(frames))
    source = result.sources[0]
    assert source.kind is SourceKind.STEPS and source.movers >= 3
    assert len(source.onsets) == 0 and len(result.onsets) == 0


def test_motion_that_never_stops_is_a_continuous_source():
    # Surf, a passing train seen at an angle: the whole picture keeps changing, never at rest,
    # each row at its own speed (nearer is faster), so no one camera move explains it.
    rng = np.random.default_rng(1)
    texture = rng.integers(0, 255, (SIZE[0], SIZE[1] + 400)).astype(np.float64)
    speeds = 1 + 6 * np.arange(SIZE[0]) / SIZE[0]
    frames = np.stack([np.stack([row[int(v * i) : int(v * i) + SIZE[1]] for row, v in zip(texture, speeds)])
                       for i in range(50)])
    result = analyze_motion(stream_of(frames))
    assert result.sources[0].kind is SourceKind.CONTINUOUS
    assert len(result.onsets) == 0


def walker(n: int, cadence: int = 12) -> tuple[np.ndarray, list[tuple[float, float, float, float]], list[int]]:
    """One walker crossing at 1 px a frame: a body, and two feet that take turns to swing
    forward for ``cadence // 2`` frames and land; returns frames, its box per frame and the
    frames where a foot lands (stops)."""
    frames = blank(n)
    feet = [10.0, 16.0]
    boxes, landings = [], []
    swing = cadence // 2
    for i in range(n):
        body = 10 + i
        frames[i, 30:62, int(body) : int(body) + 16] = 200  # the body glides
        moving = (i // cadence) % 2
        if i % cadence < swing:
            feet[moving] += cadence / swing * 1.0 * 2  # the swinging foot moves twice the body's way
            if i % cadence == swing - 1:
                landings.append(i)
        for k, foot in enumerate(feet):  # near foot below the far one, as seen from the side
            frames[i, 63 + 4 * k : 67 + 4 * k, int(foot) : int(foot) + 6] = 30
        left = min(body, *feet) - 3
        boxes.append((left / SIZE[1], 28 / SIZE[0], (max(body + 16, *[f + 6 for f in feet]) + 3 - left) / SIZE[1],
                      44 / SIZE[0]))
    return frames, boxes, landings


def test_a_walkers_steps_land_where_the_foot_stops():
    frames, boxes, landings = walker(75)
    result = analyze_motion(stream_of(frames), boxes=boxes)
    steps = [s for s in result.sources if s.kind is SourceKind.STEPS]
    assert steps, result.sources
    found = steps[0].onsets
    expected = (np.array(landings) + 0.5) / FPS  # between the last moving frame and the next
    assert len(found) >= len(landings) - 1
    for t in found:
        assert np.min(np.abs(expected - t)) <= 1.5 / FPS, (found, expected)


def test_bursts_are_where_motion_starts_out_of_calm():
    frames = blank(75)
    x = 20.0
    for i in range(75):
        if 20 <= i < 26 or 50 <= i < 56:  # a head jerks twice, from rest
            x += 4 if i < 50 else -4
        square(frames, i, x, 40)
    result = analyze_motion(stream_of(frames))
    assert len(result.bursts) == 2
    np.testing.assert_allclose(result.bursts, [19.5 / FPS, 49.5 / FPS], atol=1 / FPS)
    assert np.all((result.burst_strengths > 0) & (result.burst_strengths <= 1))


def test_the_plaza_of_pedestrians_is_a_crowd_not_226_contacts(media_dir):
    # ../shared/media: pedestrians crossing a plaza, top view (no sound to compare with).
    stream = decode_shot(media_dir / "debian_opencv-doc_vtest.avi", 0.0, 20.0, [ANALYSIS_STREAM]).streams["analysis"]
    result = analyze_motion(stream)
    assert result.sources[0].kind is SourceKind.STEPS and result.sources[0].movers >= 3
    assert len(result.onsets) == 0


@pytest.mark.parametrize("clip, kind", [
    ("condfoleygen_hitting_metal.mp4", SourceKind.CONTACTS),       # a drumstick on a bar
    ("frieren_gt_y7mhiv2Ltc4_000070.mp4", SourceKind.CONTINUOUS),  # a freight train passing
    ("specvqgan_vggsound_-1pRmoJIGQc_10000_20000.mp4", SourceKind.NONE),  # an engine bay at idle
])
def test_tuning_clips_get_their_kind(media_dir, clip, kind):
    stream = decode_shot(media_dir / clip, 0.0, 6.0, [ANALYSIS_STREAM]).streams["analysis"]
    assert analyze_motion(stream).sources[0].kind is kind
