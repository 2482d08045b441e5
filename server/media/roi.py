"""Region of interest: a box the editor draws on one frame, tracked through the shot.

The box follows the object with pyramidal Lucas-Kanade optical flow (OpenCV): corner features
inside the box are tracked frame to frame, kept only when tracking them back lands where they
started (forward-backward check), and the box moves by their median displacement and scales by
the median change of their spread. Features are re-seeded inside the box when too few survive.
Tracking runs forwards and backwards from the frame the box was drawn on. (OpenCV's MIL
tracker was tried too: thirty times slower, no scale change, and not repeatable from run to run
even with OpenCV's generator seeded, so the same notes could track differently.)

The result gives a box per frame of the stream. ``masked_stream`` keeps only the pixels inside
the box (for the motion analysis: the object's own motion, not the camera's crowd) and
``crop_stream`` cuts the box out at a fixed size (for neural engines' visual features).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from foleyline.errors import InvalidInput
from foleyline.notes.schema import Region
from foleyline.server.media.analysis import analyze_motion
from foleyline.server.media.frames import FrameStream, StreamSpec

__all__ = ["TrackedRegion", "track_region", "track_in_shot", "best_stream", "analyze_region", "masked_stream",
           "crop_stream"]

_MAX_FEATURES = 60
_MIN_FEATURES = 6
_FB_ERROR_PX = 1.5
_LK = dict(winSize=(15, 15), maxLevel=3,
           criteria=(cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.03))


@dataclass
class TrackedRegion:
    """Per-frame boxes of a tracked region, aligned with the stream it was tracked on.

    ``boxes``: (T, 4) float64 x, y, width, height, normalised 0..1 from the top left.
    ``confidence``: (T,) 0..1, the share of features that tracked reliably (1 on the drawn frame).
    """

    times: np.ndarray
    boxes: np.ndarray
    confidence: np.ndarray
    anchor_index: int

    def __len__(self) -> int:
        return int(self.boxes.shape[0])

    def boxes_at(self, times: np.ndarray) -> np.ndarray:
        """(len(times), 4) normalised boxes at other stream times: ``analyze_motion(stream,
        boxes=tracked.boxes_at(stream.times))`` for a stream other than the tracked one."""
        times = np.asarray(times, dtype=np.float64)
        if len(self.times) == 1:
            return np.repeat(self.boxes, len(times), axis=0)
        return np.stack([np.interp(times, self.times, self.boxes[:, k]) for k in range(4)], axis=1)

    def pixel_boxes(self, width: int, height: int) -> np.ndarray:
        """(T, 4) int x0, y0, x1, y1 in pixels of a ``width`` x ``height`` frame, never empty."""
        x0 = np.clip(np.floor(self.boxes[:, 0] * width), 0, width - 1)
        y0 = np.clip(np.floor(self.boxes[:, 1] * height), 0, height - 1)
        x1 = np.clip(np.ceil((self.boxes[:, 0] + self.boxes[:, 2]) * width), x0 + 1, width)
        y1 = np.clip(np.ceil((self.boxes[:, 1] + self.boxes[:, 3]) * height), y0 + 1, height)
        return np.stack([x0, y0, x1, y1], axis=1).astype(np.int64)

    def centers(self) -> np.ndarray:
        """(T, 2) normalised box centres."""
        return self.boxes[:, :2] + self.boxes[:, 2:] / 2


def _gray(frame: np.ndarray) -> np.ndarray:
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)


def _clamp_box(box: np.ndarray, width: int, height: int) -> np.ndarray:
    """A pixel box (x, y, w, h) kept inside the frame and at least 4 px on a side."""
    w = float(np.clip(box[2], 4, width))
    h = float(np.clip(box[3], 4, height))
    x = float(np.clip(box[0], 0, width - w))
    y = float(np.clip(box[1], 0, height - h))
    return np.array([x, y, w, h])


def _features(gray: np.ndarray, box: np.ndarray) -> np.ndarray | None:
    x, y, w, h = (int(round(v)) for v in box)
    mask = np.zeros_like(gray)
    mask[y : y + h, x : x + w] = 255
    pts = cv2.goodFeaturesToTrack(gray, maxCorners=_MAX_FEATURES, qualityLevel=0.01,
                                  minDistance=max(2, min(w, h) // 10), mask=mask, blockSize=5)
    return pts


def _flow_step(prev: np.ndarray, cur: np.ndarray, box: np.ndarray, pts: np.ndarray | None
               ) -> tuple[np.ndarray, np.ndarray | None, float]:
    """Move ``box`` from ``prev`` to ``cur``; returns the new box, surviving points, confidence."""
    height, width = prev.shape
    if pts is None or len(pts) < _MIN_FEATURES:
        pts = _features(prev, box)
    if pts is None or len(pts) == 0:
        return box, None, 0.0
    nxt, st, _ = cv2.calcOpticalFlowPyrLK(prev, cur, pts, None, **_LK)
    back, st_b, _ = cv2.calcOpticalFlowPyrLK(cur, prev, nxt, None, **_LK)
    fb = np.linalg.norm((back - pts).reshape(-1, 2), axis=1)
    good = (st.ravel() == 1) & (st_b.ravel() == 1) & (fb < _FB_ERROR_PX)
    if good.sum() < 2:
        return box, None, 0.0
    p0, p1 = pts.reshape(-1, 2)[good], nxt.reshape(-1, 2)[good]
    shift = np.median(p1 - p0, axis=0)
    scale = 1.0
    if len(p0) >= 4:
        # The ratio of pairwise distances tells how much the object grew or shrank.
        d0 = np.linalg.norm(p0[:, None] - p0[None], axis=2)
        d1 = np.linalg.norm(p1[:, None] - p1[None], axis=2)
        ok = d0 > 3
        if ok.any():
            scale = float(np.clip(np.median(d1[ok] / d0[ok]), 0.8, 1.25))
    cx, cy = box[0] + box[2] / 2 + shift[0], box[1] + box[3] / 2 + shift[1]
    w, h = box[2] * scale, box[3] * scale
    new = _clamp_box(np.array([cx - w / 2, cy - h / 2, w, h]), width, height)
    # Keep points still inside the new box for the next step.
    inside = ((p1[:, 0] >= new[0]) & (p1[:, 0] <= new[0] + new[2]) &
              (p1[:, 1] >= new[1]) & (p1[:, 1] <= new[1] + new[3]))
    kept = p1[inside].reshape(-1, 1, 2).astype(np.float32)
    return new, (kept if len(kept) >= _MIN_FEATURES else None), float(good.mean())


def _track_flow(grays: list[np.ndarray], order: range, box: np.ndarray,
                boxes: np.ndarray, conf: np.ndarray) -> None:
    pts = None
    prev_i = order.start - order.step
    for i in order:
        box, pts, c = _flow_step(grays[prev_i], grays[i], box, pts)
        boxes[i], conf[i] = box, c
        prev_i = i


def track_region(stream: FrameStream, region: Region, *, offset: float = 0.0) -> TrackedRegion:
    """Track ``region`` (drawn on the frame at shot time ``region.time``) through ``stream``.

    ``offset``: shot time of the stream's time 0 (as ``ShotInput.offset``), so the drawn frame is
    the one nearest stream time ``region.time - offset``.
    """
    if len(stream) == 0:
        raise InvalidInput("cannot track a region: the shot has no decoded frames")
    if not (0 <= region.x < 1 and 0 <= region.y < 1 and 0 < region.width <= 1 and 0 < region.height <= 1):
        raise InvalidInput(f"the region {region} is not inside the frame; x, y, width, height are 0..1")
    frames = stream.frames
    height, width = frames.shape[1:3]
    anchor = int(np.argmin(np.abs(stream.times - (region.time - offset))))
    start = _clamp_box(np.array([region.x * width, region.y * height,
                                 region.width * width, region.height * height]), width, height)
    n = len(stream)
    boxes = np.zeros((n, 4))
    conf = np.zeros(n)
    boxes[anchor], conf[anchor] = start, 1.0
    forward, backward = range(anchor + 1, n), range(anchor - 1, -1, -1)
    grays = [_gray(f) for f in frames]
    _track_flow(grays, forward, start, boxes, conf)
    _track_flow(grays, backward, start, boxes, conf)
    norm = boxes / np.array([width, height, width, height], dtype=np.float64)
    return TrackedRegion(times=np.asarray(stream.times, dtype=np.float64).copy(), boxes=norm,
                         confidence=conf, anchor_index=anchor)


def _boxes_for(stream: FrameStream, tracked: TrackedRegion) -> np.ndarray:
    """Pixel boxes for ``stream``'s frames, whose rate and size may differ from the tracked one."""
    height, width = stream.frames.shape[1:3]
    if len(tracked) == len(stream) and np.allclose(tracked.times, stream.times):
        return tracked.pixel_boxes(width, height)
    resampled = TrackedRegion(times=stream.times, boxes=tracked.boxes_at(stream.times),
                              confidence=np.interp(stream.times, tracked.times, tracked.confidence), anchor_index=0)
    return resampled.pixel_boxes(width, height)


