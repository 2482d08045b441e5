"""A shot: one picture clip of the editor's timeline, as Foleyline needs it.

Times are OTIO ``RationalTime``/``TimeRange`` values at the *timeline* rate:

- ``source_range``: the media span the shot shows, in media time (the media's own start
  timecode included), as the export gives it.
- ``record_range``: where the shot sits in the timeline, in *record timecode* (the timeline's
  global start time included, so 01:00:00:00 is where a sequence starting at 1h begins). The
  write-back subtracts the global start again when it places clips on tracks.
- ``available_range``: the media's whole span when the export knows it; it clamps handles.

The shot id is stable across re-exports of the same edit (see :func:`stable_shot_id`).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from foleyline import timebase
from foleyline.errors import MediaError
from foleyline.probe import probe
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.timebase import MediaClock, MediaSpan
from foleyline.timebase.proto import range_to_proto

__all__ = ["Shot", "stable_shot_id", "frames_at", "frame_rate", "media_span", "shot_to_proto"]


@dataclass(frozen=True)
class Shot:
    id: str
    name: str
    media_path: Path | None
    source_range: otio.opentime.TimeRange
    record_range: otio.opentime.TimeRange
    available_range: otio.opentime.TimeRange | None
    rate: float
    drop_frame: bool
    track_index: int  # 1-based among the timeline's video tracks (V1 = 1)
    missing_reason: str | None = None  # why the media cannot be used; None when it can
    # record frames a dissolve with the shot before / after shows this shot's picture past its cut:
    # what its take's handles must cover for the editor's crossfade to have its sound
    dissolved: tuple[int, int] = (0, 0)

    @property
    def record_in_frame(self) -> int:
        return _frames(self.record_range.start_time, self.rate)

    @property
    def duration_frames(self) -> int:
        return _frames(self.record_range.duration, self.rate)

    def timecode(self, time: otio.opentime.RationalTime) -> str:
        """``time`` as this shot's timeline counts timecode (its rate and drop-frame flag)."""
        return timebase.to_timecode(time, frame_rate(self.rate, self.drop_frame))

    def record_timecode(self) -> str:
        """Where the shot starts in the edit, as the editor reads it ("01:00:10:00")."""
        return self.timecode(self.record_range.start_time)

    def source_timecode(self) -> str:
        """The first frame of the shot in its media's own timecode (the media's start included)."""
        return self.timecode(self.source_range.start_time)


def frames_at(time: otio.opentime.RationalTime, rate: float) -> int:
    """Whole frames of ``time`` at ``rate``. Rounded by foleyline.timebase's rule, not
    truncated: 29.97 vs 30000/1001 and float exports must give the same frame. A whole value
    already at ``rate`` is returned as it is (the common case; exact, and cheap for long edits)."""
    value = time.value
    if time.rate == rate and value == int(value):
        return int(value)
    return timebase.to_frames(time, rate)


_frames = frames_at


@functools.lru_cache(maxsize=64)
def frame_rate(rate: float, drop_frame: bool = False) -> timebase.FrameRate:
    """The exact FrameRate of an OTIO float rate (cached: rates repeat on every clip)."""
    return timebase.as_rate(rate, drop_frame)


def stable_shot_id(
    media_identity: str,
    source_range: otio.opentime.TimeRange,
    record_start: otio.opentime.RationalTime,
    track_index: int,
    rate: float,
) -> str:
    """An id that survives re-export of the same edit.

    The hash covers what an NLE keeps when it writes the same edit again, in any format:
    the media's identity (its file name, case-folded, without the folder: paths change between
    machines and exports, names do not; the clip name when there is no file), the source range
    and the record start in whole frames at the timeline rate (frame numbers, not floats, so
    29.97 and 30000/1001 agree) and the video track. What it leaves out on purpose: clip names
    (editors rename), export-specific ids (AAF mob ids, XML ids change on every export) and the
    folder of the media. A changed edit (trimmed, moved, other track) is a new shot.
    """
    parts = (
        media_identity.casefold(),
        str(_frames(source_range.start_time, rate)),
        str(_frames(source_range.duration, rate)),
        str(_frames(record_start, rate)),
        str(int(track_index)),
    )
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"shot-{digest[:16]}"


def shot_to_proto(shot: Shot) -> pb.Shot:
    """The request form of a shot. Notes are left unset: the caller adds them (or the server
    drafts them). A shot with missing media is still converted; the server refuses it with a
    message naming the shot, which is where the editor sees it."""
    message = pb.Shot(
        id=shot.id,
        name=shot.name,
        source_range=range_to_proto(shot.source_range),
        record_range=range_to_proto(shot.record_range),
        rate=float(shot.rate),
        drop_frame=bool(shot.drop_frame),
    )
    if shot.media_path is not None:
        message.media.path = str(shot.media_path)
    if shot.available_range is not None:
        message.available_range.CopyFrom(range_to_proto(shot.available_range))
    return message


def media_span(shot: Shot) -> MediaSpan:
    """The part of the media file the shot shows, in container seconds: where the panel's
    viewer seeks and what a preview decodes.

    The same rule the server decodes by (``foleyline.timebase.media_start``): the export's
    available range when it gave one, else the file's own start timecode when the source range
    lies beyond the file counted from zero, else container time."""
    clock = None
    if shot.available_range is None and shot.media_path is not None:
        clock = _media_clock(shot.media_path)
    span = timebase.shot_media_span(shot.source_range, shot.available_range, clock)
    return MediaSpan(max(0.0, span.start), span.duration)


def _media_clock(path: Path) -> MediaClock | None:
    try:
        return probe(path).clock  # read once per version of the file (probe keeps what it read)
    except (OSError, MediaError):
        return None  # unreadable media: count from zero; the server names the problem
