"""A long shot's engine pictures, decoded again as the engines read them, a window at a time.

Holding a 79 s shot's CLIP and SYNC streams takes 400 MB; an engine reads them one window
(8-10 s) at a time. So for a long shot the decode pass (``media.decode``) only times those
streams' frames, and their pictures are decoded when read: ``WindowedPictures.read`` converts
the pictures the streams show over the stretch asked for (at least ``READ_WINDOW_S``, every
such stream at once, so an engine reading a window's CLIP frames and then its SYNC frames
decodes it once) and keeps that stretch only. Windows read in order (as the engines read them,
overlapping or not) decode the file once more in all: the decoder carries on from where the
last read stopped instead of seeking back to a keyframe each time (a clip with a keyframe every
25 s would otherwise be decoded several times over).

The pictures are those one pass would give: the same frames, picked by the same presentation
times, through the same converter (``media.streams``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from foleyline.errors import MediaError
from foleyline.probe import SlotClock, open_media, read_info, video_stream
from foleyline.server.media.frames import StreamSpec
from foleyline.server.media.streams import FrameConverter, output_geometry

# A read decodes at least this much, so that the next reads of the same engine window (its other
# stream, the next frames) find it decoded.
READ_WINDOW_S = 10.0
# Two decodes of a file give a frame the same time to within rounding; frames are further apart.
_SAME_FRAME_S = 1e-4
# Timestamps this close are one frame's twice (``frame_time`` drops the second).
_SAME_TIME_S = 1e-6
# Decoding starts this far before the first picture a read needs, so that picture's own time
# lies inside the decoded stretch whatever the rounding.
_LEAD_S = 1e-3
# Seek only when the stretch starts this far in; decoding from the top is cheaper below it (the
# decode pass and the windowed reads alike).
SEEK_THRESHOLD_S = 1.0


class WindowedPictures:
    """The pictures of one decoded range's long streams, decoded when read (``PictureReader``).

    ``start_s``: the range's start, seconds from the container's first frame; times given to
    ``read`` are seconds from it, the clock of the decode pass that timed the streams.
    """

    def __init__(self, path: Path, start_s: float, picture: tuple[int, int]) -> None:
        self.path, self.start, self.picture = path, start_s, picture
        self._shown: dict[str, tuple[StreamSpec, np.ndarray]] = {}
        self._lock = threading.Lock()
        self._kept: dict[str, dict[float, np.ndarray]] = {}
        self._span = (math.inf, -math.inf)
        self._frames: Iterator[tuple[av.VideoFrame, float]] | None = None
        self._container: av.container.InputContainer | None = None
        self._at = -math.inf  # time of the last frame the decoder gave
        self._converters: dict[str, FrameConverter] = {}
        self._pixel_aspect = 1.0

    def expect(self, spec: StreamSpec, source_times: np.ndarray) -> None:
        """Register a stream read through this reader: the source times its frames show."""
        self._shown[spec.name] = (spec, np.unique(np.asarray(source_times, np.float64)))

    def read(self, spec: StreamSpec, source_times: np.ndarray) -> np.ndarray:
        times = np.asarray(source_times, np.float64)
        if len(times) == 0:
            _, w, h = output_geometry(spec, *self.picture)
            return np.zeros((0, h, w) if spec.gray else (0, h, w, 3), np.uint8)
        with self._lock:
            lo, hi = float(times.min()), float(times.max())
            if not (self._span[0] <= lo and hi <= self._span[1]):
                shown = np.concatenate([s for _, s in self._shown.values()])
                self._fill(lo, max(hi, min(lo + READ_WINDOW_S, float(shown.max()))))
            kept = self._kept.get(spec.name, {})
            keys = np.array(sorted(kept))
            idx = np.minimum(np.searchsorted(keys, times - _SAME_FRAME_S), len(keys) - 1) if len(keys) else None
            if idx is None or np.any(np.abs(keys[idx] - times) > _SAME_FRAME_S):
                raise MediaError(f"stream {spec.name!r}: asked for pictures at times none of its frames shows")
            return np.stack([kept[float(keys[i])] for i in idx])

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
        self._container, self._frames = None, None

    def _fill(self, lo: float, hi: float) -> None:
        """Keep every registered stream's pictures over [lo, hi] (and nothing else)."""
        wanted = {name: shown[(shown >= lo - _SAME_FRAME_S) & (shown <= hi + _SAME_FRAME_S)]
                  for name, (_, shown) in self._shown.items()}
        kept = {name: {t: p for t, p in self._kept.get(name, {}).items() if lo - _SAME_FRAME_S <= t <= hi + _SAME_FRAME_S}
                for name in self._shown}
        missing = sorted({float(t) for name, ts in wanted.items() for t in ts if float(t) not in kept[name]})
        self._kept = kept
        if missing:
            if self._frames is None or missing[0] <= self._at + _SAME_FRAME_S:
                self._open(missing[0])  # behind the decoder (or nothing open): start again there
            self._decode_until(missing[-1], wanted)
        self._span = (lo, hi)

    def _decode_until(self, last: float, wanted: dict[str, np.ndarray]) -> None:
        assert self._frames is not None
        for frame, t in self._frames:
            self._at = t
            for name, shown in wanted.items():
                i = int(np.searchsorted(shown, t - _SAME_FRAME_S))
                if i < len(shown) and abs(shown[i] - t) <= _SAME_FRAME_S:
                    spec = self._shown[name][0]
                    if name not in self._converters:
                        self._converters[name] = FrameConverter.for_frame(spec, frame, self._pixel_aspect)
                    self._kept[name][float(shown[i])] = self._converters[name](frame)
            if t >= last - _SAME_FRAME_S:
                return
        raise MediaError(f"{self.path.name}: the picture ended at {self.start + self._at:.3f} s, before "
                         f"{self.start + last:.3f} s; the file changed since the shot was decoded — decode it again")

    def _open(self, first: float, seek: bool = True) -> None:
        self.close()
        path, container = open_media(self.path)
        info = read_info(path, container)
        video = video_stream(path, container)
        video.thread_type = "AUTO"
        self._pixel_aspect = info.pixel_aspect
        origin = info.start_time + self.start
        target = origin + first - _LEAD_S
        seek = seek and target - info.start_time > SEEK_THRESHOLD_S and not SlotClock(container, video).active
        if seek:
            container.seek(int(target / video.time_base), stream=video, backward=True, any_frame=False)
        self._container, self._at = container, -math.inf
        self._frames = self._timed(container, video, origin, 1.0 / info.fps)
        if seek:  # an inexact index may land after the first picture, or on no keyframe: then from the top
            frame, t = next(self._frames, (None, math.inf))
            if t > first + _SAME_FRAME_S:
                self._open(first, seek=False)  # opened again: 0 is not the top where timestamps start below it
            elif frame is not None:
                self._frames = _chain((frame, t), self._frames)

    @staticmethod
    def _timed(container: av.container.InputContainer, video: av.VideoStream, origin: float,
               frame_duration: float) -> Iterator[tuple[av.VideoFrame, float]]:
        """Frames in presentation order, each with its time on the range clock (as the decode
        pass computes it: duplicates and out-of-order times dropped, corrupt packets skipped)."""
        last: float | None = None
        slots = SlotClock(container, video)
        for packet in container.demux(video):
            slots.sent(packet)
            try:
                decoded = packet.decode()
            except av.error.FFmpegError:
                continue
            for frame in decoded:
                slots.stamp(frame)
                t = frame_time(frame, video.time_base, origin, last, frame_duration)
                if t is not None:
                    last = t
                    yield frame, t


def frame_time(frame: av.VideoFrame, time_base, origin: float, last: float | None, frame_duration: float) -> float | None:
    """A decoded frame's time on a range's clock (seconds from ``origin``), or None for a frame
    to drop: a duplicate or out-of-order timestamp (presentation order only). A frame without a
    timestamp comes one frame after the last. The decode pass and the windowed reads time frames
    by this one rule, so a window finds the frames the pass timed."""
    if frame.pts is not None:
        t = float(frame.pts * time_base) - origin
    else:
        t = (last + frame_duration) if last is not None else 0.0
    if last is not None and t <= last + _SAME_TIME_S:
        return None
    return t


def _chain(first: tuple[av.VideoFrame, float], rest: Iterator[tuple[av.VideoFrame, float]]
           ) -> Iterator[tuple[av.VideoFrame, float]]:
    yield first
    yield from rest


__all__ = ["READ_WINDOW_S", "SEEK_THRESHOLD_S", "WindowedPictures", "frame_time"]
