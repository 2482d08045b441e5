"""Pictures brought down to a lower frame rate by dropping frames, unevenly.

A 30 fps recording delivered at 21.5 fps shows the camera's frames 0, 1, 2, 4, 5, 7, 8, 9,
11...: some intervals span two of the camera's frames and the rest one, in a beat that repeats
every few frames (the same happens to 29.97 fps material put on a 25 fps timeline, or 60 fps
footage at 25). Whatever moves moves about twice as far over a long interval, so the moving
area pulses with the beat, and every short interval after a long one looks like a stop: surf,
a chainsaw or a passing train read as a contact every quarter of a second.

The timestamps cannot tell (they are even); the picture can. Over the shot, the intervals whose
grey levels change most fall where one of the standard capture rates, dropped to the shot's
rate, would put its long intervals. Where that pattern explains the changes far better than
chance (``PACED``), the shot's motion is evened out: each long interval's moving area is scaled
down by how much more the shot moves over a long interval than over its short neighbours
(measured on the shot itself, since a moving area saturates rather than doubling), and the
optical flow reads velocities over the camera's own intervals. The frames keep their times:
the sound must meet the picture as it is shown.

Repeated frames (a lower rate brought up: 24 -> 30 pulldown) are the opposite case, handled
by leaving the repeats out (``analysis.distinct_frames``); what is left is evenly paced or
paced like a camera's own variable rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The rates cameras record at; a shot's own rate is one of these brought down by dropping.
CAPTURE_RATES = (24000 / 1001, 24.0, 25.0, 30000 / 1001, 30.0, 50.0, 60000 / 1001, 60.0)
# Where in the camera's frames the shot's first frame falls, tried in this many steps.
PHASES = 40
# A beat whose rarer kind of interval is under this share of them is a few odd intervals, not
# a beat (59.94 dropped to 15 fps: four camera frames an interval, a fifth once in 250), and
# a few large changes would fit it by chance. The least frequent beat of the conversions above
# is 24 fps shown at 21.5, one long interval in 8.6 (0.116). Tuning half: 0.08-0.15 take the
# same clips, with the same rates.
MIN_SHARE = 0.08
# The beat is taken when its correlation with the changes (log mean absolute difference, its
# slow trend taken out) reaches PACED and is well above what the best of the ~300 beats tried
# reaches on an evenly paced shot of that many intervals (about CHANCE / sqrt(intervals)).
# Tuning half: the three 30 -> 21.5 fps clips at 0.60-0.64 (a pool table, hands typing, a
# passing train); every other clip under 0.30; 0.35-0.55 take the same clips.
PACED = 0.45
CHANCE = 4.5
# Two beats whose fits differ by less than this fit alike.
SAME_FIT = 0.05
# The trend taken out of the changes: a running mean over this many intervals (a beat repeats
# within 2-7 intervals at the rates above; a stroke's rise and fall is slower).
_TREND = 7
# Changes below this many grey levels on average are compression noise, at log scale.
_FLOOR = 1e-2


@dataclass(frozen=True)
class Pacing:
    """How a shot's frames sample the camera's: ``rate``, the camera's frame rate; ``spans``,
    per interval (index t: frame t-1 -> t, index 0 unused) how many of its frames it spans."""

    rate: float
    spans: np.ndarray

    def capture_times(self, times: np.ndarray) -> np.ndarray:
        """When the camera took each frame, from the first frame's time (the optical flow's
        velocities are over these intervals)."""
        steps = np.r_[0.0, np.cumsum(self.spans[1:])]
        return float(times[0]) + steps / self.rate

    def evened(self, *series: np.ndarray) -> tuple[np.ndarray, ...]:
        """Each of ``series`` ((T,) or (T, columns) per interval: a moving area overall, per
        grid cell) with its long intervals scaled down by how much more that column changes
        over a long interval than over the short intervals either side of it: the median of
        the log ratios over the shot, never below 1 (a moving area saturates, and how far it
        is from saturating differs from cell to cell). Returns new arrays."""
        long = self.spans > self.spans[1:].min()
        # The long intervals with a short one either side (index 0 is no interval).
        t = np.arange(2, len(long) - 1)
        between = t[long[t] & ~long[t - 1] & ~long[t + 1]]
        out = []
        for values in series:
            columns = np.asarray(values, np.float64).reshape(len(values), -1)
            floors = _FLOOR * np.maximum(np.percentile(columns, 90, axis=0), 1e-9)
            level = np.log(np.maximum(columns, floors))
            ratios = level[between] - (level[between - 1] + level[between + 1]) / 2
            gains = np.exp(np.maximum(np.median(ratios, axis=0), 0.0)) if len(between) else np.ones(columns.shape[1])
            out.append(np.where(long[:, None], columns / gains, columns).reshape(np.shape(values)))
        return tuple(out)


def uneven_pacing(times: np.ndarray, mad: np.ndarray) -> Pacing | None:
    """The shot's pacing when its frames were dropped unevenly from a camera's (see the module
    docstring), else None. ``times``: the frames' times, s; ``mad``: (T,) each frame's mean
    absolute difference from the previous one in grey levels (index 0 unused)."""
    n = len(times) - 1
    if n < 2 * _TREND:
        return None
    changes = np.log(np.asarray(mad[1:], np.float64) + _FLOOR)
    changes -= np.convolve(changes, np.ones(_TREND) / _TREND, mode="same")
    inner = slice(_TREND // 2, n - _TREND // 2)  # the trend is whole there
    changes = changes[inner]
    if not changes.std() > 0:
        return None
    changes = (changes - changes.mean()) / (changes.std() * np.sqrt(len(changes)))
    rate = 1.0 / float(np.median(np.diff(times)))
    phases = np.arange(PHASES)[:, None] / PHASES
    best, found = max(PACED, CHANCE / np.sqrt(len(changes))), None
    for capture in CAPTURE_RATES:
        if capture <= 1.02 * rate:
            continue
        # Every phase at once: (PHASES, T-1) camera frames spanned per interval.
        spans = np.diff(np.floor(np.asarray(times, np.float64)[None, :] * capture + phases), axis=1)
        low = spans.min(axis=1, keepdims=True)
        rare = np.minimum((spans > low).sum(axis=1), (spans == low).sum(axis=1))
        beat = (spans.max(axis=1) == low[:, 0] + 1) & (rare >= MIN_SHARE * n) & (low[:, 0] >= 1)
        inner_spans = spans[:, inner]
        centred = inner_spans - inner_spans.mean(axis=1, keepdims=True)
        norms = np.sqrt((centred**2).sum(axis=1))
        fits = np.where(beat & (norms > 0), centred @ changes / np.maximum(norms, 1e-12), -1.0)
        k = int(np.argmax(fits))
        # A rate and its double can fit alike: the lower one, tried first, is kept unless
        # the higher one fits clearly better.
        if fits[k] > best + (SAME_FIT if found is not None and capture > found[0] + 1 else 0.0):
            best, found = float(fits[k]), (capture, spans[k])
    if found is None:
        return None
    capture, spans = found
    return Pacing(rate=capture, spans=np.r_[spans[0], spans].astype(np.int64))
