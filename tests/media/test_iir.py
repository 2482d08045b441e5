"""iir: Butterworth designs and biquad cascades equal SciPy's (``butter``, ``sosfilt``), which
the project used to import for them."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

import tolerances

from foleyline.server.media import iir

# A float64 filter by two routes (block matrices against a sample-by-sample loop), relative
# to the output's largest magnitude: a few float64 roundings amplified by the blocks' scaling.
FLOAT64_ROUTES = 1e-9


def designs(rng: np.random.Generator):
    for order in (1, 2, 3, 4):
        for _ in range(12):
            yield order, float(rng.uniform(2e-4, 0.98)), "lowpass"
            yield order, float(rng.uniform(2e-4, 0.98)), "highpass"
            low = float(rng.uniform(2e-4, 0.8))
            yield order, (low, float(rng.uniform(low * 1.05, 0.99))), "bandpass"


def test_butterworth_designs_have_scipys_response():
    rng = np.random.default_rng(0)
    for order, cutoff, kind in designs(rng):
        ours = iir.butter_sos(order, cutoff, kind)
        theirs = signal.butter(order, list(cutoff) if kind == "bandpass" else cutoff, kind, output="sos")
        assert ours.shape == theirs.shape
        _, h_ours = signal.sosfreqz(ours, 256)
        _, h_theirs = signal.sosfreqz(theirs, 256)
        np.testing.assert_allclose(h_ours, h_theirs, rtol=0, atol=tolerances.TABLE)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 37, 1000, 4800, 70000])
def test_sosfilt_equals_scipy_on_every_kind_of_section(n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n)
    sections = [iir.butter_sos(order, cutoff, kind) for order, cutoff, kind in designs(rng)][::7]
    sections += [
        np.array([[0.1, 0.0, 0.0, 1.0, -0.9, 0.0]]),            # one pole (a smoother)
        np.array([[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]]),             # no recursion at all
        np.array([[0.2, 0.3, 0.1, 1.0, 0.0, 0.0]]),             # FIR only
        np.array([[1.0, 0.5, 0.2, 1.0, -1.2, 0.36]]),           # a repeated real pole (0.6, 0.6)
        np.array([[1.0, 0.0, 0.0, 1.0, -1.99, 0.990025]]),      # a repeated pole near 1
        np.array([[0.5, -0.2, 0.1, 1.0, -0.5, -0.24]]),         # two real poles of either sign
        np.array([[0.02, 0.0, -0.02, 1.0, -1.9996, 0.99980001]]),  # a very narrow resonance
        np.array([[2.0, 0.4, 0.2, 2.0, -1.0, 0.5]]),            # a0 != 1
        np.array([[1.0, -0.5, 0.0, 1.0, -0.8, 0.15]]),          # a zero on a pole (0.5): it cancels
    ]
    for sos in sections:
        # SciPy refuses an empty signal (ours returns one) and wants a0 = 1 (ours divides by it)
        expected = signal.sosfilt(sos / sos[:, 3:4], x) if n else x
        got = iir.sosfilt(sos, x)
        assert got.shape == x.shape and got.dtype == np.float64
        scale = max(1.0, float(np.max(np.abs(expected)))) if n else 1.0
        np.testing.assert_allclose(got, expected, rtol=0, atol=FLOAT64_ROUTES * scale, err_msg=str(sos))


def test_a_long_signal_goes_in_segments_without_a_seam():
    x = np.random.default_rng(5).standard_normal(3 * iir._SEGMENT + 17)
    for sos in (iir.butter_sos(2, 5 / 24000, "highpass"), iir.butter_sos(2, (0.01, 0.02), "bandpass")):
        np.testing.assert_allclose(iir.sosfilt(sos, x), signal.sosfilt(sos, x), rtol=0, atol=FLOAT64_ROUTES * 10)


def test_float32_input_gives_scipys_float32_samples():
    x = np.random.default_rng(1).standard_normal(9600).astype(np.float32)
    sos = iir.butter_sos(2, (500 / 24000, 4000 / 24000), "bandpass")
    np.testing.assert_allclose(iir.sosfilt(sos, x), signal.sosfilt(sos, x), rtol=0, atol=tolerances.AUDIO_SAMPLE)


def test_the_input_is_left_alone():
    x = np.random.default_rng(2).standard_normal(500)
    before = x.copy()
    y = iir.sosfilt(np.array([[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]]), x)
    assert np.array_equal(x, before) and y is not x


def test_bad_designs_are_refused_with_what_was_wrong():
    with pytest.raises(ValueError, match="between 0 and 1"):
        iir.butter_sos(2, 1.2, "lowpass")
    with pytest.raises(ValueError, match="unknown filter kind"):
        iir.butter_sos(2, 0.2, "notch")


def test_a_long_signal_is_filtered_a_segment_at_a_time_through_every_section():
    # what keeps a long take's memory bounded: no step holds more than a segment of float64
    x = np.random.default_rng(7).standard_normal(3 * iir._SEGMENT + 101).astype(np.float32)
    sos = np.concatenate([iir.butter_sos(2, (0.01, 0.2), "bandpass"),
                          np.array([[1.0, 0.5, 0.2, 1.0, -1.2, 0.36]])])  # and a cascaded repeated pole
    segments = list(iir.sosfilt_segments(sos, x))
    assert [s.size for s in segments] == [iir._SEGMENT] * 3 + [101]
    np.testing.assert_allclose(np.concatenate(segments), signal.sosfilt(sos, x.astype(np.float64)),
                               rtol=0, atol=FLOAT64_ROUTES * 10)


def test_float32_output_is_the_float64_result_rounded():
    x = np.random.default_rng(8).standard_normal(2 * iir._SEGMENT + 5)
    sos = iir.butter_sos(2, 0.05, "lowpass")
    got = iir.sosfilt(sos, x, np.float32)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, iir.sosfilt(sos, x).astype(np.float32))  # same computation, same process
