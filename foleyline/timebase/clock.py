"""Time as frames, seconds, samples and SMPTE timecode labels, converted exactly.

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
from fractions import Fraction
from typing import Union

from foleyline.errors import InvalidInput
from foleyline.timebase.rates import (
    DROP_PER_MINUTE,
    FrameRate,
    RateLike,
    RationalTime,
    as_rate,
    rate_from_float,
    round_half_up,
)

# Every WAV Foleyline writes is at this rate; engines at other rates are resampled to it.
OUTPUT_SAMPLE_RATE = 48000
_SECONDS_PER_DAY = 24 * 3600

TimeLike = Union[RationalTime, float, int, Fraction]


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
    return DROP_PER_MINUTE[rate.fps] if rate.drop_frame else 0


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


def samples_since_midnight(when: str | TimeLike, rate: RateLike | None = None, sample_rate: int = OUTPUT_SAMPLE_RATE) -> int:
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
