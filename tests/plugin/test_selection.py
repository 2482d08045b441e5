"""Choosing shots: by track, record range, markers, clip names; nothing skipped silently."""

from __future__ import annotations

import opentimelineio as otio
import pytest

from foleyline.errors import InvalidInput
from foleyline.plugin.timeline import Selection, find_shots

TC = otio.opentime


def names(result):
    return [s.name for s in result.shots]


def test_no_criteria_takes_every_clip_of_every_video_track(timeline_factory):
    result = find_shots(timeline_factory(tracks=2), Selection())
    assert len(result.shots) == 6
    assert {s.track_index for s in result.shots} == {1, 2}


def test_by_track_number_or_name(timeline_factory):
    timeline = timeline_factory(tracks=2)
    assert {s.track_index for s in find_shots(timeline, Selection(track=2)).shots} == {2}
    assert {s.track_index for s in find_shots(timeline, Selection(track="V1")).shots} == {1}
    with pytest.raises(InvalidInput, match="no video track V3"):
        find_shots(timeline, Selection(track=3))


def test_by_record_range_takes_shots_that_overlap_it(timeline_factory):
    timeline = timeline_factory()  # A001 0-48, A002 48-72, A003 96-132 frames from 01:00:00:00
    assert names(find_shots(timeline, Selection(record_in="01:00:02:00", record_out="01:00:03:00"))) == ["A002"]
    assert names(find_shots(timeline, Selection(record_in="01:00:01:23", record_out="01:00:03:01"))) == ["A001", "A002"]
    assert names(find_shots(timeline, Selection(record_in="01:00:04:00"))) == ["A003"]


def test_an_inverted_range_is_refused(timeline_factory):
    with pytest.raises(InvalidInput, match="not after record in"):
        find_shots(timeline_factory(), Selection(record_in="01:00:03:00", record_out="01:00:01:00"))


def test_a_malformed_timecode_is_refused_with_the_expected_form(timeline_factory):
    with pytest.raises(InvalidInput, match="HH:MM:SS:FF"):
        find_shots(timeline_factory(), Selection(record_in="one hour"))


def test_by_marker_colour_on_the_timeline_or_on_a_clip(timeline_factory):
    timeline = timeline_factory()
    timeline.tracks.markers.append(otio.schema.Marker(
        name="door", color="RED", marked_range=TC.TimeRange(TC.RationalTime(50, 24), TC.RationalTime(0, 24))))
    clip = list(timeline.find_clips())[2]
    clip.markers.append(otio.schema.Marker(name="Foley please", color="GREEN",
                                           marked_range=TC.TimeRange(TC.RationalTime(310, 24), TC.RationalTime(0, 24))))
    assert names(find_shots(timeline, Selection(marker_color="red"))) == ["A002"]
    assert names(find_shots(timeline, Selection(marker_color="GREEN"))) == ["A003"]
    assert names(find_shots(timeline, Selection(marker_name="foley"))) == ["A003"]
    assert names(find_shots(timeline, Selection(marker_color="BLUE"))) == []


def test_by_clip_names_or_shot_ids(timeline_factory):
    timeline = timeline_factory()
    every = find_shots(timeline, Selection()).shots
    assert names(find_shots(timeline, Selection(clip_names=("a001", "A003")))) == ["A001", "A003"]
    assert names(find_shots(timeline, Selection(clip_names=(every[1].id,)))) == ["A002"]


def test_criteria_combine(timeline_factory):
    timeline = timeline_factory(tracks=2)
    result = find_shots(timeline, Selection(track=2, record_in="01:00:00:00", record_out="01:00:01:00"))
    assert [(s.name, s.track_index) for s in result.shots] == [("A001", 2)]


