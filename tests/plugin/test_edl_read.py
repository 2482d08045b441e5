"""EDLs as real NLEs write them: legacy encodings, line ends, pop events, implicit speed
changes, a dissolve into a channel's first event, and a frame rate the file does not state."""

from __future__ import annotations

import opentimelineio as otio
import pytest

from foleyline import timebase
from foleyline.errors import InvalidInput
from foleyline.plugin.timeline import find_shots, read_timeline
from foleyline.plugin.timeline.edl_text import decode, drop_frame_counted, normalise, rate_from_timecodes


def _edl(tmp_path, body: str, *, encoding="utf-8", newline="\n"):
    path = tmp_path / "cut.edl"
    text = "TITLE: Cut\nFCM: NON-DROP FRAME\n\n" + body
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def test_a_premiere_edl_in_a_windows_code_page_reads_its_names(tmp_path):
    path = _edl(tmp_path, "001  AX       V     C        00:00:00:00 00:00:02:00 01:00:00:00 01:00:02:00\n"
                          "* FROM CLIP NAME: Café crème.mov\n", encoding="cp1252", newline="\r\n")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # what the adapter tried
    [shot] = find_shots(read_timeline(path, rate=25)).shots
    assert shot.name == "Café crème.mov" and shot.duration_frames == 50


def test_decoding_prefers_utf8_and_drops_a_byte_order_mark():
    assert decode("\ufeffTITLE: Ünïcode".encode("utf-8")) == "TITLE: Ünïcode"
    assert decode("TITLE: Ünïcode".encode("cp1252")) == "TITLE: Ünïcode"


def test_a_list_saved_as_windows_unicode_reads_with_or_without_its_byte_order_mark(tmp_path):
    body = "001  AX       V     C        00:00:00:00 00:00:02:00 01:00:00:00 01:00:02:00\n* FROM CLIP NAME: Æble.mov\n"
    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):  # "utf-16" writes the mark
        path = _edl(tmp_path, body, encoding=encoding, newline="\r\n")
        [shot] = find_shots(read_timeline(path, rate=25)).shots
        assert (shot.name, shot.duration_frames) == ("Æble.mov", 50)


def test_an_avid_pop_event_without_source_length_takes_its_record_length(tmp_path):
    path = _edl(tmp_path, "001  FKI_LEAD V     C        00:00:00:00 00:00:00:00 01:00:00:00 01:00:08:00\n"
                          "* FROM CLIP NAME:  LEADER.MOV\n"
                          "002  A001     V     C        10:00:00:00 10:00:02:00 01:00:08:00 01:00:10:00\n")
    with pytest.raises(Exception, match="Source and record duration"):
        otio.adapters.read_from_string(path.read_text(), "cmx_3600", rate=24)
    shots = find_shots(read_timeline(path, rate=24)).shots
    assert [(s.record_timecode(), s.duration_frames) for s in shots] == [("01:00:00:00", 192), ("01:00:08:00", 48)]


def test_an_implicit_speed_change_gets_its_speed(tmp_path):
    # 25 source frames in 13 record frames, no M2 line: a 48 fps clip played at speed
    path = _edl(tmp_path, "001  A002C010 V     C        04:33:43:07 04:33:44:08 04:03:49:10 04:03:49:23\n")
    assert "M2   A002C010" in normalise(path.read_text(), 24)
    timeline = read_timeline(path, rate=24)
    [clip] = timeline.find_clips()
    [warp] = clip.effects
    assert warp.time_scalar == pytest.approx(25 / 13, rel=1e-3)
    assert find_shots(timeline).problems[0].kind == "speed"


def test_a_dissolve_into_a_channels_first_event_is_a_cut(tmp_path):
    path = _edl(tmp_path, "001  BL       A     C        00:00:00:00 00:00:00:00 01:00:00:00 01:00:00:00\n"
                          "001  A001     A     D    002 00:00:00:00 00:00:02:00 01:00:00:00 01:00:02:00\n"
                          "* TO CLIP NAME:  room.wav\n")
    timeline = read_timeline(path, rate=24)
    [clip] = timeline.find_clips()
    assert clip.range_in_parent().duration.value == 48


