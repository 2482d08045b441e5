"""What a media file holds, read from its headers without decoding a frame: picture size and
rate, duration, sound, and the start timecode. Shared by the server (which decodes after it)
and the panel (which previews the part of the file a shot shows, by the same media-start rule).

Media opens only here (``open_media``), and only as one plain local file in a container format
of ``ALLOWED_FORMATS``: FFmpeg may read the file itself and nothing else (protocol ``file``),
with only those demuxers (a playlist, a list of files or an image sequence would open other
files, wherever they are), after ``stat`` has said it is a regular file (a FIFO or a device
would block the reader), and within a time limit.

Anything unusable (missing, empty, a folder, not media, no picture, an absurd picture size)
raises ``MediaError`` saying what to do.
"""

from __future__ import annotations

import heapq
import os
import stat
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import lru_cache
from fractions import Fraction
from pathlib import Path

import av

from foleyline.errors import MediaError
from foleyline.fragments import picture_lag_ticks, top_boxes
from foleyline.fsutil import file_version
from foleyline.timebase import MAX_FRAME_RATE, FrameRate, MediaClock, rate_from_float

# A picture larger than this is refused with a message saying what to do.
MAX_PICTURE_PIXELS = 8192 * 8192  # 8K UHD fits
# FFmpeg's demuxers for single-file containers: MP4/MOV (and 3GP, M4V), Matroska/WebM, AVI,
# MXF, MPEG transport and program streams, ASF/WMV, FLV, DV, Ogg, GXF, NUT, Y4M, and sound files
# (read, then refused for having no picture, saying so). Not: hls, dash, concat, image2 and
# the other demuxers that open files a media file names. Raw AAC ("aac") is for the sound library.
ALLOWED_FORMATS = ("mov", "matroska", "avi", "mxf", "mpegts", "mpeg", "asf", "flv", "dv", "ogg", "gxf", "nut",
                   "yuv4mpegpipe", "wav", "w64", "aiff", "caf", "flac", "mp3", "aac")
_ALLOWED_TEXT = "MP4/MOV, MKV/WebM, AVI, MXF, MPEG-TS/PS, WMV, FLV, DV, Ogg, GXF, NUT, Y4M"
# Seconds FFmpeg may spend opening a file (headers, stream info) and then on one read.
OPEN_TIMEOUT_S = 20.0
READ_TIMEOUT_S = 20.0
_OPTIONS = {"protocol_whitelist": "file", "format_whitelist": ",".join(ALLOWED_FORMATS)}


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
    pixel_aspect: float = 1.0   # a stored pixel's width over its height (anamorphic, DV: not 1)
    # Seconds FFmpeg times the pictures later than the file does (``fragments``): the file's
    # sound lines up with a picture at its time less this.
    picture_lag: float = 0.0

    @property
    def clock(self) -> MediaClock:
        """What the file says of its own time, for the media-start rule."""
        return MediaClock(self.duration, self.timecode, self.fps)


def one_scaler_thread() -> dict[str, int]:
    """``reformat``/``to_ndarray`` options for libswscale's threads where PyAV hands them out
    (PyAV 17 on: all the cores unless told): one. For the pictures converted here a second thread
    buys little: a 64x36 picture's rows split among the cores cost a quarter more CPU (0.16
    against 0.13 ms a 720p frame). And a frame keeps its scaler, which a forked child cannot free
    when it has threads of its own (it waits forever in ``pthread_cond_destroy``; seen at Ray's
    start in the test suite, see tests/server/cluster/conftest.py). Before PyAV 17 the scaler
    has one thread anyway."""
    return {"threads": 1} if int(av.__version__.split(".")[0]) >= 17 else {}


def _is_allowed(format_name: str) -> bool:
    # FFmpeg names a demuxer by its formats: "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm".
    return bool(set(format_name.split(",")) & set(ALLOWED_FORMATS))


def check_plain_file(p: Path) -> os.stat_result:
    """The file's stat when it is a regular, non-empty file; MediaError saying what it is
    otherwise. Checked before opening: opening a FIFO or a device blocks the reader."""
    try:
        info = os.stat(p)
    except FileNotFoundError:
        raise MediaError(f"media file not found: {p}; check the path (is the drive mounted?)") from None
    except OSError as exc:
        raise MediaError(f"cannot read {p} ({exc.strerror}); check the file's permissions") from None
    if stat.S_ISDIR(info.st_mode):
        raise MediaError(f"{p} is a folder, not a media file")
    if not stat.S_ISREG(info.st_mode):
        raise MediaError(f"{p} is not a plain file (a pipe, a device or a socket); give Foleyline a media file")
    if info.st_size == 0:
        raise MediaError(f"media file {p} is empty (0 bytes); re-export or re-copy it")
    return info