def test_nested_sequences_are_walked_and_mapped_to_outer_record_time(timeline_factory):
    timeline = timeline_factory(clips=[("A001", 0, 100, 48)])
    inner = timeline_factory(clips=[("N001", 0, 10, 20), ("N002", 20, 50, 20)], start_tc="00:00:00:00")
    nested = otio.schema.Stack(name="nest", source_range=TC.TimeRange(TC.RationalTime(5, 24), TC.RationalTime(25, 24)))
    video = inner.tracks[0]
    inner.tracks.remove(video)
    nested.append(video)
    timeline.tracks[0].append(nested)  # at record frame 48, showing frames 5..30 of the nest
    shots = find_shots(timeline, Selection()).shots
    assert [(s.name, s.record_in_frame - 86400, s.duration_frames) for s in shots] == [
        ("A001", 0, 48), ("N001", 48, 15), ("N002", 63, 10)]
    assert shots[1].source_range.start_time.value == 15  # trimmed by 5 frames at the nest's head


def test_disabled_clips_generators_and_freeze_frames_are_reported_not_sent(timeline_factory):
    timeline = timeline_factory()
    clips = list(timeline.find_clips())
    clips[0].enabled = False
    clips[1].media_reference = otio.schema.GeneratorReference(generator_kind="SolidColor")
    clips[2].effects.append(otio.schema.FreezeFrame())
    result = find_shots(timeline, Selection())
    assert result.shots == ()
    assert sorted(p.kind for p in result.problems) == ["disabled", "freeze_frame", "generator"]
    assert all(p.record_timecode.startswith("01:00:0") for p in result.problems)


def test_a_disabled_track_is_reported(timeline_factory):
    timeline = timeline_factory(tracks=2)
    timeline.video_tracks()[1].enabled = False
    result = find_shots(timeline, Selection())
    assert {s.track_index for s in result.shots} == {1}
    assert any(p.kind == "disabled" and "V2" in p.message for p in result.problems)


def test_a_speed_change_widens_the_source_range_and_is_reported(timeline_factory):
    timeline = timeline_factory(clips=[("A001", 0, 100, 48)])
    timeline.find_clips()[0].effects.append(otio.schema.LinearTimeWarp(time_scalar=2.0))
    result = find_shots(timeline, Selection())
    assert result.shots[0].source_range.duration.value == 96
    assert result.shots[0].record_range.duration.value == 48
    assert any(p.kind == "speed" and "200%" in p.message for p in result.problems)


def test_offline_media_is_a_shot_with_a_reason(timeline_factory):
    timeline = timeline_factory(clips=[("A001", 0, 100, 48)])
    timeline.find_clips()[0].media_reference = otio.schema.MissingReference()
    result = find_shots(timeline, Selection())
    assert len(result.shots) == 1 and "offline" in result.shots[0].missing_reason
    assert result.problems[0].kind == "missing_media" and result.problems[0].shot_id == result.shots[0].id


def test_relative_media_paths_are_taken_from_the_timeline_file_folder(timeline_factory, tmp_path):
    from foleyline.plugin.timeline import read_timeline

    timeline = timeline_factory(clips=[("A001", 0, 100, 48)])
    timeline.find_clips()[0].media_reference.target_url = "media/A001.mov"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "A001.mov").write_bytes(b"")
    otio.adapters.write_to_file(timeline, str(tmp_path / "cut.otio"))
    shot = find_shots(read_timeline(tmp_path / "cut.otio"), Selection()).shots[0]
    assert shot.media_path == tmp_path / "media" / "A001.mov" and shot.missing_reason is None