def test_the_rate_an_edl_allows_is_told_from_its_timecodes(tmp_path):
    assert rate_from_timecodes("001  AX V C 00:00:00:00 00:00:01:24 01:00:00:00 01:00:01:24").rate == 25
    assert rate_from_timecodes("001  AX V C 00:00:00:00 00:00:01:23 01:00:00:00 01:00:01:23").rate == 24
    guess = rate_from_timecodes("FCM: DROP FRAME\n001  AX V C 00:00:00;00 00:00:01;29 01:00:00;00 01:00:01;29")
    assert guess.drop_frame and guess.rate == pytest.approx(30000 / 1001)
    path = _edl(tmp_path, "001  AX       V     C        00:00:00:00 00:00:01:24 01:00:00:00 01:00:01:24\n")
    with pytest.raises(InvalidInput, match="count frame 24, which 24 fps does not have; the EDL is at least 25 fps: give --rate 25"):
        read_timeline(path, rate=24)
    with pytest.raises(InvalidInput, match="does not record its frame rate.*its timecodes fit 25"):
        read_timeline(path)
    guessed = read_timeline(path, guess_rate=True)
    assert guessed.metadata["foleyline"]["edl_rate"] == 25


def test_a_later_event_records_over_the_earlier_ones_on_its_channel(tmp_path):
    # a list is a series of recordings onto tape: B001 lands inside A001, C001 over A001's end,
    # D001 exactly over C001; the adapter alone refuses the list at B001
    path = _edl(tmp_path, "001  A001     V     C        10:00:00:00 10:00:04:00 01:00:00:00 01:00:04:00\n"
                          "* FROM CLIP NAME: A001\n"
                          "* LOC: 01:00:02:12 RED     door\n"
                          "002  B001     V     C        12:00:00:00 12:00:01:00 01:00:01:00 01:00:02:00\n"
                          "003  C001     V     C        13:00:00:00 13:00:02:00 01:00:03:00 01:00:05:00\n"
                          "004  D001     V     C        14:00:00:00 14:00:02:00 01:00:03:00 01:00:05:00\n")
    with pytest.raises(Exception, match="Overlapping record"):
        otio.adapters.read_from_string(path.read_text(), "cmx_3600", rate=24)
    timeline = read_timeline(path, rate=24)
    shots = find_shots(timeline).shots
    assert [(s.record_timecode(), s.duration_frames, s.source_range.start_time.to_timecode()) for s in shots] == [
        ("01:00:00:00", 24, "10:00:00:00"), ("01:00:01:00", 24, "12:00:00:00"),
        ("01:00:02:00", 24, "10:00:02:00"), ("01:00:03:00", 48, "14:00:00:00")]
    [locator] = [(c.name, m.name) for c in timeline.find_clips() for m in c.markers]
    assert locator == ("A001", "door")  # with the piece of A001 that shows its frame


def test_a_list_out_of_record_order_reads_in_record_order(tmp_path):
    path = _edl(tmp_path, "001  A001     V     C        10:00:00:00 10:00:01:00 01:00:02:00 01:00:03:00\n"
                          "002  B001     V     C        20:00:00:00 20:00:02:00 01:00:00:00 01:00:02:00\n")
    shots = find_shots(read_timeline(path, rate=25)).shots
    assert [(s.record_timecode(), s.duration_frames) for s in shots] == [("01:00:00:00", 50), ("01:00:02:00", 25)]


def test_a_locator_with_a_one_digit_hour_is_a_marker(tmp_path):
    path = _edl(tmp_path, "001  A001     V     C        01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n"
                          "*LOC: 1:00:01:00  YELLOW  DRA_001_0001\n")
    [marker] = [m for c in read_timeline(path, rate=24).find_clips() for m in c.markers]
    assert (marker.name, marker.color, marker.marked_range.start_time.to_timecode()) == (
        "DRA_001_0001", "YELLOW", "01:00:01:00")


def test_an_edls_clips_without_media_are_for_relink_not_for_the_nle(tmp_path):
    path = _edl(tmp_path, "001  A001     V     C        01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n")
    [shot] = find_shots(read_timeline(path, rate=24)).shots
    assert shot.missing_reason == "an EDL names no media files; --relink DIR finds them by reel or clip name"