# Picture files: a still (a title card, a photo) or an animation has no camera motion to follow,
# and FFmpeg reads them through the image-sequence demuxers, which the whitelist refuses.
PICTURE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".exr", ".dpx",
                              ".tga", ".psd", ".heic", ".jp2"})


def picture_file_refusal(p: Path) -> str:
    """What to say of a picture file given where a movie is needed."""
    return (f"{p} is a picture file ({p.suffix[1:].upper()}), not a movie; Foleyline makes sound from a moving "
            f"picture: export the shot as one movie file ({_ALLOWED_TEXT})")


# The top-level boxes a recorder writes before its index: what says a file is MP4/QuickTime.
_ISO_BOXES = frozenset({b"ftyp", b"wide", b"free", b"skip", b"mdat", b"moov", b"uuid", b"pnot", b"PICT"})
_MOST_RECORDER_BOXES = 64


def _lacks_movie_index(p: Path) -> bool:
    """True for an MP4/QuickTime file whose boxes hold media ('mdat') and run cleanly to the
    file's end with no index ('moov'): a recorder writes the index when it stops, so a recording
    cut off (a flat battery, a full card, a copy interrupted) has none and FFmpeg says only
    "invalid data". A box that is not one a recorder writes there is damage, not a cut.
    Reads the box headers."""
    seen: list[bytes] = []
    try:
        with open(p, "rb") as f:
            for kind, _at, size in top_boxes(f, _MOST_RECORDER_BOXES):
                if kind not in _ISO_BOXES:
                    return False
                seen.append(kind)
                if size == 0:  # the box runs to the end of the file (a recording's mdat)
                    break
                if size < 8:
                    return False
            else:
                if len(seen) == _MOST_RECORDER_BOXES:  # no end reached: not a recording's few boxes
                    return False
    except OSError:
        return False
    return b"mdat" in seen and b"moov" not in seen


def open_media(path: str | os.PathLike) -> tuple[Path, av.container.InputContainer]:
    """Open one plain media file for reading, confined as the module docstring says."""
    p = Path(path)
    check_plain_file(p)
    if p.suffix.lower() in PICTURE_SUFFIXES:
        raise MediaError(picture_file_refusal(p))
    try:
        container = av.open(str(p), mode="r", metadata_errors="ignore", container_options=_OPTIONS,
                            timeout=(OPEN_TIMEOUT_S, READ_TIMEOUT_S))
    except av.error.ArgumentError:
        # What a format outside the whitelist is answered with (EINVAL).
        raise MediaError(
            f"{p} is not a media file Foleyline reads: playlists, file lists, image sequences and streams "
            f"are refused; export or copy the clip as one file ({_ALLOWED_TEXT})"
        ) from None
    except av.error.ExitError:
        raise MediaError(
            f"reading {p} took longer than {OPEN_TIMEOUT_S:.0f} s; the drive is slow or stalled or the file is "
            "damaged: copy it to a local drive and try again"
        ) from None
    except av.error.FFmpegError as exc:
        if _lacks_movie_index(p):
            raise MediaError(
                f"{p} is an MP4/QuickTime movie without its index (the 'moov' box, written last): the recording "
                "or copy stopped before the file was finished. Copy it again from the card or the recorder; a "
                "camera's cut-off clip can be rebuilt with a recovery tool (such as untrunc, given a good clip "
                "from the same camera) and then read"
            ) from None
        raise MediaError(
            f"cannot read {p} as media ({exc.strerror or exc}); the file is corrupt, truncated or "
            "not audio/video — re-export it"
        ) from None
    if not _is_allowed(container.format.name):
        container.close()
        raise MediaError(f"{p} is a {container.format.name} file, not one Foleyline reads ({_ALLOWED_TEXT})")
    return p, container


def video_stream(p: Path, container: av.container.InputContainer) -> av.video.stream.VideoStream:
    # Cover art in a music file is a "video" stream of one picture: not a picture to follow.
    videos = [s for s in container.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)]
    # A still (a poster frame, a thumbnail track) may come first, unmarked or even marked as the
    # default (FFmpeg marks the first stream of a kind when none is): a picture that moves comes
    # before one that does not, then the player's default.
    stills = _stills(p, tuple(s.index for s in videos)) if len(videos) > 1 else frozenset()
    videos.sort(key=lambda s: (s.index in stills, not (s.disposition & av.stream.Disposition.default)))
    if not videos:
        kinds = sorted({s.type for s in container.streams if s.type != "video"}) or ["nothing"]
        art = " and cover art" if container.streams.video else ""
        raise MediaError(
            f"{p} has no picture (it contains {', '.join(kinds)}{art}); Foleyline needs the shot's video"
        )
    return videos[0]


# Packets read to tell a still from a moving picture: a moving stream has a second one long
# before this in any interleaved file (a second of 25 fps video and its sound is under 100).
_STILL_SCAN_PACKETS = 256


