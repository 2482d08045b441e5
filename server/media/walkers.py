"""One walker's steps: where the lowest third of a box that follows the walker (the feet) lands,
at a walking cadence.

The box is the editor's region of interest when it follows a subject (per-frame boxes from the
tracker), or, in the whole picture, the box of the one thing that moves there, followed from
frame to frame, when that thing travels: it crosses the picture, or the camera follows it
across the place. A thing that moves in place at a steady beat (a knife chopping, a hammer) is
not a walker, though its lowest part lands as steadily as feet do.

A step is timed as any contact (``media.contacts``): where the feet's motion falls, at the
foot's arrival. No person or pose detector is used (none ships its weights in a package of
ours), so this works from motion only, and the tuning half has one clip of feet (boots stomping
on ice, in place): the mechanism is specified on synthetic walkers (tests/media/test_walkers.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from foleyline.server.media.contacts import arrivals, falls
from foleyline.server.media.frames import SoundSource, SourceKind

if TYPE_CHECKING:  # (sources imports this module)
    from foleyline.server.media.sources import Motion

# Steps come 1.4-3 per second (a walking cadence); foot contacts closer than this are one
# step, and a cadence is steady when the gaps between steps vary by less than STEADY of
# their median.
STEP_REFRACTORY = 0.3
CADENCE = (0.3, 0.75)
STEADY = 0.35
# A walker in the whole picture travels: its box's centre (or the camera following it) moves by
# at least TRAVEL of the picture's width over the shot.
TRAVEL = 0.25
# ... and is a thing in the picture: its box is at most THING of the picture's width (a walker
# seen from the side is a fraction of it; a busy scene the camera pans over moves all over).
THING = 0.5
# ... and its feet stop while its body carries on: at a step, the lowest third's motion over
# the _LANDING_WINDOW after the foot's arrival falls by at least LANDS (a share of the window
# before) more than the rest of the box's. Set on synthetic pictures (the tuning half has no
# walker crossing the picture): tests/media's walkers have a median margin of 0.32-0.45, the
# demo's crate sliding to a stop 0.03 at most; anything from 0.04 to 0.3 tells them apart.
LANDS = 0.15
_LANDING_WINDOW = 0.07
# The box of the thing that moves is held through intervals where nothing does, and each of its
# sides smoothed by a running median over this many seconds (a swinging arm widens it a frame).
_BOX_SMOOTHING = 0.3
_MIN_PIXELS = 20  # moving pixels below which a frame has no box of its own
_PART = 0.2       # moving patches at least this share of the largest are parts of the one thing

Boxes = np.ndarray  # (T, 4) int: top, bottom (exclusive), left, right (exclusive) per frame


def boxes_of(masks: np.ndarray) -> Boxes:
    """The bounding box of a region per frame ((T, H, W) masks); an empty frame's is empty."""
    out = np.zeros((len(masks), 4), int)
    for t, mask in enumerate(masks):
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        if len(rows):
            out[t] = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    return out


