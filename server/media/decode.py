"""Decode a shot once: every frame stream the consumers ask for, in one pass, by timestamps.

``decode_shot(path, start_s, duration_s, streams)`` decodes only that range (seek, threaded
decode; before the range, only the frames others refer to) and produces each ``StreamSpec``
from the frames' presentation timestamps, never from frame counts, so odd (19.62, 32.4 fps)
and variable frame rates come out right (``foleyline.server.media.streams``). The file is described first by ``foleyline.probe``; its
own sound over the range is collected on request (``foleyline.server.media.soundtrack``).
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np

from foleyline.errors import Cancelled, InvalidInput, MediaError
from foleyline.probe import MediaInfo, SlotClock, open_media, probe, read_info, video_stream
from foleyline.server.media import whole_movie
from foleyline.server.media.frames import ANALYSIS_STREAM, FrameStream, StreamSpec
from foleyline.server.media.soundtrack import AudioCollector
from foleyline.server.media.streams import StreamSampler, output_geometry
from foleyline.server.media.windowed import SEEK_THRESHOLD_S, WindowedPictures, frame_time
from foleyline.timebase import END_SLACK_FRAMES

log = logging.getLogger(__name__)

# Guards against inputs that would exhaust memory: decoded output above this many bytes is
# refused with a message saying what to do.
MAX_DECODED_BYTES = 4 * 1024**3
# Audio packets may sit before the video keyframe in the file: seek this much earlier for audio.
_AUDIO_PREROLL_S = 0.5
_EPS = 1e-6
# A shot's fixed-rate streams (the engines' pictures) are held for the whole range up to this
# many bytes together; a longer shot's are decoded again, a window at a time, when an engine
# reads them (a 79 s shot's CLIP and SYNC streams would hold 400 MB; 128 MiB holds about 17 s
# of both at 25 fps and more).
HELD_BYTES = 128 * 1024**2
# Frame threads (a decoder per thread, each frame handed through them) pay back over a long
# range; over a short one their setup and hand-offs cost a fifth more CPU than the decoding
# itself (a 0.5 s shot with its handles: 28 -> 22 ms, and no sooner done): slice threads only.
FRAME_THREADS_MIN_S = 4.0
# Before the range the decoder needs only the frames later ones refer to: until a packet
# shows up within this many frames of the range start, FFmpeg skips the rest (skip_frame
# "NONREF": h264's and HEVC's non-reference frames, MPEG-4's and MPEG-2's B frames); from there
# on every frame is decoded. The picture on screen at the start is never skipped: a B frame's
# packet comes after that of the later frame it refers to, which lies in the range; anything
# else (a long frame of variable-rate video skipped) has the range decoded again in full. A
# 0.5 s shot 2 s into a 15 fps clip with one keyframe, with its 12-frame handles: 23 frames of
# pre-roll, 11 of them skipped (decode 28 -> 23.5 ms). The range's pictures are the same bytes
# (tests/media/test_decode.py; every development clip, 312 ranges).
_PREROLL_KEPT_FRAMES = 2
# The decoders that read skip_frame at every frame, so that it can end where the range begins
# (libdav1d, AV1's, reads it once when opened: it would go on skipping inside the range).
_SKIPS_PER_FRAME = frozenset({"h264", "hevc", "mpeg1video", "mpeg2video", "mpeg4"})


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


def _stream_bytes(info: MediaInfo, duration_s: float, spec: StreamSpec, distinct: bool = False) -> int:
    """Bytes a stream of the range holds (``distinct``: each source picture once)."""
    _, w, h = output_geometry(spec, info.width * info.pixel_aspect, info.height)
    fps = spec.fps or info.fps
    if distinct:
        fps = min(fps, info.fps)
    return math.ceil(duration_s * fps + 1) * w * h * (1 if spec.gray else 3)


def _check_size(info: MediaInfo, duration_s: float, specs: Sequence[StreamSpec], max_bytes: int) -> None:
    total = sum(_stream_bytes(info, duration_s, spec) for spec in specs)
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
    held_bytes: int | None = None,
    cancel: threading.Event | None = None,
) -> DecodedShot:
    """Decode ``duration_s`` seconds from ``start_s`` (seconds from the container's first frame).

    Every requested stream comes out of the same decoding pass, except that fixed-rate streams
    which would hold more than ``held_bytes`` together (default ``HELD_BYTES``) (a long shot's engine pictures) are only
    timed in it and decoded again, a window at a time, when a consumer reads them
    (``media.windowed``). With ``with_audio`` the file's own sound over the same range is
    returned too (native rate, zero where there is none). ``cancel``: checked at every packet;
    once set, ``Cancelled`` is raised.
    """
    names = [s.name for s in streams]
    if len(set(names)) != len(names):
        raise InvalidInput(f"stream names must be unique, got {names}")
    if not with_audio and all(spec == ANALYSIS_STREAM for spec in streams):
        kept = whole_movie.kept_for(path)  # the movie decoded whole already in this command
        if kept is not None:
            _check_range(kept.info, start_s, duration_s)
            shot = from_kept(kept, start_s, duration_s)
            if shot is not None:
                return shot
    p, container = open_media(path)
    try:
        info = read_info(p, container)
        _check_range(info, start_s, duration_s)
        fixed = [spec for spec in streams if spec.fps is not None]
        reader = None
        budget = HELD_BYTES if held_bytes is None else held_bytes
        if sum(_stream_bytes(info, duration_s, spec, distinct=True) for spec in fixed) > budget:
            reader = WindowedPictures(p, start_s, (info.width, info.height))
        # Only what is held counts (a long shot's engine pictures are read a window at a time).
        _check_size(info, duration_s, [spec for spec in streams if reader is None or spec.fps is None], max_bytes)
        if with_audio and not info.has_audio:
            raise MediaError(f"{p} has no sound to extract; evaluate against a clip with its original audio")
        shot = _decode(container, info, start_s, duration_s, streams, with_audio, seek=True, cancel=cancel,
                       reader=reader)
        if shot is None:
            # The seek landed after the range start (inexact index), found no keyframe, or a
            # frame the pre-roll skipped might have been on screen at the start (variable frame
            # rate): go from the top, decoding every frame. The file is opened again: seeking
            # to 0 is not its top where timestamps start below 0 (a TS whose PTS wrapped).
            container.close()
            p, container = open_media(path)
            shot = _decode(container, info, start_s, duration_s, streams, with_audio, seek=False, cancel=cancel,
                           reader=reader)
        assert shot is not None
        if reader is not None:
            for spec in fixed:
                reader.expect(spec, shot.streams[spec.name].source_times)
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
    cancel: threading.Event | None = None,
    reader: WindowedPictures | None = None,
) -> DecodedShot | None:
    video = video_stream(info.path, container)
    if not video.codec_context.is_open:
        # frame + slice threads over a long range: decoding overlaps our conversion
        video.thread_type = "AUTO" if duration_s >= FRAME_THREADS_MIN_S else "SLICE"
    origin = info.start_time + start_s
    end = duration_s
    frame_duration = 1.0 / info.fps
    # With a reader, the fixed-rate streams are only timed here; their pictures are read later.
    samplers = [StreamSampler(spec, duration_s, reader if spec.fps is not None else None, info.pixel_aspect)
                for spec in specs]
    audio_stream = container.streams.audio[0] if with_audio else None
    # The sound is timed as the file times it, the pictures as FFmpeg does (``fragments``).
    audio_origin = origin - info.picture_lag
    audio = AudioCollector(audio_stream, audio_origin, duration_s) if audio_stream is not None else None

    slots = SlotClock(container, video)
    seeked = False
    if seek and start_s > SEEK_THRESHOLD_S and not slots.active:
        preroll = _AUDIO_PREROLL_S if audio is not None else 0.0
        target = max(min(origin, audio_origin) - preroll, info.start_time)
        container.seek(int(target / video.time_base), stream=video, backward=True, any_frame=False)
        seeked = True

    wanted = [video] + ([audio_stream] if audio_stream is not None else [])
    # Pre-roll (the frames from the keyframe to the range): non-reference frames are not
    # decoded until a packet shows up within _PREROLL_KEPT_FRAMES of the range start; from
    # there on every frame is.
    kept_from = -_PREROLL_KEPT_FRAMES * frame_duration
    skipping = (seek and start_s + kept_from > 0.0 and video.codec_context.name in _SKIPS_PER_FRAME
                and not slots.active)
    video.codec_context.skip_frame = "NONREF" if skipping else "DEFAULT"
    skipped_until = -math.inf  # the latest time of a packet sent while skipping
    held_t = -math.inf         # the latest picture decoded at or before the range start
    first_t: float | None = None
    last_t: float | None = None
    intervals: list[float] = []
    errors = 0
    video_done = False
    for packet in _packets(container, wanted, info.path, cancel):
        is_video = packet.stream.type == "video"
        if (is_video and video_done) or (not is_video and audio.done):
            if video_done and (audio is None or audio.done):
                break
            continue
        if is_video and skipping:
            at = float(packet.pts * video.time_base) - origin if packet.pts is not None else math.inf
            if at < kept_from:
                skipped_until = max(skipped_until, at)
            else:
                skipping = False
                video.codec_context.skip_frame = "DEFAULT"
        if is_video:
            slots.sent(packet)
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
            slots.stamp(frame)
            t = frame_time(frame, video.time_base, origin, last_t, frame_duration)
            if t is None:
                continue
            if last_t is not None and last_t >= kept_from:  # (before it, skipped frames leave gaps)
                intervals.append(t - last_t)
            if t <= _EPS:
                held_t = t
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

    if skipped_until > held_t + _EPS:
        return None  # a skipped frame may be the one on screen at the start (variable frame rate)
    if last_t is None and seeked:
        # A transport stream has no index: its seek lands on whatever packet is nearest, often
        # not a keyframe, and with one keyframe in the file the decoder never gets a picture.
        return None
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
    if picture_end < end - END_SLACK_FRAMES * frame_duration:
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


def from_kept(kept: whole_movie.Kept, start_s: float, duration_s: float) -> DecodedShot | None:
    """The analysis stream of a range cut from a movie decoded whole (``media.whole_movie``):
    the frames, times and picture end that ``_decode`` gives the range, by its rules (a change
    there is a change here: tests/media/test_whole_movie.py compares the two). None where the
    picture ends before the range does: decoding it says what is wrong."""
    info = kept.info
    origin = info.start_time + start_s
    end = duration_s
    times = kept.times - origin  # each frame's float(pts * time_base) - origin, as frame_time
    done = np.flatnonzero(times >= end - _EPS)
    video_done = len(done) > 0
    stop = int(done[0]) + 1 if video_done else len(times)  # the pass stops after the frame at the end
    times = times[:stop]
    # Every frame from _PREROLL_KEPT_FRAMES before the range is decoded by the pass; only
    # intervals that start there count.
    kept_from = -_PREROLL_KEPT_FRAMES * (1.0 / info.fps)
    intervals = np.diff(times)[times[:-1] >= kept_from]
    frame_duration = float(np.median(intervals[-8:])) if len(intervals) else 1.0 / info.fps
    last_t = float(times[-1])
    picture_end = min(last_t, end) if video_done else last_t + frame_duration
    if picture_end < end - END_SLACK_FRAMES * frame_duration:
        return None
    inside = np.flatnonzero((times >= -_EPS) & (times < duration_s - _EPS))
    if len(inside):
        run = slice(int(inside[0]), int(inside[-1]) + 1)  # consecutive: the times increase
        stream = FrameStream(ANALYSIS_STREAM, kept.pictures[run], times[run], source_times=times[run])
    else:  # a range that ends before its next frame shows: no frame, as StreamSampler gives it
        stream = StreamSampler(ANALYSIS_STREAM, duration_s).finish()
    return DecodedShot(path=info.path, start=start_s, duration=duration_s, fps=info.fps,
                       streams={ANALYSIS_STREAM.name: stream}, media=info, picture_end=picture_end)


def _packets(container: av.container.InputContainer, wanted: list, path: Path,
             cancel: threading.Event | None) -> Iterator[av.Packet]:
    """The demuxed packets, stopping with ``Cancelled`` when ``cancel`` is set, and a read that
    fails or stalls (the open's read time limit) as a MediaError."""
    packets = container.demux(*wanted)
    while True:
        if cancel is not None and cancel.is_set():
            raise Cancelled(f"decoding {path.name} was cancelled")
        try:
            packet = next(packets)
        except StopIteration:
            return
        except av.error.ExitError:
            raise MediaError(f"reading {path.name} stalled; the drive is slow or stalled: copy it to a local drive") from None
        except av.error.FFmpegError as exc:
            raise MediaError(f"cannot read {path.name} ({exc.strerror or exc}); the file is damaged — re-export it") from None
        yield packet


def extract_audio(path: str | os.PathLike, start_s: float = 0.0, duration_s: float | None = None) -> tuple[np.ndarray, int]:
    """The file's own sound over a range (for evaluation): ((channels, n) float32, rate)."""
    info = probe(path)
    if duration_s is None:
        duration_s = info.duration - start_s
    shot = decode_shot(path, start_s, duration_s, (), with_audio=True)
    assert shot.audio is not None and shot.audio_rate is not None
    return shot.audio, shot.audio_rate


__all__ = ["DecodedShot", "HELD_BYTES", "MAX_DECODED_BYTES", "decode_shot", "extract_audio"]
