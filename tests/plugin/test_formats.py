"""Every format is read through its OTIO adapter; what a reader leaves out is put back."""

from __future__ import annotations


import opentimelineio as otio
import pytest

from foleyline.errors import InvalidInput, NotFound
from foleyline.notes.schema import LayerKind
from foleyline.plugin.timeline import Placement, Selection, detect_format, find_shots, read_timeline, write_foley_timeline
from foleyline.plugin.timeline.writers import choose_format


def test_format_is_known_from_the_suffix_and_xml_is_sniffed(tmp_path, otio_samples_dir):
    assert detect_format(otio_samples_dir / "premiere_example.xml").name == "fcp7"
    assert detect_format(otio_samples_dir / "fcpx_project.fcpxml").name == "fcpx"
    renamed = tmp_path / "final_cut.xml"
    renamed.write_bytes((otio_samples_dir / "fcpx_project.fcpxml").read_bytes())
    assert detect_format(renamed).name == "fcpx"
    other = tmp_path / "other.xml"
    other.write_text("<?xml version='1.0'?><project/>")
    with pytest.raises(InvalidInput, match="neither FCP7 XML"):
        detect_format(other)
    with pytest.raises(InvalidInput, match="unknown timeline format"):
        detect_format(tmp_path / "cut.aep")


def test_an_edl_needs_its_rate(otio_samples_dir):
    with pytest.raises(InvalidInput, match="does not record its frame rate"):
        read_timeline(otio_samples_dir / "speed_effects.edl")


def test_a_missing_or_unreadable_file_says_so(tmp_path):
    with pytest.raises(NotFound, match="not found"):
        read_timeline(tmp_path / "gone.otio")
    broken = tmp_path / "broken.otio"
    broken.write_text("{ not json")
    with pytest.raises(InvalidInput, match="broken.otio: the OpenTimelineIO reader could not read it"):
        read_timeline(broken)


def test_a_file_with_several_timelines_is_refused(tmp_path, timeline_factory):
    both = otio.schema.SerializableCollection(children=[timeline_factory(), timeline_factory()])
    otio.adapters.write_to_file(both, str(tmp_path / "two.otio"))
    with pytest.raises(InvalidInput, match="holds 2 timelines"):
        read_timeline(tmp_path / "two.otio")


def test_the_edl_record_start_is_the_timeline_start(otio_samples_dir):
    timeline = read_timeline(otio_samples_dir / "speed_effects.edl", rate=24)
    shots = find_shots(timeline).shots
    # the first event is recorded at 01:00:00:00 (the reader hid it in a negative track range)
    assert shots[0].record_timecode() == "01:00:00:00"
    assert shots[1].record_timecode() == "01:00:05:06"


def test_fcp7_disabled_clips_and_tracks_are_honoured(otio_samples_dir):
    found = find_shots(read_timeline(otio_samples_dir / "premiere_enable_property.xml"))
    assert all("disabled" not in s.name for s in found.shots)
    disabled = {p.clip_name for p in found.problems if p.kind == "disabled"}
    assert {"video_track_1_disabled_1", "video_track_1_disabled_2"} <= disabled
    assert any("V3" in p.message for p in found.problems)


def test_nested_sequences_and_transitions_of_a_premiere_export(otio_samples_dir):
    found = find_shots(read_timeline(otio_samples_dir / "premiere_example.xml"))
    assert any(p.kind == "generator" for p in found.problems)
    # every found shot sits inside the sequence and has a length
    assert all(s.duration_frames > 0 and s.record_in_frame >= 0 for s in found.shots)
    # all media is on D:\ of the editor's machine: reported, not dropped
    assert len(found.shots) == len([p for p in found.problems if p.kind == "missing_media"])
    assert str(found.shots[0].media_path).replace("\\", "/").endswith("D:/media/sc01_sh010_anim.mov")


def test_fcpx_compound_clips_are_walked(otio_samples_dir):
    found = find_shots(read_timeline(otio_samples_dir / "fcpx_project.fcpxml"))
    names = {s.name for s in found.shots}
    assert "IMG_0715" in names and len(found.shots) >= 7


def test_written_format_defaults_to_the_format_read(otio_samples_dir, tmp_path, timeline_factory):
    timeline = read_timeline(otio_samples_dir / "premiere_example.xml")
    assert choose_format(timeline, tmp_path / "out", None).name == "fcp7"
    assert choose_format(timeline, tmp_path / "out.otio", None).name == "otio"
    assert choose_format(timeline, tmp_path / "out", "aaf").name == "aaf"
    assert choose_format(timeline_factory(), tmp_path / "out", None).name == "otio"
    with pytest.raises(InvalidInput, match="unknown timeline format"):
        choose_format(timeline, tmp_path / "out", "prproj")


