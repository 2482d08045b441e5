"""The one place where time is converted: rates, SMPTE timecode, frames, seconds and samples.

Everything here is exact. Frame rates are ``fractions.Fraction`` (23.976 is 24000/1001, not a
float), and the drop-frame flag is explicit: OTIO guesses it from the rate and would print a
29.97 non-drop "01:00:00:00" as "01:00:03;18"; here a rate is drop-frame only when told so.

Vocabulary::

    timecode  "HH:MM:SS:FF" (";" before FF for drop-frame), a *label* counted at the nominal
              rate (24 for 23.976, 30 for 29.97)
    frames    frames since 00:00:00:00 (drop-frame labels skipped), one frame per 1/fps second
    seconds   real seconds: frames / fps, computed at the real (not nominal) rate
    samples   real seconds * sample rate

So 01:00:02:00 at 23.976 is frame 86,448, which is 3,605.6 real seconds, which is 173,068,896
samples at 48 kHz: a Broadcast WAV's TimeReference for that timecode.

Rounding rule, everywhere: exact rational arithmetic, then round to the nearest integer with
halves rounded up (towards +infinity). Never truncation of a float.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from numbers import Rational
from typing import Union

import opentimelineio as otio

from foleyline.errors import InvalidInput

RationalTime = otio.opentime.RationalTime
TimeRange = otio.opentime.TimeRange

# Rates that are "N * 1000/1001" by convention. A float within this distance of one of them
# (23.976, 23.98, 29.97, 59.94, 23.976023976...) means that exact rational rate.
_NTSC_BASES = (24, 30, 48, 60, 120)
_SNAP_TOLERANCE = 0.005
# Drop-frame timecode exists for these rates only: labels dropped per minute (except each tenth).
_DROP_PER_MINUTE = {Fraction(30000, 1001): 2, Fraction(60000, 1001): 4}
_SECONDS_PER_DAY = 24 * 3600


def round_half_up(value: Fraction) -> int:
    """The rounding rule of this module: nearest integer, halves go up."""
    return math.floor(value + Fraction(1, 2))


@dataclass(frozen=True)
class FrameRate:
    """A frame rate: exact frames per second plus the drop-frame timecode flag.

    >>> FrameRate(Fraction(30000, 1001), drop_frame=True)
    FrameRate(29.97 DF)
    """

    fps: Fraction
    drop_frame: bool = False

    def __post_init__(self) -> None:
        fps = self.fps
        if not isinstance(fps, Fraction):
            if isinstance(fps, bool):
                raise InvalidInput(f"a frame rate must be a number, got {fps!r}")
            if isinstance(fps, (int, Rational)):
                fps = Fraction(fps)
            elif isinstance(fps, float):
                fps = rate_from_float(fps).fps  # 23.976 means 24000/1001, as everywhere here
            else:
                raise InvalidInput(f"a frame rate must be a number, got {fps!r}")
            object.__setattr__(self, "fps", fps)
        if fps <= 0:
            raise InvalidInput(f"a frame rate must be positive, got {fps}")
        if self.drop_frame and fps not in _DROP_PER_MINUTE:
            raise InvalidInput(
                f"drop-frame timecode exists only at 29.97 and 59.94 fps, not at {float(fps):g}; "
                "use drop_frame=False"
            )

    def __repr__(self) -> str:
        return f"FrameRate({self.label})"

    def __float__(self) -> float:
        return float(self.fps)

    @property
    def label(self) -> str:
        """Human form: "23.976", "29.97 DF", "25"."""
        text = f"{float(self.fps):.3f}".rstrip("0").rstrip(".")
        return text + (" DF" if self.drop_frame else "")

    @property
    def is_ntsc(self) -> bool:
        """True for the N*1000/1001 family (23.976, 29.97, 59.94 ...)."""
        return self.fps.denominator == 1001

    @property
    def timecode_base(self) -> int:
        """Frames per timecode second (the nominal rate): 24 at 23.976, 30 at 29.97."""
        if self.fps.denominator == 1:
            return int(self.fps)
        if self.is_ntsc:
            return round(self.fps)
        raise InvalidInput(
            f"SMPTE timecode is not defined at {float(self.fps):g} fps; "
            "address this media in frames or seconds instead"
        )

    def frame_duration(self) -> Fraction:
        """Seconds per frame, exactly."""
        return 1 / self.fps


RateLike = Union[FrameRate, int, float, Fraction, str]
TimeLike = Union[RationalTime, float, int, Fraction]


def rate_from_float(value: float, drop_frame: bool = False) -> FrameRate:
    """The exact rate a float stands for: 23.976 -> 24000/1001, 25.0 -> 25, 32.4 -> 162/5.

    NTSC rates are recognised within 0.005 fps (so 23.98 and OTIO's 23.976023976023978 both mean
    24000/1001); other rates keep their decimal value as a fraction.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise InvalidInput(f"a frame rate must be a number, got {value!r}")
    if isinstance(value, Fraction):
        return FrameRate(value, drop_frame)
    if not math.isfinite(value) or value <= 0:
        raise InvalidInput(f"a frame rate must be a positive finite number, got {value!r}")
    nearest = round(value)
    if abs(value - nearest) < 1e-6:
        return FrameRate(Fraction(nearest), drop_frame)
    for base in _NTSC_BASES:
        ntsc = Fraction(base * 1000, 1001)
        if abs(value - float(ntsc)) < _SNAP_TOLERANCE:
            return FrameRate(ntsc, drop_frame)
    # Odd rates (15.0, 19.62, 32.4 ...): the shortest fraction that reproduces the float.
    for limit in (1000, 1_000_000):
        candidate = Fraction(value).limit_denominator(limit)
        if abs(float(candidate) - value) <= 1e-9 * value:
            return FrameRate(candidate, drop_frame)
    return FrameRate(Fraction(value), drop_frame)


