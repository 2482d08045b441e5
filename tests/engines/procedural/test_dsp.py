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


def _room_over_whole_buffer(x: np.ndarray, amount: float) -> np.ndarray:
    """The early reflections written out over every sample, silence included."""
    reflections = np.zeros_like(x)
    for delay, gain in dsp._ROOM_TAPS:
        d = int(delay * dsp.SAMPLE_RATE)
        reflections[d:] += np.float32(gain * amount) * x[:-d]
    return signal.sosfilt(dsp._sos("lowpass", 0.0, dsp._q(4500.0), 1, dsp.SAMPLE_RATE), reflections) + x


def test_room_skips_silence_but_keeps_every_reflection():
    x = np.zeros(3 * dsp.SAMPLE_RATE, dtype=np.float32)
    rng = dsp.rng_for(3, "hits")
    for start in (100, 30000, 30500, 120000):  # two hits close together, two far apart
        x[start : start + 2000] += dsp.white(rng, 2000) * dsp.decay_env(2000, 0.005)
    expected = _room_over_whole_buffer(x, 0.5)
    np.testing.assert_allclose(dsp.room(x, 0.5), expected, rtol=0, atol=tolerances.AUDIO_SAMPLE)
    in_place = x.copy()
    assert dsp.room(in_place, 0.5, out=in_place) is in_place
    np.testing.assert_allclose(in_place, expected, rtol=0, atol=tolerances.AUDIO_SAMPLE)


def test_trimmed_filter_leaves_the_silent_tail_unfiltered_and_unchanged():
    x = np.zeros(14000, dtype=np.float32)
    x[200:600] = dsp.white(dsp.rng_for(4, "burst"), 400)
    # the slowest filter trimmed is used with: a 2nd-order low-pass at 120 Hz
    full = dsp.lowpass(x, 120.0)
    np.testing.assert_allclose(dsp.trimmed(lambda v: dsp.lowpass(v, 120.0), x), full, rtol=0, atol=tolerances.AUDIO_SAMPLE)
    assert dsp.trimmed(lambda v: dsp.lowpass(v, 120.0), np.zeros(100, dtype=np.float32)).tolist() == [0.0] * 100


@pytest.mark.parametrize("rate", [dsp.LOW_RATE, 2 * dsp.LOW_RATE])
def test_control_curves_stretch_to_lower_rates_through_their_points(rate):
    curve = np.array([0.0, 1.0, 3.0, 2.0], dtype=np.float32)
    hop = rate // dsp.CONTROL_RATE
    y = dsp.at_low_rate(curve, 5 * hop, rate)
    assert y.shape == (5 * hop,)
    np.testing.assert_allclose(y[::hop], [0.0, 1.0, 3.0, 2.0, 2.0], rtol=0, atol=tolerances.TABLE)  # the last point held
    np.testing.assert_allclose(y[hop // 2], 0.5, rtol=0, atol=tolerances.TABLE)
