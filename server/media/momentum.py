"""How much momentum the moving material lost at each onset, from dense optical flow: the
flow's share of an onset's strength (how loud its hit will be; ``media.analysis``).

Each pixel's velocity just before the onset against its velocity just after, read where the
flow carried it (Farneback): a thing that crosses the picture keeps its speed and scores
nothing, one that stops scores its speed and one that bounces back up to twice that, weighted
by the gravity prior per pixel. Flow that does not explain the picture (a thin stick blurred by
its speed, a thing entering the frame) is not trusted, and material carried out of the picture
has left, not stopped. Flow is computed only around the onsets (about 1.7 ms per frame pair
on the analysis frames): it ranks them, it does not find them.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np

from foleyline.server.media.contacts import DOWNWARD_WEIGHT, NOISE_LEVEL, grid_cells

# Farneback on the small analysis frames: a 3-level pyramid follows ~10 px per frame; 9 px
# windows keep a hand or a stick apart from the background. Two iterations per level: a third
# cost 30 % more per pair (2.2 against 1.7 ms) and moved the flow by 0.07 px on average for a
# mean speed of 0.44: 3 of 33 clips gain or lose one contact, the tuning half's scores move
# within seed noise (contacts AP 0.695 -> 0.692, seeds 0.688-0.707; precision 0.518 -> 0.522).
# DIS flow (benchmarks/flow.py, docs/evaluation.md), 0.12-0.9 ms a pair, loses the anvil's or
# the fireworks' onsets on the tuning half; at full size without mean normalization (0.64 ms)
# the anvil's hit and a hand lifting a pan read alike (0.70, 0.67-0.69 rising): no RISING holds.
_FLOW_PARAMS = dict(pyr_scale=0.5, levels=3, winsize=9, iterations=2, poly_n=5, poly_sigma=1.1, flags=0)
# Grey levels by which a pixel may differ from where its flow says it came from before the
# flow there is not trusted (twice the motion noise level: interpolation and compression).
_FLOW_MISMATCH = 2 * NOISE_LEVEL
# A pixel slower than this (pixels per frame) has no direction worth trusting.
_MIN_SPEED = 0.3
# Momentum losses are scaled to the clip's largest, but never to less than this (pixels per
# frame, cell mean), so a still picture's noise is not blown up into strength.
_MIN_DECELERATION = 0.05


class Flow:
    """Dense optical flow between consecutive analysis frames, computed once per interval and
    only where asked (the contacts), trusted only where it explains the picture."""

    def __init__(self, gray: np.ndarray, times: np.ndarray) -> None:
        self.gray = gray
        self.n, self.height, self.width = gray.shape
        self.intervals = np.diff(times)
        self.typical = float(np.median(self.intervals))
        self.grid_y, self.grid_x = np.mgrid[0 : self.height, 0 : self.width].astype(np.float32)
        self._flows: dict[int, np.ndarray] = {}

    def __call__(self, t: int) -> np.ndarray:
        """(H, W, 2) pixels per typical frame interval over interval t (frame t-1 -> t)."""
        if t not in self._flows:
            self._flows[t] = self._compute(t)
        return self._flows[t]

    def prefetch(self, intervals: Iterable[int]) -> None:
        """Compute the flow over these intervals now, on OpenCV's threads at once (each is the
        same as computed alone: the pairs are independent and the flow is deterministic)."""
        todo = sorted({t for t in intervals if 1 <= t < self.n and t not in self._flows})
        workers = min(cv2.getNumThreads(), len(todo))
        if workers <= 1:
            return
        with ThreadPoolExecutor(max_workers=workers) as pool:  # OpenCV lets go of the GIL
            self._flows.update(zip(todo, pool.map(self._compute, todo)))

    def forget(self, before: int) -> None:
        """Let go of the flow over the intervals before ``before``: a long shot's flow (115 kB an
        interval at 160x90) is held only around the contacts being judged."""
        for t in [t for t in self._flows if t < before]:
            del self._flows[t]

    def _compute(self, t: int) -> np.ndarray:
        # Each pair's two pictures in 8 bits when asked for (the levels may be floats): a whole
        # long shot's at once would be a copy of it.
        previous, current = (np.clip(self.gray[k], 0, 255).astype(np.uint8) for k in (t - 1, t))
        flow = cv2.calcOpticalFlowFarneback(previous, current, None, **_FLOW_PARAMS)
        # Trust the flow only where it explains the picture: the previous frame, moved along it,
        # must match this one.
        moved = cv2.remap(current, self.grid_x + flow[..., 0], self.grid_y + flow[..., 1],
                          cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        flow[np.abs(moved.astype(np.float32) - self.gray[t - 1]) > _FLOW_MISMATCH] = 0.0
        # Per typical frame interval: after a dropped frame the same speed reads the same.
        return flow * np.float32(self.typical / self.intervals[t - 1])


def rising(flow: Flow, arrivals: np.ndarray, masks: np.ndarray | None = None) -> np.ndarray:
    """Per contact, how much of what arrived was going up: over the two intervals up to its
    arrival frame, the share of the moving material (weighted by speed squared, so the fast
    end of a stick counts, not the hand) heading up less the share heading down, -1..1.

    A hit arrives going down or sideways; the top of a backswing arrives going up. (The
    interval after the arrival is left out: a hammer bouncing off an anvil goes up there.)
    """
    out = np.zeros(len(arrivals))
    flow.prefetch(t for a in arrivals for t in (a - 1, a))
    for i, a in enumerate(arrivals):
        moves = sum(flow(t) for t in (a - 1, a) if 1 <= t < flow.n)
        if isinstance(moves, int):
            continue
        if masks is not None:
            moves = moves * ((masks[a] | masks[a - 1]) if masks.ndim == 3 else masks)[..., None]
        speed = np.hypot(moves[..., 0], moves[..., 1])
        weight = speed**2 * (speed >= _MIN_SPEED)
        total = float(weight.sum())
        if total > 0:
            out[i] = float((weight * -moves[..., 1] / np.maximum(speed, 1e-6)).sum()) / total
    return out


def momentum_totals(
    flow: Flow,
    masks: np.ndarray | None,
    window: int,
    grid: int,
    peaks: np.ndarray,
    cuts: np.ndarray,
) -> tuple[np.ndarray, float]:
    """Per peak (an interval index t: frame t-1 -> t), how much momentum the moving material
    lost there, unscaled: the largest over intervals t-1..t+1 (the flow may see the same stop a
    frame off) of its cells' losses summed; and the largest cell loss seen. ``scaled_losses``
    scales them to the clip's largest cell loss, once the clip's peaks are all judged (a long
    shot's a group at a time).

    A pixel's velocity over interval t against its mean velocity over the ``window`` intervals
    after, read where the flow carried it: see the module docstring. Flow is computed only
    around the peaks, since it ranks the onsets and does not place them.
    """
    n, height, width = flow.n, flow.height, flow.width
    if n < 3 or len(peaks) == 0:
        return np.zeros(len(peaks)), 0.0
    ys, xs = grid_cells(masks, height, width, grid)
    boxes = [(yr[0], yr[-1] + 1, xr[0], xr[-1] + 1) for yr in ys for xr in xs]
    grid_y, grid_x = flow.grid_y, flow.grid_x

    def cell_losses(t: int) -> np.ndarray:
        moves = flow(t)
        following = [flow(k) for k in range(t + 1, min(t + window, n - 1) + 1)]
        after = following[0].copy()  # their mean, added in order as np.mean adds them
        for later_flow in following[1:]:
            after += later_flow
        after /= np.float32(len(following))
        map_x, map_y = grid_x + moves[..., 0], grid_y + moves[..., 1]
        later = cv2.remap(after, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        speed = np.hypot(moves[..., 0], moves[..., 1])
        safe = np.maximum(speed, 1e-6)
        # Speed lost along the way it was going (v -> 0: |v|; a bounce back: up to 2|v|),
        # times how complete the loss was, times the gravity prior of its heading.
        slowed = (moves - later) * moves  # its x and y added as a sum over the last axis would
        lost = np.maximum((slowed[..., 0] + slowed[..., 1]) / safe, 0.0)
        stop = lost * np.clip(lost / safe, 0.0, 1.0) * (1.0 + DOWNWARD_WEIGHT * moves[..., 1] / safe)
        gone = (map_x < 0) | (map_x > width - 1) | (map_y < 0) | (map_y > height - 1)
        stop[(speed < _MIN_SPEED) | gone] = 0.0  # no direction; left the picture, not stopped
        weight = None
        if masks is not None:
            weight = ((masks[t] | masks[t - 1]) if masks.ndim == 3 else masks).astype(np.float32)
            stop = stop * weight
        out = np.zeros(len(boxes))
        for k, (a, b, c, d) in enumerate(boxes):
            area = float(weight[a:b, c:d].sum()) if weight is not None else float((b - a) * (d - c))
            out[k] = float(stop[a:b, c:d].sum()) / max(area, 1.0)
        return out

    # Intervals whose flow (or the flow after them) crosses a cut measure no motion.
    blocked = {t for c in cuts for t in range(c - window, c + 1)}
    judged = sorted({t for p in peaks for t in (p - 1, p, p + 1) if 1 <= t < n - 1 and t not in blocked})
    flow.prefetch(k for t in judged for k in range(t, min(t + window, n - 1) + 1))
    losses = {t: cell_losses(t) for t in judged}
    largest = max((float(v.max()) for v in losses.values()), default=0.0)
    sums = {t: float(v.sum()) for t, v in losses.items()}
    return np.array([max([sums.get(t, 0.0) for t in (p - 1, p, p + 1)]) for p in peaks]), largest


def scaled_losses(totals: np.ndarray, largest: float) -> np.ndarray:
    """``momentum_totals``' sums scaled to the largest cell loss of the clip (never to less than
    a still picture's noise): each cell's loss scaled to it, summed. Scaling the largest sum of
    each peak gives the same numbers as scaling each sum first (division keeps their order)."""
    return totals / max(largest, _MIN_DECELERATION)


__all__ = ["Flow", "momentum_totals", "rising", "scaled_losses"]
