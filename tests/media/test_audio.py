"""audio: soxr resampling, loudness and peaks (reported), short fades inside the handles, stems
and the mix of a take."""

from __future__ import annotations

import numpy as np
import pytest

import tolerances

from foleyline.errors import InvalidInput
from foleyline.server.media.audio import (
    PEAK_CEILING_DBFS, SILENCE_LUFS, Mix, fade_handles, finish_stem, fit_length, largest_magnitude, limit_peak,
    loudness_lufs, mix_stems, peak_dbfs, reported_loudness, reported_peak, resample, true_peak_dbtp,
)


def sine(freq: float, seconds: float, rate: int, amp: float = 0.5, channels: int = 2) -> np.ndarray:
    t = np.arange(int(round(seconds * rate))) / rate
    return np.repeat((amp * np.sin(2 * np.pi * freq * t))[None], channels, 0).astype(np.float32)


class TestResample:
    @pytest.mark.parametrize("src", [16000, 22050, 44100, 96000])
    def test_to_48k_keeps_length_and_pitch(self, src):
        x = sine(1000, 1.5, src)
        y = resample(x, src, 48000)
        assert y.shape == (2, 72000) and y.dtype == np.float32
        spectrum = np.abs(np.fft.rfft(y[0] * np.hanning(y.shape[1])))
        assert np.argmax(spectrum) * 48000 / y.shape[1] == pytest.approx(1000, abs=2)
        assert np.max(np.abs(y[:, 1000:-1000])) == pytest.approx(0.5, abs=0.01)

    def test_length_rounds_half_up(self):
        assert resample(np.zeros(441, np.float32), 44100, 48000).shape == (1, 480)
        assert resample(np.zeros(3, np.float32), 32000, 48000).shape == (1, 5)  # 4.5 -> 5

    def test_same_rate_is_a_copy(self):
        x = sine(100, 0.1, 48000)
        y = resample(x, 48000)
        np.testing.assert_array_equal(x, y)
        assert y is not x

    def test_rejects_integers_and_bad_rates(self):
        with pytest.raises(InvalidInput):
            resample(np.zeros(10, np.int16), 44100)
        with pytest.raises(InvalidInput):
            resample(np.zeros(10, np.float32), 0)


class TestLevels:
    def test_loudness_of_a_full_scale_997hz_sine_is_about_minus_3_lufs(self):
        # BS.1770: a 0 dBFS 997 Hz sine in one channel reads -3.01 LUFS.
        assert loudness_lufs(sine(997, 3.0, 48000, amp=1.0, channels=1), 48000) == pytest.approx(-3.01, abs=0.1)

    def test_loudness_is_reported_not_forced(self):
        x = sine(440, 2.0, 48000, amp=0.1)
        before = x.copy()
        quiet = loudness_lufs(x, 48000)
        assert loudness_lufs(x * 10, 48000) == pytest.approx(quiet + 20, abs=0.1)
        np.testing.assert_array_equal(x, before)

    def test_short_and_silent_audio(self):
        assert loudness_lufs(np.zeros((2, 48000), np.float32), 48000) == float("-inf")
        short = loudness_lufs(sine(440, 0.1, 48000), 48000)  # shorter than one 400 ms block
        assert np.isfinite(short)

    def test_peaks(self):
        x = sine(440, 0.5, 48000, amp=0.5)
        assert peak_dbfs(x) == pytest.approx(-6.02, abs=0.05)
        assert true_peak_dbtp(x, 48000) >= peak_dbfs(x) - 1e-6
        assert peak_dbfs(np.zeros(10, np.float32)) == float("-inf")


class TestFades:
    def test_fades_stay_inside_the_handles(self):
        rate, x = 48000, np.ones((2, 48000), np.float32)
        head = tail = 12 * 2000  # 12 frames at 24 fps
        y = fade_handles(x, rate, head=head, tail=tail, fade=0.02)
        assert y[0, 0] < 0.01 and y[0, -1] < 0.01
        assert np.all(y[:, 960:-960] == 1.0)  # 20 ms fades, the rest (and the shot) untouched
        assert np.all(np.diff(y[0, :960]) >= 0)  # monotonic, smooth

    def test_a_short_handle_shortens_the_fade_but_keeps_a_click_guard(self):
        x = np.ones((1, 48000), np.float32)
        y = fade_handles(x, 48000, head=240, tail=0, fade=0.02)
        assert np.all(y[0, 240:-96] == 1.0) and y[0, 0] < 0.01
        assert y[0, -1] < 0.01 and y[0, -97] == 1.0  # 2 ms guard at an empty tail handle

    def test_bad_handles(self):
        with pytest.raises(InvalidInput, match="do not fit"):
            fade_handles(np.ones((1, 100), np.float32), 48000, head=80, tail=80)

    def test_fit_length(self):
        assert fit_length(np.ones(5, np.float32), 8).shape == (1, 8)
        assert fit_length(np.ones((2, 9), np.float32), 4).shape == (2, 4)


