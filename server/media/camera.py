"""The camera's own motion between analysis frames, taken out before anything is called motion.

A handheld camera moves the whole picture a pixel or two every frame: every textured edge then
"moves", and the shake's stops read as contacts. So each interval's global shift is estimated
(phase correlation on the small grey analysis frames, about 0.3 ms a pair) and the previous
frame is moved by it before the two are compared.

The estimate is only trusted where it explains the picture: moved by the shift, the previous
frame must leave clearly fewer pixels changed than unmoved. Where a large thing moves in front
of a still camera (a hand and a stick filling a third of the picture, a pan being flipped), the
correlation locks onto that thing instead of the background, and moving the whole picture by
its shift would add motion rather than remove it. Measured on the development clips: on the
drumstick on metal, 28 of 89 intervals give a shift of half a pixel or more, and moving by it
leaves more pixels changed in 19 of them (none fewer); on the handheld cough and ice clips it
leaves fewer in 64 of 92 and 101 of 187 (more in 3 and 5). Compensating every interval
regardless is what made an earlier attempt worse on the contact clips.

Shifts are whole pixels: moving a frame by a fraction of a pixel blurs it (interpolation), and
a blurred frame differs from a sharp one along every edge. Rotation and zoom are left: on the
development clips a handheld camera turns by less than 2 degrees a frame.
"""

from __future__ import annotations

import cv2
import numpy as np

# A shift smaller than this (analysis pixels per interval) is no camera motion worth removing:
# compression noise and the subject's own motion move the correlation's peak that much.
MIN_SHIFT = 0.5
# The shift is used only when, moved by it, the previous frame leaves at most this share of the
# pixels that changed unmoved. Tuning half: 0.5-0.8 keep every contact clip's kinds and onsets.
EXPLAINS = 0.7
# Camera motion moves the whole picture: without compensation, changed pixels (at least
# _SPREAD_LEVEL of a cell's) are found in at least SPREAD of the cells of a 3x3 grid. A thing
# moving over a plain background is all the correlation sees there, and moving the picture by
# the thing's motion would "explain" it away. Tuning half: 0.5-0.8 give the same shifts.
SPREAD = 2 / 3
_SPREAD_LEVEL = 0.01
# A pixel changes when its grey level moves by more than this (media.contacts.NOISE_LEVEL).
_NOISE = 6.0


def camera_shifts(gray: np.ndarray) -> np.ndarray:
    """(T, 2) whole-pixel shifts (dx, dy) of the picture over each interval t (frame t-1 -> t):
    the content of frame t-1 sits at +dx, +dy in frame t. (0, 0) where the camera held still or
    the estimate does not explain the picture (see the module docstring); row 0 is (0, 0)."""
    n = len(gray)
    shifts = np.zeros((n, 2), int)
    if n < 2 or min(gray.shape[1:]) < 8:
        return shifts
    frames = np.asarray(gray, np.float32)
    window = cv2.createHanningWindow((frames.shape[2], frames.shape[1]), cv2.CV_32F)
    for t in range(1, n):
        (dx, dy), _ = cv2.phaseCorrelate(frames[t - 1], frames[t], window)
        shift = (int(round(dx)), int(round(dy)))
        if np.hypot(dx, dy) < MIN_SHIFT or shift == (0, 0):
            continue
        changed = np.abs(frames[t] - frames[t - 1]) > _NOISE
        if _spread(changed) < SPREAD:
            continue
        moved = float((frame_difference(frames, t, shift) > _NOISE).mean())
        if moved < EXPLAINS * float(changed.mean()):
            shifts[t] = shift
    return shifts


def _spread(changed: np.ndarray) -> float:
    """The share of the cells of a 3x3 grid in which at least _SPREAD_LEVEL of the pixels changed."""
    cells = [c for band in np.array_split(changed, 3, axis=0) for c in np.array_split(band, 3, axis=1)]
    return float(np.mean([c.mean() >= _SPREAD_LEVEL for c in cells]))


def frame_difference(gray: np.ndarray, t: int, shift: tuple[int, int] | np.ndarray = (0, 0)) -> np.ndarray:
    """|frame t - frame t-1|, frame t-1 first moved by ``shift`` (dx, dy); 0 over the border the
    moved frame does not cover (nothing is known to have changed there)."""
    dx, dy = int(shift[0]), int(shift[1])
    current, previous = gray[t], gray[t - 1]
    if dx == 0 and dy == 0:
        return np.abs(current.astype(np.float32) - previous)
    height, width = current.shape
    out = np.zeros((height, width), np.float32)
    if abs(dx) >= width or abs(dy) >= height:
        return out
    ys, xs = slice(max(dy, 0), height + min(dy, 0)), slice(max(dx, 0), width + min(dx, 0))
    src_ys, src_xs = slice(max(-dy, 0), height + min(-dy, 0)), slice(max(-dx, 0), width + min(-dx, 0))
    out[ys, xs] = np.abs(current[ys, xs].astype(np.float32) - previous[src_ys, src_xs])
    return out


__all__ = ["EXPLAINS", "MIN_SHIFT", "SPREAD", "camera_shifts", "frame_difference"]
