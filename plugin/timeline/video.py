"""A plain video file as a timeline: one shot per cut (or the whole file), starting at the
file's own timecode, so ``foleyline generate clip.mov`` works without an NLE export.

Cuts are where the picture changes at once: the mean absolute difference of consecutive
frames (grey, 64 pixels wide) jumps well above its neighbourhood. A slow pan or a fade moves
it steadily, a cut in one step. A jump the picture comes back from within a few frames is no
cut: a flash, lightning, a firework's burst, something passing the lens. Such a moment is what
the Foley is for, and a shot split there was cut off from its own build-up.
"""

from __future__ import annotations

import queue
import threading
from array import array
from pathlib import Path

import numpy as np
import opentimelineio as otio

from foleyline import timebase
from foleyline.errors import InvalidInput, MediaError
from foleyline.plugin.timeline.formats import META_KEY, PROJECT_FILES, TIMELINE_SUFFIXES

__all__ = ["VIDEO_SUFFIXES", "is_video_file", "timeline_from_video", "find_cuts"]

TC = otio.opentime
VIDEO_SUFFIXES = (".mov", ".mp4", ".m4v", ".mxf", ".avi", ".mkv", ".mts", ".m2ts", ".ts", ".webm", ".mpg",
                  ".mpeg", ".m2v", ".vob", ".dv", ".3gp", ".flv", ".wmv", ".asf", ".ogv", ".qt")
# Beyond this many picture frames the timestamps disagree with the frame count at the average
# rate: the file's rate varies (phones, screen recordings), and its length is taken from the
# timestamps, not from the count (PyAV rounds a constant rate's timestamps by at most one).
_VARIABLE_RATE_FRAMES = 2
_CUT_JUMP = 0.12        # mean grey difference (0..1) a cut must exceed ...
_CUT_OVER_LOCAL = 4.0   # ... and this many times the median difference of the frames around it
_MIN_SHOT_FRAMES = 4    # a flash is not a shot: cuts closer than this merge
# The picture comes back when a frame up to _RETURN_FRAMES after a jump differs from one as
# far before it by less than this share of the jump (mean grey differences, as the jump). The
# two fireworks clips' bursts and flashes (the sparks a burst leaves included): 0.08-0.18; the
# seven cuts of a reel of development clips cut together (day to night, dark to dark):
# 0.92-1.0. Any share from 0.2 to 0.9 finds the same cuts.
_RETURN = 0.5
_RETURN_FRAMES = 5


def is_video_file(path: Path) -> bool:
    """A movie to take as a timeline: by its suffix, else (not a timeline's suffix) by opening it.
    A sound file with no picture is refused here, saying what to give instead."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file() or suffix in TIMELINE_SUFFIXES or suffix in PROJECT_FILES:
        return False
    if suffix in VIDEO_SUFFIXES:
        return True
    # Cameras and phones write names no list holds: what the file is decides.
    from foleyline.probe import PICTURE_SUFFIXES, open_media, picture_file_refusal

    if suffix in PICTURE_SUFFIXES:
        raise InvalidInput(picture_file_refusal(path))

    try:
        _, container = open_media(path)
        with container:
            pictures, sounds = len(container.streams.video), len(container.streams.audio)
    except Exception:
        return False  # not media either: the timeline reader names the formats it reads
    if not pictures and sounds:
        raise InvalidInput(f"{path}: a sound file with no picture; Foleyline makes sound from the picture: "
                           "give the movie or a timeline export")
    return bool(pictures)


def find_cuts(distances: np.ndarray) -> list[int]:
    """Frame indices that start a new shot, from each frame's mean grey difference to the few
    before it (``distances[f, d - 1]``: frame f against frame f - d, d = 1.._RETURN_FRAMES, NaN
    before the first): a jump against the frame before, unless the picture comes back from it."""
    differences = distances[1:, 0].astype(np.float64)  # differences[i]: frame i+1 against frame i
    cuts: list[int] = []
    for i, value in enumerate(differences):
        around = np.r_[differences[max(0, i - 4):i], differences[i + 1:i + 5]]
        local = float(np.median(around)) if len(around) else 0.0
        if value > _CUT_JUMP and value > _CUT_OVER_LOCAL * local:
            frame = i + 1
            if _comes_back(distances, frame, value):
                continue
            if not cuts or frame - cuts[-1] >= _MIN_SHOT_FRAMES:
                cuts.append(frame)
    return cuts


def _comes_back(distances: np.ndarray, frame: int, jump: float) -> bool:
    """Whether a frame from ``frame`` on is near one before it (within _RETURN_FRAMES)."""
    for after in range(frame, min(frame + _RETURN_FRAMES, len(distances))):
        back = distances[after, after - frame:]  # against frames frame-1, frame-2, ... as far as kept
        if np.any(back < _RETURN * jump):
            return True
    return False


def _probe(path: Path):
    """The open file and its picture stream (the one the decoder will read, cover art skipped)."""
    from foleyline.probe import open_media, video_stream

    if path.stat().st_size == 0:
        raise MediaError(f"{path}: the file is empty (0 bytes); the copy or export did not finish")
    # As the server opens it: one plain file, read by the whitelisted demuxers only (a playlist or
    # a file list named .mp4 would have FFmpeg open other files).
    _, container = open_media(path)
    try:
        return container, video_stream(path, container)
    except MediaError as exc:
        container.close()
        raise InvalidInput(f"{exc}; give a movie file or a timeline export") from None


def _recorder(path: Path, container, stream):
    """``media.whole_movie``'s recorder for this decode, when a command keeps what it decodes."""
    import sys

    whole_movie = sys.modules.get("foleyline.server.media.whole_movie")  # loaded by the scope's opener
    return whole_movie.recorder_for(path, container, stream) if whole_movie is not None else None