def test_a_name_without_a_timeline_suffix_gets_one(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(clips=[("A001", 24, 100, 48)])
    shot = find_shots(timeline).shots[0]
    placement = Placement(shot, "t1", "steps", LayerKind.FOLEY, wav_factory(), 12, 12, "steps")
    written = write_foley_timeline(timeline, [placement], tmp_path / "cut.v2_foley")
    assert written.name == "cut.v2_foley.otio" and written.exists()


def test_otioz_bundles_the_takes(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(clips=[("A001", 24, 100, 48)], media_dir=tmp_path)
    shot = find_shots(timeline).shots[0]
    wav = wav_factory()
    written = write_foley_timeline(timeline, [Placement(shot, "t1", "steps", LayerKind.FOLEY, wav, 12, 12, "s")],
                                   tmp_path / "bundle.otioz")
    back = read_timeline(written)
    foley = [t for t in back.tracks if t.name == "Foley"][0].find_clips()[0]
    assert foley.range_in_parent().start_time.value == 24  # the shot's record frame
    assert foley.source_range.start_time.value == 12  # after the head handle
    assert foley.media_reference.target_url.endswith(wav.name)


def test_drop_frame_is_kept_from_an_fcp7_export(timeline_factory, tmp_path):
    edit = timeline_factory(rate=30000 / 1001, start_tc="01:00:00;00", clips=[("A001", 1800, 100, 48)])
    # the adapter's writer always says NDF; a drop-frame sequence from an NLE says DF
    xml = otio.adapters.write_to_string(edit, "fcp_xml").replace("<displayformat>NDF<", "<displayformat>DF<")
    (tmp_path / "df.xml").write_text(xml)
    shot = find_shots(read_timeline(tmp_path / "df.xml")).shots[0]
    assert shot.drop_frame
    assert shot.record_timecode() == "01:01:00;02"  # 1800 frames after 1h, drop-frame labels
    picked = find_shots(read_timeline(tmp_path / "df.xml"), Selection(record_in="01:01:00;02", record_out="01:01:01;00"))
    assert [s.name for s in picked.shots] == ["A001"]


def test_drop_frame_is_kept_from_an_edl(tmp_path):
    (tmp_path / "df.edl").write_text(
        "TITLE: df\nFCM: DROP FRAME\n\n"
        "001  A001     V     C        01:00:00;00 01:00:02;00 01:00:00;00 01:00:02;00\n"
        "* FROM CLIP NAME: A001\n")
    shot = find_shots(read_timeline(tmp_path / "df.edl", rate=29.97)).shots[0]
    assert shot.drop_frame and shot.record_timecode() == "01:00:00;00"
    assert shot.duration_frames == 60


def test_an_fcpxmld_bundle_is_read_through_its_info_file(otio_samples_dir, tmp_path):
    bundle = tmp_path / "Project.fcpxmld"
    bundle.mkdir()
    (bundle / "Info.fcpxml").write_bytes((otio_samples_dir / "fcpx_project.fcpxml").read_bytes())
    assert detect_format(bundle).name == "fcpx"
    assert len(find_shots(read_timeline(bundle)).shots) == len(find_shots(read_timeline(otio_samples_dir / "fcpx_project.fcpxml")).shots)


def _clock_timed(tmp_path, start_rate, clip_rate):
    """Two clips written by a tool that counts time in its own clock (AVFoundation's 1/24000 s
    ticks) or leaves RationalTime()'s default rate 1 as the global start: 2.5 s, then 4 s of
    media from 3.5 s."""
    def rng(start, length):
        return otio.opentime.TimeRange(otio.opentime.RationalTime(start * clip_rate, clip_rate),
                                       otio.opentime.RationalTime(length * clip_rate, clip_rate))
    track = otio.schema.Track(name="Track 1")
    for name, start, length in (("A", 0, 2.5), ("B", 3.5, 4)):
        track.append(otio.schema.Clip(name=name, source_range=rng(start, length),
                                      media_reference=otio.schema.ExternalReference(target_url=f"file:///m/{name}.mp4")))
    timeline = otio.schema.Timeline(name="clock", tracks=[track])
    timeline.global_start_time = otio.opentime.RationalTime(0, start_rate)
    path = tmp_path / "clock.otio"
    otio.adapters.write_to_file(timeline, str(path))
    return path


def test_an_otio_timed_by_a_clock_asks_for_its_frame_rate_and_reads_frames_at_it(tmp_path):
    path = _clock_timed(tmp_path, start_rate=1, clip_rate=24000)
    # read as frames of 1 s, every cut fell on a whole second: 2.5 s became 3
    with pytest.raises(InvalidInput, match=r"counts its times at 24000 per second.*--rate"):
        find_shots(read_timeline(path))
    shots = find_shots(read_timeline(path, rate=24)).shots
    assert [(s.record_in_frame, s.duration_frames) for s in shots] == [(0, 60), (60, 96)]
    assert shots[1].source_range.start_time == otio.opentime.RationalTime(84, 24)


def test_a_global_start_left_at_rate_1_takes_the_rate_of_the_clips(tmp_path):
    shots = find_shots(read_timeline(_clock_timed(tmp_path, start_rate=1, clip_rate=24))).shots
    assert [(s.rate, s.record_in_frame, s.duration_frames) for s in shots] == [(24, 0, 60), (24, 60, 96)]


def test_a_media_reference_naming_no_file_says_so(tmp_path):
    from foleyline.plugin.timeline.clipinfo import media_path_of

    path, why = media_path_of(otio.schema.ExternalReference(target_url=""), tmp_path)
    assert path is None and "names no file" in why and "relink" in why


def test_an_otio_file_of_one_clip_names_it_and_asks_for_the_sequence(tmp_path):
    # what a pipeline script writes of one shot of a Resolve or Hiero cut: a Clip, no Timeline
    clip = otio.schema.Clip(name="sh010", source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(1001, 24), otio.opentime.RationalTime(12, 24)))
    path = tmp_path / "sh010.otio"
    otio.adapters.write_to_file(clip, str(path))
    with pytest.raises(InvalidInput, match=r"holds one clip \(sh010\) and no timeline .*export the sequence it is cut in"):
        read_timeline(path)


def test_a_drop_frame_timeline_lists_its_length_in_drop_frame(tmp_path):
    from foleyline.plugin.timeline.timelines import describe

    # ten minutes of 29.97 DF is 17982 frames: counted non-drop that reads 00:09:59:12, 0.6 s short
    path = tmp_path / "df.edl"
    path.write_text("TITLE: DF\nFCM: DROP FRAME\n\n"
                    "001  AX       V     C        01:00:00;00 01:10:00;00 01:00:00;00 01:10:00;00\n"
                    "* FROM CLIP NAME: a.mov\n")
    info = describe([read_timeline(path, rate=29.97)])[0]
    assert (info.rate, info.start, info.duration) == ("29.97 DF", "01:00:00;00", "00:10:00;00")


def test_an_otiod_bundle_is_read_with_its_media_beside_it_and_written_back_naming_that_media(
        timeline_factory, wav_factory, tmp_path):
    # OTIO's folder bundle: content.otio names its media relative to the folder (media/A001.mov)
    (tmp_path / "src").mkdir()
    timeline = timeline_factory(clips=[("A001", 24, 100, 48)], media_dir=tmp_path / "src")
    otio.adapters.write_to_file(timeline, str(tmp_path / "cut.otiod"), adapter_name="otiod")
    bundle = tmp_path / "cut.otiod"
    assert bundle.is_dir() and detect_format(bundle).name == "otio"
    [shot] = find_shots(read_timeline(bundle)).shots
    assert shot.media_path == bundle / "media" / "A001.mov" and shot.missing_reason is None
    # written elsewhere, the editor's clip still names the media in the bundle, not media/ beside it
    written = write_foley_timeline(read_timeline(bundle), [Placement(shot, "t1", "steps", LayerKind.FOLEY, wav_factory(),
                                                                     12, 12, "s")], tmp_path / "out" / "cut_foley.otio")
    [picture] = [c for c in read_timeline(written).find_clips() if c.name == "A001"]
    assert picture.media_reference.target_url == (bundle / "media" / "A001.mov").as_uri()


def test_an_otiod_bundle_without_its_content_file_says_so(tmp_path):
    (tmp_path / "cut.otiod").mkdir()
    with pytest.raises(InvalidInput, match="an .otiod bundle without content.otio"):
        read_timeline(tmp_path / "cut.otiod")


def test_an_otioz_written_from_an_otioz_bundles_the_editors_picture_too(timeline_factory, wav_factory, tmp_path):
    # the read bundle names its media relatively; written from elsewhere, the bundler found no
    # file there and wrote the picture as a missing reference
    (tmp_path / "src").mkdir()
    timeline = timeline_factory(clips=[("A001", 24, 100, 48)], media_dir=tmp_path / "src")
    otio.adapters.write_to_file(timeline, str(tmp_path / "cut.otioz"), adapter_name="otioz")
    read = read_timeline(tmp_path / "cut.otioz")
    [shot] = find_shots(read).shots
    written = write_foley_timeline(read, [Placement(shot, "t1", "steps", LayerKind.FOLEY, wav_factory(), 12, 12, "s")],
                                   tmp_path / "out" / "cut_foley.otioz")
    [picture] = [c for c in read_timeline(written).find_clips() if c.name == "A001"]
    assert isinstance(picture.media_reference, otio.schema.ExternalReference)
    assert find_shots(read_timeline(written)).shots[0].missing_reason is None