_RATE_TEXT = re.compile(r"^\s*([0-9.]+)(?:\s*/\s*([0-9]+))?\s*(DF|NDF)?\s*$", re.IGNORECASE)


def as_rate(rate: RateLike, drop_frame: bool | None = None) -> FrameRate:
    """Coerce what callers have to a FrameRate.

    Accepts a FrameRate, a number (see ``rate_from_float``), or text such as "25", "23.976",
    "29.97 DF", "30000/1001 NDF". ``drop_frame`` (when not None) overrides the flag.
    """
    if isinstance(rate, FrameRate):
        result = rate
    elif isinstance(rate, str):
        match = _RATE_TEXT.match(rate)
        if not match:
            raise InvalidInput(
                f"cannot read the frame rate {rate!r}; write e.g. '25', '23.976', '29.97 DF' or '30000/1001'"
            )
        number, denominator, flag = match.groups()
        try:
            if denominator:
                result = FrameRate(Fraction(int(number), int(denominator)))
            else:
                result = rate_from_float(float(number))
        except ValueError as exc:
            raise InvalidInput(f"cannot read the frame rate {rate!r}: {exc}") from None
        if flag:
            result = FrameRate(result.fps, flag.upper() == "DF")
    else:
        result = rate_from_float(rate)
    if drop_frame is not None and drop_frame != result.drop_frame:
        result = FrameRate(result.fps, drop_frame)
    return result


def rate_of(time: RationalTime | TimeRange, drop_frame: bool = False) -> FrameRate:
    """The exact rate of an OTIO time (whose rate is a float)."""
    rt = time.start_time if isinstance(time, TimeRange) else time
    return rate_from_float(rt.rate, drop_frame)


