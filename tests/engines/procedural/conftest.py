"""Hand-built shots for the procedural engine's tests: no decoding needed."""

from __future__ import annotations

import numpy as np
import pytest

from foleyline.notes import Layer, LayerKind, Notes
from foleyline.server.engines.base import ShotInput
from foleyline.server.engines.procedural.matcher import KeywordScorer, Matcher
from foleyline.server.media.frames import MotionAnalysis


def make_shot(
    *, duration: float = 4.0, offset: float = 0.0, onsets=(0.5, 1.25, 2.0, 3.1), energy=None, layers=()
) -> ShotInput:
    times = np.arange(0.0, duration, 1.0 / 24.0)
    if energy is None:
        # Motion rising into each contact and stopping at it, as a hand striking does.
        energy = np.full(times.size, 0.05)
        for t in onsets:
            rising = (times > t - 0.3) & (times <= t)
            energy[rising] = np.maximum(energy[rising], (times[rising] - (t - 0.3)) / 0.3)
    analysis = MotionAnalysis(
        times=times,
        energy=np.asarray(energy, dtype=np.float64),
        onsets=np.asarray(onsets, dtype=np.float64),
        onset_strengths=np.ones(len(onsets)),
    )
    return ShotInput("shot", duration, offset, 24.0, {}, analysis, Notes(layers=tuple(layers)))


@pytest.fixture
def keyword_matcher() -> Matcher:
    return Matcher(KeywordScorer())


def fx(prompt: str = "", **kw) -> Layer:
    return Layer(kw.pop("label", "fx"), kw.pop("kind", LayerKind.FX), prompt=prompt, **kw)
