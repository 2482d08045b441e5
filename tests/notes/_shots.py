"""A synthetic decoded shot for the drafting tests."""

from __future__ import annotations

import numpy as np

from foleyline.notes import Notes
from foleyline.server.engines.base import ShotInput
from foleyline.server.media.frames import FrameStream, MotionAnalysis, StreamSpec

DURATION = 3.0


def shot(offset: float = -0.5) -> ShotInput:
    """A 3 s shot with 0.5 s handles: colour frames at 8 fps and a motion analysis."""
    rng = np.random.default_rng(0)
    total = DURATION - 2 * offset
    times = np.arange(0, total, 1 / 8)
    frames = rng.integers(0, 255, (len(times), 64, 96, 3), dtype=np.uint8)
    clip = FrameStream(StreamSpec("clip", 8.0, (96, 64)), frames, times)
    analysis = MotionAnalysis(times=times, energy=np.full(len(times), 0.3), onsets=np.array([1.0, 2.0]),
                              onset_strengths=np.array([0.7, 0.9]))
    return ShotInput(shot_id="sh7", duration=total, offset=offset, fps=8.0, streams={"clip": clip},
                     analysis=analysis, notes=Notes(), extras={"shot_duration": DURATION})