def _variable_rate_seconds(times: list[float], bounds: list[int], picture, origin: float | None = None
                           ) -> list[float] | None:
    """The shot bounds in seconds from the pictures' timestamps, where the file's rate varies
    or its first pictures cannot be decoded (else None: the count at the stated rate is exact).
    ``origin``: the file's first timestamp, the media-start rule's zero (default: the first
    picture's). A file cut mid-GOP starts with packets no keyframe precedes: its first picture
    comes later than its start, and the movie keeps that head (a player holds it black) rather
    than end early by it. The last picture lasts one frame at the average rate."""
    if len(times) < 2:
        return None
    origin = times[0] if origin is None else min(origin, times[0])
    period = 1.0 / float(picture.fps)
    span = times[-1] - origin + period
    if abs(span - bounds[-1] * period) <= _VARIABLE_RATE_FRAMES * period:
        return None
    return [0.0 if b == 0 else times[b] - origin if b < len(times) else span for b in bounds]


class _CutPictures:
    """Each decoded frame's small grey picture, its difference to the one before and its time
    (and the recorder's picture of it, when there is one), made in decoding order on a thread
    of its own while the decoding thread goes on: both conversions let go of the GIL, and at
    720p they cost a third of what decoding the frame does (about 0.45 of 1.4 ms), which the
    decoder otherwise waits for."""

    _AHEAD = 4  # frames decoded ahead of their conversion (each holds a decoded picture: 12 MB at 4K)

    def __init__(self, recorder) -> None:
        self.recorder = recorder
        self.distances = array("f")  # per frame, _RETURN_FRAMES of them: its difference to each of the last few
        self._recent: list[np.ndarray] = []    # their pictures, the latest first
        self.times: list[float] = []
        self.count = 0
        # One scaler for the whole file: a new one per frame (``frame.reformat``) costs as
        # much as decoding an HD frame, for the same pictures.
        from av.video.reformatter import VideoReformatter

        from foleyline.probe import one_scaler_thread

        self._scaler = VideoReformatter()
        self._scaling = one_scaler_thread()
        self._frames: queue.Queue = queue.Queue(self._AHEAD)
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._convert, name="foleyline-cuts", daemon=True)

    def __enter__(self) -> _CutPictures:
        self._thread.start()
        return self

    def add(self, frame) -> None:
        if self._failed is not None:
            raise self._failed
        self._frames.put(frame)

    def __exit__(self, *exc: object) -> None:
        self._frames.put(None)
        self._thread.join()
        if self._failed is not None and exc[0] is None:
            raise self._failed

    def _convert(self) -> None:
        while (frame := self._frames.get()) is not None:
            if self._failed is not None:
                continue  # drained: the decoding thread stops at its next frame
            try:
                if self.recorder is not None:
                    self.recorder.add(frame)
                grey = (self._scaler.reformat(frame, width=64, height=36, format="gray", **self._scaling)
                        .to_ndarray().astype(np.float32) / 255.0)
                row = np.full(_RETURN_FRAMES, np.nan, np.float32)
                for d, earlier in enumerate(self._recent):
                    row[d] = np.abs(grey - earlier).mean()
                self.distances.extend(row.tolist())
                self._recent = [grey, *self._recent[:_RETURN_FRAMES - 1]]
                if frame.time is not None:
                    self.times.append(float(frame.time))
                self.count += 1
            except BaseException as exc:  # raised in the decoding thread
                self._failed = exc