def _stills(p: Path, candidates: tuple[int, ...]) -> frozenset[int]:
    """Which of several picture streams hold one picture (a cover, a poster, a thumbnail
    track): none but those with at most one packet among the file's first packets while
    another has more. Read once per version of the file."""
    return _stills_of(p, file_version(check_plain_file(p)), candidates)


@lru_cache(maxsize=64)
def _stills_of(p: Path, _version: tuple[int, ...], candidates: tuple[int, ...]) -> frozenset[int]:
    counts = dict.fromkeys(candidates, 0)
    p, container = open_media(p)
    try:
        for n, packet in enumerate(container.demux()):
            if n >= _STILL_SCAN_PACKETS or min(counts.values()) >= 2:
                break
            if packet.stream.index in counts and packet.size:
                counts[packet.stream.index] += 1
    except av.error.FFmpegError:
        pass  # what was read says enough; a damaged tail is the decoder's to report
    finally:
        container.close()
    if max(counts.values()) < 2:
        return frozenset()
    return frozenset(i for i, c in counts.items() if c <= 1)


class SlotClock:
    """Presentation times for AVI, which stores none: FFmpeg numbers its packets by their slot
    in the file (decode order) and hands those numbers on as the pictures' timestamps, so with
    B-frames the pictures come out of the decoder in display order carrying the slots of other
    pictures (1, 3, 4, 2, ...), and a stream with a decoder delay starts a frame late. From the
    file's start, the slots are the display times (one picture per slot, a dropped frame an
    empty slot): the n-th picture out is shown at the n-th smallest slot sent in. Codecs that
    never reorder (MJPEG, DV, HuffYUV ...) and other containers keep the decoder's timestamps.

    ``sent(packet)`` before decoding each video packet, ``stamp(frame)`` on each picture out.
    An ``active`` stream is decoded from its start, every picture: after a seek, which display
    slot the keyframe holds is not in the file (an H.264 keyframe at slot 21 shows picture 24),
    and a decoder that skips pictures (``skip_frame``) would leave slots behind."""

    def __init__(self, container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> None:
        codec = stream.codec_context.codec if stream.codec_context is not None else None
        self.active = "avi" in container.format.name.split(",") and bool(codec is not None and codec.reorder)
        self._slots: list[int] = []

    def sent(self, packet: av.Packet) -> None:
        if self.active and packet.size and packet.dts is not None:
            heapq.heappush(self._slots, packet.dts)

    def stamp(self, frame: av.VideoFrame) -> None:
        if self.active and self._slots:
            frame.pts = heapq.heappop(self._slots)


def _stream_duration(container: av.container.InputContainer, stream: av.stream.Stream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    # Matroska counts its durations (the segment's, and the per-stream tag FFmpeg writes) from
    # the segment's time 0, not from the first frame: a recording whose timestamps start at
    # 3600 s declares 3604 s for 4 s of picture. Other containers' are lengths already.
    since = _start(stream) if "matroska" in container.format.name.split(",") else 0.0
    tag = stream.metadata.get("DURATION") or stream.metadata.get("duration")
    if tag:
        try:
            h, m, s = tag.split(":")
            return int(h) * 3600 + int(m) * 60 + float(s) - since
        except ValueError:
            pass
    if container.duration is not None:
        return container.duration / av.time_base - since
    return None


def _start(stream: av.stream.Stream) -> float:
    return float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0


# Pixel aspects this close to square are an encoder's rounding of a scaled size (448/447), not
# an anamorphic picture: read as square, so such a file's pictures are not resized by a pixel.
_SQUARE_PIXEL_TOLERANCE = 0.01


def pixel_aspect(stream: av.video.stream.VideoStream) -> float:
    """A stored pixel's width over its height (anamorphic, DV: not 1)."""
    sar = stream.sample_aspect_ratio or stream.codec_context.sample_aspect_ratio
    aspect = float(sar) if sar else 1.0
    if not 0.1 <= aspect <= 10 or abs(aspect - 1.0) < _SQUARE_PIXEL_TOLERANCE:
        return 1.0
    return aspect


def quarter_turns(rotation: float) -> int:
    """The counterclockwise quarter turns (``np.rot90``'s) that show a picture upright, from
    FFmpeg's reading of its display matrix (``frame.rotation``, degrees counterclockwise): a
    phone stores a portrait shot as a landscape picture and says how to turn it."""
    return round(rotation / 90) % 4


def picture_rate(stream: av.video.stream.VideoStream) -> Fraction | None:
    """The picture's frame rate: the average the container declares, or where that is absent
    or absurd (a DV file declaring 60000 fps for 25 fps packets) FFmpeg's own reading of the
    timestamps."""
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and 0 < rate <= MAX_FRAME_RATE:
            return Fraction(rate.numerator, rate.denominator)
    return None


def _is_quicktime(container: av.container.InputContainer) -> bool:
    return "mov" in container.format.name.split(",")


def _timecode(container: av.container.InputContainer) -> str | None:
    """The file's start timecode. In MP4/QuickTime editors (Premiere, Resolve, Avid, Final Cut)
    read the timecode track ('tmcd', which FFmpeg reports on the track and on the picture's
    stream) and nothing else, so where a file's own 'timecode' tag (FFmpeg's metadata, written
    with ``use_metadata_tags`` or copied by a tool) says otherwise, the track wins. A tag
    without a track is read too: the file's timecode only places a shot whose labels run past
    the file counted from zero (``timebase.media_start``), which a timeline cut where the tag
    was not read cannot hold (its labels count from 00:00:00:00 inside the file) and one made
    from FFmpeg's reading of the file (a conform from ffprobe) does. Other containers say a
    file's timecode in their own header (MXF's timecode component, Matroska's TIMECODE tag),
    which FFmpeg reports on the file or on a stream."""
    streams = [s.metadata for s in container.streams]
    metas = streams + [container.metadata] if _is_quicktime(container) else [container.metadata] + streams
    for meta in metas:
        for key in ("timecode", "TIMECODE"):
            if meta.get(key):
                return str(meta[key])
    return None


def _picture_lag(p: Path, container: av.container.InputContainer, video: av.video.stream.VideoStream) -> float:
    if not _is_quicktime(container) or video.time_base is None:
        return 0.0
    return float(picture_lag_ticks(p, video.id) * video.time_base)


def read_info(p: Path, container: av.container.InputContainer) -> MediaInfo:
    video = video_stream(p, container)
    ctx = video.codec_context
    if ctx is None:  # the stream's codec is unknown or its parameters are cut off
        raise MediaError(f"{p}: the video stream cannot be decoded (its codec is unknown or damaged); re-export it")
    width, height = int(ctx.width or 0), int(ctx.height or 0)
    if width <= 0 or height <= 0:
        raise MediaError(f"{p}: the video stream has no picture size; the file is damaged — re-export it")
    if width * height > MAX_PICTURE_PIXELS:
        raise MediaError(
            f"{p}: a {width}x{height} picture is larger than Foleyline decodes "
            f"(max {MAX_PICTURE_PIXELS} pixels); make a proxy at a lower resolution"
        )
    rate = picture_rate(video)
    if rate is None:
        raise MediaError(f"{p}: the video stream declares no usable frame rate; re-wrap it with a frame rate")
    frame_rate = rate_from_float(rate)
    start = _start(video)
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
        pixel_aspect=pixel_aspect(video),
        picture_lag=_picture_lag(p, container, video),
    )


def probe(path: str | os.PathLike) -> MediaInfo:
    """Describe a video file without decoding it. Raises MediaError for anything unusable.

    What a version of a file holds is read once (``fsutil.file_version``: a file changed or
    replaced under the same name is read again): a server probes a shot's media before each
    decode, and opening a container costs a short shot's decode a tenth of its time."""
    p = Path(path)
    version = file_version(check_plain_file(p))
    info = _recalled(version)
    if info is None:
        p, container = open_media(p)
        try:
            info = _remember(version, read_info(p, container))
        finally:
            container.close()
    return info if info.path == p else replace(info, path=p)


def described(p: Path, container: av.container.InputContainer) -> MediaInfo:
    """``read_info`` of a file ``open_media`` opened, remembered for ``probe`` of this version of
    the file: `foleyline generate movie.mp4` reads the movie's facts as its cut finder opens it,
    and its server's probe of each shot then answers from them instead of opening the file again
    (one container open, 6-9 ms of a 720p movie's critical path)."""
    return _remember(file_version(check_plain_file(p)), read_info(p, container))


# The facts of this many file versions are remembered (a request's shots name a few files).
_PROBED_MAX = 256
_probed: OrderedDict[tuple[int, ...], MediaInfo] = OrderedDict()  # by fsutil.file_version
_probed_lock = threading.Lock()


def _remember(version: tuple[int, ...], info: MediaInfo) -> MediaInfo:
    with _probed_lock:
        _probed[version] = info
        _probed.move_to_end(version)
        while len(_probed) > _PROBED_MAX:
            _probed.popitem(last=False)
    return info


def _recalled(version: tuple[int, ...]) -> MediaInfo | None:
    with _probed_lock:
        info = _probed.get(version)
        if info is not None:
            _probed.move_to_end(version)
        return info


__all__ = ["ALLOWED_FORMATS", "MAX_PICTURE_PIXELS", "MediaInfo", "PICTURE_SUFFIXES", "SlotClock", "check_plain_file", "described", "open_media",
           "picture_file_refusal", "picture_rate", "pixel_aspect", "probe", "quarter_turns", "read_info", "video_stream"]
