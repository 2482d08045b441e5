"""What a clip's export says about it, beyond its ranges: the media file behind it, its speed,
and whether the timeline counts drop-frame timecode. Adapters keep these in different places."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import opentimelineio as otio

from foleyline import timebase
from foleyline.plugin.timeline.formats import META_KEY
from foleyline.plugin.timeline.relink import as_stored, raw_media_path

__all__ = ["VARIABLE_SPEED", "edl_source_in_media_timecode", "media_path_of", "speed_varies", "time_scalar",
           "timeline_drop_frame"]

# How the command line relinks; the panel names its own Relink media… instead.
RELINK_OPTIONS = "(--relink DIR, --map-path OLD=NEW)"


def _metadata_says_drop(meta: object, depth: int = 0) -> bool | None:
    """Exports keep the drop-frame flag in adapter metadata under various names."""
    if depth > 6:
        return None
    if isinstance(meta, dict) or hasattr(meta, "items"):
        for key, value in meta.items():
            k = str(key).lower()
            if k in ("displayformat", "@displayformat") and isinstance(value, str):
                return value.upper() == "DF"
            if k in ("drop_frame", "dropframe", "drop") and isinstance(value, (bool, int, str)):
                return str(value).lower() in ("1", "true", "yes")
            found = _metadata_says_drop(value, depth + 1)
            if found is not None:
                return found
    return None


def timeline_drop_frame(timeline: otio.schema.Timeline, rate: float) -> bool:
    """Only 29.97 and 59.94 can be drop-frame; the export says so (FCP7 <displayformat>DF, EDL
    "FCM: DROP FRAME" as read, or our own metadata), else non-drop as most exports are."""
    if not timebase.has_drop_frame(rate):
        return False
    ours = (timeline.metadata.get(META_KEY) or {}).get("drop_frame")
    if ours is not None:
        return bool(ours)
    found = _metadata_says_drop(dict(timeline.metadata))
    if found is None:
        found = _metadata_says_drop(dict(timeline.tracks.metadata))
    return bool(found)


# Why a clip has no media reference, by the format read: an EDL never names media files, so
# relinking in the NLE would not help; its clips are found by reel or clip name.
_NO_MEDIA = {"edl": "an EDL names no media files; --relink DIR finds them by reel or clip name"}


def media_path_of(reference: otio.core.MediaReference, base_dir: Path | None,
                  source_format: str | None = None) -> tuple[Path | None, str | None]:
    """(path, reason it cannot be used). file:// URLs and plain paths; relative paths are taken
    from the timeline file's folder (Kdenlive writes them so)."""
    if isinstance(reference, otio.schema.MissingReference) or reference is None:
        said = ((reference.metadata.get(META_KEY) or {}).get("missing_reason") if reference is not None else None)
        return None, said or _NO_MEDIA.get(source_format or "", "the export has no media for this clip (offline or unlinked); "
                                                          "relink it in the NLE and export again")
    if isinstance(reference, otio.schema.ImageSequenceReference):
        return None, "image-sequence media is not supported; render the shot to a movie file"
    if not isinstance(reference, otio.schema.ExternalReference):
        return None, f"unsupported media reference {type(reference).__name__}"
    if not reference.target_url:
        return None, "the clip's media reference names no file (an empty target_url); relink it in the NLE and export again"
    url = reference.target_url
    raw = raw_media_path(url)
    if raw is None:
        return None, f"media is not a local file ({url}); download or relink it"
    path = Path(raw)
    if not path.is_absolute() and not PureWindowsPath(str(path)).is_absolute() and base_dir is not None:
        path = base_dir / path
    path = as_stored(path) or path
    if not path.exists():
        return path, f"media file not found: {raw if raw.startswith('//') else path}; relink it {RELINK_OPTIONS} or mount the drive that holds it"
    return path, None


def edl_source_in_media_timecode(source: otio.opentime.TimeRange, path: Path, rate: float,
                                 drop: bool) -> otio.opentime.TimeRange:
    """An EDL's source range, its in point read as its media's own timecode.

    An EDL writes a source in point as a label of the media's timecode, counted at the media's
    rate, and says no rate; OTIO's reader counts every label at the EDL's (``--rate``). When the
    media's timecode counts at another rate (23.976 camera files in a 25 fps edit), the label
    01:00:10:00 is 10.01 s into a file starting at 01:00:00:00, where read at 25 fps it sat 3.6 s
    before the file's start once the file's timecode is counted at its own rate
    (``timebase.timecode_count_rate``). The length stays the record's: the shot's."""
    from foleyline.errors import FoleylineError
    from foleyline.probe import probe

    try:
        clock = probe(path).clock
    except (OSError, FoleylineError):
        return source  # the server names what is wrong with the file
    source_rate = timebase.rate_of(source)
    if not clock.timecode:
        return source
    count = timebase.timecode_count_rate(clock, source_rate)
    if count.fps == source_rate.fps:
        return source
    label = timebase.to_timecode(source.start_time, timebase.timecode_rate(rate, drop))
    try:
        start = timebase.from_timecode(label, timebase.timecode_rate(count, ";" in clock.timecode))
    except FoleylineError:
        return source  # a frame number the media's rate has not: not its timecode's label
    return otio.opentime.TimeRange(start.rescaled_to(source.start_time.rate), source.duration)


_RETIME_WORDS = ("timeremap", "time remap", "retime", "speed", "timewarp", "time warp")
# the effect_name of an effect a reader puts beside a clip's LinearTimeWarp when that is the
# speed of the span the clip shows and the speed varies within it (FCPXML's hold or ramp)
VARIABLE_SPEED = "variable speed"


def speed_varies(clip: otio.schema.Clip) -> bool:
    return any(effect.effect_name == VARIABLE_SPEED for effect in clip.effects)


def _resolve_effect(effect: otio.schema.Effect) -> dict | None:
    """What DaVinci Resolve says of one of its effects (its OTIO export names every effect
    "Resolve Effect" and keeps the real name and settings here), or None for another's."""
    said = effect.metadata.get("Resolve_OTIO")
    return said if hasattr(said, "get") else None


def time_scalar(clip: otio.schema.Clip) -> tuple[float, str | None]:
    """(speed factor, name of a retime effect whose speed is unknown)."""
    scalar = 1.0
    unknown = None
    for effect in clip.effects:
        if isinstance(effect, otio.schema.FreezeFrame):
            return 0.0, None
        if isinstance(effect, otio.schema.LinearTimeWarp):
            scalar *= float(effect.time_scalar)
            continue
        resolve = _resolve_effect(effect)
        if resolve is not None and (not resolve.get("Enabled", True) or not resolve.get("Parameters")):
            # Resolve lists every clip's effects, "Retime and Scaling" among them, with no
            # parameters while they are at their defaults (and writes a speed as a
            # LinearTimeWarp): an effect that sets nothing changes no speed
            continue
        # adapters keep other retimes (FCP7 "Time Remap") as plain effects: flag them (a
        # Resolve effect by its name: a Transform's keyframes are no retime)
        said = f"{resolve.get('Effect Name')}" if resolve is not None else f"{effect.name} {effect.effect_name} {effect.metadata}"
        if any(word in said.casefold() for word in _RETIME_WORDS):
            unknown = (resolve or {}).get("Effect Name") or effect.name or effect.effect_name or "time effect"
    return scalar, unknown
