"""Time ranges as the API carries them (``foleyline.v1.TimeRange``): value and rate for the
start and for the duration, as OTIO holds them. The client sends shots through this and the
server reads them and answers takes through it: one conversion each way."""

from __future__ import annotations

from foleyline.errors import InvalidInput
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.timebase.rates import RationalTime, TimeRange


def range_to_proto(time_range: TimeRange) -> pb.TimeRange:
    return pb.TimeRange(
        start_time=pb.RationalTime(value=time_range.start_time.value, rate=time_range.start_time.rate),
        duration=pb.RationalTime(value=time_range.duration.value, rate=time_range.duration.rate),
    )


def range_from_proto(message: pb.TimeRange) -> TimeRange:
    """The range at its start's rate (a duration sent at another rate is converted to it)."""
    rate = message.start_time.rate or message.duration.rate
    if rate <= 0:
        raise InvalidInput("a time range has no rate; send value and rate for its start and duration")
    duration = message.duration.value
    if message.duration.rate and message.duration.rate != rate:
        duration = duration * rate / message.duration.rate
    return TimeRange(RationalTime(message.start_time.value, rate), RationalTime(duration, rate))


__all__ = ["range_from_proto", "range_to_proto"]
