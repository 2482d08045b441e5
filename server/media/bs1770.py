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


def power_sums(data: np.ndarray, rate: int) -> np.ndarray:
    """Running sum (from 0, n + 1 values) of the channel-weighted, K-weighted power of
    (channels, n) audio: any window's mean square is a difference of two of them. The
    K-weighted signal goes by segments (``sosfilt_segments``) straight into the sum: the only
    signal-long array is the result."""
    data = np.asarray(data)
    sos = k_weighting(int(rate))
    cumulative = np.zeros(data.shape[1] + 1)
    weighted = cumulative[1:]  # the weighted power first, then summed in place
    for weight, channel in zip(channel_weights(data.shape[0]), data):
        start = 0
        for segment in sosfilt_segments(sos, channel):
            np.square(segment, out=segment)
            weighted[start:start + segment.size] += weight * segment
            start += segment.size
    np.cumsum(weighted, out=weighted)
    return cumulative


def integrated_from_sums(cumulative: np.ndarray, rate: int) -> float:
    """Gated integrated loudness (LUFS; -inf when nothing passes the gates) from ``power_sums``.
    Blocks as pyloudnorm takes them: round((T - 0.4 s) / 0.1 s) + 1 of them, the last ones cut
    at the end of the audio (silence after it)."""
    n = len(cumulative) - 1
    block = BLOCK_S * rate
    count = int(round((n / rate - BLOCK_S) / BLOCK_STEP_S)) + 1
    if count < 1:
        return float("-inf")
    starts = (np.arange(count) * BLOCK_STEP_S * rate).astype(np.int64)
    ends = np.minimum(starts + int(block), n)
    means = (cumulative[ends] - cumulative[np.minimum(starts, n)]) / block
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


def integrated_lufs(data: np.ndarray, rate: int, cumulative: np.ndarray | None = None) -> float:
    """Gated integrated loudness of (channels, n) audio, LUFS; -inf for silence. ``cumulative``:
    its ``power_sums`` when already computed. Audio shorter than one block is padded with
    silence (which the absolute gate ignores), so short one-shots still get a reading."""
    data = np.asarray(data)
    if not np.any(data):
        return float("-inf")
    block = int(math.ceil(BLOCK_S * rate)) + 1
    if data.shape[1] < block:
        data, cumulative = np.pad(data, ((0, 0), (0, block - data.shape[1]))), None
    if cumulative is None:
        cumulative = power_sums(data, rate)
    return integrated_from_sums(cumulative, rate)


__all__ = ["ABSOLUTE_GATE_LUFS", "OFFSET_DB", "channel_weights", "integrated_from_sums", "integrated_lufs", "k_weighting",
           "power_sums"]