@pytest.mark.parametrize("rate, seps", [(29.97, "::"), (29.97, ";;"), (59.94, "::")])
def test_drop_frame_lists_count_drop_frame_whatever_their_separators(tmp_path, rate, seps):
    # Avid writes "FCM: DROP FRAME" and then ':' everywhere (CMX3600 has no ';'): the list
    # means drop-frame labels, an hour of which is 108 frames (216 at 59.94) fewer than non-drop.
    body = ("TITLE: Cut\nFCM: DROP FRAME\n"
            "001  A001     V     C        01:10:00:00 01:10:02:00 01:00:00:00 01:00:02:00\n"
            "* LOC: 01:00:01:00 RED     door\n"
            "002  A002     V     C        00:00:10:00 00:00:12:00 01:00:02:00 01:00:04:00\n").replace(":00 0", seps[0] + "00 0")
    path = tmp_path / "cut.edl"
    path.write_text(body)
    timeline = read_timeline(path, rate=rate)
    counting = timebase.timecode_rate(rate, drop_frame=True)
    first, second = timeline.find_clips()
    assert timebase.to_frames(timeline.global_start_time, rate) == timebase.timecode_to_frames("01:00:00;00", counting)
    assert timebase.to_frames(first.source_range.start_time, rate) == timebase.timecode_to_frames("01:10:00;00", counting)
    assert first.source_range.duration.value == second.source_range.duration.value == round(2 * counting.fps)
    [marker] = first.markers
    assert timebase.to_frames(marker.marked_range.start_time, rate) == timebase.timecode_to_frames("01:00:01;00", counting)


def test_a_non_drop_list_at_2997_stays_non_drop(tmp_path):
    path = _edl(tmp_path, "001  A001     V     C        01:10:00:00 01:10:02:00 01:00:00:00 01:00:02:00\n")
    timeline = read_timeline(path, rate=29.97)
    assert timebase.to_frames(timeline.global_start_time, 29.97) == 108000
    assert normalise(path.read_text(), 29.97) == path.read_text()


def test_drop_frame_labels_are_left_alone_at_a_rate_without_drop_frame():
    text = "FCM: DROP FRAME\n001  A001     V     C        01:10:00:00 01:10:02:00 01:00:00:00 01:00:02:00"
    assert drop_frame_counted(text, 25) == text


def test_a_dissolves_outgoing_line_numbered_as_the_event_before_is_the_dissolves(tmp_path):
    path = _edl(tmp_path, "001  TST V     C        01:00:04:05 01:00:04:14 01:00:00:00 01:00:00:09\n"
                          "* FROM CLIP NAME:  clip_A\n"
                          "001  TST V     C        01:00:04:14 01:00:04:14 01:00:00:09 01:00:00:09\n"
                          "002  TST V     D    010 01:00:08:08 01:00:08:18 01:00:00:09 01:00:00:19\n"
                          "* FROM CLIP NAME:  clip_A\n"
                          "* TO CLIP NAME:  clip_B\n"
                          "003  TST V     C        01:00:08:18 01:00:08:19 01:00:00:19 01:00:00:20\n")
    with pytest.raises(Exception):
        otio.adapters.read_from_string(path.read_text(), "cmx_3600", rate=24)
    timeline = read_timeline(path, rate=24)
    [track] = timeline.video_tracks()
    assert [type(item).__name__ for item in track] == ["Clip", "Transition", "Clip", "Clip"]
    assert [c.source_range.duration.value for c in track.find_clips()] == [9, 10, 1]


def test_an_fcm_line_between_events_counts_that_events_source_only(tmp_path):
    # Avid puts "FCM: DROP FRAME" before an event whose source is drop-frame in a non-drop list:
    # the record column runs on, non-drop (002 starts where 001 ends), the source counts drop-frame
    path = _edl(tmp_path, "001  A001     V     C        00:00:10:00 00:00:12:00 01:00:00:00 01:00:02:00\n"
                          "FCM: DROP FRAME\n"
                          "002  B001     V     C        01:10:00:00 01:10:02:00 01:00:02:00 01:00:04:00\n"
                          "FCM: NON-DROP FRAME\n"
                          "003  A001     V     C        00:00:20:00 00:00:22:00 01:00:04:00 01:00:06:00\n")
    timeline = read_timeline(path, rate=29.97)
    ndf, df = timebase.timecode_rate(29.97), timebase.timecode_rate(29.97, drop_frame=True)
    assert timebase.to_frames(timeline.global_start_time, 29.97) == timebase.timecode_to_frames("01:00:00:00", ndf)
    assert [c.range_in_parent().start_time.value for c in timeline.find_clips()] == [0, 60, 120]
    second = timeline.find_clips()[1]
    assert timebase.to_frames(second.source_range.start_time, 29.97) == timebase.timecode_to_frames("01:10:00;00", df)
    assert timeline.metadata["foleyline"]["drop_frame"] is False


