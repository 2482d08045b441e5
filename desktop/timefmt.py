"""How the panel shows and uses a shot's times: record timecodes for the list, and the media
span (seconds from the container's first frame) the viewer seeks in (``media_span``, the
client's one rule: ``foleyline.plugin.shots``)."""

from __future__ import annotations

from foleyline.plugin.shots import Shot, media_span

__all__ = ["duration_text", "duration_tooltip", "duration_words", "media_span", "record_in", "record_out"]


def record_in(shot: Shot) -> str:
    return shot.record_timecode()


def record_out(shot: Shot) -> str:
    # Exclusive out point, as NLEs and EDLs show it: the frame after the shot's last one.
    return shot.timecode(shot.record_range.end_time_exclusive())


def duration_text(shot: Shot) -> str:
    """Short enough for a narrow column (frames are in ``duration_tooltip``)."""
    return duration_words(shot.record_range.duration.to_seconds())


LONGEST_IN_SECONDS = 100.0  # "99.99 s" is the widest the column is sized for ("000.00 s")


def duration_words(seconds: float) -> str:
    """Seconds with hundredths for a shot; a longer span (a reel, a whole film) in minutes and
    seconds (``m:ss``) or hours (``h:mm:ss``), which fit the same column: "10800.00 s" did not."""
    if seconds < LONGEST_IN_SECONDS:
        return f"{seconds:.2f} s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def duration_tooltip(shot: Shot) -> str:
    return f"{shot.duration_frames} frames at {shot.rate:g} fps"
