"""Audio post: resample to the output rate (soxr), measure loudness and peaks, fade the
handles, keep peaks under a ceiling.

    engine audio -> finish_stem: output rate, exact length, fades inside the handles, ceiling
    stems -> Mix (mix_stems): their sum under the same ceiling, a stem added at a time

Audio arrays are (channels, samples) float32 throughout. Loudness is measured and reported
(ITU-R BS.1770, ``bs1770``), never forced: the mix is the sound editor's job.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import soxr

from foleyline.errors import InvalidInput
from foleyline.server.media import bs1770
from foleyline.timebase import OUTPUT_SAMPLE_RATE, seconds_to_samples

# Peak ceiling for stems and the mix: headroom for the editor's own mix.
PEAK_CEILING_DBFS = -1.0
# What a take reports for silence (and anything quieter): a number a client can show and sort.
SILENCE_LUFS = -70.0
SILENCE_DBFS = -120.0
# True peak: 4x oversampled (BS.1770 annex 2), a block of input samples at a time.
_TRUE_PEAK_OVERSAMPLING = 4
_TRUE_PEAK_BLOCK = 1 << 17


def as_channels(audio: np.ndarray) -> np.ndarray:
    """(channels, n) float32 view of mono (n,) or multichannel audio; rejects anything else."""
    data = np.asarray(audio)
    if data.ndim == 1:
        data = data[None, :]
    if data.ndim != 2 or data.shape[0] < 1:
        raise InvalidInput(f"audio must be (samples,) or (channels, samples), got {data.shape=}")
    if not np.issubdtype(data.dtype, np.floating):
        raise InvalidInput(f"audio must be floating point in -1..1, got {data.dtype}")
    return data.astype(np.float32, copy=False)


def fit_length(audio: np.ndarray, length: int) -> np.ndarray:
    """Trim or zero-pad (channels, n) audio to exactly ``length`` samples."""
    data = as_channels(audio)
    if data.shape[1] >= length:
        return data[:, :length]
    return np.pad(data, ((0, 0), (0, length - data.shape[1])))


def resample(audio: np.ndarray, src: int, dst: int = OUTPUT_SAMPLE_RATE, *, quality: str = "HQ") -> np.ndarray:
    """Resample with soxr. The result has exactly round(n * dst / src) samples (halves up),
    so a take's length in samples follows from its duration alone."""
    data = as_channels(audio)
    if src <= 0 or dst <= 0:
        raise InvalidInput(f"sample rates must be positive, got {src} -> {dst}")
    length = seconds_to_samples(Fraction(data.shape[1], int(src)), int(dst))
    if src == dst:
        return data.copy()
    out = soxr.resample(np.ascontiguousarray(data.T), int(src), int(dst), quality=quality).T
    return np.ascontiguousarray(fit_length(out, length))


def loudness_lufs(audio: np.ndarray, rate: int) -> float:
    """Integrated loudness (BS.1770-4, gated), LUFS; -inf for silence (``bs1770.integrated_lufs``:
    audio shorter than one 400 ms block is read padded with silence)."""
    return bs1770.integrated_lufs(as_channels(audio), int(rate))


def largest_magnitude(audio: np.ndarray) -> float:
    """max |sample| (0 for no samples), read from the largest and the smallest sample: an |audio|
    copy of a freshly written array cost as much as the 4x oversampling that wrote it."""
    data = np.asarray(audio)
    if not data.size:
        return 0.0
    return max(float(data.max()), -float(data.min()))


def peak_dbfs(audio: np.ndarray) -> float:
    """Sample peak in dBFS; -inf for silence."""
    peak = largest_magnitude(as_channels(audio))
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def true_peak_dbtp(audio: np.ndarray, rate: int) -> float:
    """Approximate true peak (4x oversampled, BS.1770 annex 2 style) in dBTP. A long take goes
    by blocks through one streaming resampler, so it never has its 4x copy; a short one in one
    call (a stream costs more to set up than a short take to resample; the peak is the same)."""
    data = as_channels(audio)
    if not np.any(data):
        return float("-inf")
    peak = largest_magnitude(data)
    up, n = int(rate) * _TRUE_PEAK_OVERSAMPLING, data.shape[1]
    if n <= _TRUE_PEAK_BLOCK:
        over = soxr.resample(np.ascontiguousarray(data.T), int(rate), up, quality="HQ")
        return 20 * np.log10(max(peak, largest_magnitude(over)))
    stream = soxr.ResampleStream(int(rate), up, data.shape[0], dtype="float32", quality="HQ")
    for start in range(0, n, _TRUE_PEAK_BLOCK):
        block = np.ascontiguousarray(data[:, start:start + _TRUE_PEAK_BLOCK].T)
        over = stream.resample_chunk(block, last=start + _TRUE_PEAK_BLOCK >= n)
        if over.size:
            peak = max(peak, largest_magnitude(over))
    return 20 * np.log10(peak)


def _fade_curve(length: int) -> np.ndarray:
    """Raised-cosine 0 -> 1 over ``length`` samples: no corner at either end."""
    x = (np.arange(length) + 0.5) / length
    return (np.sin(0.5 * np.pi * x) ** 2).astype(np.float32)


