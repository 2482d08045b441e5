"""A repeated action's beat: the strokes of hammering, chopping or drumming come at a steady
period, and the stops the picture shows between them (the top of a backswing, the hand
settling) are not strikes.

The beat is the slowest period that most of the events keep: a chain of events each one or two
periods after the last (a stroke may go unseen), within a share of the period. The chain that
sums the most strength at that period is the strokes; the events off it that are weaker than
its typical stroke are dropped. An off-beat event as strong as the strokes is kept (a real extra
hit), and events with no steady beat are left alone (typing, a kitchen, a cough).

Set on the tuning half (docs/evaluation.md): at these settings the beat drops the drumstick on
metal's four backswing tops and the knife's two wobbles, and no event that has a sound; every
tolerance from 0.12 to 0.2 of the period and chains of 6 or 7 do the same. COVER is the one
that matters: at half the events, chains of chance pass in the busy clips (a keyboard's keys)
and drop real hits; at 0.7 the drumstick's beat (8 strokes of 12 stops) is no longer found.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TOLERANCE = 0.15     # share of the period an event may sit off its beat
MIN_STROKES = 6      # a beat needs at least this many strokes on it...
COVER = 0.6          # ...and this share of the events
PERIODS = (0.2, 2.0)  # seconds: faster is a tremor, slower no longer one action
MAX_SKIP = 2         # beats from one stroke to the next (one stroke may go unseen)


@dataclass(frozen=True)
class Beat:
    period: float        # seconds
    on: np.ndarray       # (K,) bool: the event is on the beat, or as strong as its strokes


def _chain(times: np.ndarray, strengths: np.ndarray, period: float) -> list[int]:
    """The events, in order, each 1..MAX_SKIP periods after the last (within TOLERANCE), that
    sum the most strength."""
    n = len(times)
    best = strengths.astype(np.float64).copy()
    prev = np.full(n, -1)
    for j in range(n):
        for i in range(j):
            gap = times[j] - times[i]
            beats = round(gap / period)
            if 1 <= beats <= MAX_SKIP and abs(gap - beats * period) <= TOLERANCE * period \
                    and best[i] + strengths[j] > best[j]:
                best[j], prev[j] = best[i] + strengths[j], i
    j, chain = int(np.argmax(best)), []
    while j >= 0:
        chain.append(j)
        j = int(prev[j])
    return chain[::-1]


def find_beat(times, strengths) -> Beat | None:
    """The repeated action's beat in ``times`` (sorted seconds) with their ``strengths`` (0..1),
    or None when the events keep no steady beat."""
    times = np.asarray(times, dtype=np.float64)
    strengths = np.asarray(strengths, dtype=np.float64)
    n = len(times)
    if n < MIN_STROKES:
        return None
    gaps = np.diff(times)
    candidates = sorted(set(np.round(gaps[(gaps >= PERIODS[0]) & (gaps <= PERIODS[1])], 3)), reverse=True)
    for period in candidates:  # slowest first: a faster beat that fits is its subdivision
        chain = _chain(times, strengths, period)
        if len(chain) < max(MIN_STROKES, COVER * n):
            continue
        # The chain's own period (the candidate was one gap), and the chain again at it.
        steps = np.diff(times[chain])
        refined = float(np.median(steps / np.maximum(1, np.round(steps / period))))
        again = _chain(times, strengths, refined)
        if len(again) >= len(chain):
            chain, period = again, refined
        on = np.zeros(n, dtype=bool)
        on[chain] = True
        on |= strengths >= np.median(strengths[chain])
        return Beat(period=float(period), on=on)
    return None


__all__ = ["Beat", "find_beat"]
