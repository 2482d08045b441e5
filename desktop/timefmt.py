"""How the panel shows and uses a shot's times: record timecodes for the list, and the media
span (seconds from the container's first frame) the viewer seeks in (``media_span``, the
client's one rule: ``foleyline.plugin.shots``)."""

from __future__ import annotations

from foleyline.plugin.shots import Shot, media_span

__all__ = ["duration_text", "duration_tooltip", "media_span", "record_in", "record_out"]


def record_in(shot: Shot) -> str:
    return shot.record_timecode()


def record_out(shot: Shot) -> str:
    # Exclusive out point, as NLEs and EDLs show it: the frame after the shot's last one.
    return shot.timecode(shot.record_range.end_time_exclusive())


def duration_text(shot: Shot) -> str:
    """Seconds, short enough for a narrow column (frames are in ``duration_tooltip``)."""
    return f"{shot.record_range.duration.to_seconds():.2f} s"


def duration_tooltip(shot: Shot) -> str:
    return f"{shot.duration_frames} frames at {shot.rate:g} fps"
