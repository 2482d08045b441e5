"""Reading FCPXML: what Final Cut Pro 10.x exports (1.2 to 1.13) becomes in OTIO, to the frame."""

from __future__ import annotations

import opentimelineio as otio
import pytest

from foleyline.errors import InvalidInput
from foleyline.plugin.timeline import find_shots, read_timeline
from foleyline.plugin.timeline.fcpxml import read_fcpxml
from foleyline.plugin.timeline.formats import read_timelines
from foleyline.plugin.timeline.timelines import describe

from timeline_exports import fcpx_12, fcpx_113, fcpx_library

TC = otio.opentime


def _clips(timeline):
    return {c.name: c for c in timeline.find_clips()}


def test_a_113_project_with_transitions_and_markers_reads_with_its_rate_start_and_clips(tmp_path):
    path = tmp_path / "scene.fcpxml"
    path.write_text(fcpx_113())
    [timeline] = read_timelines(path)
    assert timeline.name == "Scene 12"  # the library's first event is empty: the project is in the second
    [info] = describe([timeline])
    assert (info.rate, info.start) == ("23.976", "01:00:00:00")
    shots = {s.name: s for s in find_shots(timeline).shots}
    assert shots["A001"].record_timecode() == "01:00:00:00" and shots["A001"].duration_frames == 48
    assert shots["A001"].source_range.start_time.value == 48  # start 2.002 s of the media
    assert shots["B001"].record_timecode() == "01:00:02:00"


def test_marker_kinds_become_the_colours_final_cut_shows(tmp_path):
    timeline = read_fcpxml(fcpx_113())[0]
    markers = {m.name: m for c in timeline.find_clips() for m in c.markers}
    assert {n: m.color for n, m in markers.items()} == {
        "door slam": "BLUE", "fix sync": "RED", "Act 1": "ORANGE", "footsteps": "CYAN", "glass": "GREEN"}
    assert markers["footsteps"].marked_range.duration.value == 24  # a keyword covers a range
    assert markers["door slam"].marked_range.start_time.value == 72  # in the clip's media time


def test_media_at_another_rate_keeps_its_own_frames_and_sits_on_sequence_frames():
    timeline = read_fcpxml(fcpx_113())[0]
    b001 = _clips(timeline)["B001"]
    assert b001.source_range.start_time == TC.RationalTime(50, 25)  # start="2s" of 25 fps media
    assert b001.range_in_parent().start_time == TC.RationalTime(48, 24000 / 1001)


def test_retimed_disabled_and_title_clips_say_what_they_are():
    timeline = read_fcpxml(fcpx_113())[0]
    clips = _clips(timeline)
    [warp] = clips["A001 fast"].effects
    assert isinstance(warp, otio.schema.LinearTimeWarp) and warp.time_scalar == pytest.approx(2.0)
    assert clips["A001 fast"].source_range.start_time.value == 480  # through the time map
    assert clips["A001 off"].enabled is False
    assert isinstance(clips["Basic Title"].media_reference, otio.schema.GeneratorReference)
    kinds = {p.kind for p in find_shots(timeline).problems}
    assert {"speed", "disabled", "generator"} <= kinds


def test_a_library_with_two_projects_is_two_timelines(tmp_path):
    path = tmp_path / "library.fcpxml"
    path.write_text(fcpx_library())
    timelines = read_timelines(path)
    assert [t.name for t in timelines] == ["Reel 1", "Reel 2"]
    with pytest.raises(InvalidInput, match=r"holds 2 timelines \(1: 'Reel 1', 2: 'Reel 2'\); choose one with --timeline"):
        read_timeline(path)
    assert read_timeline(path, timeline="reel 2").name == "Reel 2"
    assert read_timeline(path, timeline=1).name == "Reel 1"
    with pytest.raises(InvalidInput, match="no timeline named 'Reel 3'"):
        read_timeline(path, timeline="Reel 3")


def test_a_12_export_with_clip_containers_and_a_generator():
    [timeline] = read_fcpxml(fcpx_12())
    shots = find_shots(timeline).shots
    assert [(s.name, s.record_in_frame, s.duration_frames, s.source_range.start_time.value) for s in shots] == [
        ("C0001", 0, 100, 0), ("C0001 again", 150, 150, 500)]
    assert [p.kind for p in find_shots(timeline).problems if p.kind == "generator"] == ["generator"]
    audio = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Audio]
    assert len(audio) == 1 and audio[0].find_clips()[0].media_reference.target_url == "file:///media/C0001.mov"


def test_frames_are_exact_where_float_truncation_loses_one():
    # 29/25 s is frame 29 at 25 fps; float(29) / 25 * 25 is 28.999999999999996
    xml = fcpx_library(("Reel",)).replace('offset="1s"', 'offset="29/25s"')
    [timeline] = read_fcpxml(xml)
    assert find_shots(timeline).shots[0].record_in_frame == 29