def test_a_transition_written_without_its_type_is_a_dissolve_of_its_duration(tmp_path):
    # Avid, for an effect CMX3600 has no code for: the pair's incoming line has a duration, no type
    path = _edl(tmp_path, "001  A001     V     C        00:00:10:00 00:00:12:00 01:00:00:00 01:00:02:00\n"
                          "002  A001     V     C        00:00:12:00 00:00:12:00 01:00:02:00 01:00:02:00\n"
                          "002  B001     V      008 00:00:20:00 00:00:21:00 01:00:02:00 01:00:03:00\n"
                          "* TO CLIP NAME:  B001.MOV\n")
    [track] = read_timeline(path, rate=24).video_tracks()
    [transition] = [item for item in track if isinstance(item, otio.schema.Transition)]
    assert (transition.in_offset + transition.out_offset).value == 8
    assert [c.name for c in track.find_clips()][-1] == "B001.MOV"


def test_a_cut_is_named_after_its_clip_not_the_one_its_to_comment_names(tmp_path):
    path = _edl(tmp_path, "001  A001     V     C        00:00:10:00 00:00:12:00 01:00:00:00 01:00:02:00\n"
                          "* FROM CLIP NAME:  A001.NEW.01\n"
                          "002  B001     V     C        00:00:20:00 00:00:22:00 01:00:02:00 01:00:04:00\n"
                          "* FROM CLIP NAME:  B001.NEW.01 \n"
                          "* TO CLIP NAME:  A001.NEW.01\n")
    raw = otio.adapters.read_from_string(path.read_text(), "cmx_3600", rate=24)
    assert [c.name for c in raw.find_clips()] == ["A001.NEW.01", "A001.NEW.01"]  # the neighbour's name
    assert [c.name for c in read_timeline(path, rate=24).find_clips()] == ["A001.NEW.01", "B001.NEW.01"]


def _span_and_speed(path, rate):
    shots = find_shots(read_timeline(path, rate=rate))
    [shot] = shots.shots
    speeds = [p.message for p in shots.problems if p.kind == "speed"]
    return shot.source_range.duration.value, speeds


def test_an_m2_speed_that_counts_a_clip_of_another_rate_takes_the_source_columns_for_its_media(tmp_path):
    # Avid: "025.0" plays a 24 fps clip frame for frame in a 25 fps list (104 %) and a 50 fps
    # clip at half speed; the source timecodes span the media shown (185 and 47 list frames),
    # not the 178 and 94 frames the speed gives at 25 fps
    for sout, rout, span, percent in (("16:52:08:17", "10:00:18:06", 185, "103.9"),
                                      ("00:05:24:14", "10:00:14:22", 47, "50%")):
        sin = "16:52:01:07" if sout.startswith("16") else "00:05:22:17"
        path = _edl(tmp_path, f"000001  D004_L017 V     C        {sin} {sout} 10:00:11:03 {rout} \n"
                              f"M2      D004_L017         025.0 {sin} \n")
        frames, speeds = _span_and_speed(path, 25)
        assert frames == pytest.approx(span, abs=1) and percent in speeds[0]


def test_an_m2_speed_that_gives_its_source_columns_within_avids_frame_is_kept(tmp_path):
    # 232 record frames at 37.5 fps are 348 source frames; Avid's source out says 347
    path = _edl(tmp_path, "000040  K001_Z017 V     C        10:51:53:07 10:52:07:04 10:01:27:23 10:01:37:05 \n"
                          "M2      K001_Z017         037.5 10:51:53:07 \n")
    frames, speeds = _span_and_speed(path, 25)
    assert frames == pytest.approx(348) and "150%" in speeds[0]


def test_a_reverse_m2_keeps_its_speed_though_its_source_spans_one_frame(tmp_path):
    path = _edl(tmp_path, "014  A014C003 V     C        01:05:00:10 01:05:00:11 01:00:10:00 01:00:13:18 \n"
                          "M2   A014C003       -24.0                01:05:00:10 \n")
    frames, speeds = _span_and_speed(path, 24)
    assert frames == pytest.approx(90) and "-100%" in speeds[0]


