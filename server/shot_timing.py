"""Where a shot's audio lies: in its media file (what to decode) and in record time (where its
WAV sits and what its Broadcast WAV time stamp says), handles included.

    ShotRequest ranges (OTIO, timeline rate)
      -> media_start: where the file's first frame sits in media time (timebase's one rule)
      -> the source range widened by handles, clamped to the media that exists
      -> ShotTiming: container seconds to decode, samples to write, the first sample's
         record time as samples since midnight
"""

from __future__ import annotations

from dataclasses import dataclass

from foleyline import timebase
from foleyline.errors import InvalidInput, MediaError
from foleyline.server.records import ShotRequest
from foleyline.timebase import OUTPUT_SAMPLE_RATE, MediaClock, RationalTime, TimeRange


@dataclass(frozen=True)
class ShotTiming:
    """A shot's audio, handles included: where it lies in the media and in record time."""

    media_start_s: float        # container seconds of the first audio sample
    duration_s: float           # seconds of audio, handles included
    head_frames: int
    tail_frames: int
    head_s: float               # seconds of head handle
    shot_duration_s: float      # the shot itself, handles excluded
    audio_range: TimeRange      # media range the audio covers (timeline rate)
    samples: int                # at the output sample rate
    time_reference: int         # BWF TimeReference: samples since midnight of the first sample

    @property
    def head_samples(self) -> int:
        return timebase.seconds_to_samples(self.head_s, OUTPUT_SAMPLE_RATE)

    @property
    def tail_samples(self) -> int:
        rate = timebase.rate_of(self.audio_range)
        return timebase.seconds_to_samples(timebase.frames_to_seconds(self.tail_frames, rate), OUTPUT_SAMPLE_RATE)


def _clamped_to_file(available: TimeRange, media: MediaClock | None) -> TimeRange:
    """Exports can claim more media than the file holds: the file wins."""
    if media is None:
        return available
    start = available.start_time
    start_s = float(timebase.to_seconds(start))
    end_s = min(float(timebase.to_seconds(available.end_time_exclusive())), start_s + media.duration_s)
    return TimeRange(start, RationalTime((end_s - start_s) * start.rate, start.rate))


def shot_timing(shot: ShotRequest, handle_frames: int, media: MediaClock | None,
                media_name: str | None = None) -> ShotTiming:
    """The shot's range widened by handles, clamped to the media that exists.

    ``media``: what the file says of its own time (None when unknown: nothing is clamped to the
    file, and the source range counts from the available range's start or from zero);
    ``media_name``: the file's name, for the message when the shot lies outside it."""
    label = shot.name or shot.id
    # Frames count real frames here; the drop-frame flag only matters for timecode labels.
    rate = timebase.rate_from_float(shot.rate)
    source = shot.source_range
    if timebase.to_frames(source.duration, rate) <= 0:
        raise InvalidInput(f"shot {label} has zero length (source range {source}); trim it to at least one frame or leave it out")
    media_start = timebase.media_start(source, shot.available_range, media)
    if shot.available_range is not None:
        available = _clamped_to_file(shot.available_range, media)
    elif media is not None:
        available = TimeRange(media_start, RationalTime(media.duration_s * source.start_time.rate, source.start_time.rate))
    else:
        available = None
    shot_start_s = timebase.media_seconds(source.start_time, media_start)
    media_duration_s = media.duration_s if media is not None else None
    if shot_start_s < -1e-6 or (media_duration_s is not None and shot_start_s >= media_duration_s):
        raise MediaError(_outside_its_media(shot, media_start, media, media_name))
    if media is not None:
        slack_s = timebase.END_SLACK_FRAMES / (media.rate or float(rate.fps))
        if timebase.media_seconds(source.end_time_exclusive(), media_start) > media_duration_s + slack_s:
            raise MediaError(_past_its_media(shot, media_start, media, media_name))
    # no audio before 00:00:00:00: a Broadcast WAV's TimeReference counts samples since midnight
    head_frames = max(0, min(handle_frames, timebase.to_frames(shot.record_range.start_time, rate)))
    handled = timebase.add_handles(source, head_frames, handle_frames, available)
    start_s, duration_s = timebase.range_to_seconds(handled.range, media_start)
    head_s = float(timebase.frames_to_seconds(handled.head_frames, timebase.rate_of(source)))
    first_record_frame = timebase.to_frames(shot.record_range.start_time, rate) - handled.head_frames
    time_reference = timebase.samples_since_midnight(timebase.frames_to_time(first_record_frame, rate), rate, OUTPUT_SAMPLE_RATE)
    _first, samples = timebase.range_to_samples(handled.range, OUTPUT_SAMPLE_RATE, media_start)
    shot_s = float(timebase.to_seconds(source.duration))
    return ShotTiming(start_s, duration_s, handled.head_frames, handled.tail_frames, head_s, shot_s, handled.range, samples, time_reference)


