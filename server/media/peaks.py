"""Peaks of a 1-D signal, as ``scipy.signal.find_peaks`` finds them with ``height`` and
``distance`` (the two selections the analysis uses), without importing ``scipy.signal``
(0.75 s: it imports all of itself, ``scipy.stats`` included). ``tests/media/test_peaks.py``
checks the same peaks come out as SciPy's on many random signals, plateaus and ties included.

A peak is a sample, or a run of equal samples (a plateau, reported at its middle, rounding
down), higher than its neighbours on both sides; the first and last samples are never peaks.
``height``: peaks lower than it are dropped. ``distance``: from the highest peak down, every
peak closer than ``distance`` samples to one kept is dropped.
"""

from __future__ import annotations

import math

import numpy as np


def _local_maxima(x: np.ndarray) -> np.ndarray:
    n = x.size
    if n < 3:
        return np.zeros(0, dtype=np.intp)
    starts = np.flatnonzero(np.concatenate(([True], x[1:] != x[:-1])))  # runs of equal samples
    ends = np.append(starts[1:], n) - 1
    values = x[starts]
    inner = np.arange(1, starts.size - 1)
    higher = (values[inner - 1] < values[inner]) & (values[inner + 1] < values[inner])
    runs = inner[higher]
    return (starts[runs] + ends[runs]) // 2


def _spaced(peaks: np.ndarray, heights: np.ndarray, distance: float) -> np.ndarray:
    """Which peaks stay when, from the highest down, each kept one drops its near neighbours."""
    reach = math.ceil(distance)
    if np.all(np.diff(peaks) >= reach):  # none is near another
        return np.ones(peaks.size, dtype=bool)
    at, count = peaks.tolist(), peaks.size
    keep = [True] * count
    for j in np.argsort(heights)[::-1].tolist():  # SciPy's order: the same argsort, ties alike
        if not keep[j]:
            continue
        k = j - 1
        while k >= 0 and at[j] - at[k] < reach:
            keep[k] = False
            k -= 1
        k = j + 1
        while k < count and at[k] - at[j] < reach:
            keep[k] = False
            k += 1
    return np.array(keep, dtype=bool)


def find_peaks(x: np.ndarray, height: float | None = None, distance: float | None = None
               ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(peak indices, {"peak_heights": ...} when ``height`` is given) of 1-D ``x``."""
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"find_peaks needs a 1-D signal, got shape {x.shape}")
    if distance is not None and distance < 1:
        raise ValueError(f"distance must be at least 1 sample, got {distance}")
    peaks = _local_maxima(x)
    properties: dict[str, np.ndarray] = {}
    if height is not None:
        peaks = peaks[x[peaks] >= height]
        properties["peak_heights"] = x[peaks]
    if distance is not None and peaks.size > 1:
        keep = _spaced(peaks, x[peaks], distance)
        peaks = peaks[keep]
        properties = {name: values[keep] for name, values in properties.items()}
    return peaks, properties


__all__ = ["find_peaks"]
