"""loudness: the five numbers bext v2 records, against pyloudnorm (integrated, and its own block
series), an independent computation (the K-weighting coefficients printed in BS.1770-4 at
48 kHz, windows summed one by one) and the EBU's own test signals (Tech 3341, Tech 3342)."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
import soxr
from scipy.signal import lfilter

import tolerances

from foleyline.server.media import audio as audio_module, iir
from foleyline.server.media.bs1770 import channel_weights, k_weighting, power_sums
from foleyline.server.media.loudness import MOMENTARY_S, SHORT_TERM_S, measure, window_loudness

RATE = 48000
# Tolerances, one per kind of quantity:
SAME_FILTERS_LU = 0.01      # the same filters by another route (pyloudnorm's block starts round down a sample)
# BS.1770's printed coefficients against pyloudnorm's shelf (an analogue-prototype fit, 0.04 LU
# apart on white noise): within the +-0.1 LU Tech 3341 allows a meter
OTHER_FILTERS_LU = 0.1
EBU_LU = 0.1                # the EBU test signals' stated results (they allow more)
TRUE_PEAK_DB = 0.1          # 4x oversampling of a sine between its samples

# BS.1770-4, table 1 and 2: the K-weighting stages at 48 kHz
_SHELF = ([1.53512485958697, -2.69169618940638, 1.19839281085285], [1.0, -1.69065929318241, 0.73248077421585])
_HIGHPASS = ([1.0, -2.0, 1.0], [1.0, -1.99004745483398, 0.99007225036621])


def sine(freq: float, seconds: float, dbfs: float, *, channels: int = 1, phase: float = 0.0) -> np.ndarray:
    t = np.arange(int(round(seconds * RATE))) / RATE
    tone = 10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t + phase)
    return np.repeat(tone[None], channels, 0).astype(np.float32)


def noise_with_a_burst(seconds: float = 8.0) -> np.ndarray:
    rng = np.random.default_rng(7)
    audio = 0.05 * rng.standard_normal((2, int(seconds * RATE)))
    audio[:, int(3.3 * RATE) : int(3.55 * RATE)] *= 12  # a 250 ms hit
    return audio.astype(np.float32)


def reference_windows(audio: np.ndarray, window_s: float) -> np.ndarray:
    """Windowed loudness written out longhand from BS.1770-4's printed coefficients."""
    weighted = [lfilter(*_HIGHPASS, lfilter(*_SHELF, channel.astype(np.float64))) for channel in audio]
    window, step = int(window_s * RATE), int(0.1 * RATE)
    values = []
    for start in range(0, audio.shape[1] - window + 1, step):
        power = sum(np.mean(channel[start : start + window] ** 2) for channel in weighted)
        values.append(-0.691 + 10 * np.log10(power))
    return np.array(values)


def test_integrated_loudness_is_pyloudnorms() -> None:
    audio = noise_with_a_burst()
    expected = pyloudnorm.Meter(RATE).integrated_loudness(audio.T.astype(np.float64))
    assert measure(audio, RATE).integrated_lufs == pytest.approx(expected, abs=SAME_FILTERS_LU)


@pytest.mark.parametrize("window_s", [MOMENTARY_S, SHORT_TERM_S])
def test_windows_are_pyloudnorms_blocks(window_s: float) -> None:
    audio = noise_with_a_burst()
    meter = pyloudnorm.Meter(RATE, block_size=window_s, overlap=1 - 0.1 / window_s)
    meter.integrated_loudness(audio.T.astype(np.float64))
    ours = window_loudness(audio, RATE, window_s)
    count = min(len(ours), len(meter.blockwise_loudness))
    np.testing.assert_allclose(ours[:count], meter.blockwise_loudness[:count], atol=SAME_FILTERS_LU)


