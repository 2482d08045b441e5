"""ITU-R BS.1770-4 loudness: the K-weighting, the channel-weighted power, and the gated
integrated loudness, for (channels, n) float audio.

The K-weighting is the two stages pyloudnorm's "K-weighting" meter uses (RBJ cookbook biquads:
a +4 dB high shelf at 1.5 kHz, a 38 Hz high-pass), run by ``iir.sosfilt``, so the figures match
pyloudnorm's (``tests/media/test_loudness.py``) without importing ``scipy.signal`` for its
``lfilter``. The integrated value is gated over 400 ms blocks stepping by 100 ms (75 % overlap),
laid out as pyloudnorm lays them out.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from foleyline.server.media.iir import sosfilt_segments

BLOCK_S = 0.4
BLOCK_STEP_S = 0.1
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
OFFSET_DB = -0.691  # BS.1770: loudness = -0.691 + 10 log10(weighted mean square)


@lru_cache(maxsize=8)
def k_weighting(rate: int) -> np.ndarray:
    """The two K-weighting stages at ``rate`` as second-order sections."""
    shelf_gain = 10 ** (4.0 / 40.0)
    w0 = 2.0 * math.pi * 1500.0 / rate
    alpha = math.sin(w0) / (2.0 * (1.0 / math.sqrt(2.0)))
    root = 2.0 * math.sqrt(shelf_gain) * alpha
    a, c = shelf_gain, math.cos(w0)
    shelf = [a * ((a + 1) + (a - 1) * c + root), -2 * a * ((a - 1) + (a + 1) * c), a * ((a + 1) + (a - 1) * c - root),
             (a + 1) - (a - 1) * c + root, 2 * ((a - 1) - (a + 1) * c), (a + 1) - (a - 1) * c - root]
    w0 = 2.0 * math.pi * 38.0 / rate
    alpha, c = math.sin(w0) / (2.0 * 0.5), math.cos(w0)
    highpass = [(1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha]
    sos = np.array([shelf, highpass])
    return sos / sos[:, 3:4]


def channel_weights(channels: int) -> np.ndarray:
    # BS.1770: 1.0 for left, right, centre; 1.41 for the surrounds (channels 4 and 5)
    return np.array([1.41 if index in (3, 4) else 1.0 for index in range(channels)])


def power_sums(data: np.ndarray, rate: int, indices: np.ndarray) -> np.ndarray:
    """The running sum (from 0: index i sums samples 0..i-1) of the channel-weighted, K-weighted
    power of (channels, n) audio at ``indices`` (0..n): any window's mean square is a difference
    of two of them. The signal goes by segments (``sosfilt_segments``), each channel's filter
    state and the sum carried from one into the next, and only the asked-for sums are kept: a
    79 s take's whole running sum would be 30 MB. The sum runs sample by sample as a whole-array
    ``np.cumsum`` runs it (the carried total added to a segment's first sample), so the values
    are the same to the bit."""
    data = np.asarray(data)
    indices = np.asarray(indices, np.int64)
    wanted = np.unique(indices)
    kept = np.zeros(len(wanted))
    sos, weights = k_weighting(int(rate)), channel_weights(data.shape[0])
    done, total = 0, 0.0
    at = int(np.searchsorted(wanted, 1))  # index 0 sums nothing
    for segments in zip(*(sosfilt_segments(sos, channel) for channel in data)):
        weighted = np.zeros(segments[0].size)
        for weight, segment in zip(weights, segments):
            np.square(segment, out=segment)
            weighted += weight * segment
        weighted[0] += total
        np.cumsum(weighted, out=weighted)
        total = weighted[-1]
        until = int(np.searchsorted(wanted, done + weighted.size, side="right"))
        kept[at:until] = weighted[wanted[at:until] - done - 1]
        done, at = done + weighted.size, until
    return kept[np.searchsorted(wanted, indices)]


def gating_blocks(n: int, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """The first and one-past-last samples of the gating blocks over ``n`` samples, as
    pyloudnorm takes them: round((T - 0.4 s) / 0.1 s) + 1 of them (none for a short file), the
    last ones cut at the end of the audio (silence after it)."""
    count = max(int(round((n / rate - BLOCK_S) / BLOCK_STEP_S)) + 1, 0)
    starts = (np.arange(count) * BLOCK_STEP_S * rate).astype(np.int64)
    return np.minimum(starts, n), np.minimum(starts + int(BLOCK_S * rate), n)


def integrated_from_blocks(sums: np.ndarray, rate: int) -> float:
    """Gated integrated loudness (LUFS; -inf when nothing passes the gates) from the power
    summed over each of the ``gating_blocks`` (differences of ``power_sums``)."""
    means = np.asarray(sums) / (BLOCK_S * rate)
    with np.errstate(divide="ignore"):
        loudness = OFFSET_DB + 10 * np.log10(np.maximum(means, 0.0))
    gated = means[loudness >= ABSOLUTE_GATE_LUFS]
    if gated.size == 0:
        return float("-inf")
    relative = OFFSET_DB + 10 * math.log10(float(np.mean(gated))) + RELATIVE_GATE_LU
    kept = means[(loudness > relative) & (loudness > ABSOLUTE_GATE_LUFS)]
    if kept.size == 0:
        return float("-inf")
    return OFFSET_DB + 10 * math.log10(float(np.mean(kept)))


def padded_below(rate: int) -> int:
    """Audio shorter than this many samples (one block and a sample) is read padded with silence."""
    return int(math.ceil(BLOCK_S * rate)) + 1


def integrated_lufs(data: np.ndarray, rate: int) -> float:
    """Gated integrated loudness of (channels, n) audio, LUFS; -inf for silence. Audio shorter
    than one block is padded with silence (which the absolute gate ignores), so short one-shots
    still get a reading."""
    data = np.asarray(data)
    if not np.any(data):
        return float("-inf")
    if data.shape[1] < padded_below(rate):
        data = np.pad(data, ((0, 0), (0, padded_below(rate) - data.shape[1])))
    starts, ends = gating_blocks(data.shape[1], rate)
    sums = power_sums(data, rate, np.concatenate([starts, ends]))
    return integrated_from_blocks(sums[len(starts):] - sums[:len(starts)], rate)


__all__ = ["ABSOLUTE_GATE_LUFS", "OFFSET_DB", "channel_weights", "gating_blocks", "integrated_from_blocks", "integrated_lufs",
           "k_weighting", "padded_below", "power_sums"]
