"""Audio onsets are found where sounds start, one per sound, with a confidence from its level."""

from __future__ import annotations

import numpy as np
import pytest

from foleyline.server.evaluation.onsets import detect_onsets, to_analysis_rate

RATE = 48000


def clicks(times, levels=None, seconds=4.0, rate=RATE, decay=0.04):
    rng = np.random.default_rng(0)
    x = 1e-4 * rng.standard_normal(int(seconds * rate))
    levels = levels or [1.0] * len(times)
    for t, level in zip(times, levels):
        start = int(t * rate)
        n = min(int(0.3 * rate), x.size - start)
        tt = np.arange(n) / rate
        x[start : start + n] += level * rng.standard_normal(n) * np.exp(-tt / decay)
    return x.astype(np.float32)


def test_finds_each_hit_within_two_hops():
    # Like librosa's onset_detect (centred 93 ms windows), onsets read up to ~2 hops (46 ms)
    # early; reference and generated audio are read the same way, so the bias cancels.
    times = [0.3, 1.0, 1.45, 2.2, 3.1]
    found = detect_onsets(clicks(times), RATE)
    assert len(found.times) == len(times)
    assert np.max(np.abs(found.times - times)) < 0.05


def test_confidence_follows_level():
    found = detect_onsets(clicks([0.5, 2.0], levels=[1.0, 0.2]), RATE)
    assert found.confidence[0] == pytest.approx(1.0, abs=0.05)
    assert found.confidence[1] < 0.5


def test_silence_and_steady_noise_have_no_onsets():
    assert detect_onsets(np.zeros(RATE * 2, dtype=np.float32), RATE).times.size == 0
    steady = np.random.default_rng(1).standard_normal(RATE * 3).astype(np.float32) * 0.1
    assert detect_onsets(steady, RATE).times.size <= 1  # at most the start of the noise


def test_stereo_and_other_rates_are_accepted():
    x = clicks([1.0], rate=16000)
    found = detect_onsets(np.stack([x, x]), 16000)
    assert found.times.size == 1 and abs(found.times[0] - 1.0) < 0.03
    with pytest.raises(ValueError, match="shape"):
        to_analysis_rate(np.zeros((2, 2, 2)), RATE)
