"""Still frames from media files, for thumbnails and for the viewer when Qt Multimedia cannot
play. Called on worker threads only (decoding takes tens of milliseconds per frame).

QImage is safe to build off the GUI thread (QPixmap is not), so these return QImage.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import av
import numpy as np
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QImage, QTransform

from foleyline.errors import MediaError
from foleyline.probe import one_scaler_thread, pixel_aspect, quarter_turns, video_stream


def decode_frame(path: Path, seconds: float, *, max_width: int = 0) -> QImage:
    """The frame shown at ``seconds`` from the container's first frame (the last frame for a
    time past the end), upright and at its displayed shape as a player shows it. ``max_width``
    > 0 scales it down, keeping the aspect ratio."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise MediaError(f"{path} has no picture; pick a clip with video")
            stream = video_stream(Path(path), container)  # the picture, not a cover or a poster before it
            start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
            target = start + max(0.0, seconds)
            # Seek to the keyframe before the target, then decode forward to it.
            if stream.time_base and target > start:
                container.seek(int(target / stream.time_base), stream=stream, backward=True)
            chosen = None
            for frame in container.decode(stream):
                if chosen is None or frame.time is None or frame.time <= target + 1e-6:
                    chosen = frame
                if frame.time is not None and frame.time >= target - 1e-6:
                    break
            if chosen is None:
                raise MediaError(f"no frame could be decoded from {path} at {seconds:.2f} s")
            rgb = chosen.to_ndarray(format="rgb24", **one_scaler_thread())
            aspect, turns = pixel_aspect(stream), quarter_turns(getattr(chosen, "rotation", 0))
    except av.error.FFmpegError as exc:
        raise MediaError(f"cannot read {path}: {exc}; check the file plays in a media player") from exc
    return _to_image(rgb, max_width, aspect, turns)


def _to_image(rgb: np.ndarray, max_width: int, aspect: float = 1.0, turns: int = 0) -> QImage:
    """The picture as a player shows it: stored pixels stretched by their ``aspect`` (an
    anamorphic picture), then turned ``turns`` quarter turns counterclockwise (a phone's)."""
    rgb = np.ascontiguousarray(rgb)
    height, width, _ = rgb.shape
    image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()  # copy: own the pixels
    if aspect != 1.0:
        image = image.scaled(max(1, round(width * aspect)), height, Qt.AspectRatioMode.IgnoreAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    if turns:
        image = image.transformed(QTransform().rotate(-90 * turns))  # Qt turns clockwise, y down
    width = image.width()
    if max_width and width > max_width:
        image = image.scaledToWidth(max_width, Qt.TransformationMode.SmoothTransformation)
    return image


class FrameCache:
    """A small LRU of decoded frames keyed by (path, rounded time, width); shared by threads."""

    def __init__(self, capacity: int = 64) -> None:
        self._capacity = capacity
        self._items: OrderedDict[tuple[str, int, int], QImage] = OrderedDict()
        self._lock = threading.Lock()

    def frame(self, path: Path, seconds: float, *, max_width: int = 0) -> QImage:
        key = (str(path), int(round(seconds * 100)), max_width)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        image = decode_frame(path, seconds, max_width=max_width)
        with self._lock:
            self._items[key] = image
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
        return image
