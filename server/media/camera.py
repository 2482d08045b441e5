"""The camera's own motion between analysis frames, and the frames compared with it taken out.

A handheld camera moves the whole picture a pixel or two every frame: every textured edge then
"moves". So each interval's global shift is estimated (phase correlation on the small grey
analysis frames, refined once: about 0.3 ms a pair, 0.6 ms where the camera moved) and the
previous frame is moved by it before the two are compared.

Where it is used: to find a walker the camera follows (``media.walkers``: followed, the walker
holds still in the picture while the place streams by). Contacts and the kind of source are
judged on the picture as filmed: finding contacts with the shake taken out was measured on the
development set's tuning half and made them worse (docs/evaluation.md; ``media.analysis``).

Two things made an earlier attempt worse than no compensation, and are handled here:

- **The estimate is only trusted where it explains the picture.** Moved by the shift, the
  previous frame must leave clearly fewer pixels changed than unmoved, and the change must be
  spread over the picture. Where a large thing moves in front of a still camera (a hand and a
  stick filling a third of the picture, a pan being flipped), the correlation locks onto that
  thing instead of the background, and moving the whole picture by its shift adds motion.
  Measured on the development clips: on the drumstick on metal, 28 of 89 intervals give a
  shift of half a pixel or more, and moving by it leaves more pixels changed in 19 of them
  (none fewer); on the handheld cough and ice clips it leaves fewer in 64 of 92 and 101 of 187.
- **Whole pixels are too coarse.** A shake is rarely a whole number of pixels: moved by the
  nearest whole shift, a textured picture still differs along every edge by up to half a
  pixel's worth, and how much changes from one interval to the next with the fraction left
  over, which reads as motion that starts and stops. On a textured scene shaken by about a
  pixel a frame (tests/media/test_camera.py), whole-pixel shifts leave 35% of the picture
  "moving" (0.6% to 63% from interval to interval); the exact shift, with both frames
  smoothed a little (a Gaussian of one pixel, so that the interpolation's own smoothing is
  not a difference) leaves under 1%.

So a clip whose camera moves (in at least HANDHELD of its intervals) is compared on smoothed
frames throughout, the previous frame moved by the exact shift where the shift is trusted; a
clip from a still camera is compared as it is, unsmoothed (thin fast things keep their
contrast). Rotation and zoom are left: on the development clips a handheld camera turns by
less than 2 degrees a frame.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

# A shift smaller than this (analysis pixels per interval) is no camera motion worth removing.
MIN_SHIFT = 0.25
# The shift is used only when, moved by it, the previous frame leaves at most this share of the
# pixels that changed unmoved. Tuning half: 0.5-0.8 keep every contact clip's kinds and onsets.
EXPLAINS = 0.7
# Camera motion moves the whole picture: without compensation, changed pixels (at least
# _SPREAD_LEVEL of a cell's) are found in at least SPREAD of the cells of a 3x3 grid. A thing
# moving over a plain background is all the correlation sees there, and moving the picture by
# the thing's motion would "explain" it away. Tuning half: 0.5-0.8 give the same shifts.
SPREAD = 2 / 3
_SPREAD_LEVEL = 0.01
# A clip is handheld when the camera's motion is trusted in at least this share of its
# intervals. Tuning half: boots on ice, a cough and puppies at 0.79, 0.70 and 0.39; every clip
# from a still camera at 0.08 at most (fireworks lighting the sky, a pan flipped in front of
# it), so anything from 0.09 to 0.38 gives the same.
HANDHELD = 0.15
# Smoothing (Gaussian sigma, pixels) of both frames of a handheld clip before they are compared.
SMOOTHING = 1.0
# A pixel changes when its grey level moves by more than this (media.contacts.NOISE_LEVEL).
_NOISE = 6.0
# No camera moves the picture by more than this share of its size in one interval (a larger
# "shift" is the correlation wrapping round); a grid cell is at least _MIN_CELL pixels a side.
_MAX_SHIFT = 0.25
_MIN_CELL = 8


@dataclass(frozen=True)
class Camera:
    """How the camera moved: ``shifts`` (T, 2), the picture's shift (dx, dy) over each interval t
    (frame t-1 -> t: the content of frame t-1 sits at +dx, +dy in frame t), 0 where it held
    still or the estimate is not trusted; ``smoothing``: the Gaussian both frames get before
    they are compared (0: none, a still camera)."""

    shifts: np.ndarray
    smoothing: float = 0.0

    @staticmethod
    def still(n: int) -> Camera:
        return Camera(np.zeros((n, 2), np.float32))


def camera_motion(gray: np.ndarray) -> Camera:
    """The camera's motion over a clip's analysis frames (see the module docstring)."""
    n = len(gray)
    if n < 2 or min(gray.shape[1:]) < 3 * _MIN_CELL:
        return Camera.still(n)
    # Floats a frame at a time, as they are read: a long shot's all at once would be four times
    # its 8-bit levels (136 MB for 79 s at 30 fps).
    frames = _Floats(gray)
    estimate = _Correlation(gray.shape[1:])
    smoothed = _Smoothed(gray, SMOOTHING)
    largest = _MAX_SHIFT * max(gray.shape[1:])
    needed = HANDHELD * (n - 1)  # trusted shifts that make the clip handheld
    # First the cheap tests every interval gets: where the change is not spread over the
    # picture, or the whole picture's correlation finds no shift, the camera held still (the
    # spread first: it costs a tenth of a correlation). A clip with too few intervals left to
    # be handheld is a still camera, and the grid cells' correlations (most of the cost) are
    # not needed.
    candidates = []
    for t in range(1, n):
        if len(candidates) + n - t < needed:
            return Camera.still(n)
        changed = smoothed.difference(t, (0.0, 0.0)) > _NOISE
        if spread(changed) < SPREAD:
            continue
        whole = estimate.whole(frames[t - 1], frames[t])
        if np.hypot(*whole) >= MIN_SHIFT:  # (a "shift" too large is the correlation wrapping round)
            candidates.append((t, whole, float(changed.mean())))
    shifts = np.zeros((n, 2), np.float32)
    trusted = 0
    for i, (t, whole, level) in enumerate(candidates):
        if trusted + len(candidates) - i < needed:
            break  # too few intervals left to make it handheld
        # The whole picture's correlation mixes the camera's motion with that of anything large
        # and contrasted in front of it (a walker the camera follows holds still in the picture);
        # the median of the grid cells' follows the background (the camera moves every cell, a
        # thing only some). The one that leaves fewer pixels changed is the camera's.
        best, left = (0.0, 0.0), EXPLAINS * level
        for shift in (whole, estimate.cells(frames[t - 1], frames[t])):
            if MIN_SHIFT <= np.hypot(*shift) <= largest:
                after = float((smoothed.difference(t, shift) > _NOISE).mean())
                if after < left:
                    best, left = shift, after
        shifts[t] = best
        trusted += bool(shifts[t].any())
    if trusted < needed:
        return Camera.still(n)  # a still camera (a few trusted shifts are a bump, or chance)
    return Camera(shifts, SMOOTHING)


class _Correlation:
    """Phase correlation of two frames, over the whole picture or per cell of a 3x3 grid, each
    refined once: the correlation peak's centre is biased towards whole pixels (2 px reads
    1.8), and one more correlation against the frame moved by the estimate corrects most of it.

    OpenCV pads a picture whose sides are not sizes its DFT is fast at (``cv2.getOptimalDFTSize``)
    with zeros, and its window with it, in three copies per call; padded here, once for the
    window and straight into one array for each picture, the same correlation costs 40 % less
    on the 53x30 cells of a 160x90 picture (about 35 against 57 µs; the shift is bitwise the
    same: the padded pictures and windows are the ones OpenCV would make)."""

    def __init__(self, shape: tuple[int, int]) -> None:
        height, width = shape
        self.window = _padded(cv2.createHanningWindow((width, height), cv2.CV_32F))
        self.cell = (height // 3, width // 3)
        self.cell_window = _padded(cv2.createHanningWindow((self.cell[1], self.cell[0]), cv2.CV_32F))

    @staticmethod
    def _refined(previous: np.ndarray, current: np.ndarray, window: np.ndarray) -> tuple[float, float]:
        """The shift of ``current`` from ``previous`` (float32 pictures of one size), ``window``
        padded to the DFT's size (``_padded``)."""
        padded = _padded(current, window.shape)
        (dx, dy), _ = cv2.phaseCorrelate(_padded(previous, window.shape), padded, window)
        if np.hypot(dx, dy) < MIN_SHIFT:
            return 0.0, 0.0
        (ex, ey), _ = cv2.phaseCorrelate(_padded(_moved(previous, dx, dy), window.shape), padded, window)
        return dx + ex, dy + ey

    def whole(self, previous: np.ndarray, current: np.ndarray) -> tuple[float, float]:
        return self._refined(previous, current, self.window)

    def cells(self, previous: np.ndarray, current: np.ndarray) -> tuple[float, float]:
        found = []
        (h, w) = self.cell
        for row in range(3):
            for col in range(3):
                box = (slice(row * h, (row + 1) * h), slice(col * w, (col + 1) * w))
                found.append(self._refined(previous[box], current[box], self.cell_window))
        if any(x != x or y != y for x, y in found):  # a NaN: np.median's NaN
            dx, dy = np.median(np.array(found), axis=0)
            return float(dx), float(dy)
        # The median of nine: the middle one, without np.median's per-call cost.
        return sorted(x for x, _ in found)[4], sorted(y for _, y in found)[4]


