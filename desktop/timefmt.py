"""How the panel shows and uses a shot's times: record timecodes for the list, and the media
window (seconds from the container's first frame) the viewer seeks in."""

from __future__ import annotations

from dataclasses import dataclass

import opentimelineio as otio

from foleyline.plugin.shots import Shot


def record_in(shot: Shot) -> str:
    return otio.opentime.to_timecode(shot.record_range.start_time, shot.rate, shot.drop_frame)


def record_out(shot: Shot) -> str:
    # Exclusive out point, as NLEs and EDLs show it: the frame after the shot's last one.
    return otio.opentime.to_timecode(shot.record_range.end_time_exclusive(), shot.rate, shot.drop_frame)


def duration_text(shot: Shot) -> str:
    """Seconds, short enough for a narrow column (frames are in ``duration_tooltip``)."""
    return f"{shot.record_range.duration.to_seconds():.2f} s"


def duration_tooltip(shot: Shot) -> str:
    return f"{shot.duration_frames} frames at {shot.rate:g} fps"


@dataclass(frozen=True)
class MediaWindow:
    """The part of the media file a shot shows: ``start`` seconds from the container's first
    frame, ``duration`` seconds long."""

    start: float
    duration: float

    @property
    def end(self) -> float:
        return self.start + self.duration


def media_window(shot: Shot) -> MediaWindow:
    """Source range as container seconds. The source range carries the media's own start
    timecode; subtract the available range's start when the export gave it. Without it the
    source start is taken as container time, which is what exports of untimecoded media write."""
    start = shot.source_range.start_time
    if shot.available_range is not None:
        start = start - shot.available_range.start_time
    return MediaWindow(max(0.0, start.to_seconds()), shot.source_range.duration.to_seconds())