def best_stream(streams: dict[str, FrameStream]) -> FrameStream:
    """The stream to track on: the most pixels per frame, then the most frames."""
    if not streams:
        raise InvalidInput("cannot track a region: the shot has no decoded frames")
    return max(streams.values(), key=lambda s: (s.frames.shape[1] * s.frames.shape[2], len(s)))


def track_in_shot(streams: dict[str, FrameStream], region: Region, *, offset: float = 0.0) -> TrackedRegion:
    """Track ``region`` on the sharpest of a shot's decoded streams; use ``boxes_at`` to apply
    the result to the others (e.g. ``analyze_motion(analysis, boxes=t.boxes_at(analysis.times))``)."""
    return track_region(best_stream(streams), region, offset=offset)


def masked_stream(stream: FrameStream, tracked: TrackedRegion) -> FrameStream:
    """``stream`` with every pixel outside the region's box set to black, for the analysis."""
    out = np.zeros_like(stream.frames)
    for i, (x0, y0, x1, y1) in enumerate(_boxes_for(stream, tracked)):
        out[i, y0:y1, x0:x1] = stream.frames[i, y0:y1, x0:x1]
    return FrameStream(spec=stream.spec, frames=out, times=stream.times.copy())


def crop_stream(stream: FrameStream, tracked: TrackedRegion, size: tuple[int, int] | None = None) -> FrameStream:
    """The region's box cut out of each frame and resized to ``size`` (width, height; default
    the stream's own size), for engines that read the region as their picture."""
    height, width = stream.frames.shape[1:3]
    out_w, out_h = size or (width, height)
    crops = [cv2.resize(stream.frames[i, y0:y1, x0:x1], (out_w, out_h), interpolation=cv2.INTER_AREA)
             for i, (x0, y0, x1, y1) in enumerate(_boxes_for(stream, tracked))]
    frames = np.stack(crops) if crops else np.zeros((0, out_h, out_w) + stream.frames.shape[3:], stream.frames.dtype)
    spec = StreamSpec(f"{stream.spec.name}_roi", stream.spec.fps, (out_w, out_h), "resize", stream.spec.gray)
    return FrameStream(spec=spec, frames=frames, times=stream.times.copy())


def analyze_region(streams: dict[str, FrameStream], region: Region, *, offset: float = 0.0,
                   analysis_stream: str = "analysis", **kwargs: object):  # -> MotionAnalysis
    """The motion analysis of ``streams[analysis_stream]`` inside ``region`` as it moves: the box
    is tracked on the sharpest stream and applied per frame (``analyze_motion(boxes=...)``)."""
    stream = streams.get(analysis_stream)
    if stream is None:
        raise InvalidInput(f"no {analysis_stream!r} frames were decoded; the region cannot be analysed")
    tracked = track_in_shot(streams, region, offset=offset)
    return analyze_motion(stream, boxes=tracked.boxes_at(stream.times), **kwargs)
