"""How the panel shows and uses a shot's times: record timecodes for the list, and the media
span (seconds from the container's first frame) the viewer seeks in."""

from __future__ import annotations

import functools
from pathlib import Path

import opentimelineio as otio

from foleyline import timebase
from foleyline.errors import MediaError
from foleyline.plugin.shots import Shot
from foleyline.probe import probe
from foleyline.timebase import MediaClock, MediaSpan


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


def media_span(shot: Shot) -> MediaSpan:
    """The part of the media file the shot shows, in container seconds: where the viewer seeks.

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
        stat = path.stat()
        return _clock_of(str(path), stat.st_mtime_ns, stat.st_size)
    except (OSError, MediaError):
        return None  # unreadable media: count from zero; the server names the problem


@functools.lru_cache(maxsize=256)
def _clock_of(path: str, _mtime_ns: int, _size: int) -> MediaClock:
    # Keyed by modification time and size too: a file replaced under the same name is read again.
    return probe(path).clock
