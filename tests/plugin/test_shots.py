"""A shot knows where it sits and what it shows, and keeps its id across re-exports."""

from __future__ import annotations

import dataclasses

import opentimelineio as otio
import pytest

from foleyline.notes.schema import LayerKind
from foleyline.plugin.shots import shot_to_proto, stable_shot_id
from foleyline.plugin.timeline import Placement, Selection, find_shots, read_timeline, write_foley_timeline

TC = otio.opentime


def test_a_shot_carries_record_range_in_record_timecode_and_source_range_in_media_time(timeline_factory, tmp_path):
    shots = find_shots(timeline_factory(media_dir=tmp_path), Selection()).shots
    first = shots[0]
    assert first.record_timecode() == "01:00:00:00"
    assert first.source_range.start_time == TC.RationalTime(100, 24)
    assert first.duration_frames == 48
    assert first.media_path == tmp_path / "A001.mov"
    assert first.missing_reason is None
    assert first.track_index == 1
    assert first.available_range.duration == TC.RationalTime(10000, 24)


def test_the_id_survives_a_re_export_that_moves_media_folders_and_renames_clips(timeline_factory, tmp_path):
    original = find_shots(timeline_factory(), Selection()).shots
    exported_again = timeline_factory()
    for clip in exported_again.find_clips():
        clip.name = clip.name.lower() + " (re-export)"
        clip.media_reference.target_url = clip.media_reference.target_url.replace("/nonexistent/", "/Volumes/Other/")
    again = find_shots(exported_again, Selection()).shots
    assert [s.id for s in again] == [s.id for s in original]


def test_the_id_changes_when_the_edit_changes(timeline_factory):
    before = find_shots(timeline_factory(clips=[("A001", 0, 100, 48)]), Selection()).shots[0]
    trimmed = find_shots(timeline_factory(clips=[("A001", 0, 101, 47)]), Selection()).shots[0]
    moved = find_shots(timeline_factory(clips=[("A001", 10, 100, 48)]), Selection()).shots[0]
    assert len({before.id, trimmed.id, moved.id}) == 3


def test_ids_agree_between_float_and_exact_ntsc_rates():
    rng = TC.TimeRange(TC.RationalTime(100, 23.976), TC.RationalTime(48, 23.976))
    exact = TC.TimeRange(TC.RationalTime(100, 24000 / 1001), TC.RationalTime(48, 24000 / 1001))
    a = stable_shot_id("A001.mov", rng, TC.RationalTime(86400, 23.976), 1, 24000 / 1001)
    b = stable_shot_id("a001.MOV", exact, TC.RationalTime(86400, 24000 / 1001), 1, 24000 / 1001)
    assert a == b


def test_shot_to_proto_keeps_ranges_rate_and_media(timeline_factory, tmp_path):
    shot = find_shots(timeline_factory(media_dir=tmp_path, rate=30000 / 1001, start_tc="01:00:00;00"), Selection()).shots[1]
    message = shot_to_proto(shot)
    assert message.id == shot.id and message.name == "A002"
    assert message.media.path == str(tmp_path / "A002.mov")
    assert message.record_range.start_time.value == shot.record_range.start_time.value
    assert message.record_range.duration.value == 24
    assert message.source_range.start_time.value == 200
    assert abs(message.rate - 30000 / 1001) < 1e-9
    assert message.available_range.duration.value == 10000
    assert not message.has_notes


def test_a_media_path_the_timeline_gave_relative_is_sent_whole(timeline_factory, tmp_path, monkeypatch):
    # The server takes absolute paths only (its working folder is not the client's).
    monkeypatch.chdir(tmp_path)
    shot = find_shots(timeline_factory(media_dir=tmp_path), Selection()).shots[0]
    relative = dataclasses.replace(shot, media_path=shot.media_path.relative_to(tmp_path))
    assert shot_to_proto(relative).media.path == str(tmp_path / "A001.mov")


def test_missing_media_still_becomes_a_shot_with_the_reason(timeline_factory):
    result = find_shots(timeline_factory(), Selection())
    assert len(result.shots) == 3 and not result.usable
    assert all("not found" in s.missing_reason for s in result.shots)
    assert [p.kind for p in result.problems] == ["missing_media"] * 3
    assert shot_to_proto(result.shots[0]).media.path.endswith("A001.mov")


@pytest.mark.parametrize("name,fmt", [
    ("premiere_example.xml", "fcp7"), ("premiere_example.xml", "otio"), ("fcpx_project.fcpxml", "fcpx"),
    ("kdenlive_example_v240770.kdenlive", "kdenlive"), ("hiero_xml_export.xml", "fcp7")])
def test_ids_survive_a_re_export_of_a_real_edit(name, fmt, otio_samples_dir, wav_factory, tmp_path):
    original = read_timeline(otio_samples_dir / name)
    shots = find_shots(original).shots
    wav = wav_factory()
    placements = [Placement(s, f"t{i}", "steps", LayerKind.FOLEY, wav, 12, 12, "") for i, s in enumerate(shots)]
    exported = read_timeline(write_foley_timeline(original, placements, tmp_path / "again", fmt=fmt))
    assert [s.id for s in find_shots(exported).shots] == [s.id for s in shots]


def test_a_shot_reads_its_source_timecode(otio_samples_dir):
    avid = find_shots(read_timeline(otio_samples_dir / "simple.aaf")).shots[0]
    # Avid media starts at 01:00:00:00: the source range counts from there, as the media does
    assert avid.available_range.start_time.value == 86400
    assert (avid.record_timecode(), avid.source_timecode()) == ("01:00:00:00", "01:00:00:00")
    edl = find_shots(read_timeline(otio_samples_dir / "speed_effects.edl", rate=24)).shots[0]
    assert (edl.record_timecode(), edl.source_timecode()) == ("01:00:00:00", "01:00:01:21")


def test_a_clip_fading_in_or_out_is_a_shot_through_its_fade_but_a_dissolve_keeps_its_cut():
    # OTIO's transition shows the outgoing clip out_offset past the cut, the incoming one
    # in_offset before it; faded from or to nothing, no other shot is seen there
    def clip(name, start):
        return otio.schema.Clip(name=name, source_range=TC.TimeRange(TC.RationalTime(start, 24), TC.RationalTime(48, 24)),
                                media_reference=otio.schema.ExternalReference(target_url=f"file:///m/{name}.mov"))

    def dissolve(before, after):
        return otio.schema.Transition(in_offset=TC.RationalTime(before, 24), out_offset=TC.RationalTime(after, 24))

    track = otio.schema.Track(name="V1")
    track.extend([otio.schema.Gap(source_range=TC.TimeRange(TC.RationalTime(0, 24), TC.RationalTime(24, 24))),
                  dissolve(6, 0), clip("A", 100), dissolve(4, 4), clip("B", 200), dissolve(0, 12),
                  otio.schema.Clip(name="black", source_range=TC.TimeRange(TC.RationalTime(0, 24), TC.RationalTime(12, 24)),
                                   media_reference=otio.schema.GeneratorReference(generator_kind="black"))])
    timeline = otio.schema.Timeline(tracks=[track])
    timeline.global_start_time = TC.RationalTime(0, 24)
    a, b = find_shots(timeline, Selection()).shots
    assert (a.record_in_frame, a.duration_frames, a.source_range.start_time.value) == (18, 54, 94)
    assert (b.record_in_frame, b.duration_frames, b.source_range.start_time.value) == (72, 60, 200)