def test_a_nest_inside_a_trimmed_nest_shows_only_what_both_windows_leave(timeline_factory):
    rate = 24
    inner = otio.schema.Stack(name="inner", source_range=TC.TimeRange(TC.RationalTime(0, rate), TC.RationalTime(40, rate)))
    inner_track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    for name, length in (("N001", 20), ("N002", 20)):
        inner_track.append(otio.schema.Clip(name=name, media_reference=otio.schema.MissingReference(),
                                            source_range=TC.TimeRange(TC.RationalTime(0, rate), TC.RationalTime(length, rate))))
    inner.append(inner_track)
    outer = otio.schema.Stack(name="outer", source_range=TC.TimeRange(TC.RationalTime(0, rate), TC.RationalTime(10, rate)))
    outer_track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    outer_track.append(inner)
    outer.append(outer_track)
    timeline = timeline_factory(clips=[])
    timeline.video_tracks()[0].append(outer)
    shots = find_shots(timeline, Selection()).shots
    # the outer nest shows its first 10 frames only: N002 (frames 20-40 of the inner nest) is hidden
    assert [(s.name, s.duration_frames) for s in shots] == [("N001", 10)]


def _clip(name, start, length, rate=24):
    return otio.schema.Clip(name=name, source_range=TC.TimeRange(TC.RationalTime(start, rate), TC.RationalTime(length, rate)))


def test_clips_held_directly_by_a_nested_stack_are_shots_where_the_nest_shows_them():
    # OTIO lets a stack hold clips (not only tracks); they start at the stack's start
    nest = otio.schema.Stack(name="Nest", source_range=TC.TimeRange(TC.RationalTime(0, 24), TC.RationalTime(12, 24)))
    nest.append(_clip("inner", 100, 20))
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    track.extend([_clip("before", 0, 24), nest, _clip("after", 0, 24)])
    timeline = otio.schema.Timeline()
    timeline.tracks.append(track)
    result = find_shots(timeline)
    assert names(result) == ["before", "inner", "after"]
    inner = result.shots[1]
    assert (inner.record_range.start_time.value, inner.duration_frames, inner.source_range.start_time.value) == (24, 12, 100)


def test_a_time_effect_on_a_nest_is_said_not_dropped_silently():
    nest = otio.schema.Stack(name="Slow nest", source_range=TC.TimeRange(TC.RationalTime(0, 24), TC.RationalTime(12, 24)))
    nest.append(_clip("inner", 100, 20))
    nest.effects.append(otio.schema.LinearTimeWarp(time_scalar=0.5))
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    track.append(nest)
    timeline = otio.schema.Timeline()
    timeline.tracks.append(track)
    result = find_shots(timeline)
    assert [(p.kind, p.clip_name) for p in result.problems if p.kind != "missing_media"] == [("speed", "Slow nest")]


def test_a_reverse_clip_shows_the_media_before_its_first_frame(timeline_factory):
    timeline = timeline_factory(clips=[("A001", 0, 100, 48)])
    timeline.find_clips()[0].effects.append(otio.schema.LinearTimeWarp(time_scalar=-1.0))
    [shot] = find_shots(timeline, Selection()).shots
    assert (shot.source_range.start_time.value, shot.source_range.duration.value) == (53, 48)  # 100 back to 53


def test_a_nest_trimming_a_retimed_clip_moves_its_media_at_the_clips_speed(timeline_factory):
    inner = timeline_factory(clips=[("Slow", 0, 200, 48), ("Back", 48, 500, 48)], start_tc="00:00:00:00")
    inner.find_clips()[0].effects.append(otio.schema.LinearTimeWarp(time_scalar=0.5))
    inner.find_clips()[1].effects.append(otio.schema.LinearTimeWarp(time_scalar=-1.0))
    nest = otio.schema.Stack(name="nest", source_range=TC.TimeRange(TC.RationalTime(24, 24), TC.RationalTime(48, 24)))
    video = inner.tracks[0]
    inner.tracks.remove(video)
    nest.append(video)
    timeline = timeline_factory(clips=[])
    timeline.tracks[0].append(nest)
    slow, back = find_shots(timeline, Selection()).shots
    # 24 record frames in at half speed: 12 media frames in; the reverse clip is cut at its tail
    assert (slow.source_range.start_time.value, slow.source_range.duration.value) == (212, 12)
    assert (back.source_range.start_time.value, back.source_range.duration.value) == (477, 24)