def test_a_source_one_frame_off_its_record_is_a_clip_of_another_rate_not_a_speed_change(tmp_path):
    # Resolve writes a 24 fps clip in a 25 fps list in the clip's own timecode: 3:21 at 24 fps
    # is the 3.88 s that 3:22 records at 25
    path = _edl(tmp_path, "002  AX       V     C        00:00:00:00 00:00:03:21 01:00:04:06 01:00:08:03  \n"
                          "* FROM CLIP NAME: text.mov\n")
    frames, speeds = _span_and_speed(path, 25)
    assert frames == 97 and speeds == []


def test_a_fade_to_black_keeps_the_fading_clip_as_its_shot_and_its_name(tmp_path):
    # Premiere's list: a clip, then its outgoing line and a 12-frame dissolve into black (BL)
    # whose FROM comment names the clip fading out; black is no shot, the fading picture is
    path = _edl(tmp_path, "004  MMH_0050 V     C        00:00:00:08 00:00:03:09 00:00:22:19 00:00:25:20\n"
                          "* FROM CLIP NAME:  MMH_0050.MOV\n"
                          "005  MMH_0050 V     C        00:00:03:09 00:00:03:09 00:00:25:20 00:00:25:20\n"
                          "005     BL    V     D    012 00:00:00:00 00:00:00:12 00:00:25:20 00:00:26:08\n"
                          "* EFF2_BLEND_DISSOLVE\n"
                          "* FROM CLIP NAME:  MMH_0050.MOV\n"
                          "006  MMH_0057 V     C        00:00:02:23 00:00:05:21 00:00:28:15 00:00:31:13\n"
                          "* FROM CLIP NAME:  MMH_0057.MOV\n", newline="\r")
    shots = find_shots(read_timeline(path, rate=24))
    fading, after = shots.shots
    assert fading.name == "MMH_0050.MOV"
    assert (fading.record_in_frame, fading.duration_frames) == (22 * 24 + 19, 73 + 12)
    assert fading.source_range.end_time_exclusive() == otio.opentime.RationalTime(3 * 24 + 9 + 12, 24)
    assert after.name == "MMH_0057.MOV" and after.record_in_frame == 28 * 24 + 15
    [black] = [p for p in shots.problems if p.kind == "generator"]
    assert black.record_timecode == "00:00:25:20" and "MMH_0050" not in black.clip_name


def test_a_grade_comment_that_is_no_numbers_does_not_refuse_the_list(tmp_path):
    # a tool that fills in a template leaves placeholders where the CDL values go
    path = _edl(tmp_path, "000001 REEL_A   V     C        05:00:00:00 05:00:02:00 01:00:00:00 01:00:02:00\n"
                          "*FROM CLIP NAME: shot_a\n"
                          "*ASC_SOP: slope_here\n"
                          "*ASC_SAT: sat_here\n"
                          "000002 REEL_B   V     C        06:00:00:00 06:00:01:00 01:00:02:00 01:00:03:00\n"
                          "*FROM CLIP NAME: shot_b\n"
                          "*ASC_SOP (1.1 1.0 0.9)(0.0 0.0 0.01)(1.0 1.0 1.0)\n"
                          "*ASC_SAT 0.8\n")
    timeline = read_timeline(path, rate=24)
    shots = find_shots(timeline).shots
    assert [(s.name, s.record_in_frame, s.duration_frames) for s in shots] == [("shot_a", 86400, 48), ("shot_b", 86448, 24)]
    cdl = [c.metadata.get("cdl") for c in timeline.find_clips()]
    assert cdl[0] is None and cdl[1]["asc_sat"] == pytest.approx(0.8)


def test_source_timecodes_beyond_the_edits_rate_are_refused_as_media_at_another_rate(tmp_path):
    # 25 fps media in a 23.976 edit: the record timecodes fit the rate given, the sources' frame
    # 24 does not; reading the whole list at 25 would misplace every record timecode
    path = _edl(tmp_path, "001  A001     V     C        10:00:01:24 10:00:02:20 01:00:00:00 01:00:00:20\n")
    with pytest.raises(InvalidInput, match="record timecodes fit 23.976 fps, but its source timecodes count frame 24") as refused:
        read_timeline(path, rate=23.976)
    assert "export the sequence as .otio, FCP7 XML or AAF" in str(refused.value)
    assert rate_from_timecodes(path.read_text()).highest_record_frame == 20


