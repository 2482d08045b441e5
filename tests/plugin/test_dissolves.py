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


def _fcpxml_spine(spine: str) -> str:
    """A 25 fps FCPXML 1.13 project whose spine is ``spine``, media A to E of 40 s each."""
    assets = "".join(f'<asset id="{n}" name="{n}" start="0s" duration="40s" hasVideo="1" format="r1">'
                     f'<media-rep kind="original-media" src="file:///Volumes/Media/{n}.mov"/></asset>' for n in "ABCDE")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n<fcpxml version="1.13"><resources>'
            f'<format id="r1" frameDuration="1/25s" width="1920" height="1080"/>{assets}'
            f'<effect id="x" name="Cross Dissolve" uid="FxPlug:4731E73A"/></resources><library><event name="E">'
            f'<project name="P"><sequence format="r1" tcStart="0s"><spine>{spine}</spine></sequence></project>'
            f'</event></library></fcpxml>')


def _transition(offset: str, duration: str) -> str:
    return (f'<transition name="Cross Dissolve" offset="{offset}" duration="{duration}">'
            f'<filter-video ref="x" name="Cross Dissolve"/></transition>')


def test_an_fcpxml_transition_keeps_its_edit_and_says_what_each_side_shows_past_it(tmp_path):
    # Final Cut Pro centres a transition on the edit; the clips abut at the edit and each runs on
    # under it into its media; Resolve's export may start or end it on the edit
    path = tmp_path / "cut.fcpxml"
    path.write_text(_fcpxml_spine(
        '<asset-clip ref="A" offset="0s" name="A" start="4s" duration="4s"/>'
        + _transition("17/5s", "6/5s")  # 30 frames, centred on the edit at 4 s
        + '<asset-clip ref="B" offset="4s" name="B" start="20s" duration="4s"/>'
        + _transition("8s", "1s")  # 25 frames from the edit at 8 s
        + '<asset-clip ref="C" offset="8s" name="C" start="0s" duration="4s"/>'
        + _transition("11s", "1s")  # 25 frames ending on the edit at 12 s
        + '<asset-clip ref="D" offset="12s" name="D" start="2s" duration="2s"/>'))
    shots = find_shots(read_timeline(path)).shots
    assert [(s.name, s.record_in_frame, s.duration_frames) for s in shots] == [
        ("A", 0, 100), ("B", 100, 100), ("C", 200, 100), ("D", 300, 50)]
    assert [s.source_range.start_time.value for s in shots] == [100, 500, 0, 50]
    # (before, after): how far each picture shows past its own cut, under its neighbours' dissolves
    assert [s.dissolved for s in shots] == [(0, 15), (15, 25), (0, 0), (25, 0)]
    said = [w for w in preflight(path, handles=12).warnings if "dissolve" in w]
    assert [w.split(" at ")[0] for w in said] == ["A", "B", "D"]
    assert "--handles 15" in said[0] and "--handles 25" in said[1]


def test_an_fcpxml_fade_into_a_gap_runs_the_clip_through_it_and_writes_back_where_it_was(tmp_path):
    from foleyline.plugin.timeline.conformance import round_trip
    from foleyline.plugin.timeline.formats import format_by_name

    path = tmp_path / "cut.fcpxml"
    path.write_text(_fcpxml_spine(
        _transition("0s", "2/5s")  # a fade in over the first clip: nothing to run into
        + '<asset-clip ref="A" offset="0s" name="A" start="4s" duration="4s"/>'
        + _transition("18/5s", "4/5s")  # 20 frames centred on A's end, into the gap
        + '<gap name="Gap" offset="4s" duration="2s"/>'
        + '<asset-clip ref="B" offset="6s" name="B" start="0s" duration="2s"/>'))
    timeline = read_timeline(path)
    a, b = find_shots(timeline).shots
    assert (a.record_in_frame, a.duration_frames, a.dissolved) == (0, 110, (0, 0))
    assert (b.record_in_frame, b.duration_frames) == (150, 50)
    # the take under A runs past A's clip in the spine, which the writer hangs it from
    folder = tmp_path / "check"
    folder.mkdir()
    assert round_trip(timeline, [a, b], format_by_name("fcpx"), folder).ok


def test_an_fcpxml_write_back_keeps_the_editors_dissolves(tmp_path):
    # the OTIO FCPXML writer writes no transition: Final Cut Pro would read the editor's
    # dissolves back as cuts
    from foleyline.plugin.timeline.quirks import write_string

    path = tmp_path / "cut.fcpxml"
    path.write_text(_fcpxml_spine(
        '<asset-clip ref="A" offset="0s" name="A" start="4s" duration="4s"/>'
        + _transition("17/5s", "6/5s")
        + '<asset-clip ref="B" offset="4s" name="B" start="20s" duration="4s"/>'
        + _transition("8s", "1s")
        + '<asset-clip ref="C" offset="8s" name="C" start="2s" duration="4s"/>'))
    written = tmp_path / "written.fcpxml"
    written.write_text(write_string(read_timeline(path), "fcpx", "fcpx_xml"))
    back = read_timeline(written)
    sides = [(t.in_offset.value, t.out_offset.value) for t in back.tracks[0] if isinstance(t, otio.schema.Transition)]
    assert sides == [(15, 15), (0, 25)]
    assert [s.dissolved for s in find_shots(back).shots] == [(0, 15), (15, 25), (0, 0)]
