"""Frame rates, exactly: what a float rate stands for, and the one drop-frame rule.

Rates are ``fractions.Fraction`` (23.976 is 24000/1001, not a float). A float from an export
or from OTIO means the NTSC rate it lies within ``NTSC_TOLERANCE`` of; that tolerance is the
only one in the time kernel, so "is this 29.97?" has one answer everywhere.

Drop-frame timecode exists at 29.97 and 59.94 only. Whether a timeline counts it is explicit
(OTIO guesses it from the rate and would print a 29.97 non-drop "01:00:00:00" as
"01:00:03;18"); ``timecode_rate`` turns what an export claims into a rate that can honour it.
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
NTSC_TOLERANCE = 0.005
# The highest picture rate a timeline or a file may claim: the highest-speed cameras an editor
# cuts record 1000 fps; above it a rate is a header's mistake (a DV file declaring 60000 fps).
MAX_FRAME_RATE = 1000.0
# Drop-frame timecode exists for these rates only: labels dropped per minute (except each tenth).
DROP_PER_MINUTE = {Fraction(30000, 1001): 2, Fraction(60000, 1001): 4}


def round_half_up(value: Fraction) -> int:
    """The rounding rule of the time kernel: nearest integer, halves go up."""
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
        if self.drop_frame and fps not in DROP_PER_MINUTE:
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
    def timecode_base(self) -> int:
        """Frames per timecode second (the nominal rate): 24 at 23.976, 30 at 29.97."""
        if counts_timecode(self):
            return round(self.fps)
        raise InvalidInput(
            f"SMPTE timecode is not defined at {float(self.fps):g} fps; "
            "address this media in frames or seconds instead"
        )

    def frame_duration(self) -> Fraction:
        """Seconds per frame, exactly."""
        return 1 / self.fps


RateLike = Union[FrameRate, int, float, Fraction, str]


def rate_from_float(value: float, drop_frame: bool = False) -> FrameRate:
    """The exact rate a float stands for: 23.976 -> 24000/1001, 25.0 -> 25, 32.4 -> 162/5.

    NTSC rates are recognised within ``NTSC_TOLERANCE`` (so 23.98 and OTIO's
    23.976023976023978 both mean 24000/1001); other rates keep their decimal value as a fraction.
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
        if abs(value - float(ntsc)) < NTSC_TOLERANCE:
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


def has_drop_frame(rate: RateLike) -> bool:
    """Whether timecode at ``rate`` can be drop-frame: 29.97 and 59.94 (a float within
    ``NTSC_TOLERANCE`` of them included), never 23.976, 24, 25, 30, 50 or 60."""
    fps = rate.fps if isinstance(rate, FrameRate) else as_rate(rate, drop_frame=False).fps
    return fps in DROP_PER_MINUTE


# The rates an NLE sequence is set to. Picture at any other rate (a web clip at 21.5 fps, a
# phone's variable rate averaging 29.87) is conformed onto one of these, as an NLE does.
SEQUENCE_RATES = tuple(
    Fraction(n) if d == 1 else Fraction(n, d)
    for n, d in ((24, 1), (24000, 1001), (25, 1), (30, 1), (30000, 1001), (48, 1), (48000, 1001),
                 (50, 1), (60, 1), (60000, 1001), (120, 1), (120000, 1001))
)


def counts_timecode(rate: RateLike) -> bool:
    """Whether SMPTE timecode is defined at ``rate``: whole-number and N*1000/1001 rates."""
    fps = rate.fps if isinstance(rate, FrameRate) else as_rate(rate).fps
    return fps.denominator in (1, 1001)


def sequence_rate(rate: RateLike) -> FrameRate:
    """The timeline rate for picture at ``rate``: the rate itself where timecode counts at it,
    else the nearest of ``SEQUENCE_RATES`` (by ratio; a tie goes to the whole-number rate)."""
    fr = rate if isinstance(rate, FrameRate) else as_rate(rate)
    if counts_timecode(fr):
        return FrameRate(fr.fps)
    return FrameRate(min(SEQUENCE_RATES, key=lambda r: abs(math.log(r / fr.fps))))


def timecode_rate(rate: RateLike, drop_frame: bool = False) -> FrameRate:
    """The rate timecode labels are counted at: drop-frame when a timeline (or an editor typing
    ';') says so and the rate has drop-frame timecode, non-drop otherwise. An export claiming
    drop-frame at 25 fps means non-drop, as every NLE reads it."""
    fps = rate.fps if isinstance(rate, FrameRate) else as_rate(rate, drop_frame=False).fps
    return FrameRate(fps, bool(drop_frame) and fps in DROP_PER_MINUTE)