class TestStems:
    """An engine's audio becomes a stem of the take: output rate, exact length, fades inside
    the handles only, peaks under the ceiling; the mix sums the stems under the same ceiling."""

    def test_a_stem_has_the_output_rate_and_the_exact_length(self):
        stem = finish_stem(sine(440, 3.01, 16000)[0], 16000, samples=144000, head=24000, tail=24000)
        assert stem.shape == (1, 144000) and stem.dtype == np.float32

    def test_the_shot_between_the_handles_is_untouched_but_for_the_ceiling(self):
        loud = sine(440, 3.0, 48000, amp=1.0, channels=1)
        stem = finish_stem(loud, 48000, samples=144000, head=24000, tail=24000)
        ceiling = 10 ** (PEAK_CEILING_DBFS / 20)
        assert np.max(np.abs(stem)) == pytest.approx(ceiling, rel=1e-4)
        np.testing.assert_allclose(stem[:, 24000:120000], loud[:, 24000:120000] * ceiling, atol=tolerances.AUDIO_SAMPLE)
        assert abs(stem[0, 0]) < 1e-3 and abs(stem[0, -1]) < 1e-3  # faded at the file's ends

    def test_quiet_audio_is_never_raised(self):
        quiet = sine(440, 1.0, 48000, amp=0.1, channels=1)
        np.testing.assert_array_equal(limit_peak(quiet), quiet)

    def test_the_mix_sums_the_stems_under_the_ceiling(self):
        a, b = sine(440, 1.0, 48000, amp=0.6, channels=1), sine(440, 1.0, 48000, amp=0.6, channels=1)
        mix = mix_stems([a, b], 48000)
        assert np.max(np.abs(mix)) == pytest.approx(10 ** (PEAK_CEILING_DBFS / 20), rel=1e-4)
        assert mix_stems([], 480).shape == (1, 480) and not np.any(mix_stems([], 480))

    def test_the_mix_is_as_wide_as_the_widest_stem_with_mono_heard_in_every_channel(self):
        mono = np.full((1, 4), 0.1, np.float32)
        stereo = np.stack([np.full(4, 0.2, np.float32), np.full(4, -0.2, np.float32)])
        mix = mix_stems([mono, stereo], 4)
        assert mix.shape == (2, 4)
        np.testing.assert_allclose(mix[:, 0], [0.3, -0.1])
        assert mix_stems([mono, mono], 4).shape == (1, 4)

    def test_a_mix_made_a_stem_at_a_time_is_the_mix_of_them_all(self):
        rng = np.random.default_rng(2)
        stems = [(0.5 * rng.standard_normal((1, 1000))).astype(np.float32),
                 (0.5 * rng.standard_normal((2, 1000))).astype(np.float32),
                 (0.5 * rng.standard_normal((1, 1000))).astype(np.float32)]
        mix = Mix(1000)
        for stem in stems:
            mix.add(stem)
        made = mix.finish()
        summed = stems[0] + stems[1] + stems[2]  # the mono stems in both channels
        expected = summed * np.float32(min(1.0, 10 ** (PEAK_CEILING_DBFS / 20) / np.abs(summed).max()))
        np.testing.assert_allclose(made, expected, atol=tolerances.AUDIO_SAMPLE)
        np.testing.assert_array_equal(made, mix_stems(stems, 1000))

    def test_a_limit_in_place_scales_the_given_array_as_a_copy_would_be_scaled(self):
        loud = sine(440, 0.1, 48000, amp=0.99, channels=2)
        copied = limit_peak(loud)
        assert limit_peak(loud, in_place=True) is loud
        np.testing.assert_array_equal(loud, copied)
        assert np.max(np.abs(loud)) == pytest.approx(10 ** (PEAK_CEILING_DBFS / 20), rel=1e-4)

    def test_stems_of_incompatible_widths_are_refused_by_name(self):
        with pytest.raises(InvalidInput, match=r"\[2, 3\] channels"):
            mix_stems([np.zeros((2, 4), np.float32), np.zeros((3, 4), np.float32)], 4)

    def test_silence_reports_the_floors(self):
        silence = np.zeros((1, 48000), np.float32)
        assert (reported_loudness(silence), reported_peak(silence)) == (SILENCE_LUFS, -120.0)
        assert reported_peak(sine(440, 1.0, 48000, amp=0.5)) == pytest.approx(-6.02, abs=0.01)


@pytest.mark.parametrize("samples", [[0.25, -0.5, 0.125], [0.5, -0.25], [-0.0, 0.0], []])
def test_the_largest_magnitude_is_the_peak_whichever_its_sign(samples):
    data = np.array([samples], np.float32)
    assert largest_magnitude(data) == (float(np.max(np.abs(data))) if data.size else 0.0)