def fade_handles(
    audio: np.ndarray,
    rate: int,
    *,
    head: int,
    tail: int,
    fade: float = 0.02,
    min_fade: float = 0.002,
) -> np.ndarray:
    """Short fades at the file's ends, inside the handles, so the shot itself is untouched.

    ``head``/``tail``: handle lengths in samples. Each fade lasts ``fade`` seconds, shortened
    to fit its handle, but never below ``min_fade`` (a click guard when a handle was clamped
    to nothing). Returns a new array.
    """
    data = as_channels(audio).copy()
    n = data.shape[1]
    if head < 0 or tail < 0 or head + tail > n:
        raise InvalidInput(f"handles of {head} + {tail} samples do not fit in {n} samples")
    floor = max(1, int(round(min_fade * rate)))
    for length, at_start in ((head, True), (tail, False)):
        samples = min(n // 2, max(floor, min(int(round(fade * rate)), length)))
        if samples <= 0:
            continue
        curve = _fade_curve(samples)
        if at_start:
            data[:, :samples] *= curve
        else:
            data[:, n - samples :] *= curve[::-1]
    return data


def limit_peak(audio: np.ndarray, *, in_place: bool = False) -> np.ndarray:
    """Scale down (never up) so the peak stays under the ceiling; a plain gain keeps the sound.
    ``in_place``: ``audio`` is float32 and the caller's own, scaled where it is (a long take's
    stem is 15 MB a minute and a third: no copy of it, let alone two); else a new array."""
    ceiling = 10 ** (PEAK_CEILING_DBFS / 20)
    peak = largest_magnitude(audio)
    if in_place:
        if peak > ceiling:
            audio *= ceiling / peak  # in float32, as ``audio * gain`` of a float32 array is
        return audio
    if peak > ceiling:
        audio = audio * (ceiling / peak)
    return audio.astype(np.float32)


def finish_stem(audio: np.ndarray, rate: int, *, samples: int, head: int, tail: int) -> np.ndarray:
    """Engine audio at ``rate`` -> a stem at the output rate of exactly ``samples``, faded inside
    the ``head`` and ``tail`` handles (samples), under the peak ceiling."""
    audio = as_channels(np.asarray(audio, dtype=np.float32))
    if rate != OUTPUT_SAMPLE_RATE:
        audio = resample(audio, rate, OUTPUT_SAMPLE_RATE)
    audio = fit_length(audio, samples)
    return limit_peak(fade_handles(audio, OUTPUT_SAMPLE_RATE, head=head, tail=tail), in_place=True)


class Mix:
    """A take's mix made a stem at a time (``add``, then ``finish``), so a caller may let go of
    each stem once it is written and added: a long take then holds the mix and the stems not
    yet written, never every stem and the mix at once (15 MB each for 79 s). The sum is as wide
    as the widest stem: a mono stem is heard equally in every channel of a stereo (or wider) mix."""

    def __init__(self, samples: int) -> None:
        self.samples = samples
        self._sum: np.ndarray | None = None

    def add(self, stem: np.ndarray) -> None:
        data = as_channels(stem)
        if data.shape[1] != self.samples:
            raise InvalidInput(f"stems must all be {self.samples} samples long to mix")
        width = data.shape[0] if self._sum is None else self._sum.shape[0]
        if data.shape[0] not in (1, width):
            if width != 1:
                raise InvalidInput(f"cannot mix stems of {sorted({width, data.shape[0]})} channels; "
                                   "only mono stems mix into a wider mix")
            wider = np.zeros((data.shape[0], self.samples), np.float32)
            wider += self._sum  # what the mono stems so far add to every channel
            self._sum = wider
        if self._sum is None:
            self._sum = np.zeros((data.shape[0], self.samples), np.float32)
        self._sum += data  # a mono stem broadcasts over the channels

    def finish(self) -> np.ndarray:
        """The sum (silence when no stem was added) under the peak ceiling."""
        mix = self._sum if self._sum is not None else np.zeros((1, self.samples), np.float32)
        self._sum = None
        return limit_peak(mix, in_place=True)


def mix_stems(stems: list[np.ndarray], samples: int) -> np.ndarray:
    """The sum of the stems (silence when there are none) under the peak ceiling (``Mix``)."""
    mix = Mix(samples)
    for stem in stems:
        mix.add(stem)
    return mix.finish()


def reported_loudness(audio: np.ndarray) -> float:
    """Integrated loudness of output-rate audio as a take reports it: silence is SILENCE_LUFS."""
    return reported_lufs(float(loudness_lufs(audio, OUTPUT_SAMPLE_RATE)))


def reported_lufs(value: float) -> float:
    """A measured integrated loudness as a take reports it: silence (-inf) is SILENCE_LUFS."""
    return value if np.isfinite(value) and value > SILENCE_LUFS else SILENCE_LUFS


def reported_peak(audio: np.ndarray) -> float:
    """Sample peak as a take reports it: silence is SILENCE_DBFS."""
    value = float(peak_dbfs(audio))
    return value if np.isfinite(value) else SILENCE_DBFS


__all__ = [
    "Mix", "PEAK_CEILING_DBFS", "SILENCE_LUFS", "as_channels", "fade_handles", "finish_stem", "fit_length", "largest_magnitude",
    "limit_peak", "loudness_lufs", "mix_stems", "peak_dbfs", "reported_loudness", "reported_lufs", "reported_peak",
    "resample", "true_peak_dbtp",
]