def to_seconds(time: TimeLike) -> Fraction:
    """Exact seconds of a RationalTime (rate snapped by ``rate_from_float``) or of a number."""
    if isinstance(time, RationalTime):
        return Fraction(time.value) / rate_from_float(time.rate).fps
    if isinstance(time, bool) or not isinstance(time, (int, float, Fraction)):
        raise InvalidInput(f"expected a time (RationalTime or seconds), got {time!r}")
    if isinstance(time, float) and not math.isfinite(time):
        raise InvalidInput(f"a time must be finite, got {time!r}")
    return Fraction(time)


# ---------------------------------------------------------------------------------------------
# Frames


def to_frames(time: TimeLike, rate: RateLike, *, rounding: str = "nearest") -> int:
    """Frame count at ``rate`` of a time (RationalTime at any rate, or seconds).

    ``rounding``: "nearest" (halves up; a RationalTime already at ``rate`` is returned exactly),
    "floor" (the frame on screen at that instant) or "ceil" (the first frame starting at or
    after it).
    """
    fr = as_rate(rate)
    frames = to_seconds(time) * fr.fps
    if rounding == "nearest":
        return round_half_up(frames)
    if rounding == "floor":
        return math.floor(frames)
    if rounding == "ceil":
        return math.ceil(frames)
    raise InvalidInput(f"rounding must be 'nearest', 'floor' or 'ceil', got {rounding!r}")


def frames_to_time(frames: int, rate: RateLike) -> RationalTime:
    """An OTIO RationalTime of ``frames`` frames at ``rate`` (OTIO stores the rate as a float)."""
    return RationalTime(int(frames), float(as_rate(rate).fps))


def frames_to_seconds(frames: int, rate: RateLike) -> Fraction:
    return Fraction(int(frames)) / as_rate(rate).fps


def seconds_to_samples(seconds: TimeLike, sample_rate: int) -> int:
    """Sample index of a time: exact seconds * rate, nearest integer, halves up."""
    if sample_rate <= 0:
        raise InvalidInput(f"a sample rate must be positive, got {sample_rate}")
    return round_half_up(to_seconds(seconds) * int(sample_rate))


def samples_to_seconds(samples: int, sample_rate: int) -> Fraction:
    return Fraction(int(samples), int(sample_rate))


# ---------------------------------------------------------------------------------------------
# SMPTE timecode

_TIMECODE = re.compile(r"^\s*(-)?(\d{1,2})[:;.](\d{2})[:;.](\d{2})([:;.,])(\d{2,3})\s*$")


def _drop_per_minute(rate: FrameRate) -> int:
    return _DROP_PER_MINUTE[rate.fps] if rate.drop_frame else 0