def test_max_momentary_and_short_term_match_a_longhand_computation() -> None:
    audio = noise_with_a_burst()
    measured = measure(audio, RATE)
    assert measured.max_momentary_lufs == pytest.approx(reference_windows(audio, MOMENTARY_S).max(), abs=OTHER_FILTERS_LU)
    assert measured.max_short_term_lufs == pytest.approx(reference_windows(audio, SHORT_TERM_S).max(), abs=OTHER_FILTERS_LU)
    assert measured.max_momentary_lufs > measured.max_short_term_lufs > measured.integrated_lufs  # a hit is short


def test_a_steady_tone_reads_the_same_on_every_meter() -> None:
    # Tech 3341: a 1 kHz sine at -20 dBFS; in one channel BS.1770 reads it 3.01 dB under full scale
    measured = measure(sine(1000, 10.0, -20.0), RATE)
    for value in (measured.integrated_lufs, measured.max_momentary_lufs, measured.max_short_term_lufs):
        assert value == pytest.approx(-23.0, abs=EBU_LU)
    assert measured.range_lu == pytest.approx(0.0, abs=EBU_LU)


@pytest.mark.parametrize("levels, expected", [
    ((-20, -30), 10.0),                     # Tech 3342 test signals 1-3, 20 s per level
    ((-20, -15), 5.0),
    ((-40, -20), 20.0),
    ((-50, -35, -20, -35, -50), 15.0),      # test signal 4
])
def test_loudness_range_of_the_tech_3342_test_signals(levels, expected) -> None:
    audio = np.concatenate([sine(1000, 20.0, level, channels=2) for level in levels], axis=1)
    assert measure(audio, RATE).range_lu == pytest.approx(expected, abs=EBU_LU)


def test_true_peak_finds_the_peak_between_samples() -> None:
    # a quarter-rate sine 45 degrees off its samples: every sample is 3 dB under the wave's crest
    audio = sine(RATE / 4, 1.0, -6.02, phase=np.pi / 4)
    assert 20 * np.log10(np.abs(audio).max()) == pytest.approx(-9.03, abs=0.01)
    assert measure(audio, RATE).true_peak_dbtp == pytest.approx(-6.02, abs=TRUE_PEAK_DB)


def test_a_file_shorter_than_a_window_reads_as_one_window_and_has_no_range() -> None:
    hit = sine(1000, 0.2, -20.0)  # 200 ms: half a momentary window, silence before it
    measured = measure(hit, RATE)
    assert measured.max_momentary_lufs == pytest.approx(-23.0 - 10 * np.log10(2), abs=EBU_LU)
    assert measured.max_short_term_lufs == pytest.approx(-23.0 - 10 * np.log10(15), abs=EBU_LU)
    assert measured.range_lu is None


def test_silence() -> None:
    measured = measure(np.zeros((2, 4 * RATE), np.float32), RATE)
    assert measured.integrated_lufs == measured.max_momentary_lufs == measured.max_short_term_lufs == float("-inf")
    assert measured.true_peak_dbtp == float("-inf") and measured.range_lu is None


def test_k_weighting_is_pyloudnorms_filters() -> None:
    for rate in (44100, 48000, 96000):
        stages = pyloudnorm.Meter(rate)._filters
        for row, name in zip(k_weighting(rate), ("high_shelf", "high_pass")):
            b, a = stages[name].b, stages[name].a
            np.testing.assert_allclose(row, np.concatenate([b, a]) / a[0], rtol=tolerances.TABLE, atol=tolerances.TABLE)


@pytest.mark.parametrize("seconds", [0.05, 0.45, 1.234, 3.0, 9.87])
def test_integrated_loudness_is_pyloudnorms_at_any_length(seconds: float) -> None:
    rng = np.random.default_rng(int(seconds * 1000))
    audio = (0.1 * rng.standard_normal((2, int(seconds * RATE))) * np.linspace(0.2, 1.5, int(seconds * RATE))).astype(np.float32)
    padded = audio if audio.shape[1] > int(0.4 * RATE) + 1 else np.pad(audio, ((0, 0), (0, int(np.ceil(0.4 * RATE)) + 1 - audio.shape[1])))
    expected = pyloudnorm.Meter(RATE).integrated_loudness(padded.T.astype(np.float64))
    assert measure(audio, RATE).integrated_lufs == pytest.approx(expected, abs=SAME_FILTERS_LU)


