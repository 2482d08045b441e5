"""Which visual onsets are contacts: a gravity prior on the direction of the stroke.

A stop of motion is a contact when the moving thing was heading *into* something. In most Foley
that is downwards (a foot lands, a knife chops, a hammer strikes, a hand slaps a table); the
other stops of a repeated action are the top of the back-swing, where nothing is struck. Frame
differences cannot tell the two apart because they carry no direction, so for each onset this
measures the optical flow of the fastest-moving pixels over the frame interval just before it
and scales the onset's strength by how much that motion was heading down:

    down  -> 1.0      sideways -> 0.65      up -> 0.3

The onset is kept either way (a quieter sound, never a missing one): an upward blow is rare but
real, and the editor can always name the events.
"""

from __future__ import annotations

import cv2
import numpy as np

from foleyline.server.media.frames import FrameStream

UP_WEIGHT = 0.3
_MIN_SPEED = 0.4  # pixels per frame on the analysis stream: below this the direction is noise


def _gray(frame: np.ndarray) -> np.ndarray:
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)


def _moving_box(a: np.ndarray, b: np.ndarray, pad: int = 8, min_size: int = 24) -> tuple[int, int, int, int] | None:
    """Rows/columns (y0, y1, x0, x1) bounding the pixels that changed between two frames."""
    changed = cv2.absdiff(a, b) > 12
    rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
    if rows.size == 0:
        return None
    h, w = a.shape
    y0, y1 = max(0, rows[0] - pad), min(h, rows[-1] + 1 + pad)
    x0, x1 = max(0, cols[0] - pad), min(w, cols[-1] + 1 + pad)
    if y1 - y0 < min_size:
        y0, y1 = max(0, min(y0, h - min_size)), min(h, max(y1, min_size))
    if x1 - x0 < min_size:
        x0, x1 = max(0, min(x0, w - min_size)), min(w, max(x1, min_size))
    return int(y0), int(y1), int(x0), int(x1)


def downward_weights(stream: FrameStream, onsets: np.ndarray) -> np.ndarray:
    """A weight in UP_WEIGHT..1 per onset (1 where the direction cannot be measured)."""
    weights = np.ones(len(onsets))
    times = np.asarray(stream.times, dtype=np.float64)
    if len(stream) < 3:
        return weights
    for i, t in enumerate(np.asarray(onsets, dtype=np.float64)):
        k = int(np.searchsorted(times, t)) - 1  # the last frame before the contact
        if k < 1 or k >= len(stream):
            continue
        before, after = _gray(stream.frames[k - 1]), _gray(stream.frames[k])
        box = _moving_box(before, after)
        if box is None:
            continue
        y0, y1, x0, x1 = box
        # Flow only where something moved: a fraction of the frame, a fraction of the cost.
        flow = cv2.calcOpticalFlowFarneback(before[y0:y1, x0:x1], after[y0:y1, x0:x1], None, 0.5, 3, 9, 3, 5, 1.1, 0)
        speed = np.hypot(flow[..., 0], flow[..., 1])
        fastest = speed > max(_MIN_SPEED, 0.5 * float(np.percentile(speed, 95)))
        if not fastest.any():
            continue
        vx, vy = float(flow[..., 0][fastest].mean()), float(flow[..., 1][fastest].mean())
        norm = np.hypot(vx, vy)
        if norm < _MIN_SPEED:
            continue
        down = vy / norm  # image y grows downwards: +1 straight down, -1 straight up
        weights[i] = UP_WEIGHT + (1.0 - UP_WEIGHT) * (down + 1.0) / 2.0
    return weights
