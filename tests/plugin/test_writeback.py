"""Accepted takes land under their shots, to the frame, on new Foley tracks."""

from __future__ import annotations

import json

import opentimelineio as otio
import pytest

from foleyline.errors import InvalidInput
from foleyline.notes.schema import LayerKind
from foleyline.plugin.timeline import Placement, Selection, find_shots, read_timeline, write_foley_timeline

TC = otio.opentime


def placements_for(shots, wav, kinds=(LayerKind.FOLEY,), head=12, tail=12):
    return [
        Placement(shot=s, take_id=f"take-{i}-{k.value}", layer_label=f"{k.value.lower()} layer", kind=k, wav_path=wav,
                  handle_head_frames=head, handle_tail_frames=tail, notes_summary=f"steps on gravel ({s.name})",
                  metadata={"notes_version": 2, "engine": "procedural"})
        for i, s in enumerate(shots) for k in kinds
    ]


def foley_tracks(timeline):
    return [t for t in timeline.tracks if t.name.startswith("Foley")]


def test_clips_are_cut_to_their_shots_with_the_handles_waiting_in_the_wav(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(clips=[("A001", 24, 100, 48), ("A002", 100, 200, 24), ("A003", 150, 300, 36)])
    shots = find_shots(timeline, Selection()).shots
    wav = wav_factory(seconds=4.0)
    out = write_foley_timeline(timeline, placements_for(shots, wav), tmp_path / "foley.otio")
    back = read_timeline(out)
    [track] = foley_tracks(back)
    assert track.name == "Foley" and track.kind == otio.schema.TrackKind.Audio
    clips = track.find_clips()
    assert len(clips) == len(shots)
    for shot, clip in zip(shots, clips):
        record = clip.range_in_parent()
        assert record.start_time.value == shot.record_in_frame - 86400  # the shot's record in, like the picture
        assert record.duration.value == shot.duration_frames
        # the used range starts after the head handle; the whole WAV is there to trim into
        assert clip.source_range.start_time == TC.RationalTime(12, 24)
        assert clip.media_reference.target_url == wav.resolve().as_uri()
        assert clip.media_reference.available_range == TC.TimeRange(TC.RationalTime(0, 24), TC.RationalTime(96, 24))  # 4 s
        assert clip.markers[0].marked_range.start_time.value == 12  # the shot's first frame, in media time
        meta = clip.metadata["foleyline"]
        assert (meta["handle_head_frames"], meta["handle_tail_frames"]) == (12, 12)  # in the WAV
        assert (meta["shown_head_frames"], meta["shown_tail_frames"]) == (0, 0)  # not on the timeline


def test_with_expose_handles_clips_show_their_handles(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(clips=[("A001", 24, 100, 48), ("A002", 100, 200, 24), ("A003", 150, 300, 36)])
    shots = find_shots(timeline, Selection()).shots
    wav = wav_factory(seconds=4.0)
    out = write_foley_timeline(timeline, placements_for(shots, wav), tmp_path / "foley.otio", expose_handles=True)
    back = read_timeline(out)
    clips = foley_tracks(back)[0].find_clips()
    assert len(clips) == len(shots)
    for shot, clip in zip(shots, clips):
        record = clip.range_in_parent()
        assert record.start_time.value == shot.record_in_frame - 86400 - 12
        assert record.duration.value == 12 + shot.duration_frames + 12
        assert clip.source_range.start_time == TC.RationalTime(0, 24)
        assert clip.media_reference.available_range.duration == TC.RationalTime(96, 24)
        assert clip.markers[0].marked_range.start_time.value == 12
        meta = clip.metadata["foleyline"]
        assert (meta["handle_head_frames"], meta["shown_head_frames"]) == (12, 12)


def test_a_shot_at_the_timeline_start_keeps_its_head_handle_in_the_wav(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(clips=[("A001", 5, 100, 48)])
    shot = find_shots(timeline, Selection()).shots[0]
    out = write_foley_timeline(timeline, placements_for([shot], wav_factory()), tmp_path / "foley.otio")
    back = read_timeline(out)  # keep the timeline alive: OTIO parents are weak
    clip = foley_tracks(back)[0].find_clips()[0]
    assert clip.range_in_parent().start_time.value == 5
    assert clip.source_range.start_time.value == 12
    assert clip.metadata["foleyline"]["handle_head_frames"] == 12


def test_exposed_a_shot_at_the_timeline_start_loses_only_the_head_handle_it_cannot_show(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(clips=[("A001", 5, 100, 48)])
    shot = find_shots(timeline, Selection()).shots[0]
    out = write_foley_timeline(timeline, placements_for([shot], wav_factory()), tmp_path / "foley.otio", expose_handles=True)
    back = read_timeline(out)  # keep the timeline alive: OTIO parents are weak
    clip = foley_tracks(back)[0].find_clips()[0]
    assert clip.range_in_parent().start_time.value == 0
    assert clip.source_range.start_time.value == 7  # the WAV's first 7 head frames are not shown
    meta = clip.metadata["foleyline"]
    assert (meta["shown_head_frames"], meta["handle_head_frames"]) == (5, 12)  # shown, in the WAV
    # the marker still sits on the shot's first frame
    assert clip.markers[0].marked_range.start_time.value == 12


def test_handles_stay_inside_the_wav(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(clips=[("A001", 24, 100, 48)])
    shot = find_shots(timeline, Selection()).shots[0]
    short = wav_factory(seconds=(12 + 48 + 4) / 24)  # only 4 tail frames were rendered
    out = write_foley_timeline(timeline, placements_for([shot], short), tmp_path / "foley.otio")
    back = read_timeline(out)  # keep the timeline alive: OTIO parents are weak
    clip = foley_tracks(back)[0].find_clips()[0]
    assert (clip.range_in_parent().start_time.value, clip.range_in_parent().duration.value) == (24, 48)
    assert clip.metadata["foleyline"]["handle_tail_frames"] == 4  # what the WAV holds to trim into
    exposed = read_timeline(write_foley_timeline(timeline, placements_for([shot], short), tmp_path / "exposed.otio",
                                                 expose_handles=True))
    clip = foley_tracks(exposed)[0].find_clips()[0]
    assert clip.range_in_parent().start_time.value == 12
    assert clip.range_in_parent().duration.value == 12 + 48 + 4


def test_a_take_shorter_than_its_shot_ends_early_and_never_points_past_the_wav(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(clips=[("A001", 24, 100, 48)])
    shot = find_shots(timeline, Selection()).shots[0]
    short = wav_factory(seconds=(12 + 30) / 24)  # the take stops 18 frames before the shot does
    back = read_timeline(write_foley_timeline(timeline, placements_for([shot], short), tmp_path / "foley.otio"))
    clip = foley_tracks(back)[0].find_clips()[0]
    assert (clip.range_in_parent().start_time.value, clip.range_in_parent().duration.value) == (24, 30)
    assert clip.source_range.end_time_exclusive() == clip.media_reference.available_range.end_time_exclusive()
    assert clip.metadata["foleyline"]["handle_tail_frames"] == 0


def test_one_track_per_layer_kind_and_a_further_track_when_takes_overlap(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory()  # abutting shots
    shots = find_shots(timeline, Selection()).shots
    wav = wav_factory()
    placements = placements_for(shots, wav, kinds=(LayerKind.FOLEY, LayerKind.BG, LayerKind.FX))
    out = write_foley_timeline(timeline, placements, tmp_path / "foley.otio")
    # cut to their shots, abutting takes abut: one track per kind
    assert [t.name for t in foley_tracks(read_timeline(out))] == ["Foley BG", "Foley FX", "Foley"]
    # two FX layers on one shot overlap: the second goes on a further track
    two_fx = placements_for(shots[:1], wav, kinds=(LayerKind.FX,)) + [
        Placement(shots[0], "take-0-FX-b", "door", LayerKind.FX, wav)]
    out = write_foley_timeline(timeline, two_fx, tmp_path / "two.otio")
    assert [t.name for t in foley_tracks(read_timeline(out))] == ["Foley FX", "Foley FX 2"]


def test_exposed_handles_of_abutting_shots_checkerboard(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory()  # abutting shots
    shots = find_shots(timeline, Selection()).shots
    placements = placements_for(shots, wav_factory(), kinds=(LayerKind.FOLEY, LayerKind.BG, LayerKind.FX))
    out = write_foley_timeline(timeline, placements, tmp_path / "foley.otio", expose_handles=True)
    names = [t.name for t in foley_tracks(read_timeline(out))]
    # abutting shots' handles overlap, so each kind checkerboards over two tracks, as editors cut them
    assert names == ["Foley BG", "Foley BG 2", "Foley FX", "Foley FX 2", "Foley", "Foley 2"]


def test_metadata_and_marker_carry_take_and_notes(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(clips=[("A001", 24, 100, 48)])
    shot = find_shots(timeline, Selection()).shots[0]
    out = write_foley_timeline(timeline, placements_for([shot], wav_factory(), kinds=(LayerKind.FX,)), tmp_path / "f.otio")
    back = read_timeline(out)  # keep the timeline alive: OTIO parents are weak
    clip = foley_tracks(back)[0].find_clips()[0]
    meta = clip.metadata["foleyline"]
    assert meta["take_id"] == "take-0-FX" and meta["shot_id"] == shot.id and meta["kind"] == "FX"
    assert meta["notes_version"] == 2 and meta["engine"] == "procedural"
    [marker] = clip.markers
    assert marker.name == "steps on gravel (A001)" and marker.color == "RED"
    assert marker.metadata["foleyline"]["take_id"] == "take-0-FX"


def test_the_editors_tracks_are_never_changed(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(tracks=2)
    before = otio.adapters.write_to_string(timeline, "otio_json")
    shots = find_shots(timeline, Selection()).shots
    out = write_foley_timeline(timeline, placements_for(shots, wav_factory()), tmp_path / "foley.otio")
    assert otio.adapters.write_to_string(timeline, "otio_json") == before  # input untouched
    back = read_timeline(out)
    original = json.loads(before)["tracks"]["children"]
    written = json.loads(otio.adapters.write_to_string(back, "otio_json"))["tracks"]["children"]
    assert written[: len(original)] == original


@pytest.mark.parametrize("rate,tc", [
    (24000 / 1001, "01:00:00:00"), (24, "00:59:59:13"), (25, "10:00:00:00"), (30000 / 1001, "00:59:58;00"),
    (30, "01:00:00:29"), (50, "01:00:00:00"), (60000 / 1001, "01:00:00:00")])
def test_write_back_is_frame_exact_at_every_rate(rate, tc, timeline_factory, wav_factory, tmp_path):
    # odd record offsets and a start that is not on a second
    timeline = timeline_factory(rate=rate, start_tc=tc, clips=[("A001", 7, 101, 47), ("A002", 61, 203, 23)])
    shots = find_shots(timeline, Selection()).shots
    wav = wav_factory(seconds=4.0)
    wav_frames = int(4 * 48000 * rate // 48000)
    gstart = round(timeline.global_start_time.value)

    def written(**options):
        back = read_timeline(write_foley_timeline(timeline, placements_for(shots, wav, head=3, tail=5), tmp_path / "f.otio", **options))
        clips = sorted((c for t in foley_tracks(back) for c in t.find_clips()), key=lambda c: c.metadata["foleyline"]["take_id"])
        assert all(c.source_range.start_time.rate == pytest.approx(rate) for c in clips)
        return back, clips

    back, clips = written()
    assert [c.range_in_parent().start_time.value for c in clips] == [s.record_in_frame - gstart for s in shots]
    assert [c.range_in_parent().duration.value for c in clips] == [s.duration_frames for s in shots]
    assert [c.source_range.start_time.value for c in clips] == [3, 3]  # the head handle, whole frames
    assert all(c.media_reference.available_range.start_time.value == 0 for c in clips)
    assert all(c.media_reference.available_range.duration.value == wav_frames for c in clips)
    assert all(c.markers[0].marked_range.start_time.value == 3 for c in clips)

    back, clips = written(expose_handles=True)
    assert [c.range_in_parent().start_time.value for c in clips] == [s.record_in_frame - gstart - 3 for s in shots]
    assert [c.range_in_parent().duration.value for c in clips] == [3 + s.duration_frames + 5 for s in shots]
    assert [c.source_range.start_time.value for c in clips] == [0, 0]


def test_nothing_to_place_or_a_negative_handle_is_refused(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory()
    with pytest.raises(InvalidInput, match="no takes"):
        write_foley_timeline(timeline, [], tmp_path / "f.otio")
    shot = find_shots(timeline, Selection()).shots[0]
    with pytest.raises(InvalidInput, match="negative"):
        write_foley_timeline(timeline, placements_for([shot], wav_factory(), head=-1), tmp_path / "f.otio")
    assert not list(tmp_path.glob("f.otio*"))


def test_the_written_file_appears_whole_or_not_at_all(timeline_factory, wav_factory, tmp_path, monkeypatch):
    timeline = timeline_factory()
    shots = find_shots(timeline, Selection()).shots
    target = tmp_path / "f.otio"
    target.write_text("previous version")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("foleyline.fsutil.os.replace", broken)
    with pytest.raises(OSError):
        write_foley_timeline(timeline, placements_for(shots, wav_factory()), target)
    assert target.read_text() == "previous version"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".f.otio")] == []