def test_the_true_peak_of_a_long_take_is_the_whole_takes_oversampled_peak() -> None:
    # read block by block through one streaming resampler: the same peak as the whole take at 4x
    rng = np.random.default_rng(3)
    block = audio_module._TRUE_PEAK_BLOCK
    audio = (0.2 * rng.standard_normal((2, 2 * block + 777))).astype(np.float32)
    audio[1, block + 1000] = 0.9  # a peak inside the second block, on the second channel
    whole = soxr.resample(np.ascontiguousarray(audio.T), RATE, 4 * RATE, quality="HQ")
    expected = 20 * np.log10(max(float(np.abs(whole).max()), float(np.abs(audio).max())))
    assert measure(audio, RATE).true_peak_dbtp == pytest.approx(expected, abs=tolerances.AUDIO_SAMPLE)


def test_the_loudness_of_a_long_take_is_its_k_weighted_power_summed_whole() -> None:
    rng = np.random.default_rng(4)
    audio = (0.1 * rng.standard_normal((5, 2 * 32768 + 999))).astype(np.float32)
    k = np.stack([iir.sosfilt(k_weighting(RATE), channel) for channel in audio])  # whole, float64
    expected = np.concatenate([[0.0], np.cumsum((channel_weights(5)[:, None] * k**2).sum(axis=0))])
    np.testing.assert_allclose(power_sums(audio, RATE, np.arange(audio.shape[1] + 1)), expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("kind", ["noise", "tone"])
def test_the_power_sums_at_chosen_samples_are_the_whole_sum_read_there(kind: str) -> None:
    # Any order, repeats, both ends; a length that is no multiple of the filter's segments.
    n = 3 * 32768 + 1234
    if kind == "noise":
        audio = (0.1 * np.random.default_rng(6).standard_normal((2, n))).astype(np.float32)
    else:
        audio = sine(1000.0, n / RATE, -12.0, channels=2)
    k = np.stack([iir.sosfilt(k_weighting(RATE), channel) for channel in audio])
    whole = np.concatenate([[0.0], np.cumsum((k**2).sum(axis=0))])
    points = np.array([n, 0, 32768, 32769, 1, n - 1, 32768, 70000])
    np.testing.assert_allclose(power_sums(audio, RATE, points), whole[points], rtol=1e-12, atol=0)


def test_the_five_numbers_are_read_from_one_pass_as_from_the_whole_sum() -> None:
    # 9.3 s of a tone over noise: windows, gating blocks and the end of the audio all fall
    # between the filter's segments.
    rng = np.random.default_rng(8)
    n = int(9.3 * RATE) + 17
    audio = (0.02 * rng.standard_normal((2, n)) + sine(220.0, n / RATE, -20.0, channels=2)).astype(np.float32)
    k = np.stack([iir.sosfilt(k_weighting(RATE), channel) for channel in audio])
    whole = np.concatenate([[0.0], np.cumsum((k**2).sum(axis=0))])

    def windows(window_s: float) -> np.ndarray:
        window = int(round(window_s * RATE))
        starts = np.arange(0, n - window + 1, int(0.1 * RATE))
        return -0.691 + 10 * np.log10((whole[starts + window] - whole[starts]) / window)

    measured = measure(audio, RATE)
    assert measured.max_momentary_lufs == pytest.approx(windows(MOMENTARY_S).max(), abs=1e-9)
    assert measured.max_short_term_lufs == pytest.approx(windows(SHORT_TERM_S).max(), abs=1e-9)
    np.testing.assert_allclose(window_loudness(audio, RATE, SHORT_TERM_S), windows(SHORT_TERM_S), atol=1e-9)
