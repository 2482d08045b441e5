"""Each requested frame stream from decoded frames: geometry, pixels, sampling by timestamps.

    source frames   |f0    |f1    |f2    |f3 ...        (pts, seconds from the range start)
    8 fps targets   0     .125   .25  ...               each target gets the frame on screen

* ``fps=None`` streams get every source frame in the range, stamped with its own time.
* Fixed-fps streams get ``ceil(duration * fps)`` frames at times ``k / fps`` (0 <= k/fps <
  duration), each the source frame on screen at that instant (the latest with pts <= t).

Pixels are converted straight from the decoder's YUV planes with OpenCV at the small output
size (resize each plane, then YUV -> RGB honouring BT.601/709 and the tagged range), which is
several times cheaper than converting full frames to RGB first. Grey streams are the luma
plane. Other pixel formats (10-bit, RGB, palettes) go through libswscale.
"""

from __future__ import annotations

import math

import av
import cv2
import numpy as np

from foleyline.errors import InvalidInput
from foleyline.probe import one_scaler_thread, quarter_turns
from foleyline.server.media.frames import FrameStream, PictureReader, StreamSpec

_EPS = 1e-6


def output_geometry(spec: StreamSpec, width: int, height: int) -> tuple[tuple[float, float, float, float], int, int]:
    """(crop box in normalised source coordinates, output width, output height)."""
    tw, th = spec.size
    if tw <= 0 or th <= 0:
        raise InvalidInput(f"stream {spec.name!r}: size must be positive, got {spec.size}")
    if spec.fit == "resize":
        return (0.0, 0.0, 1.0, 1.0), tw, th
    if spec.fit == "keep_aspect":
        scale = min(tw / width, th / height)
        return (0.0, 0.0, 1.0, 1.0), max(1, round(width * scale)), max(1, round(height * scale))
    if spec.fit == "center_crop":
        # Scale the short side to fit, crop the long side: crop first (cheaper, same result).
        target, source = tw / th, width / height
        if source > target:
            keep = target / source
            return ((1 - keep) / 2, 0.0, (1 + keep) / 2, 1.0), tw, th
        keep = source / target
        return (0.0, (1 - keep) / 2, 1.0, (1 + keep) / 2), tw, th
    raise InvalidInput(f"stream {spec.name!r}: unknown fit {spec.fit!r}")


def _yuv_to_rgb_matrix(colorspace: int, full_range: bool) -> np.ndarray:
    """3x4 affine matrix from (Y, U, V) bytes to (R, G, B)."""
    kr, kb = (0.2126, 0.0722) if colorspace == 1 else (0.299, 0.114)  # 1 = BT.709, else BT.601
    kg = 1 - kr - kb
    ys, cs, y0 = (1.0, 1.0, 0.0) if full_range else (255 / 219, 255 / 224, 16.0)
    rows = np.array(
        [
            [ys, 0.0, cs * 2 * (1 - kr)],
            [ys, -cs * 2 * (1 - kb) * kb / kg, -cs * 2 * (1 - kr) * kr / kg],
            [ys, cs * 2 * (1 - kb), 0.0],
        ],
        dtype=np.float64,
    )
    offset = -(rows @ np.array([y0, 128.0, 128.0]))
    return np.concatenate([rows, offset[:, None]], axis=1).astype(np.float32)


# Planar 8-bit YUV formats converted on the fast path: format -> full range?
_FAST_FORMATS = {
    "yuv420p": False, "yuv422p": False, "yuv444p": False,
    "yuvj420p": True, "yuvj422p": True, "yuvj444p": True,
}


def _plane(frame: av.VideoFrame, index: int) -> np.ndarray:
    plane = frame.planes[index]
    return np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]


