"""The DSP helpers: filters equal SciPy's, seeded noise repeats, envelopes stretch correctly."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

import tolerances

from foleyline.server.engines.procedural import dsp


@pytest.mark.parametrize("n", [1, 37, 4800, 48000])
def test_fast_filter_matches_scipy_sosfilt(n):
    x = dsp.white(dsp.rng_for(1, "x"), n)
    for sos in (dsp._sos("bandpass", 500.0, 4000.0, 2, dsp.SAMPLE_RATE), dsp._sos("lowpass", 0.0, 300.0, 1, dsp.SAMPLE_RATE)):
        expected = signal.sosfilt(sos, x)
        got = dsp._filter(sos, x)
        assert got.dtype == np.float32 and got.shape == x.shape
        np.testing.assert_allclose(got, expected, rtol=0, atol=tolerances.AUDIO_SAMPLE)
    assert dsp.bandpass(x, 500.0, 4000.0) is not x  # always a new array


def test_seeded_noise_depends_only_on_seed_and_keys():
    a = dsp.white(dsp.rng_for(3, "layer", 250), 1000)
    assert np.array_equal(a, dsp.white(dsp.rng_for(3, "layer", 250), 1000))
    assert not np.array_equal(a, dsp.white(dsp.rng_for(3, "layer", 251), 1000))
    assert abs(float(a.std()) - 1.0) < 0.1


def test_upsample_is_linear_between_control_points():
    n = dsp.HOP * 10
    curve = np.arange(dsp.control_len(n), dtype=np.float32)
    out = dsp.upsample(curve, n)
    assert out.shape == (n,)
    np.testing.assert_allclose(out, np.arange(n) / dsp.HOP, atol=tolerances.AUDIO_SAMPLE)


def test_place_clips_at_both_ends():
    out = np.zeros(100, dtype=np.float32)
    dsp.place(out, np.ones(50, dtype=np.float32), -10 / dsp.SAMPLE_RATE)
    dsp.place(out, np.ones(50, dtype=np.float32), 90 / dsp.SAMPLE_RATE, gain=2.0)
    assert out[:40].tolist() == [1.0] * 40 and out[40:90].sum() == 0 and out[90:].tolist() == [2.0] * 10


def test_room_adds_darker_reflections_after_the_direct_sound():
    x = np.zeros(4800, dtype=np.float32)
    x[0] = 1.0
    y = dsp.room(x, 0.5)
    assert y[0] == pytest.approx(1.0) and np.abs(y[1:150]).max() < 1e-3  # nothing before 4 ms
    assert np.abs(y[200:2000]).max() > 0.01
    assert dsp.room(x, 0.0) is x