def timeline_from_video(path: Path, *, cuts: bool = True) -> otio.schema.Timeline:
    """One video track of the file's shots (the whole file with ``cuts`` False), at the file's
    frame rate, starting at its timecode (00:00:00:00 when it has none). A file at a rate that
    timecode does not count (21.5 fps, a phone's variable rate) goes on a timeline at the
    nearest sequence rate, its shots and length kept in seconds, as an NLE conforms it."""
    from foleyline.probe import SlotClock, picture_rate

    path = Path(path)
    container, stream = _probe(path)
    try:
        picture = timebase.rate_from_float(float(picture_rate(stream) or 24))
        rate = timebase.sequence_rate(picture)
        fps = float(rate.fps)
        tc = stream.metadata.get("timecode") or container.metadata.get("timecode")
        drop = bool(tc and ";" in tc) and timebase.has_drop_frame(rate)
        start = timebase.timecode_to_frames(tc, timebase.timecode_rate(rate, drop)) if tc else 0
        origin = float(stream.start_time * stream.time_base) if stream.start_time is not None else None
        distances = array("f")
        times: list[float] = []
        recorder = None
        frames = 0
        if cuts:
            stream.thread_type = "AUTO"  # FFmpeg's frame and slice threads, as the server decodes
            # Within `foleyline generate`, its server reads the shots' analysis from this decode.
            recorder = _recorder(path, container, stream)
            slots = SlotClock(container, stream)
            with _CutPictures(recorder) as pictures:
                for packet in container.demux(stream):
                    slots.sent(packet)
                    for frame in packet.decode():
                        slots.stamp(frame)
                        pictures.add(frame)
            distances, times, frames = pictures.distances, pictures.times, pictures.count
        else:
            # the length is all that is needed: the packets' timestamps say it without decoding
            for packet in container.demux(stream):
                if packet.size and packet.pts is not None and not packet.is_discard:
                    times.append(float(packet.pts * packet.time_base))
            times.sort()
            frames = int(stream.frames or len(times))
    finally:
        container.close()
    if frames == 0:
        raise MediaError(f"{path}: no picture frames could be decoded; check the file")
    bounds = [0] + (find_cuts(np.frombuffer(distances, np.float32).reshape(-1, _RETURN_FRAMES)) if cuts else []) + [frames]
    # Picture frames to timeline frames through exact seconds (the same number at a timecode rate).
    seconds = [timebase.frames_to_seconds(b, picture) for b in bounds]
    variable = _variable_rate_seconds(times, bounds, picture, origin) if len(times) == frames or not cuts else None
    bounds = sorted({timebase.to_frames(s, rate) for s in (variable or seconds)})
    if recorder is not None:  # kept for the shots the server will cut from it
        recorder.finish(shots=len(bounds) - 1)
    frames = bounds[-1]
    timeline = otio.schema.Timeline(name=path.stem, global_start_time=TC.RationalTime(start, fps))
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    available = TC.TimeRange(TC.RationalTime(start, fps), TC.RationalTime(frames, fps))
    for number, (a, b) in enumerate(zip(bounds, bounds[1:]), start=1):
        reference = otio.schema.ExternalReference(target_url=path.resolve().as_uri(), available_range=available)
        name = f"{path.stem} shot {number:03d}" if len(bounds) > 2 else path.stem
        track.append(otio.schema.Clip(name=name, media_reference=reference,
                                      source_range=TC.TimeRange(TC.RationalTime(start + a, fps), TC.RationalTime(b - a, fps))))
    timeline.tracks.append(track)
    timeline.metadata[META_KEY] = {"source_format": "video", "source_path": str(path), "drop_frame": drop}
    return timeline
