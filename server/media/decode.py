"""Decode a shot once: every frame stream the consumers ask for, in one pass, by timestamps.

``probe(path)`` describes a video file; ``decode_shot(path, start_s, duration_s, streams)``
decodes only that range (seek, threaded decode) and produces each ``StreamSpec`` from the
frames' presentation timestamps, never from frame counts, so odd (19.62, 32.4 fps) and variable
frame rates come out right:

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

import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from foleyline.errors import InvalidInput, MediaError
from foleyline.server.media.frames import FrameStream, StreamSpec
from foleyline.timebase import FrameRate, rate_from_float

log = logging.getLogger(__name__)

# Guards against inputs that would exhaust memory: decoded output above this many bytes, or a
# picture larger than this, is refused with a message saying what to do.
MAX_DECODED_BYTES = 4 * 1024**3
MAX_PICTURE_PIXELS = 8192 * 8192  # 8K UHD fits
# A range may run past the last picture by this much (container durations are approximate);
# the last frame is held. Beyond it, the file is truncated or the range is wrong.
_END_SLACK_FRAMES = 2
# Seek only when the range starts this far in; decoding from the top is cheaper below it.
_SEEK_THRESHOLD_S = 1.0
# Audio packets may sit before the video keyframe in the file: seek this much earlier for audio.
_AUDIO_PREROLL_S = 0.5
_EPS = 1e-6


@dataclass(frozen=True)
class MediaInfo:
    """What a video file holds. Times are seconds; ``start_time`` is the first frame's pts."""

    path: Path
    container: str
    duration: float             # picture duration (first frame to end of last frame)
    fps: float                  # average frame rate (exact rate in ``frame_rate``)
    frame_rate: FrameRate
    width: int
    height: int
    video_codec: str
    pixel_format: str
    frame_count: int | None     # as declared by the container, None if unknown
    start_time: float
    has_audio: bool
    audio_rate: int | None
    audio_channels: int | None
    audio_codec: str | None
    timecode: str | None        # start timecode from the container's metadata, if any
    size_bytes: int


@dataclass
class DecodedShot:
    """A decoded range. Stream and audio times are seconds from ``start`` (the range start)."""

    path: Path
    start: float                # requested start, seconds from the container's first frame
    duration: float             # requested duration
    fps: float                  # native frame rate
    streams: dict[str, FrameStream]
    audio: np.ndarray | None = None   # (channels, round(duration * audio_rate)) float32
    audio_rate: int | None = None
    media: MediaInfo | None = None
    picture_end: float = 0.0    # end of the last decoded picture, seconds from ``start``
    decode_errors: int = 0      # corrupt packets skipped (FFmpeg's own behaviour)
    extras: dict[str, object] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Opening and probing


def _open(path: str | os.PathLike) -> tuple[Path, av.container.InputContainer]:
    p = Path(path)
    if not p.exists():
        raise MediaError(f"media file not found: {p}; check the path (is the drive mounted?)")
    if p.is_dir():
        raise MediaError(f"{p} is a folder, not a media file")
    if p.stat().st_size == 0:
        raise MediaError(f"media file {p} is empty (0 bytes); re-export or re-copy it")
    try:
        container = av.open(str(p), mode="r", metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise MediaError(
            f"cannot read {p} as media ({exc.strerror or exc}); the file is corrupt, truncated or "
            "not audio/video — re-export it"
        ) from None
    return p, container


def _video_stream(p: Path, container: av.container.InputContainer) -> av.video.stream.VideoStream:
    # Cover art in a music file is a "video" stream of one picture: not a picture to follow.
    videos = [s for s in container.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)]
    if not videos:
        kinds = sorted({s.type for s in container.streams if s.type != "video"}) or ["nothing"]
        art = " and cover art" if container.streams.video else ""
        raise MediaError(
            f"{p} has no picture (it contains {', '.join(kinds)}{art}); Foleyline needs the shot's video"
        )
    return videos[0]