def frame_difference(gray: np.ndarray, t: int, camera: Camera | None = None) -> np.ndarray:
    """|frame t - frame t-1|, the camera's motion over interval t removed (``camera_motion``)."""
    if camera is None:
        return np.abs(gray[t].astype(np.float32) - gray[t - 1])
    return difference(gray, t, camera.shifts[t], camera.smoothing)


def difference(gray: np.ndarray, t: int, shift, smoothing: float = 0.0) -> np.ndarray:
    """|frame t - frame t-1|, both smoothed by ``smoothing`` and frame t-1 first moved by
    ``shift`` (dx, dy, fractions of a pixel allowed); 0 over the border the moved frame does not
    cover (nothing is known to have changed there) and, smoothed, as far again as the smoothing
    reaches (it mixes the picture's edge with what is past it, which the moved frame does not
    hold): the same margin in every interval of a clip, so that it is no change of its own."""
    current, previous = gray[t].astype(np.float32), gray[t - 1].astype(np.float32)
    if smoothing > 0:
        current = cv2.GaussianBlur(current, (0, 0), smoothing)
        previous = cv2.GaussianBlur(previous, (0, 0), smoothing)
    return _difference(current, previous, shift, smoothing)


def _difference(current: np.ndarray, previous: np.ndarray, shift, smoothing: float) -> np.ndarray:
    """``difference`` of two frames already smoothed by ``smoothing``."""
    dx, dy = float(shift[0]), float(shift[1])
    if dx == 0 and dy == 0 and smoothing <= 0:
        return np.abs(current - previous)
    height, width = current.shape
    out = np.abs(current - (_moved(previous, dx, dy) if dx or dy else previous))
    reach = int(np.ceil(2 * smoothing))
    x0, x1 = int(np.ceil(max(dx, 0))) + reach, width - int(np.ceil(max(-dx, 0))) - reach
    y0, y1 = int(np.ceil(max(dy, 0))) + reach, height - int(np.ceil(max(-dy, 0))) - reach
    # Zero outside the covered box [y0, y1) x [x0, x1) (the whole picture when the box is empty).
    y0, y1, x0, x1 = max(y0, 0), max(y1, 0), max(x0, 0), max(x1, 0)
    if y1 <= y0 or x1 <= x0:
        out[:] = 0.0
        return out
    out[:y0] = 0.0
    out[y1:] = 0.0
    out[:, :x0] = 0.0
    out[:, x1:] = 0.0
    return out


