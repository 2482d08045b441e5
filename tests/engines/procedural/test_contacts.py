"""A stop after a downward stroke is a contact; a stop after an upward one (the top of a
back-swing) is kept but weighted down."""

from __future__ import annotations

import numpy as np

from foleyline.server.engines.procedural.contacts import UP_WEIGHT, downward_weights
from foleyline.server.media.frames import ANALYSIS_STREAM, FrameStream

FPS = 24.0


def square_stream(direction: int, frames: int = 24, stop_at: int = 12) -> FrameStream:
    """A bright textured square moving 3 px/frame down (+1) or up (-1), stopping at ``stop_at``."""
    rng = np.random.default_rng(0)
    patch = rng.integers(120, 255, (16, 16)).astype(np.uint8)
    out = np.zeros((frames, 90, 160), np.uint8)
    y0 = 20 if direction > 0 else 60
    for i in range(frames):
        y = y0 + direction * 3 * min(i, stop_at)
        out[i, y : y + 16, 70:86] = patch
    return FrameStream(ANALYSIS_STREAM, out, np.arange(frames) / FPS)


def test_stop_after_a_downward_stroke_keeps_full_weight():
    stream = square_stream(+1)
    (w,) = downward_weights(stream, np.array([12.5 / FPS]))
    assert w > 0.9


def test_stop_after_an_upward_stroke_is_weighted_down():
    stream = square_stream(-1)
    (w,) = downward_weights(stream, np.array([12.5 / FPS]))
    assert w < UP_WEIGHT + 0.1


def test_no_motion_or_no_frames_leaves_the_weight_alone():
    still = FrameStream(ANALYSIS_STREAM, np.zeros((10, 90, 160), np.uint8), np.arange(10) / FPS)
    assert downward_weights(still, np.array([0.2])).tolist() == [1.0]
    short = FrameStream(ANALYSIS_STREAM, np.zeros((2, 90, 160), np.uint8), np.arange(2) / FPS)
    assert downward_weights(short, np.array([0.02])).tolist() == [1.0]
