"""A take's loudness as EBU R 128 reads it, for the bext chunk (version 2) of its WAV:

    integrated loudness    ITU-R BS.1770-4, gated (``bs1770``, as pyloudnorm reads it)
    true peak              4x oversampled (``audio.true_peak_dbtp``)
    max momentary          the loudest 400 ms window          EBU Tech 3341
    max short-term         the loudest 3 s window             EBU Tech 3341
    loudness range (LRA)   spread of the short-term loudness  EBU Tech 3342

Momentary and short-term windows step by 100 ms over the K-weighted signal, the same
K-weighted power (``bs1770.power_sums``, one pass over the take for every window and gating
block) that gives the integrated value, so the five numbers agree with each other. A file shorter than a window is read as a meter started on silence reads it: one window
holding the whole file. The loudness range needs at least one full 3 s window; a shorter file
has none (``range_lu`` is None: "not measured" in bext).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from foleyline.server.media.audio import as_channels, true_peak_dbtp
from foleyline.server.media.bs1770 import (ABSOLUTE_GATE_LUFS, OFFSET_DB, gating_blocks, integrated_from_blocks,
                                          integrated_lufs, padded_below, power_sums)

MOMENTARY_S = 0.4
SHORT_TERM_S = 3.0
STEP_S = 0.1                # 10 Hz: the update rate Tech 3341 asks of a meter
_RANGE_RELATIVE_GATE = -20.0  # LU below the gated short-term power mean (Tech 3342)
_RANGE_PERCENTILES = (10.0, 95.0)


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float       # -inf for silence
    range_lu: float | None       # None: not measured (shorter than one short-term window, or silence)
    true_peak_dbtp: float        # -inf for silence
    max_momentary_lufs: float    # -inf for silence
    max_short_term_lufs: float   # -inf for silence


def _window_bounds(n: int, rate: int, window_s: float, step_s: float) -> tuple[np.ndarray, np.ndarray]:
    """The first and one-past-last samples of every window over ``n`` samples."""
    window, step = int(round(window_s * rate)), int(round(step_s * rate))
    if n < window:
        return np.zeros(1, np.int64), np.full(1, n)  # one window: the whole file, silence before it
    starts = np.arange(0, n - window + 1, step)
    return starts, starts + window


def _loudness(sums: np.ndarray, rate: int, window_s: float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return OFFSET_DB + 10 * np.log10(np.maximum(sums, 0.0) / int(round(window_s * rate)))


def _summed(data: np.ndarray, rate: int, *bounds: tuple[np.ndarray, np.ndarray]) -> list[np.ndarray]:
    """The K-weighted power summed over each window of each (starts, ends), from one pass."""
    points = np.concatenate([edge for pair in bounds for edge in pair])
    sums, out, at = power_sums(data, rate, points), [], 0
    for starts, ends in bounds:
        out.append(sums[at + len(starts):at + 2 * len(starts)] - sums[at:at + len(starts)])
        at += 2 * len(starts)
    return out


def window_loudness(audio: np.ndarray, rate: int, window_s: float, *, step_s: float = STEP_S) -> np.ndarray:
    """Loudness (LUFS) of every ``window_s`` window, stepping by ``step_s``, of (channels, n)
    audio: the momentary (0.4 s) or short-term (3 s) series. Silence reads -inf."""
    data = as_channels(audio)
    (sums,) = _summed(data, rate, _window_bounds(data.shape[1], rate, window_s, step_s))
    return _loudness(sums, rate, window_s)


def loudness_range(short_term: np.ndarray) -> float | None:
    """EBU Tech 3342 loudness range (LU) of a short-term loudness series: after the absolute
    gate and a relative gate 20 LU under the gated power mean, the 95th less the 10th
    percentile. None when nothing passes the gates."""
    gated = short_term[short_term >= ABSOLUTE_GATE_LUFS]
    if gated.size == 0:
        return None
    mean = 10 * np.log10(np.mean(10 ** (gated / 10)))
    kept = gated[gated >= mean + _RANGE_RELATIVE_GATE]
    low, high = np.percentile(kept, _RANGE_PERCENTILES)
    return float(high - low)


def measure(audio: np.ndarray, rate: int) -> Loudness:
    """The five loudness numbers bext version 2 records, of (channels, n) float audio."""
    data = as_channels(audio)
    n = data.shape[1]
    short = n < padded_below(rate)  # the integrated value reads it padded: on its own
    blocks = (np.zeros(0, np.int64),) * 2 if short else gating_blocks(n, rate)
    momentary, short_term, block_sums = _summed(data, rate, _window_bounds(n, rate, MOMENTARY_S, STEP_S),
                                                _window_bounds(n, rate, SHORT_TERM_S, STEP_S), blocks)
    short_term = _loudness(short_term, rate, SHORT_TERM_S)
    full_windows = n >= int(round(SHORT_TERM_S * rate))
    return Loudness(
        integrated_lufs=integrated_lufs(data, rate) if short else integrated_from_blocks(block_sums, rate),
        range_lu=loudness_range(short_term) if full_windows else None,
        true_peak_dbtp=float(true_peak_dbtp(data, rate)),
        max_momentary_lufs=float(np.max(_loudness(momentary, rate, MOMENTARY_S))),
        max_short_term_lufs=float(np.max(short_term)),
    )


__all__ = ["Loudness", "MOMENTARY_S", "SHORT_TERM_S", "STEP_S", "loudness_range", "measure", "window_loudness"]