def _outside_its_media(shot: ShotRequest, media_start: RationalTime, media: MediaClock | None,
                       media_name: str | None) -> str:
    """Why a shot's source range lies outside its file, in the timecodes an editor compares: the
    shot's, and the file's span from its start (the export's available range, the file's own
    timecode, or 00:00:00:00 when it carries none). A proxy rendered without the camera's
    timecode, or with another, is the usual cause."""
    label = shot.name or shot.id
    rate = timebase.as_rate(shot.rate, shot.drop_frame)
    file = media_name or "its media file"
    shown = _shows(shot)
    if media is None:
        return f"shot {label} shows {shown} of {file}, which starts at {timebase.to_timecode(media_start, rate)}; " \
               "the timeline does not match this media file: relink the clip to the media it was cut with"
    return (f"shot {label} shows {shown} of {file}, but the file holds {_held(shot, media_start, media)}; the "
            "timeline does not match this media file: relink the clip to the media it was cut with (a proxy must keep "
            "the camera's timecode)")


def _past_its_media(shot: ShotRequest, media_start: RationalTime, media: MediaClock, media_name: str | None) -> str:
    """Why a shot that starts in its file is refused for ending past it. Foley over the part the
    file covers, silent after it, would pass for the shot's in the timeline; the file on disk is
    shorter than the one the clip was cut from (a copy or a render that stopped, a recording cut
    off), which copying it again mends."""
    label = shot.name or shot.id
    missing_s = timebase.media_seconds(shot.source_range.end_time_exclusive(), media_start) - media.duration_s
    return (f"shot {label} shows {_shows(shot)} of {media_name or 'its media file'}, but the file holds "
            f"{_held(shot, media_start, media)}: it ends {missing_s:.3f} s before the shot does. The file is shorter "
            "than the media the clip was cut from (a copy or render that stopped, a recording cut off): copy or "
            "re-export the whole file and relink the clip to it, or trim the shot to the picture that is there")


def _shows(shot: ShotRequest) -> str:
    """The shot's source range in its timecode."""
    rate = timebase.as_rate(shot.rate, shot.drop_frame)
    source = shot.source_range
    return f"{timebase.to_timecode(source.start_time, rate)}-{timebase.to_timecode(source.end_time_exclusive(), rate)}"


def _held(shot: ShotRequest, media_start: RationalTime, media: MediaClock) -> str:
    """The file's span in the shot's timecode, and what places it there."""
    rate = timebase.as_rate(shot.rate, shot.drop_frame)
    end = media_start + RationalTime(media.duration_s * media_start.rate, media_start.rate)
    span = f"{timebase.to_timecode(media_start, rate)}-{timebase.to_timecode(end, rate)}"
    if shot.available_range is not None:
        why = "as the export's available range places it"
    elif media.timecode:
        why = f"from its own start timecode {media.timecode}"
    else:
        why = "it carries no start timecode, so it counts from 00:00:00:00"
    return f"{span} ({why})"


__all__ = ["ShotTiming", "shot_timing"]
