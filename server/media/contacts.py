"""Where motion stops: the moving fraction per cell of a grid, the falls that say a stroke
ended, and the frame the stroke arrived at its contact (``media.analysis`` explains the
physics). Shared by the contacts of the analysis and the steps of ``media.sources``.
"""

from __future__ import annotations

import numpy as np

from foleyline.server.media.camera import Camera, ChangedPixels, changed_pixels
from foleyline.server.media.peaks import find_peaks

# A pixel "moves" when it changes by more than this (0..255 grey levels): above sensor noise
# and compression shimmer. Energy is the moving fraction of the picture (or region), which
# follows the size of what moves and ignores small brightness drifts.
NOISE_LEVEL = 6.0
# Contacts are found per cell of a grid over the picture (or region): a contact is local, and
# the stop of the part that touches is drowned in the whole picture by the rest of the motion
# (the far end of a stick, a hand, camera shake).
GRID = 3
# Direction of a stroke: the centre of the moving pixels is trusted when this many move; a
# stroke moving down by DOWNWARD_SCALE of the picture height per frame gets the full weight
# (x1.5), the same moving up x0.5.
MIN_MOVING_PIXELS = 20
DOWNWARD_SCALE = 0.05
DOWNWARD_WEIGHT = 0.5
# How much of a stop between an upward stroke and a downward one (the top of a swing) is kept.
TURN_WEIGHT = 0.8
# A contact is timed at the stroke's arrival: the end of its last interval at (nearly) top speed,
# looked for up to ARRIVAL_LOOKBACK seconds before the fall that shows the stroke ended (what
# keeps moving after a contact, an axe sinking in, a hammer bouncing off, delays the fall by up
# to ~190 ms on the tuning half), never fewer than ARRIVAL_INTERVALS intervals back, and never
# past the previous fall (a stroke starts after the one before it ended). In intervals because
# the moving area an interval sweeps saturates rather than growing with its length: at 15 fps the
# rebound after a contact holds the level up for as many intervals as at 30 fps, so the fall
# comes as many intervals late, twice as many milliseconds. Tuning half (docs/evaluation.md,
# fifth pass): a Greatest-Hits drumstick on a shelf (15 fps) finds 2 of its 3 hits (1 before),
# boots on ice 7 of 12 steps (6 before); 0.2-0.25 s and 4-6 intervals give the same, fewer
# than 4 intervals loses the shelf's hit, 0.27 s a knife's cut; without the bound at the
# previous fall, falls of a cough's clip shared arrivals and 2 of its 3 matched stops went.
ARRIVAL_LOOKBACK = 0.2
ARRIVAL_INTERVALS = 4
ARRIVAL_LEVEL = 0.85
# A strike's settling: a stop within SETTLE seconds of a stronger one and weaker than
# SETTLE_SHARE of it is the body, the hand or the tool coming to rest around that strike (or
# winding up to it), not a strike of its own. Tuning half (docs/evaluation.md): 0.15-0.25 of
# the stronger stop, within 0.75-1.5 s, drop only stops with no sound of their own there (0.2
# sits mid-way); at 0.3 a keyboard's light key beside a hard one goes too.
SETTLE = 1.0
SETTLE_SHARE = 0.2


# Intervals of changed pixels read (unpacked) at a time: a long shot's are never whole in memory.
_CHUNK = 64


