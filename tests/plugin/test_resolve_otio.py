"""OTIO as DaVinci Resolve writes it: its titles and generators, and the effects it lists on
every clip (Windows paths and compound clips as nested stacks read as any OTIO's)."""

from __future__ import annotations

import opentimelineio as otio
from foleyline.plugin.timeline import find_shots, read_timeline

TC = otio.opentime


def _said(result):
    """The problems other than the media being elsewhere (the Windows paths are not here)."""
    return [p for p in result.problems if p.kind != "missing_media"]


def _resolve_effect(name: str, parameters: list | None = None, enabled: bool = True) -> otio.schema.Effect:
    # Resolve names every effect "Resolve Effect" and keeps what it is in its metadata
    return otio.schema.Effect(effect_name="Resolve Effect", metadata={"Resolve_OTIO": {
        "Effect Name": name, "Name": name, "Enabled": enabled, "Parameters": parameters or [], "Type": 22}})


def _clip(name: str, start: int, length: int, media: otio.core.MediaReference, *effects) -> otio.schema.Clip:
    clip = otio.schema.Clip(name=name, media_reference=media,
                            source_range=TC.TimeRange(TC.RationalTime(start, 24), TC.RationalTime(length, 24)))
    clip.effects.extend(effects)
    return clip


def _export(tmp_path, clips, *, resolve: bool = True):
    """A timeline as Resolve exports it: a 30 fps file starting at 01:00:00:00 in a 24 fps
    timeline starting there too, a Windows path, the effects Resolve lists at their defaults."""
    timeline = otio.schema.Timeline(name="Timeline 1", global_start_time=TC.RationalTime(86400, 24))
    if resolve:
        timeline.metadata["Resolve_OTIO"] = {"Resolve OTIO Meta Version": "1.0"}
    track = otio.schema.Track(name="Video 1", kind=otio.schema.TrackKind.Video)
    track.extend(clips)
    timeline.tracks.append(track)
    path = tmp_path / "resolve.otio"
    otio.adapters.write_to_file(timeline, str(path))
    return path


def _media() -> otio.schema.ExternalReference:
    return otio.schema.ExternalReference(
        target_url="C:\\Users\\editor\\Shoot\\A001.mp4",
        available_range=TC.TimeRange(TC.RationalTime(108000, 30), TC.RationalTime(3000, 30)))


def test_resolves_effects_at_their_defaults_are_no_speed_change(tmp_path):
    # every clip carries "Retime and Scaling" with no parameters while it plays at 100 %
    path = _export(tmp_path, [_clip("A001.mp4", 86400, 48, _media(), _resolve_effect("Transform"),
                                    _resolve_effect("Retime and Scaling"), _resolve_effect("Dynamic Zoom", [{"x": 1}], False))])
    result = find_shots(read_timeline(path))
    [shot] = result.shots
    assert _said(result) == [] and shot.duration_frames == 48
    assert shot.source_timecode() == "01:00:00:00"


def test_a_resolve_speed_is_its_time_warp_and_a_retime_with_settings_is_named(tmp_path):
    path = _export(tmp_path, [
        _clip("slow.mp4", 86400, 48, _media(), otio.schema.LinearTimeWarp(time_scalar=0.5),
              _resolve_effect("Retime and Scaling")),
        _clip("ramp.mp4", 86448, 48, _media(), _resolve_effect("Retime and Scaling", [{"Parameter ID": "retimeProcess"}])),
    ])
    result = find_shots(read_timeline(path))
    assert [s.source_range.duration.value for s in result.shots] == [24, 48]
    assert [p.message.split(":")[0] for p in _said(result)] == [
        "speed effect 50%", "Retime and Scaling effect (speed not readable from the export)"]


def test_resolves_titles_and_generators_are_made_in_resolve_not_offline_media(tmp_path):
    # Resolve writes a file's clip with its path even when offline; a Text+ title has no file
    path = _export(tmp_path, [_clip("A001.mp4", 86400, 48, _media(), _resolve_effect("Retime and Scaling")),
                              _clip("Text+", 0, 24, otio.schema.MissingReference(), _resolve_effect("Transform"))])
    result = find_shots(read_timeline(path))
    assert [s.name for s in result.shots] == ["A001.mp4"]
    [title] = _said(result)
    assert title.kind == "generator" and title.message == "Resolve title or generator (no picture media); not a shot"
    [clip] = [c for c in read_timeline(path).find_clips() if c.name == "Text+"]
    assert isinstance(clip.media_reference, otio.schema.GeneratorReference)


def test_a_missing_reference_in_another_applications_otio_is_still_offline_media(tmp_path):
    path = _export(tmp_path, [_clip("A001.mp4", 0, 48, otio.schema.MissingReference())], resolve=False)
    [shot] = find_shots(read_timeline(path)).shots
    assert shot.missing_reason and "offline or unlinked" in shot.missing_reason


def test_resolves_titles_are_written_back_as_resolve_wrote_them(tmp_path):
    from foleyline.plugin.timeline.quirks import write_string

    path = _export(tmp_path, [_clip("Text+", 0, 24, otio.schema.MissingReference())])
    text = write_string(read_timeline(path), "otio", "otio_json")
    [clip] = otio.adapters.read_from_string(text, "otio_json").find_clips()
    assert isinstance(clip.media_reference, otio.schema.MissingReference)
