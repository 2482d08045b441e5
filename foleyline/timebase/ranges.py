"""Ranges of media time: handles, container seconds and samples, and where a shot starts in
its media file.

A shot's source range is in *media time*: the media's own start timecode counted in (an
export of a clip whose file starts at 01:00:00:00 says the shot starts at 01:00:02:00, not at
2 s). ``media_start`` is the one rule that finds where the file's first frame sits in that
time; the server decodes from it and the panel previews from it, so both show the same frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from foleyline.errors import InvalidInput
from foleyline.timebase.clock import (
    TimeLike,
    frames_to_time,
    from_timecode,
    seconds_to_samples,
    to_frames,
    to_seconds,
)
from foleyline.timebase.rates import (FrameRate, RationalTime, TimeRange, counts_timecode, rate_from_float, rate_of,
                                      timecode_rate)

# Frames of media kept either side of a shot in its audio, for trims and crossfades.
DEFAULT_HANDLE_FRAMES = 12
# A shot may end this many frames past the file's last picture (container durations are
# approximate; the last picture is held). Beyond it, the file is shorter than the media the
# shot was cut from.
END_SLACK_FRAMES = 2


def media_seconds(source_time: TimeLike, media_start: TimeLike | None = None) -> float:
    """Container seconds of a media time: seconds from the media's first frame.

    ``source_time`` and ``media_start`` are in media time (the media's start timecode counted
    in, e.g. OTIO's ``available_range().start_time``); rates may differ, conversion is exact.
    """
    seconds = to_seconds(source_time)
    if media_start is not None:
        seconds -= to_seconds(media_start)
    return float(seconds)


@dataclass(frozen=True)
class HandledRange:
    """A source range widened by handles, clamped to the available media."""

    range: TimeRange           # the widened range, at the original range's rate
    head_frames: int           # handle frames actually added before the shot
    tail_frames: int           # handle frames actually added after the shot


def add_handles(
    source_range: TimeRange,
    head_frames: int = DEFAULT_HANDLE_FRAMES,
    tail_frames: int = DEFAULT_HANDLE_FRAMES,
    available_range: TimeRange | None = None,
) -> HandledRange:
    """Widen a range by handles (in frames at its rate), clamped to the available media."""
    if head_frames < 0 or tail_frames < 0:
        raise InvalidInput(f"handles cannot be negative (head {head_frames}, tail {tail_frames})")
    fr = rate_of(source_range)
    start = to_frames(source_range.start_time, fr)
    duration = to_frames(source_range.duration, fr)
    if duration <= 0:
        raise InvalidInput(f"the source range {source_range} is empty")
    head, tail = int(head_frames), int(tail_frames)
    if available_range is not None:
        first = to_frames(available_range.start_time, fr, rounding="ceil")
        end = to_frames(available_range.end_time_exclusive(), fr, rounding="floor")
        head = max(0, min(head, start - first))
        tail = max(0, min(tail, end - (start + duration)))
    widened = TimeRange(frames_to_time(start - head, fr), frames_to_time(duration + head + tail, fr))
    return HandledRange(widened, head, tail)


def range_to_seconds(source_range: TimeRange, media_start: TimeLike | None = None) -> tuple[float, float]:
    """(start seconds from the media's first frame, duration seconds) of a media range."""
    return (
        media_seconds(source_range.start_time, media_start),
        float(to_seconds(source_range.duration)),
    )


def range_to_samples(source_range: TimeRange, sample_rate: int, media_start: TimeLike | None = None) -> tuple[int, int]:
    """(first sample, sample count) of a media range; the count is taken from the exact
    end minus the exact start so adjacent ranges tile without gaps or overlaps."""
    start = to_seconds(source_range.start_time)
    if media_start is not None:
        start -= to_seconds(media_start)
    end = start + to_seconds(source_range.duration)
    first = seconds_to_samples(start, sample_rate)
    return first, seconds_to_samples(end, sample_rate) - first


# ---------------------------------------------------------------------------------------------
# Where a shot lies in its media file


@dataclass(frozen=True)
class MediaClock:
    """What a media file says of its own time: how long its picture lasts, the timecode of its
    first frame (None when it carries none), and the picture's frame rate, which counts that
    timecode (None when unknown)."""

    duration_s: float
    timecode: str | None = None
    rate: float | None = None


@dataclass(frozen=True)
class MediaSpan:
    """A stretch of a media file: ``start`` seconds from its first frame, ``duration`` long."""

    start: float
    duration: float

    @property
    def end(self) -> float:
        return self.start + self.duration


def media_start(
    source_range: TimeRange, available_range: TimeRange | None = None, media: MediaClock | None = None
) -> RationalTime:
    """The media time of the media file's first frame: what the source range counts from.

    - The export's available range, when it gave one: its start is the file's start timecode.
    - Else the file's own start timecode, when the source range starts beyond the file counted
      from zero (an EDL counts in the media's timecode without saying where the file starts).
    - Else zero: the source range is container time, as exports of untimecoded media write.

    The timecode is counted at the media's own rate (:func:`timecode_count_rate`), drop-frame
    when written with ';'.
    """
    if available_range is not None:
        return available_range.start_time
    zero = RationalTime(0, source_range.start_time.rate)
    if media is None or not media.timecode or to_seconds(source_range.start_time) < Fraction(media.duration_s):
        return zero
    drop = ";" in media.timecode or "," in media.timecode
    return from_timecode(media.timecode, timecode_rate(timecode_count_rate(media, rate_of(source_range)), drop))


def timecode_count_rate(media: MediaClock, source_rate: FrameRate) -> FrameRate:
    """The rate a media file's start timecode counts frames at: its picture's own.

    01:00:00:00 on a 23.976 camera file is frame 86,400 at 23.976 (3603.6 s); read at a 25 fps
    timeline's rate it would be 3600 s, and a shot without an available range landed 3.6 s
    late in its file (or past its end). Where the picture's rate is a whole multiple of the
    source range's (50p in a 25 timeline, 59.94 in 29.97) the camera commonly counts its
    timecode at the lower rate, the source's: read there, as before, unless its frames field
    is one the lower rate has not (01:00:00;45 counts at 59.94). Unknown, or a rate no
    timecode counts (a phone's variable rate averaged): the source's."""
    if media.rate is None:
        return source_rate
    own = rate_from_float(media.rate)
    if not counts_timecode(own):
        return source_rate
    ratio = own.fps / source_rate.fps
    frames_field = int(media.timecode[-2:]) if media.timecode and media.timecode[-2:].isdigit() else 0
    if ratio.denominator == 1 and frames_field < source_rate.timecode_base:
        return source_rate  # the same rate, or a whole multiple whose label the source's rate counts
    return own


def shot_media_span(
    source_range: TimeRange, available_range: TimeRange | None = None, media: MediaClock | None = None
) -> MediaSpan:
    """The part of the media file a shot shows (handles excluded), by the ``media_start`` rule."""
    start = media_start(source_range, available_range, media)
    return MediaSpan(media_seconds(source_range.start_time, start), float(to_seconds(source_range.duration)))