def grid_cells(masks: np.ndarray | None, height: int, width: int, grid: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Row and column index groups of the grid cells: ``grid`` x ``grid`` over the picture, or
    over a fixed region's bounding box; one cell (the box) with per-frame boxes."""
    if masks is not None and masks.ndim == 2:
        rows, cols = np.nonzero(masks.any(axis=1))[0], np.nonzero(masks.any(axis=0))[0]
        y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    else:
        y0, y1, x0, x1 = 0, height, 0, width
    if masks is not None and masks.ndim == 3:
        grid = 1
    return (np.array_split(np.arange(y0, y1), min(grid, y1 - y0)),
            np.array_split(np.arange(x0, x1), min(grid, x1 - x0)))



def cell_differences(
    gray: np.ndarray, masks: np.ndarray | None, grid: int, camera: Camera | None = None,
    changed: ChangedPixels | np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Moving fraction per frame, overall (T,) and per grid cell (T, cells), and the height of
    the moving pixels' centre (T,), 0 top .. 1 bottom, NaN when too little moves; index t:
    t-1 -> t. ``camera``: the camera's own motion (``media.camera``), removed.

    With a fixed region the cells tile its bounding box; with per-frame boxes there is one
    cell (the box), since a tracked box moves with its subject. ``changed``: the frames'
    ``camera.changed_pixels`` (with the same camera), when the caller has them already.
    """
    n, height, width = gray.shape
    if changed is None:
        changed = changed_pixels(gray, camera)
    ys, xs = grid_cells(masks, height, width, grid)
    overall = np.zeros(n, np.float64)
    cells = np.zeros((n, len(ys) * len(xs)), np.float64)
    centre = np.full(n, np.nan)
    rows = (np.arange(height) + 0.5) / height
    if masks is None or masks.ndim == 2:
        # A fixed region: a run of intervals counted at once (fractions of whole pixel counts).
        area = height * width if masks is None else max(np.count_nonzero(masks), 1)
        per_rows = np.zeros((n, height), np.int64)
        for a in range(1, n, _CHUNK):
            moving = changed[a : a + _CHUNK]
            if masks is not None:
                moving = moving & masks
            span = slice(a, a + len(moving))
            overall[span] = np.count_nonzero(moving, axis=(1, 2)) / area
            per_rows[span] = moving.sum(axis=2)
            for k, (yr, xr) in enumerate((yr, xr) for yr in ys for xr in xs):
                box = moving[:, yr[0] : yr[-1] + 1, xr[0] : xr[-1] + 1]
                cells[span, k] = np.count_nonzero(box, axis=(1, 2)) / (box.shape[1] * box.shape[2])
    else:
        per_rows = np.zeros((n, height), int)
        for t in range(1, n):
            mask = masks[t] | masks[t - 1]
            overall[t] = float(changed[t][mask].mean()) if mask.any() else 0.0
            moving = changed[t] & mask
            per_rows[t] = moving.sum(axis=1)
            cells[t, 0] = float(moving[ys[0][0] : ys[0][-1] + 1, xs[0][0] : xs[0][-1] + 1].mean())
    for t in range(1, n):
        per_row = per_rows[t]
        if per_row.sum() >= MIN_MOVING_PIXELS:
            centre[t] = float(per_row @ rows / per_row.sum())
    overall[0], cells[0] = overall[1], cells[1]
    return overall, cells, centre


def robust_threshold(values: np.ndarray, k: float) -> float:
    positive = values[values > 0]
    if len(positive) == 0:
        return np.inf
    median = float(np.median(positive))
    mad = float(np.median(np.abs(positive - median))) or median
    return median + k * mad


def arrivals(motion: np.ndarray, falls: np.ndarray, frame_interval: float) -> np.ndarray:
    """For each fall (an interval index), the frame at which the stroke it ends arrived: the end
    of the last interval, at most ``ARRIVAL_LOOKBACK`` (and ``ARRIVAL_INTERVALS`` intervals at
    least) before the fall and after the previous one, in which the picture moved at
    ``ARRIVAL_LEVEL`` of the stroke's fastest or more. ``falls``: sorted."""
    lookback = max(ARRIVAL_INTERVALS, int(round(ARRIVAL_LOOKBACK / frame_interval)))
    out = np.empty(len(falls), int)
    for i, fall in enumerate(falls):
        # A stroke starts after the one before it ended: never before the previous fall.
        start = max(1, fall - lookback, falls[i - 1] + 1 if i else 1)
        stroke = motion[start : fall + 1]
        out[i] = start + int(np.flatnonzero(stroke >= ARRIVAL_LEVEL * stroke.max())[-1])
    return out


def falls(
    cells: np.ndarray,
    centre: np.ndarray,
    frame_interval: float,
    cuts: np.ndarray,
    refractory: float,
    sensitivity: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Where motion falls abruptly after being high, summed over the grid cells: the interval
    indices t (the fall happens between frames t and t+1) and the size of each fall."""
    n = len(cells)
    # Compare ~70 ms before with ~70 ms after (one frame at 15 fps, four at 60 fps).
    w = max(1, int(round(0.07 / frame_interval)))
    padded = np.concatenate([np.repeat(cells[:1], w, 0), cells, np.repeat(cells[-1:], w, 0)])
    csum = np.concatenate([np.zeros((1, cells.shape[1])), np.cumsum(padded, axis=0)])
    idx = np.arange(n) + w
    before = (csum[idx + 1] - csum[idx + 1 - w]) / w      # cells[t-w+1 .. t]
    after = (csum[idx + 1 + w] - csum[idx + 1]) / w       # cells[t+1 .. t+w]
    drop = np.maximum(before - after, 0.0)
    # Weight each fall by how complete it is: a swing that ends (most of the motion gone)
    # counts more than a wobble in a busy shot.
    fall = (drop * np.clip(drop / np.maximum(before, 1e-9), 0.0, 1.0)).sum(axis=1)
    # Gravity: a stroke that ends going down (a foot, a knife, a hammer, a falling thing) is
    # more often a contact than one that ends going up (the top of a backswing). The moving
    # pixels' centre over the stroke's last ~140 ms says which way it went.
    step = np.nan_to_num(np.diff(centre, prepend=np.nan))
    run = np.r_[0.0, np.cumsum(step)]
    span = 2 * w
    ends = np.arange(n) + 1
    downward = (run[ends] - run[np.maximum(ends - span, 0)]) / span
    fall = fall * (1.0 + DOWNWARD_WEIGHT * np.clip(downward / DOWNWARD_SCALE, -1.0, 1.0))
    # The top of a swing: the stroke went up, stopped, and what moves next goes down (the
    # downstroke starting). A contact goes down and then rests or bounces up. So a stop between
    # an upward stroke and a downward one is a turn, not a contact.
    then = (run[np.minimum(ends + span, n)] - run[ends]) / span
    turn = np.clip(-downward / DOWNWARD_SCALE, 0.0, 1.0) * np.clip(then / DOWNWARD_SCALE, 0.0, 1.0)
    fall = fall * (1.0 - TURN_WEIGHT * turn)
    fall[-1] = 0.0
    for c in cuts:  # no onset can straddle a cut
        fall[max(0, c - w) : c + 1] = 0.0
    threshold = max(robust_threshold(fall, 1.0 / sensitivity), 0.02 / sensitivity)
    distance = max(1, int(round(refractory / frame_interval))) if refractory > 0 else 1
    peaks, props = find_peaks(fall, height=threshold, distance=distance)
    if len(peaks) == 0:
        return np.zeros(0, int), np.zeros(0)
    return peaks, props["peak_heights"]


def settling(times: np.ndarray, strengths: np.ndarray) -> np.ndarray:
    """(K,) bool: the stops that are a stronger neighbour's settling (SETTLE). Only stops
    settle: a flash or a kick beside a stronger one is an event of its own (a firework)."""
    times = np.asarray(times, dtype=np.float64)
    strengths = np.asarray(strengths, dtype=np.float64)
    out = np.zeros(len(times), dtype=bool)
    for i, (t, s) in enumerate(zip(times, strengths)):
        out[i] = s < SETTLE_SHARE * strengths[np.abs(times - t) <= SETTLE].max()
    return out


__all__ = ["GRID", "NOISE_LEVEL", "DOWNWARD_WEIGHT", "arrivals", "cell_differences", "falls", "grid_cells",
           "robust_threshold", "settling"]
