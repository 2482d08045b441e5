"""A dissolve between two shots: the cut an editor sees, and how far past it each picture shows
(what its take's handles must cover for the crossfade), in every reader."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from foleyline.plugin.timeline import find_shots, read_timeline
from foleyline.plugin.timeline.preflight import preflight

from .conftest import make_timeline

TC = otio.opentime


def _edl(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "cut.edl"
    path.write_text("TITLE: Cut\nFCM: NON-DROP FRAME\n\n" + body)
    return path


DISSOLVES = (
    "001  A001     V     C        10:00:00:00 10:00:04:00 01:00:00:00 01:00:04:00\n"
    "002  A001     V     C        10:00:04:00 10:00:04:00 01:00:04:00 01:00:04:00\n"
    "002  B002     V     D    030 11:00:00:00 11:00:06:00 01:00:04:00 01:00:10:00\n"
    "003  B002     V     C        11:00:06:00 11:00:06:00 01:00:10:00 01:00:10:00\n"
    "003  C003     V     D    011 12:00:00:00 12:00:02:00 01:00:10:00 01:00:12:00\n")


def test_an_edl_dissolve_between_two_shots_cuts_at_its_middle(tmp_path):
    # the list starts the incoming event where the dissolve starts (the edit point is not in a
    # CMX3600 list); NLEs centre a dissolve on the edit, so the cut is its middle and each shot's
    # picture is seen half the dissolve past it; an odd length leaves the extra frame after the cut
    a, b, c = find_shots(read_timeline(_edl(tmp_path, DISSOLVES), rate=24)).shots
    assert [(s.record_timecode(), s.duration_frames) for s in (a, b, c)] == [
        ("01:00:00:00", 4 * 24 + 15), ("01:00:04:15", 5 * 24 + 9 + 5), ("01:00:10:05", 2 * 24 - 5)]
    assert a.source_timecode() == "10:00:00:00" and a.source_range.duration.value == 4 * 24 + 15
    assert (b.source_timecode(), c.source_timecode()) == ("11:00:00:15", "12:00:00:05")
    assert [s.dissolved for s in (a, b, c)] == [(0, 15), (15, 6), (5, 0)]


def test_a_dissolve_from_or_to_black_still_runs_the_fading_shot_through_it(tmp_path):
    path = _edl(tmp_path, "001  A001     V     C        10:00:00:00 10:00:04:00 01:00:00:00 01:00:04:00\n"
                          "002  A001     V     C        10:00:04:00 10:00:04:00 01:00:04:00 01:00:04:00\n"
                          "002  BL       V     D    012 00:00:00:00 00:00:00:12 01:00:04:00 01:00:04:12\n")
    [shot] = find_shots(read_timeline(path, rate=24)).shots
    assert (shot.duration_frames, shot.dissolved) == (4 * 24 + 12, (0, 0))


def _dissolved_track(in_offset: int, out_offset: int, available: int = 10000) -> otio.schema.Timeline:
    timeline = make_timeline(clips=[("A001", 0, 100, 48), ("A002", 48, 200, 48)])
    track = timeline.tracks[0]
    track[1].media_reference.available_range = TC.TimeRange(TC.RationalTime(0, 24), TC.RationalTime(available, 24))
    track.insert(1, otio.schema.Transition(in_offset=TC.RationalTime(in_offset, 24), out_offset=TC.RationalTime(out_offset, 24)))
    return timeline


def test_an_nles_own_dissolve_keeps_the_cut_it_puts_on_the_track():
    # FCP7's alignment, AAF's cut point, Kdenlive's mix cut and NLEs' own OTIO say where the
    # edit is: a dissolve starting at the edit shows the outgoing picture its whole length after it
    a, b = find_shots(_dissolved_track(0, 20)).shots
    assert [(s.record_in_frame - 86400, s.duration_frames) for s in (a, b)] == [(0, 48), (48, 48)]
    assert (a.dissolved, b.dissolved) == ((0, 20), (0, 0))
    a, b = find_shots(_dissolved_track(6, 6)).shots
    assert (a.dissolved, b.dissolved) == ((0, 6), (6, 0))


def test_a_dissolve_longer_than_the_handles_says_the_handles_it_needs(tmp_path):
    timeline = _dissolved_track(0, 20)
    path = tmp_path / "cut.otio"
    otio.adapters.write_to_file(timeline, str(path))
    said = [w for w in preflight(path, handles=12).warnings if "dissolve" in w]
    assert len(said) == 1 and said[0].startswith("A001 at 01:00:00:00: a dissolve shows its picture 20 frame(s)")
    assert "--handles 20" in said[0]
    assert not [w for w in preflight(path, handles=20).warnings if "dissolve" in w]


def test_a_dissolve_showing_more_than_the_media_holds_is_said():
    # the incoming clip is seen 20 frames before its cut; its file starts 8 frames before it
    timeline = _dissolved_track(20, 0)
    timeline.tracks[0][2].media_reference.available_range = TC.TimeRange(TC.RationalTime(192, 24), TC.RationalTime(500, 24))
    [problem] = [p for p in find_shots(timeline).problems if p.kind == "dissolve"]
    assert problem.clip_name == "A002" and "12 frame(s) before its first frame of media" in problem.message
    assert not [p for p in find_shots(_dissolved_track(20, 0)).problems if p.kind == "dissolve"]
