"""What a media file holds, read from its headers without decoding a frame: picture size and
rate, duration, sound, and the start timecode. Shared by the server (which decodes after it)
and the panel (which previews the part of the file a shot shows, by the same media-start rule).

Anything unusable (missing, empty, a folder, not media, no picture, an absurd picture size)
raises ``MediaError`` saying what to do.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from foleyline.errors import MediaError
from foleyline.timebase import FrameRate, MediaClock, rate_from_float

# A picture larger than this is refused with a message saying what to do.
MAX_PICTURE_PIXELS = 8192 * 8192  # 8K UHD fits


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

    @property
    def clock(self) -> MediaClock:
        """What the file says of its own time, for the media-start rule."""
        return MediaClock(self.duration, self.timecode)


def open_media(path: str | os.PathLike) -> tuple[Path, av.container.InputContainer]:
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


def video_stream(p: Path, container: av.container.InputContainer) -> av.video.stream.VideoStream:
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


def read_info(p: Path, container: av.container.InputContainer) -> MediaInfo:
    video = video_stream(p, container)
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
    p, container = open_media(path)
    try:
        return read_info(p, container)
    finally:
        container.close()


__all__ = ["MAX_PICTURE_PIXELS", "MediaInfo", "open_media", "probe", "read_info", "video_stream"]