def test_not_fcpxml_or_without_a_project_is_a_clear_error():
    with pytest.raises(InvalidInput, match="not well-formed"):
        read_fcpxml("<fcpxml><resources>")
    with pytest.raises(InvalidInput, match="holds no project"):
        read_fcpxml('<fcpxml version="1.10"><resources/><event name="e"><asset-clip ref="a"/></event></fcpxml>')


_COMPOUND_RESOURCES = """<resources>
    <format id="r1" frameDuration="100/2500s" width="1920" height="1080"/>
    <asset id="a1" name="C001" start="36000s" duration="600s" hasVideo="1" format="r1" src="file:///media/C001.mov"/>
    <media id="m1" name="Chase">
      <sequence format="r1" duration="6s" tcStart="0s" tcFormat="NDF">
        <spine>
          <asset-clip ref="a1" offset="0s" name="C001" start="36010s" duration="4s"/>
          <asset-clip ref="a1" offset="4s" name="C001 late" start="36100s" duration="2s">
            <marker start="36101s" duration="1/25s" value="door"/>
          </asset-clip>
        </spine>
      </sequence>
    </media>
  </resources>"""


@pytest.mark.parametrize("where", ["root", "event"])
def test_a_compound_clip_exported_without_a_project_is_read_as_its_own_timeline(where):
    # File > Export XML of a compound clip in the browser: no project, a ref-clip of a media
    # sequence at the root (or in the library's event), the cut Final Cut Pro opens it as
    ref_clip = '<ref-clip ref="m1" name="Chase cut" duration="6s"/>'
    body = ref_clip if where == "root" else f'<library><event name="Day 1">{ref_clip}</event></library>'
    [timeline] = read_fcpxml(f'<fcpxml version="1.11">{_COMPOUND_RESOURCES}{body}</fcpxml>')
    assert timeline.name == "Chase cut"
    shots = find_shots(timeline).shots
    assert [(s.name, s.record_in_frame, s.duration_frames, s.source_range.start_time.value) for s in shots] == [
        ("C001", 0, 100, 36010 * 25), ("C001 late", 100, 50, 36100 * 25)]
    [marker] = [m for c in timeline.find_clips() for m in c.markers]
    assert marker.name == "door" and marker.marked_range.start_time.value == 36101 * 25


def test_a_project_without_a_sequence_is_no_cut_and_the_refusal_says_so():
    # FCPXML 1.2 wrote an event's browser clips inside a <project> without a sequence
    event = """<fcpxml version="1.2"><project name="New Event"><resources>
        <format id="r1" frameDuration="1001/30000s"/><asset id="a1" src="file:///m/a.mp4" start="0s" duration="10s"/>
      </resources><clip name="a" duration="10s" format="r1"><video offset="0s" ref="a1" duration="10s"/></clip>
    </project></fcpxml>"""
    with pytest.raises(InvalidInput, match="holds no project \\(only clips or events\\); select the project"):
        read_fcpxml(event)


def _conformed(conform: str) -> str:
    # 25p media in a 24p project, as Final Cut Pro writes it: the clip's start and markers in
    # media time, its duration in the project's
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<fcpxml version="1.11"><resources>
  <format id="r1" frameDuration="100/2400s" width="1920" height="1080"/>
  <format id="r3" frameDuration="100/2500s" width="1920" height="1080"/>
  <asset id="r2" name="Take" start="0s" duration="142040/1000s" hasVideo="1" format="r3">
    <media-rep kind="original-media" src="file:///Media/Take.mp4"/></asset>
</resources><library><event name="E"><project name="P">
  <sequence format="r1" duration="3551/24s" tcStart="3600s" tcFormat="NDF"><spine>
    <asset-clip ref="r2" offset="3600s" name="Take" start="684/25s" duration="3551/24s" format="r3">
      {conform}<marker start="2753/25s" duration="100/2400s" value="door"/>
    </asset-clip>
  </spine></sequence></project></event></library></fcpxml>"""


def test_a_rate_conformed_clip_shows_its_media_frame_for_frame_at_the_projects_rate():
    # 3551 project frames show 3551 media frames: 142.04 s of the 25p file, not 147.96 s
    [clip] = read_fcpxml(_conformed('<conform-rate srcFrameRate="25"/>'))[0].find_clips()
    [warp] = clip.effects
    assert warp.time_scalar == pytest.approx(24 / 25)
    assert clip.source_range.start_time == TC.RationalTime(684, 25)
    [shot] = find_shots(read_fcpxml(_conformed('<conform-rate srcFrameRate="25"/>'))[0]).shots
    assert shot.source_range.duration.rescaled_to(25).value == pytest.approx(3551, abs=0.5)
    [marker] = clip.markers  # media time 110.12 s is where the project shows it
    assert marker.marked_range.start_time.rescaled_to(25).value == pytest.approx(2753, abs=0.5)


def test_a_clip_whose_conform_is_off_plays_its_media_in_real_time():
    [clip] = read_fcpxml(_conformed('<conform-rate scaleEnabled="0" srcFrameRate="25"/>'))[0].find_clips()
    assert len(clip.effects) == 0 and clip.source_range.duration == TC.RationalTime(3551, 24)


def _retimed(time_map: str) -> str:
    # a 24 fps project, one clip of 48 frames whose time map says what media it shows
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<fcpxml version="1.11"><resources>
  <format id="r1" frameDuration="100/2400s" width="1920" height="1080"/>
  <asset id="r2" name="Take" start="0s" duration="20s" hasVideo="1" format="r1">
    <media-rep kind="original-media" src="file:///Media/Take.mov"/></asset>
</resources><library><event name="E"><project name="P">
  <sequence format="r1" duration="2s" tcStart="0s" tcFormat="NDF"><spine>
    <asset-clip ref="r2" offset="0s" name="Take" start="6s" duration="2s" format="r1">
      <timeMap>{time_map}</timeMap>
    </asset-clip>
  </spine></sequence></project></event></library></fcpxml>"""