def test_a_split_edit_places_its_picture_at_its_own_record_in(tmp_path):
    # an L cut as CMX3600 writes it: the SPLIT comment, then picture and sound as two lines of
    # one event whose record ins differ by the delay (the adapter failed on the pair)
    path = _edl(tmp_path, "001  A001     AA/V  C        01:00:10:00 01:00:14:00 01:00:00:00 01:00:04:00\n"
                          "* FROM CLIP NAME:  A001.MOV\n"
                          "SPLIT:   VIDEO DELAY=  00:00:01:00\n"
                          "002  A002     AA    C        02:00:00:00 02:00:04:00 01:00:04:00 01:00:08:00\n"
                          "002  A002     V     C        02:00:01:00 02:00:04:00 01:00:05:00 01:00:08:00\n"
                          "* FROM CLIP NAME:  A002.MOV\n")
    timeline = read_timeline(path, rate=24)
    shots = find_shots(timeline).shots
    assert [(s.name, s.record_timecode(), s.duration_frames) for s in shots] == [
        ("A001.MOV", "01:00:00:00", 96), ("A002.MOV", "01:00:05:00", 72)]
    assert shots[1].source_range.start_time.to_timecode() == "02:00:01:00"
    sound = [c for t in timeline.tracks if t.kind == otio.schema.TrackKind.Audio for c in t.find_clips()]
    assert {(c.name, c.range_in_parent().start_time.value) for c in sound} >= {("A002.MOV", 4 * 24)}


def test_a_keyed_layer_leaves_its_background_as_the_shot_and_is_said(tmp_path):
    path = _edl(tmp_path, "001  A001     V     C        01:00:00:00 01:00:06:00 01:00:00:00 01:00:06:00\n"
                          "002  A001     V     K B      01:00:06:00 01:00:09:00 01:00:06:00 01:00:09:00\n"
                          "002  GFX01    V     K    000 00:00:00:00 00:00:03:00 01:00:06:00 01:00:09:00\n"
                          "003  A001     V     C        01:00:09:00 01:00:12:00 01:00:09:00 01:00:12:00\n")
    timeline = read_timeline(path, rate=24)
    shots = find_shots(timeline).shots
    assert [(s.record_timecode(), s.source_range.start_time.to_timecode()) for s in shots] == [
        ("01:00:00:00", "01:00:00:00"), ("01:00:06:00", "01:00:06:00"), ("01:00:09:00", "01:00:09:00")]
    [note] = timeline.metadata["foleyline"]["read_notes"]
    assert "GFX01" in note and "01:00:06:00" in note


def test_an_event_on_no_channel_is_no_shot(tmp_path):
    # channel NONE records neither picture nor sound; it was read as picture at the list's start
    path = _edl(tmp_path, "001  B001     V     C        10:00:00:00 10:00:04:00 01:00:00:00 01:00:04:00\n"
                          "002  B003     NONE  C        11:00:00:00 11:00:02:00 01:00:04:00 01:00:06:00\n"
                          "* FROM CLIP NAME:  NOTHING.MOV\n"
                          "003  B002     V     C        12:00:00:00 12:00:02:00 01:00:04:00 01:00:06:00\n")
    timeline = read_timeline(path, rate=25)
    assert len(timeline.tracks) == 1
    assert [(s.record_timecode(), s.source_range.start_time.to_timecode()) for s in find_shots(timeline).shots] == [
        ("01:00:00:00", "10:00:00:00"), ("01:00:04:00", "12:00:00:00")]


def test_a_reverse_event_whose_columns_span_its_media_plays_them_back_from_their_last_frame(tmp_path):
    # Premiere: columns as long as the record at -100 %, the entry at their first frame; the
    # adapter read it as a forward clip. Avid's form of the same event starts at 01:00:11:24
    path = _edl(tmp_path, "001  AX       V     C        01:00:10:00 01:00:12:00 00:00:00:00 00:00:02:00\n"
                          "M2   AX       -25.0                      01:00:10:00\n")
    result = find_shots(read_timeline(path, rate=25))
    [shot] = result.shots
    assert shot.source_range.start_time.to_timecode() == "01:00:10:00" and shot.source_range.duration.value == 50
    assert any(p.kind == "speed" and "-100%" in p.message for p in result.problems)
