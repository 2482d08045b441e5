"""The time kernel: the one place where time is converted. Everything here is exact.

    rates    FrameRate, what a float rate stands for, the one drop-frame rule
    clock    frames, seconds, samples and SMPTE timecode labels; the output sample rate
    ranges   handles, ranges in container seconds and samples, where a shot starts in its media
    proto    time ranges to and from the API's messages (imported on its own: it needs the stubs)

A shot's time takes these forms on its way: an OTIO ``TimeRange`` at the timeline rate (the
client's ``Shot``, the server's ``ShotRequest`` and ``Take``), a ``foleyline.v1.TimeRange`` on
the wire (``timebase.proto``), a ``ShotTiming`` on the server (container seconds to decode,
samples to write, the BWF time stamp: ``foleyline.server.shot_timing``) and the engine's
``ShotInput`` (seconds from the first audio sample).
"""

from foleyline.timebase.clock import (
    OUTPUT_SAMPLE_RATE,
    TimeLike,
    frames_to_seconds,
    frames_to_time,
    frames_to_timecode,
    from_timecode,
    samples_since_midnight,
    samples_to_seconds,
    seconds_to_samples,
    timecode_to_frames,
    to_frames,
    to_seconds,
    to_timecode,
)
from foleyline.timebase.ranges import (
    DEFAULT_HANDLE_FRAMES,
    END_SLACK_FRAMES,
    HandledRange,
    MediaClock,
    MediaSpan,
    add_handles,
    media_seconds,
    media_start,
    range_to_samples,
    range_to_seconds,
    shot_media_span,
    timecode_count_rate,
)
from foleyline.timebase.rates import (
    MAX_FRAME_RATE,
    NTSC_TOLERANCE,
    SEQUENCE_RATES,
    FrameRate,
    RateLike,
    RationalTime,
    TimeRange,
    as_rate,
    counts_timecode,
    has_drop_frame,
    rate_from_float,
    rate_of,
    round_half_up,
    sequence_rate,
    timecode_rate,
)

__all__ = [
    "DEFAULT_HANDLE_FRAMES",
    "END_SLACK_FRAMES",
    "MAX_FRAME_RATE",
    "NTSC_TOLERANCE",
    "OUTPUT_SAMPLE_RATE",
    "SEQUENCE_RATES",
    "FrameRate",
    "HandledRange",
    "MediaClock",
    "MediaSpan",
    "timecode_count_rate",
    "RateLike",
    "RationalTime",
    "TimeLike",
    "TimeRange",
    "add_handles",
    "as_rate",
    "counts_timecode",
    "frames_to_seconds",
    "frames_to_time",
    "frames_to_timecode",
    "from_timecode",
    "has_drop_frame",
    "media_seconds",
    "media_start",
    "range_to_samples",
    "range_to_seconds",
    "rate_from_float",
    "rate_of",
    "round_half_up",
    "samples_since_midnight",
    "samples_to_seconds",
    "seconds_to_samples",
    "sequence_rate",
    "shot_media_span",
    "timecode_rate",
    "timecode_to_frames",
    "to_frames",
    "to_seconds",
    "to_timecode",
]