def timecode_to_frames(timecode: str, rate: RateLike) -> int:
    """Frames since 00:00:00:00 of a timecode label at ``rate``.

    The drop-frame flag comes from ``rate`` (explicit), never from the separator: a ";" with a
    non-drop rate is an error rather than a silent guess.
    """
    fr = as_rate(rate)
    match = _TIMECODE.match(timecode) if isinstance(timecode, str) else None
    if not match:
        raise InvalidInput(f"{timecode!r} is not a timecode; write HH:MM:SS:FF (HH:MM:SS;FF for drop-frame)")
    negative, hh, mm, ss, sep, ff = match.groups()
    hours, minutes, secs, frames = int(hh), int(mm), int(ss), int(ff)
    base = fr.timecode_base
    if sep in ";," and not fr.drop_frame:
        raise InvalidInput(
            f"timecode {timecode!r} is written drop-frame (';') but the rate {fr.label} is non-drop; "
            "pass a drop-frame rate (e.g. '29.97 DF') or write ':'"
        )
    if minutes > 59 or secs > 59 or frames >= base:
        raise InvalidInput(f"timecode {timecode!r} is out of range at {fr.label} (frames 0..{base - 1})")
    drop = _drop_per_minute(fr)
    if drop and secs == 0 and frames < drop and minutes % 10 != 0:
        raise InvalidInput(
            f"timecode {timecode!r} does not exist in {fr.label}: frames 00..{drop - 1:02d} are dropped "
            "at the start of every minute except each tenth"
        )
    total_minutes = hours * 60 + minutes
    count = (total_minutes * 60 + secs) * base + frames - drop * (total_minutes - total_minutes // 10)
    return -count if negative else count


def frames_to_timecode(frames: int, rate: RateLike) -> str:
    """The timecode label of a frame count (wraps at 24 hours, like a timecode clock)."""
    fr = as_rate(rate)
    base = fr.timecode_base
    drop = _drop_per_minute(fr)
    per_day = _SECONDS_PER_DAY * base
    if drop:
        per_ten_minutes = 600 * base - 9 * drop
        per_day = 144 * per_ten_minutes
    count = int(frames) % per_day
    if drop:
        per_minute = 60 * base - drop
        tens, rest = divmod(count, per_ten_minutes)
        # The first minute of each ten keeps all its labels; the other nine skip `drop` each.
        skipped = 9 * drop * tens + (drop * ((rest - drop) // per_minute) if rest >= drop else 0)
        count += skipped
    ff = count % base
    total_seconds = count // base
    sep = ";" if drop else ":"
    return (
        f"{total_seconds // 3600:02d}:{total_seconds // 60 % 60:02d}:{total_seconds % 60:02d}{sep}{ff:02d}"
    )


def from_timecode(timecode: str, rate: RateLike) -> RationalTime:
    """A timecode label as an OTIO RationalTime (value = frames since midnight)."""
    fr = as_rate(rate)
    return frames_to_time(timecode_to_frames(timecode, fr), fr)


def to_timecode(time: TimeLike, rate: RateLike) -> str:
    """The timecode label at ``rate`` of a RationalTime or of seconds since midnight."""
    fr = as_rate(rate)
    return frames_to_timecode(to_frames(time, fr), fr)


def samples_since_midnight(when: str | TimeLike, rate: RateLike | None = None, sample_rate: int = 48000) -> int:
    """Broadcast WAV TimeReference: samples since midnight at the real rate.

    ``when`` is a timecode label (``rate`` required), a RationalTime (value = frames since
    midnight at its own rate; ``rate``, when it is that same rate, supplies the exact fraction)
    or seconds since midnight.
    01:00:02:00 at 23.976 -> 173,068,896 at 48 kHz.
    """
    if isinstance(when, str):
        if rate is None:
            raise InvalidInput(f"a frame rate is needed to read the timecode {when!r}")
        fr = as_rate(rate)
        seconds = Fraction(timecode_to_frames(when, fr)) / fr.fps
    elif isinstance(when, RationalTime) and rate is not None and abs(float(as_rate(rate).fps) - when.rate) < 1e-6 * when.rate:
        # The caller's exact rate for this RationalTime's float rate (e.g. an odd rate that
        # snapping would not recover). A time at another rate is converted from its own.
        seconds = Fraction(when.value) / as_rate(rate).fps
    else:
        seconds = to_seconds(when)
    samples = seconds_to_samples(seconds, sample_rate)
    if samples < 0:
        # A handle reaching before midnight: the clock wraps (TimeReference is unsigned).
        samples %= _SECONDS_PER_DAY * int(sample_rate)
    return samples


# ---------------------------------------------------------------------------------------------
# Ranges and media time


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
    head_frames: int = 12,
    tail_frames: int = 12,
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


__all__ = [
    "FrameRate",
    "HandledRange",
    "RationalTime",
    "TimeRange",
    "add_handles",
    "as_rate",
    "frames_to_seconds",
    "frames_to_time",
    "frames_to_timecode",
    "from_timecode",
    "media_seconds",
    "range_to_samples",
    "range_to_seconds",
    "rate_from_float",
    "rate_of",
    "round_half_up",
    "samples_since_midnight",
    "samples_to_seconds",
    "seconds_to_samples",
    "timecode_to_frames",
    "to_frames",
    "to_seconds",
    "to_timecode",
]