class FrameConverter:
    """Turns decoded frames into one stream's pixels (geometry fixed at the first frame).

    The pictures come out as a player shows them: the stream's geometry is applied to the
    displayed picture, not the stored one. ``pixel_aspect``: a stored pixel's width over its
    height (``MediaInfo.pixel_aspect``: an anamorphic or DV picture is stretched to its shape).
    ``rotation``: the file's display matrix (``frame.rotation``, degrees counterclockwise, as
    FFmpeg gives it): a phone stores a portrait shot as a landscape picture and says how to turn
    it. Each plane is scaled in its stored orientation and the small result turned (the crop
    boxes are centred, so the same box with its axes swapped)."""

    def __init__(self, spec: StreamSpec, width: int, height: int, rotation: float = 0,
                 pixel_aspect: float = 1.0) -> None:
        self.spec = spec
        self.turns = quarter_turns(rotation)
        sideways = self.turns % 2 == 1
        shown = (width * pixel_aspect, height)
        box, self.width, self.height = output_geometry(spec, *(shown[::-1] if sideways else shown))
        self.box = (box[1], box[0], box[3], box[2]) if sideways else box
        self._w, self._h = (self.height, self.width) if sideways else (self.width, self.height)
        self._matrices: dict[tuple[int, bool], np.ndarray] = {}

    @classmethod
    def for_frame(cls, spec: StreamSpec, frame: av.VideoFrame, pixel_aspect: float = 1.0) -> FrameConverter:
        """The converter of a stream whose first frame is ``frame``."""
        return cls(spec, frame.width, frame.height, getattr(frame, "rotation", 0), pixel_aspect)

    @property
    def _even(self) -> bool:
        return self._w % 2 == 0 and self._h % 2 == 0

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of one output picture."""
        return (self.height, self.width) if self.spec.gray else (self.height, self.width, 3)

    def _resize(self, plane: np.ndarray, width: int | None = None, height: int | None = None,
                out: np.ndarray | None = None) -> np.ndarray:
        """Crop a plane to the box and scale it to (width, height) (default: the output size),
        into ``out`` when given."""
        out_w, out_h = width or self._w, height or self._h
        h, w = plane.shape
        x0, y0, x1, y1 = self.box
        top, left = round(y0 * h), round(x0 * w)
        crop = plane[top : max(round(y1 * h), top + 1), left : max(round(x1 * w), left + 1)]
        # Halve with box filters while a side is at least twice the output (2x2 area is
        # OpenCV's fastest path; an exact 2:1 bilinear step averages pixel pairs, a 2-tap box),
        # then one bilinear step of less than 2x: antialiased, and about ten times cheaper than
        # a general area resize at HD sizes.
        while True:
            halve_x = crop.shape[1] >= 2 * out_w
            halve_y = crop.shape[0] >= 2 * out_h
            if not (halve_x or halve_y):
                break
            ch = crop.shape[0] // 2 if halve_y else crop.shape[0]
            cw = crop.shape[1] // 2 if halve_x else crop.shape[1]
            crop = crop[: 2 * ch if halve_y else ch, : 2 * cw if halve_x else cw]
            both = halve_x and halve_y
            crop = cv2.resize(crop, (cw, ch), interpolation=cv2.INTER_AREA if both else cv2.INTER_LINEAR)
        if crop.shape[1] == out_w and crop.shape[0] == out_h:
            if out is None:
                return crop.copy()  # never hand out a view of the decoder's buffer
            np.copyto(out, crop)
            return out
        ratio = max(crop.shape[1] / out_w, crop.shape[0] / out_h)
        interpolation = cv2.INTER_AREA if ratio >= 2 else cv2.INTER_LINEAR
        return cv2.resize(crop, (out_w, out_h), dst=out, interpolation=interpolation)

    def __call__(self, frame: av.VideoFrame, out: np.ndarray | None = None) -> np.ndarray:
        """The frame's pixels, written into ``out`` (an array of ``shape``) when given: a
        stream's pictures go straight into its array, not through a copy."""
        if not self.turns:
            return self._stored(frame, out)
        upright = np.rot90(self._stored(frame), self.turns)
        if out is None:
            return np.ascontiguousarray(upright)
        np.copyto(out, upright)
        return out

    def _stored(self, frame: av.VideoFrame, out: np.ndarray | None = None) -> np.ndarray:
        """The pixels in the file's stored orientation."""
        fmt = frame.format.name
        if fmt in _FAST_FORMATS:
            if self.spec.gray:
                return self._resize(_plane(frame, 0), out=out)  # luma is the grey picture
            full = _FAST_FORMATS[fmt] or frame.color_range == 2  # 2 = JPEG (full) range
            if fmt == "yuv420p" and not full and frame.colorspace != 1 and self._even:
                # The common case (limited-range BT.601 4:2:0) has a SIMD path in OpenCV,
                # several times faster than the general matrix below. Each plane is scaled
                # straight into its place in the I420 picture.
                w, h = self._w, self._h
                i420 = np.empty(w * h * 3 // 2, np.uint8)
                quarter = w * h // 4
                self._resize(_plane(frame, 0), out=i420[: w * h].reshape(h, w))
                self._resize(_plane(frame, 1), w // 2, h // 2, i420[w * h : w * h + quarter].reshape(h // 2, w // 2))
                self._resize(_plane(frame, 2), w // 2, h // 2, i420[w * h + quarter :].reshape(h // 2, w // 2))
                return cv2.cvtColor(i420.reshape(h * 3 // 2, w), cv2.COLOR_YUV2RGB_I420, dst=out)
            key = (frame.colorspace, full)
            if key not in self._matrices:
                self._matrices[key] = _yuv_to_rgb_matrix(*key)
            yuv = cv2.merge([self._resize(_plane(frame, i)) for i in range(3)])
            return cv2.transform(yuv, self._matrices[key], dst=out)  # saturating uint8 output
        # Anything else (10-bit, RGB, palettes, NV12 ...): libswscale, then crop/resize.
        full_frame = frame.to_ndarray(format="gray" if self.spec.gray else "rgb24", **one_scaler_thread())
        if self.spec.gray:
            return self._resize(full_frame, out=out)
        return cv2.merge([self._resize(np.ascontiguousarray(full_frame[..., c])) for c in range(3)], dst=out)


class StreamSampler:
    """Collects one stream: every frame (fps None) or the frame on screen at each k/fps."""

    def __init__(self, spec: StreamSpec, duration: float, reader: PictureReader | None = None,
                 pixel_aspect: float = 1.0) -> None:
        """``reader``: convert nothing now, only time the frames; the stream's pictures are
        decoded again by ``reader`` when a consumer reads them (a long shot's engine streams).
        ``pixel_aspect``: the file's (``FrameConverter``)."""
        if spec.fps is not None and not (spec.fps > 0 and math.isfinite(spec.fps)):
            raise InvalidInput(f"stream {spec.name!r}: fps must be positive or None, got {spec.fps}")
        if reader is not None and spec.fps is None:
            raise InvalidInput(f"stream {spec.name!r}: only fixed-rate streams are read when needed")
        self.spec = spec
        self.reader = reader
        self.pixel_aspect = pixel_aspect
        self.duration = duration
        self.count = math.ceil(duration * spec.fps - _EPS) if spec.fps else None
        self.next_k = 0
        self.pending: tuple[av.VideoFrame, float] | None = None
        self.frames: list[np.ndarray] = []
        self.times: list[float] = []
        self.source_times: list[float] = []
        self.converter: FrameConverter | None = None
        # Fixed-fps streams know their length: each distinct picture goes once into one
        # preallocated array (no final stack, which costs as much as the conversion on long
        # shots; pages never written are never touched), and ``index`` says which picture each
        # target shows, so a slow source is not copied into every target it covers.
        self.out: np.ndarray | None = None
        self.used = 0
        self.index: list[int] = []

    def _converter(self, frame: av.VideoFrame) -> FrameConverter:
        if self.converter is None:
            self.converter = FrameConverter.for_frame(self.spec, frame, self.pixel_aspect)
        return self.converter

    def _convert(self, frame: av.VideoFrame) -> np.ndarray:
        return self._converter(frame)(frame)

    def _emit_until(self, limit: float) -> None:
        """Give the pending frame to every target time before ``limit``."""
        if self.pending is None:
            return
        frame, t = self.pending
        first = end = self.next_k
        while end < self.count and end / self.spec.fps < limit - _EPS:
            end += 1
        if end == first:
            return
        if self.reader is None:
            converter = self._converter(frame)
            if self.out is None:
                self.out = np.empty((self.count, *converter.shape), np.uint8)
            converter(frame, self.out[self.used])  # once, however many targets it covers
            self.index.extend([self.used] * (end - first))
        self.used += 1
        self.times.extend(k / self.spec.fps for k in range(first, end))
        self.source_times.extend([t] * (end - first))
        self.next_k = end

    def push(self, frame: av.VideoFrame, t: float) -> None:
        if self.count is None:
            if -_EPS <= t < self.duration - _EPS:
                self.frames.append(self._convert(frame))
                self.times.append(t)
                self.source_times.append(t)
            return
        self._emit_until(t)
        self.pending = (frame, t)

    def finish(self) -> FrameStream:
        if self.count is not None:
            self._emit_until(math.inf)
        times = np.asarray(self.times, dtype=np.float64)
        source_times = np.asarray(self.source_times, dtype=np.float64)
        if self.reader is not None:
            return FrameStream(self.spec, times=times, source_times=source_times, reader=self.reader)
        if self.out is not None and self.used < self.next_k:
            return FrameStream(self.spec, times=times, source_times=source_times,
                               pictures=self.out[: self.used], index=np.asarray(self.index))
        if self.out is not None:
            frames = self.out[: self.next_k]
        elif self.frames:
            frames = np.stack(self.frames)
        else:
            w, h = self.spec.size
            frames = np.zeros((0, h, w) if self.spec.gray else (0, h, w, 3), np.uint8)
        return FrameStream(self.spec, frames, times, source_times=source_times)


__all__ = ["FrameConverter", "StreamSampler", "output_geometry"]