def _stream_duration(container: av.container.InputContainer, stream: av.stream.Stream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    # Matroska keeps per-stream durations in a tag; the container's duration may be the audio's.
    tag = stream.metadata.get("DURATION") or stream.metadata.get("duration")
    if tag:
        try:
            h, m, s = tag.split(":")
            return int(h) * 3600 + int(m) * 60 + float(s)
        except ValueError:
            pass
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def _timecode(container: av.container.InputContainer) -> str | None:
    for meta in [container.metadata] + [s.metadata for s in container.streams]:
        for key in ("timecode", "TIMECODE"):
            if meta.get(key):
                return str(meta[key])
    return None


def _info(p: Path, container: av.container.InputContainer) -> MediaInfo:
    video = _video_stream(p, container)
    ctx = video.codec_context
    width, height = int(ctx.width or 0), int(ctx.height or 0)
    if width <= 0 or height <= 0:
        raise MediaError(f"{p}: the video stream has no picture size; the file is damaged — re-export it")
    if width * height > MAX_PICTURE_PIXELS:
        raise MediaError(
            f"{p}: a {width}x{height} picture is larger than Foleyline decodes "
            f"(max {MAX_PICTURE_PIXELS} pixels); make a proxy at a lower resolution"
        )
    rate = video.average_rate or video.guessed_rate or video.base_rate
    if not rate or rate <= 0:
        raise MediaError(f"{p}: the video stream declares no frame rate; re-wrap it with a frame rate")
    frame_rate = rate_from_float(Fraction(rate.numerator, rate.denominator))
    start = float(video.start_time * video.time_base) if video.start_time is not None else 0.0
    duration = _stream_duration(container, video)
    if duration is None or duration <= 0:
        if video.frames:
            duration = video.frames / float(frame_rate.fps)
        else:
            raise MediaError(f"{p}: the video has no duration (zero-length or damaged); re-export it")
    audio = container.streams.audio[0] if container.streams.audio else None
    return MediaInfo(
        path=p,
        container=container.format.name,
        duration=duration,
        fps=float(rate),
        frame_rate=frame_rate,
        width=width,
        height=height,
        video_codec=ctx.name,
        pixel_format=ctx.pix_fmt or "",
        frame_count=int(video.frames) or None,
        start_time=start,
        has_audio=audio is not None,
        audio_rate=int(audio.rate) if audio is not None and audio.rate else None,
        audio_channels=int(audio.codec_context.channels) if audio is not None else None,
        audio_codec=audio.codec_context.name if audio is not None else None,
        timecode=_timecode(container),
        size_bytes=p.stat().st_size,
    )


def probe(path: str | os.PathLike) -> MediaInfo:
    """Describe a video file without decoding it. Raises MediaError for anything unusable."""
    p, container = _open(path)
    try:
        return _info(p, container)
    finally:
        container.close()


# ---------------------------------------------------------------------------------------------
# Picture conversion


def _geometry(spec: StreamSpec, width: int, height: int) -> tuple[tuple[float, float, float, float], int, int]:
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


class _Converter:
    """Turns decoded frames into one stream's pixels (geometry fixed at the first frame)."""

    def __init__(self, spec: StreamSpec, width: int, height: int) -> None:
        self.spec = spec
        self.box, self.width, self.height = _geometry(spec, width, height)
        self._matrices: dict[tuple[int, bool], np.ndarray] = {}

    @property
    def _even(self) -> bool:
        return self.width % 2 == 0 and self.height % 2 == 0

    def _resize(self, plane: np.ndarray, width: int | None = None, height: int | None = None) -> np.ndarray:
        """Crop a plane to the box and scale it to (width, height) (default: the output size)."""
        out_w, out_h = width or self.width, height or self.height
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
            return crop.copy()  # never hand out a view of the decoder's buffer
        ratio = max(crop.shape[1] / out_w, crop.shape[0] / out_h)
        interpolation = cv2.INTER_AREA if ratio >= 2 else cv2.INTER_LINEAR
        return cv2.resize(crop, (out_w, out_h), interpolation=interpolation)

    def __call__(self, frame: av.VideoFrame) -> np.ndarray:
        fmt = frame.format.name
        if fmt in _FAST_FORMATS:
            if self.spec.gray:
                return self._resize(_plane(frame, 0))  # luma is the grey picture
            full = _FAST_FORMATS[fmt] or frame.color_range == 2  # 2 = JPEG (full) range
            if fmt == "yuv420p" and not full and frame.colorspace != 1 and self._even:
                # The common case (limited-range BT.601 4:2:0) has a SIMD path in OpenCV,
                # several times faster than the general matrix below.
                ys = self._resize(_plane(frame, 0))
                us = self._resize(_plane(frame, 1), self.width // 2, self.height // 2)
                vs = self._resize(_plane(frame, 2), self.width // 2, self.height // 2)
                i420 = np.concatenate([ys.reshape(-1), us.reshape(-1), vs.reshape(-1)])
                return cv2.cvtColor(i420.reshape(self.height * 3 // 2, self.width), cv2.COLOR_YUV2RGB_I420)
            key = (frame.colorspace, full)
            if key not in self._matrices:
                self._matrices[key] = _yuv_to_rgb_matrix(*key)
            yuv = cv2.merge([self._resize(_plane(frame, i)) for i in range(3)])
            return cv2.transform(yuv, self._matrices[key])  # saturating uint8 output
        # Anything else (10-bit, RGB, palettes, NV12 ...): libswscale, then crop/resize.
        full_frame = frame.to_ndarray(format="gray" if self.spec.gray else "rgb24")
        if self.spec.gray:
            return self._resize(full_frame)
        return cv2.merge([self._resize(np.ascontiguousarray(full_frame[..., c])) for c in range(3)])


class _Sampler:
    """Collects one stream: every frame (fps None) or the frame on screen at each k/fps."""

    def __init__(self, spec: StreamSpec, duration: float) -> None:
        if spec.fps is not None and not (spec.fps > 0 and math.isfinite(spec.fps)):
            raise InvalidInput(f"stream {spec.name!r}: fps must be positive or None, got {spec.fps}")
        self.spec = spec
        self.duration = duration
        self.count = math.ceil(duration * spec.fps - _EPS) if spec.fps else None
        self.next_k = 0
        self.pending: tuple[av.VideoFrame, float] | None = None
        self.frames: list[np.ndarray] = []
        self.times: list[float] = []
        self.source_times: list[float] = []
        self.converter: _Converter | None = None
        # Fixed-fps streams know their length: fill one preallocated array (no final stack,
        # which costs as much as the conversion on long shots).
        self.out: np.ndarray | None = None

    def _convert(self, frame: av.VideoFrame) -> np.ndarray:
        if self.converter is None:
            self.converter = _Converter(self.spec, frame.width, frame.height)
        return self.converter(frame)

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
        pixels = self._convert(frame)  # once, however many targets it covers
        if self.out is None:
            self.out = np.empty((self.count, *pixels.shape), np.uint8)
        self.out[first:end] = pixels
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
        if self.out is not None:
            frames = self.out[: self.next_k]
        elif self.frames:
            frames = np.stack(self.frames)
        else:
            w, h = self.spec.size
            frames = np.zeros((0, h, w) if self.spec.gray else (0, h, w, 3), np.uint8)
        return FrameStream(
            self.spec,
            frames,
            np.asarray(self.times, dtype=np.float64),
            source_times=np.asarray(self.source_times, dtype=np.float64),
        )


# ---------------------------------------------------------------------------------------------
# Audio


def _audio_array(frame: av.AudioFrame) -> np.ndarray:
    """(channels, n) float32 of any sample format."""
    data = frame.to_ndarray()
    fmt = frame.format
    channels = len(frame.layout.channels)
    if not fmt.is_planar:
        data = data.reshape(-1, channels).T
    name = fmt.name.rstrip("p")
    if name == "s16":
        return data.astype(np.float32) / 32768.0
    if name == "s32":
        return (data / 2147483648.0).astype(np.float32)
    if name == "u8":
        return (data.astype(np.float32) - 128.0) / 128.0
    return data.astype(np.float32, copy=False)


class _AudioCollector:
    def __init__(self, stream: av.audio.stream.AudioStream, origin: float, duration: float) -> None:
        self.rate = int(stream.rate)
        self.channels = int(stream.codec_context.channels) or 1
        self.origin = origin
        self.length = round(duration * self.rate)
        self.buffer = np.zeros((self.channels, self.length), np.float32)
        self.next_index: int | None = None
        self.done = False

    def push(self, frame: av.AudioFrame) -> None:
        samples = _audio_array(frame)
        if frame.pts is not None and frame.time_base is not None:
            index = round((float(frame.pts * frame.time_base) - self.origin) * self.rate)
        else:
            index = self.next_index or 0
        self.next_index = index + samples.shape[1]
        if index >= self.length:
            self.done = True
            return
        lo, hi = max(index, 0), min(self.next_index, self.length)
        if hi > lo:
            channels = min(self.channels, samples.shape[0])
            self.buffer[:channels, lo:hi] = samples[:channels, lo - index : hi - index]


# ---------------------------------------------------------------------------------------------
# Decoding


def _check_range(info: MediaInfo, start_s: float, duration_s: float) -> None:
    if not (math.isfinite(start_s) and math.isfinite(duration_s)):
        raise InvalidInput(f"the range must be finite numbers, got start {start_s}, duration {duration_s}")
    if duration_s <= 0:
        raise InvalidInput(f"the range is empty (duration {duration_s} s); select at least one frame")
    frame = 1.0 / info.fps
    if start_s < -frame / 2:
        raise InvalidInput(f"the range starts at {start_s:.3f} s, before the media's first frame")
    if start_s >= info.duration:
        raise InvalidInput(
            f"the range starts at {start_s:.3f} s but {info.path.name} is only {info.duration:.3f} s long; "
            "check the shot's source range and media start timecode"
        )


def _check_size(info: MediaInfo, duration_s: float, specs: Sequence[StreamSpec], max_bytes: int) -> None:
    total = 0
    for spec in specs:
        _, w, h = _geometry(spec, info.width, info.height)
        fps = spec.fps or info.fps
        total += math.ceil(duration_s * fps + 1) * w * h * (1 if spec.gray else 3)
    if total > max_bytes:
        raise MediaError(
            f"decoding {duration_s:.1f} s of {info.path.name} would take {total / 1024**3:.1f} GiB "
            f"(limit {max_bytes / 1024**3:.1f} GiB); shorten the range or ask for smaller streams"
        )


def decode_shot(
    path: str | os.PathLike,
    start_s: float,
    duration_s: float,
    streams: Sequence[StreamSpec],
    *,
    with_audio: bool = False,
    max_bytes: int = MAX_DECODED_BYTES,
) -> DecodedShot:
    """Decode ``duration_s`` seconds from ``start_s`` (seconds from the container's first frame).

    Every requested stream comes out of the same decoding pass. With ``with_audio`` the file's
    own sound over the same range is returned too (native rate, zero where there is none).
    """
    names = [s.name for s in streams]
    if len(set(names)) != len(names):
        raise InvalidInput(f"stream names must be unique, got {names}")
    p, container = _open(path)
    try:
        info = _info(p, container)
        _check_range(info, start_s, duration_s)
        _check_size(info, duration_s, streams, max_bytes)
        if with_audio and not info.has_audio:
            raise MediaError(f"{p} has no sound to extract; evaluate against a clip with its original audio")
        shot = _decode(container, info, start_s, duration_s, streams, with_audio, seek=True)
        if shot is None:  # the seek landed after the range start (inexact index): go from the top
            shot = _decode(container, info, start_s, duration_s, streams, with_audio, seek=False)
        assert shot is not None
        return shot
    finally:
        container.close()


def _decode(
    container: av.container.InputContainer,
    info: MediaInfo,
    start_s: float,
    duration_s: float,
    specs: Sequence[StreamSpec],
    with_audio: bool,
    *,
    seek: bool,
) -> DecodedShot | None:
    video = _video_stream(info.path, container)
    if not video.codec_context.is_open:
        video.thread_type = "AUTO"  # frame + slice threads: decoding overlaps our conversion
    origin = info.start_time + start_s
    end = duration_s
    frame_duration = 1.0 / info.fps
    samplers = [_Sampler(spec, duration_s) for spec in specs]
    audio_stream = container.streams.audio[0] if with_audio else None
    audio = _AudioCollector(audio_stream, origin, duration_s) if audio_stream is not None else None

    seeked = False
    if seek and start_s > _SEEK_THRESHOLD_S:
        preroll = _AUDIO_PREROLL_S if audio is not None else 0.0
        target = max(origin - preroll, 0.0)
        container.seek(int(target / video.time_base), stream=video, backward=True, any_frame=False)
        seeked = True
    elif not seek:
        # Second attempt: the first pass already read part of the file; start over and drop
        # whatever the decoder still holds from it.
        container.seek(0)
        for stream in [video] + ([audio_stream] if audio_stream is not None else []):
            if stream.codec_context.is_open:
                stream.codec_context.flush_buffers()

    wanted = [video] + ([audio_stream] if audio_stream is not None else [])
    first_t: float | None = None
    last_t: float | None = None
    intervals: list[float] = []
    errors = 0
    video_done = False
    for packet in container.demux(*wanted):
        is_video = packet.stream.type == "video"
        if (is_video and video_done) or (not is_video and audio.done):
            if video_done and (audio is None or audio.done):
                break
            continue
        try:
            decoded = packet.decode()
        except av.error.FFmpegError as exc:
            # FFmpeg skips corrupt packets and carries on; so do we, and report it.
            errors += 1
            log.warning("%s: skipping a corrupt %s packet: %s", info.path.name, packet.stream.type, exc)
            continue
        for frame in decoded:
            if not is_video:
                audio.push(frame)
                continue
            if frame.pts is not None:
                t = float(frame.pts * video.time_base) - origin
            else:
                t = (last_t + frame_duration) if last_t is not None else 0.0
            if last_t is not None and t <= last_t + _EPS:
                continue  # a duplicate or out-of-order timestamp: presentation order only
            if last_t is not None:
                intervals.append(t - last_t)
            if first_t is None:
                first_t = t
                if seeked and t > _EPS + frame_duration / 2:
                    return None
            last_t = t
            for sampler in samplers:
                sampler.push(frame, t)
            if t >= end - _EPS:
                video_done = True
                break
        if video_done and (audio is None or audio.done):
            break

    if last_t is None:
        raise MediaError(
            f"no picture could be decoded from {info.path.name} at {start_s:.3f} s"
            + (f" ({errors} corrupt packets)" if errors else "")
            + "; the file is damaged, truncated or empty — re-export it"
        )
    # The last picture lasts as long as its predecessors did (the declared average rate of a
    # variable-rate file says little about its last frame).
    if intervals:
        frame_duration = float(np.median(intervals[-8:]))
    picture_end = min(last_t, end) if video_done else last_t + frame_duration
    if picture_end < end - _END_SLACK_FRAMES * frame_duration:
        raise MediaError(
            f"{info.path.name}: the picture ends at {start_s + picture_end:.3f} s but the range asks for "
            f"{start_s + end:.3f} s (the file declares {info.duration:.3f} s"
            + (f", {errors} corrupt packets" if errors else "")
            + "); the file is truncated or the range is wrong — re-export the media or shorten the range"
        )
    return DecodedShot(
        path=info.path,
        start=start_s,
        duration=duration_s,
        fps=info.fps,
        streams={s.spec.name: s.finish() for s in samplers},
        audio=audio.buffer if audio is not None else None,
        audio_rate=audio.rate if audio is not None else None,
        media=info,
        picture_end=picture_end,
        decode_errors=errors,
    )


def extract_audio(path: str | os.PathLike, start_s: float = 0.0, duration_s: float | None = None) -> tuple[np.ndarray, int]:
    """The file's own sound over a range (for evaluation): ((channels, n) float32, rate)."""
    info = probe(path)
    if duration_s is None:
        duration_s = info.duration - start_s
    shot = decode_shot(path, start_s, duration_s, (), with_audio=True)
    assert shot.audio is not None and shot.audio_rate is not None
    return shot.audio, shot.audio_rate


__all__ = ["DecodedShot", "MediaInfo", "decode_shot", "extract_audio", "probe", "MAX_DECODED_BYTES"]