def _bands(motion: Motion, boxes: Boxes) -> tuple[np.ndarray, np.ndarray]:
    """Per interval, the moving pixels in the lowest third of the box (the feet) and in the rest
    of it (the body). Moving pixels, not their share: the box widens as a foot swings ahead."""
    n = len(motion.times)
    feet, body = np.zeros(n), np.zeros(n)
    for t in range(1, n):
        top, bottom, left, right = boxes[t]
        if bottom <= top:
            continue
        moving = motion.changed[t, top:bottom, left:right]
        split = bottom - top - max(2, (bottom - top) // 3)
        feet[t], body[t] = float(moving[split:].sum()), float(moving[:split].sum())
    return feet, body


def _steps_in(motion: Motion, feet: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where the feet's motion falls, timed at the foot's arrival like any contact: (times,
    strengths, the arrival frames)."""
    n = len(motion.times)
    peak = float(feet.max())
    if peak <= 0:
        return np.zeros(0), np.zeros(0), np.zeros(0, int)
    dt = float(np.median(np.diff(motion.times)))
    steps, sizes = falls((feet / peak)[:, None], np.full(n, np.nan), dt, motion.cuts, STEP_REFRACTORY, 1.0)
    if len(steps) == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0, int)
    arrived = arrivals(feet, steps, dt)
    times = (motion.times[arrived] + motion.times[np.minimum(arrived + 1, n - 1)]) / 2
    return times, sizes / sizes.max(), arrived


def foot_contacts(motion: Motion, boxes: Boxes) -> tuple[np.ndarray, np.ndarray]:
    """The steps of a walker followed by ``boxes``: where the motion of the lowest third of the
    box (the feet) falls, timed at the foot's arrival like any contact; (times, strengths)."""
    times, strengths, _ = _steps_in(motion, _bands(motion, boxes)[0])
    return times, strengths


def feet_land_alone(motion: Motion, feet: np.ndarray, body: np.ndarray, arrived: np.ndarray) -> bool:
    """Whether, at the steps (``arrived``), the feet stop while the body carries on: the feet's
    motion falls by at least LANDS more (a share of it just before) than the body's, at most of
    the steps. A rigid thing travelling (a crate sliding, a cart) slows all of a piece."""
    dt = float(np.median(np.diff(motion.times)))
    w = max(1, int(round(_LANDING_WINDOW / dt)))

    def drop(series: np.ndarray, a: int) -> float:
        before = float(series[max(a - w + 1, 1) : a + 1].mean())
        after = float(series[a + 1 : a + 1 + w].mean()) if a + 1 < len(series) else before
        return 1.0 - after / before if before > 0 else 0.0

    margins = [drop(feet, a) - drop(body, a) for a in arrived]
    return bool(margins) and float(np.median(margins)) >= LANDS


def periodic(steps: np.ndarray) -> bool:
    """Three or more steps at a steady walking cadence."""
    if len(steps) < 3:
        return False
    gaps = np.diff(np.sort(steps))
    median = float(np.median(gaps))
    return CADENCE[0] <= median <= CADENCE[1] and float(np.median(np.abs(gaps - median))) <= STEADY * median


def cadence_fits(times: np.ndarray) -> bool:
    """Whether frames at ``times`` can show a walking cadence at all: ``periodic`` wants three
    steps or more whose median gap is CADENCE[0] at least, so the steps span 2 * CADENCE[0] or
    more; a step is timed between its foot's arrival frame and the next, and arrives no earlier
    than frame 1 and no later than the second-to-last frame (``contacts.falls``, ``arrivals``).
    A range shorter than that (a 0.5 s range without handles) has no walker to look for, nor
    the camera's motion a walker is looked for with."""
    n = len(times)
    return n >= 4 and (times[n - 2] + times[n - 1]) / 2 - (times[1] + times[2]) / 2 >= 2 * CADENCE[0]


def mover_boxes(motion: Motion, gap: int) -> Boxes:
    """Per frame, the box of the thing moving in the whole picture (its moving patches, closed
    over ``gap`` pixels), held where nothing moves and smoothed (``_BOX_SMOOTHING``)."""
    n = len(motion.times)
    found = np.full((n, 4), -1, int)
    for t in range(1, n):
        stats = motion.blobs(t, gap)
        count = len(stats)
        areas = stats[1:count, cv2.CC_STAT_AREA]
        if count < 2 or areas.max() < _MIN_PIXELS:
            continue
        # The thing's parts (a plain body changes only along its edges; the feet apart from it).
        parts = stats[1:count][areas >= _PART * areas.max()]
        left, top = parts[:, cv2.CC_STAT_LEFT], parts[:, cv2.CC_STAT_TOP]
        found[t] = (top.min(), (top + parts[:, cv2.CC_STAT_HEIGHT]).max(),
                    left.min(), (left + parts[:, cv2.CC_STAT_WIDTH]).max())
    seen = np.flatnonzero(found[:, 0] >= 0)
    if len(seen) == 0:
        return np.zeros((n, 4), int)
    held = found[seen[np.clip(np.searchsorted(seen, np.arange(n), side="right") - 1, 0, None)]]
    dt = float(np.median(np.diff(motion.times))) if n > 1 else 1.0
    half = max(1, int(round(_BOX_SMOOTHING / dt / 2)))
    padded = np.concatenate([np.repeat(held[:1], half, 0), held, np.repeat(held[-1:], half, 0)])
    near = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1, axis=0)  # (n, 4, window)
    out = np.empty((n, 4), int)
    # Top and bottom steady (the median of an odd window: one of its values); left and right as
    # far as the thing reached nearby, so a foot swinging ahead stays inside the box to its landing.
    out[:, :2] = np.median(near[:, :2], axis=2)
    out[:, 2], out[:, 3] = near[:, 2].min(axis=1), near[:, 3].max(axis=1)
    return out


def travel(motion: Motion, boxes: Boxes) -> float:
    """How far the thing in ``boxes`` travels across the place, in widths of the picture: its
    box's centre (less the camera's own motion, which follows it) from the first quarter of the
    shot to the last; 0 when it wanders there and back (twice as far in all as from end to end)
    rather than going somewhere (a swinging arm's box is as far off at one end as a walker's)."""
    width = motion.gray.shape[2]
    camera = motion.camera.shifts[:, 0] if motion.camera is not None else np.zeros(len(boxes))
    place = (boxes[:, 2] + boxes[:, 3]) / 2.0 - np.cumsum(camera)
    quarter = max(1, len(place) // 4)
    net = abs(float(np.median(place[-quarter:]) - np.median(place[:quarter])))
    path = float(np.abs(np.diff(place)).sum())
    return net / width if path <= 2 * net else 0.0


def walker(motion: Motion, gap: int) -> SoundSource | None:
    """One walker's steps in the whole picture, when one thing travels across it and its lowest
    third lands at a walking cadence; else None."""
    boxes = mover_boxes(motion, gap)
    width = float(np.median(boxes[:, 3] - boxes[:, 2])) / motion.gray.shape[2]
    if width > THING or travel(motion, boxes) < TRAVEL:
        return None  # motion all over the picture (a busy scene panned over), or no travel
    feet, body = _bands(motion, boxes)
    steps, strengths, arrived = _steps_in(motion, feet)
    if not periodic(steps) or not feet_land_alone(motion, feet, body, arrived):
        return None
    return SoundSource(SourceKind.STEPS, onsets=steps, strengths=strengths,
                       evidence=f"one thing travels across the picture and its lowest third lands {len(steps)} "
                                "times at a walking cadence: a walker's steps")


__all__ = ["CADENCE", "TRAVEL", "boxes_of", "cadence_fits", "foot_contacts", "mover_boxes", "periodic", "travel",
           "walker"]