class _Floats:
    """A clip's frames as float32, each converted when read."""

    def __init__(self, gray: np.ndarray) -> None:
        self.gray = gray

    def __getitem__(self, t: int) -> np.ndarray:
        return np.asarray(self.gray[t], np.float32)


class _Smoothed:
    """A clip's frames, each smoothed once, when first needed (an interval compares a frame with
    its predecessor, and the next interval compares it again)."""

    def __init__(self, gray: np.ndarray, smoothing: float) -> None:
        self.gray, self.smoothing = gray, smoothing
        self._frames: dict[int, np.ndarray] = {}

    def __getitem__(self, t: int) -> np.ndarray:
        if t not in self._frames:
            frame = self.gray[t].astype(np.float32)
            self._frames[t] = cv2.GaussianBlur(frame, (0, 0), self.smoothing) if self.smoothing > 0 else frame
            for old in [k for k in self._frames if k < t - 1]:  # intervals go in order: two frames suffice
                del self._frames[old]
        return self._frames[t]

    def difference(self, t: int, shift) -> np.ndarray:
        return _difference(self[t], self[t - 1], shift, self.smoothing)


# Intervals whose changed pixels are worked out in one numpy pass (bounds the temporary floats).
_CHUNK = 64


class ChangedPixels:
    """(T, H, W) bool, which pixels changed over each interval, held eight to a byte
    (``np.packbits``): a bool a pixel of a 79 s shot at 30 fps would be 29 MB, and the whole of
    it is never needed at once. Reading a frame (``[t]``, ``[t, rows, columns]``) or a run of
    them (``[a:b]``) unpacks just those; writing packs them."""

    def __init__(self, shape: tuple[int, int, int]) -> None:
        self.shape = tuple(shape)
        self._bits = np.zeros((shape[0], shape[1], (shape[2] + 7) // 8), np.uint8)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key):
        if isinstance(key, tuple):
            return self[key[0]][key[1:]]
        return np.unpackbits(self._bits[key], axis=-1, count=self.shape[2]).view(bool)

    def __setitem__(self, key, value: np.ndarray) -> None:
        self._bits[key] = np.packbits(value, axis=-1)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = self[:]
        return whole if dtype is None else whole.astype(dtype)


def changed_pixels(gray: np.ndarray, camera: Camera | None = None) -> ChangedPixels:
    """(T, H, W) bool: where |frame t - frame t-1| exceeds the noise level, the camera's motion
    removed (``frame_difference`` > NOISE_LEVEL); row 0 (no interval) is all False. Worked out
    once per clip, for everything that looks at what moves where (cells, movers, walkers)."""
    n = len(gray)
    out = ChangedPixels(gray.shape)
    if camera is None or (camera.smoothing <= 0 and not camera.shifts.any()):
        for a in range(1, n, _CHUNK):
            step = np.diff(np.asarray(gray[a - 1 : a + _CHUNK], np.float32), axis=0)
            np.abs(step, out=step)
            out[a : a + len(step)] = step > _NOISE
        return out
    smoothed = _Smoothed(gray, camera.smoothing)
    for t in range(1, n):
        out[t] = smoothed.difference(t, camera.shifts[t]) > _NOISE
    return out


def _padded(picture: np.ndarray, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """``picture`` (float32) with zeros below and to its right up to ``shape`` (default: the
    sizes ``cv2.phaseCorrelate`` would pad it to), contiguous; itself when it is so already."""
    height, width = shape if shape is not None else (cv2.getOptimalDFTSize(n) for n in picture.shape)
    if picture.shape == (height, width) and picture.flags.c_contiguous:
        return picture
    out = np.zeros((height, width), np.float32)
    out[: picture.shape[0], : picture.shape[1]] = picture
    return out


def _moved(frame: np.ndarray, dx: float, dy: float) -> np.ndarray:
    height, width = frame.shape
    return cv2.warpAffine(frame, np.float32([[1, 0, dx], [0, 1, dy]]), (width, height),
                          flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def spread(changed: np.ndarray) -> float:
    """The share of the cells of a 3x3 grid in which at least _SPREAD_LEVEL of the pixels changed."""
    return float(spreads(changed[None])[0])


def spreads(changed: np.ndarray) -> np.ndarray:
    """(T,) ``spread`` of each of (T, H, W) changed pixels."""
    if min(changed.shape[1:]) < 3:  # an empty third: np.add.reduceat would not count it as empty
        return np.array([_sparse_spread(c) for c in changed])
    starts, areas = _cells(*changed.shape[1:])
    rows = np.add.reduceat(changed, starts[0], axis=1, dtype=np.int64)
    counts = np.add.reduceat(rows, starts[1], axis=2)
    return np.mean(counts / areas >= _SPREAD_LEVEL, axis=(1, 2))


def _sparse_spread(changed: np.ndarray) -> float:
    """``spread`` of a picture under 3 pixels high or wide (its empty cells hold nothing)."""
    rows, cols = (np.array_split(np.arange(length), 3) for length in changed.shape)
    cells = [changed[np.ix_(r, c)] for r in rows for c in cols]
    return float(np.mean([cell.size > 0 and cell.mean() >= _SPREAD_LEVEL for cell in cells]))


@functools.lru_cache(maxsize=16)
def _cells(height: int, width: int) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """The 3x3 grid of ``spread`` for a picture size: the first row and column of each third
    (where np.array_split cuts, the first parts one longer), and each cell's area."""
    def thirds(length: int) -> np.ndarray:
        size, extra = divmod(length, 3)
        return np.array([0, size + (extra > 0), 2 * size + (extra > 0) + (extra > 1), length])

    rows, cols = thirds(height), thirds(width)
    return (rows[:3], cols[:3]), np.diff(rows)[:, None] * np.diff(cols)[None, :]


__all__ = ["Camera", "ChangedPixels", "EXPLAINS", "HANDHELD", "MIN_SHIFT", "SPREAD", "camera_motion", "changed_pixels", "difference",
           "frame_difference", "spread", "spreads"]