def test_a_reversed_clip_shows_the_media_before_the_frame_it_starts_on():
    # reversed over a 10 s take: local 6-8 s shows media 4 s back to 2 s
    timeline = read_fcpxml(_retimed('<timept time="0s" value="10s" interp="linear"/>'
                                    '<timept time="10s" value="0s" interp="linear"/>'))[0]
    [shot] = find_shots(timeline).shots
    assert shot.source_range.start_time.value == pytest.approx(49)  # frames 96 back to 49 (4 s to 2 s)
    assert shot.source_range.duration.value == pytest.approx(48)


def test_a_time_map_that_plays_forward_then_back_is_a_shot_of_the_media_it_spans():
    # Apple's example: 0-5 s of media at 50 % then back at -50 %; averaged, it read as a still
    timeline = read_fcpxml(_retimed('<timept time="0s" value="0s" interp="linear"/>'
                                    '<timept time="7s" value="3.5s" interp="linear"/>'
                                    '<timept time="14s" value="0s" interp="linear"/>'))[0]
    result = find_shots(timeline)
    [shot] = result.shots
    # local 6-8 s: media 3 s up to 3.5 s and back to 3 s
    assert shot.source_range.start_time.value == pytest.approx(72)
    assert shot.source_range.duration.value == pytest.approx(12)
    [speed] = [p for p in result.problems if p.kind == "speed"]
    assert "speed varying" in speed.message


def test_a_hold_within_a_clip_says_its_speed_varies():
    timeline = read_fcpxml(_retimed('<timept time="0s" value="0s" interp="linear"/>'
                                    '<timept time="7s" value="7s" interp="linear"/>'
                                    '<timept time="9s" value="7s" interp="linear"/>'
                                    '<timept time="20s" value="18s" interp="linear"/>'))[0]
    result = find_shots(timeline)
    [shot] = result.shots
    assert shot.source_range.start_time.value == pytest.approx(144)  # 6 s to 7 s, held, then 7 s
    assert shot.source_range.duration.value == pytest.approx(24)
    assert any(p.kind == "speed" and "50% on average, its speed varying" in p.message for p in result.problems)


def test_a_clip_connected_to_a_clip_container_is_not_cut_by_it_but_the_containers_own_sound_is():
    # Final Cut Pro lets a connected clip run past the clip it hangs from; a <clip>'s own
    # <video> and <audio> are its content, cut to it
    text = """<?xml version="1.0" encoding="UTF-8"?>
<fcpxml version="1.11"><resources><format id="r1" frameDuration="1/25s"/>
<asset id="a" name="A" start="0s" duration="60s" hasVideo="1" hasAudio="1" format="r1"><media-rep kind="original-media" src="file:///m/A.mov"/></asset>
<asset id="b" name="B" start="0s" duration="60s" hasVideo="1" format="r1"><media-rep kind="original-media" src="file:///m/B.mov"/></asset>
</resources><project name="P"><sequence format="r1" tcStart="0s"><spine>
<clip name="Box" offset="0s" start="10s" duration="4s"><video ref="a" offset="0s" start="0s" duration="60s"/>
<audio ref="a" lane="-1" offset="0s" start="0s" duration="60s"/>
<asset-clip ref="b" lane="1" name="Over" offset="13s" start="0s" duration="3s"/></clip>
</spine></sequence></project></fcpxml>"""
    [timeline] = read_fcpxml(text)
    ranges = {(c.name, track.kind): (c.range_in_parent().start_time.value, c.range_in_parent().duration.value)
              for track in timeline.tracks for c in track.find_clips()}
    assert ranges[("Over", "Video")] == (75, 75)  # from 3 s into the container, 3 s long: 1 s past its end
    assert ranges[("Box", "Audio")] == (0, 100)  # its sound, cut to the container's 4 s
