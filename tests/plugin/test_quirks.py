"""The known traps of OTIO's adapters, each shown failing raw and answered by Foleyline.

If an upstream fix makes a "raw" assertion fail, the trap is gone: drop its answer.
"""

from __future__ import annotations

from fractions import Fraction

import opentimelineio as otio
import pytest

from foleyline.errors import InvalidInput
from foleyline.notes.schema import LayerKind
from foleyline.plugin.timeline import Placement, Selection, find_shots, placed_clips, read_timeline, write_foley_timeline
from foleyline.plugin.timeline.conformance import conform_file, foley_positions
from foleyline.plugin.timeline.fcpxml import read_fcpxml
from foleyline.plugin.timeline.preflight import preflight
from foleyline.plugin.timeline.quirks import fcpx_scale_times

from timeline_exports import fcpx_113, fcpx_library, premiere_xml

TC = otio.opentime


def _placements(timeline, wav, kinds=(LayerKind.FOLEY, LayerKind.FX)):
    return [Placement(s, f"take-{i}-{k.value}", k.value.lower(), k, wav, 12, 12, f"notes {i}")
            for i, s in enumerate(find_shots(timeline).shots) for k in kinds]


def _expected(timeline, placements, trim=False, expose_handles=False):
    start = round(timeline.global_start_time.value)
    return sorted((start + c.start, c.duration)
                  for c in placed_clips(timeline, placements, trim_overlaps=trim, expose_handles=expose_handles))


def _got(path, wav, rate=None):
    back = read_timeline(path, rate=rate)
    return sorted(foley_positions(back, [wav.name]).elements()), back


SPREAD = [("A001", 24, 100, 48), ("A002", 100, 200, 24), ("A003", 160, 300, 36)]


@pytest.mark.parametrize("rate,tc", [(24000 / 1001, "01:00:00:00"), (30000 / 1001, "01:00:00:00")])
def test_fcpxml_at_ntsc_rates(rate, tc, timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(rate=rate, start_tc=tc, clips=SPREAD)
    # the trap: the adapter finds no frame duration for 23.976 or 29.97; it writes frameDuration=""
    # (or crashes when the timeline has gaps) and the file cannot be read back
    with pytest.raises(ValueError):
        otio.adapters.read_from_string(otio.adapters.write_to_string(timeline, "fcpx_xml"), "fcpx_xml")
    # the answer: write at the integer rate, scale every time by 1001/1000; read the reverse way
    wav = wav_factory()
    placements = _placements(timeline, wav)
    out = write_foley_timeline(timeline, placements, tmp_path / "cut.fcpxml")
    text = out.read_text()
    assert f'frameDuration="1001/{round(rate) * 1000}s"' in text
    got, back = _got(out, wav)
    assert abs(back.tracks[0].find_clips()[0].source_range.duration.rate - rate) < 1e-6
    assert back.metadata["foleyline"]["drop_frame"] is False
    # the start timecode survives too (the adapter's writer drops it; tcStart is put back)
    assert 'tcStart="18018/5s"' in text or 'tcStart="3603.6s"' in text or "tcStart=" in text
    assert _expected(timeline, placements) == got


def test_fcpxml_drop_frame_survives_the_round_trip(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(rate=30000 / 1001, start_tc="01:00:00;00", clips=SPREAD)
    timeline.metadata["foleyline"] = {"drop_frame": True}
    wav = wav_factory()
    out = write_foley_timeline(timeline, _placements(timeline, wav), tmp_path / "cut.fcpxml")
    assert 'tcFormat="DF"' in out.read_text()
    back = read_timeline(out)
    assert back.metadata["foleyline"]["drop_frame"] is True
    assert find_shots(back).shots[0].drop_frame


def test_the_fcpx_adapters_reader_loses_frames_starts_and_projects():
    # why Foleyline reads FCPXML itself (fcpxml.py); a release that fixes these fails this test
    xml = fcpx_library(("Reel",)).replace('offset="1s"', 'offset="29/25s"')
    [raw] = otio.adapters.read_from_string(xml, "fcpx_xml")
    assert raw.find_clips()[0].range_in_parent().start_time.value == 28  # float truncation: one frame early
    raw = otio.adapters.read_from_string(fcpx_113(), "fcpx_xml")
    assert not list(raw.find_children(descended_from_type=otio.schema.Timeline))  # only the first, empty event
    [ours] = read_fcpxml(fcpx_113())
    assert ours.global_start_time.value == 86400 and ours.find_clips()[0].media_reference.target_url


def test_fcpx_time_scaling_is_exact():
    xml = '<clip offset="86400/24s" duration="48/24s" start="0s"/><format frameDuration="25/600s"/>'
    scaled = fcpx_scale_times(xml, Fraction(1001, 1000))
    assert 'offset="3603600/1000s"' not in scaled  # reduced fractions
    assert 'offset="18018/5s"' in scaled and 'frameDuration="1001/24000s"' in scaled and 'start="0s"' in scaled
    assert fcpx_scale_times(scaled, Fraction(1000, 1001)) == xml.replace("86400/24s", "3600s").replace(
        "48/24s", "2s").replace("25/600s", "1/24s")


def test_fcp7_xml_with_ranges_at_48000(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(rate=25, clips=SPREAD)
    dialogue = otio.schema.Clip(name="dx", media_reference=otio.schema.ExternalReference(
        target_url="file:///dx.wav", available_range=TC.TimeRange(TC.RationalTime(0, 48000), TC.RationalTime(480000, 48000))),
                                source_range=TC.TimeRange(TC.RationalTime(0, 48000), TC.RationalTime(96000, 48000)))
    timeline.tracks[-1].append(dialogue)
    # the trap: the writer turns ranges into SMPTE timecode, which has no 48000 fps
    with pytest.raises(ValueError, match="SMPTE"):
        otio.adapters.write_to_string(timeline, "fcp_xml")
    # the answer: every range at the timeline rate before writing (the editor's dialogue too)
    wav = wav_factory()
    placements = _placements(timeline, wav)
    out = write_foley_timeline(timeline, placements, tmp_path / "cut.xml", fmt="fcp7")
    got, back = _got(out, wav)
    assert got == _expected(timeline, placements)
    dx = [c for c in back.find_clips() if c.name == "dx"][0]
    assert dx.source_range.duration == TC.RationalTime(50, 25)


def test_fcp7_xml_with_media_of_unknown_length(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(rate=25, clips=SPREAD)
    for clip in timeline.find_clips():
        clip.media_reference.available_range = None
    # the trap: the writer reads the media's available range without checking it exists
    with pytest.raises(AttributeError):
        otio.adapters.write_to_string(timeline, "fcp_xml")
    # the answer: media of unknown length is taken to be as long as the clip's use of it
    wav = wav_factory()
    placements = _placements(timeline, wav)
    out = write_foley_timeline(timeline, placements, tmp_path / "cut.xml", fmt="fcp7")
    got, back = _got(out, wav)
    assert got == _expected(timeline, placements)
    assert [c.source_range for c in back.video_tracks()[0].find_clips()] == [c.source_range for c in timeline.find_clips()]


def test_a_still_in_final_cut_pro_is_read_and_written_back_with_its_picture(wav_factory, tmp_path):
    # Final Cut Pro places a still as <video> of an asset that has no length and no rate
    still = tmp_path / "still.fcpxml"
    still.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<fcpxml version="1.13"><resources>
  <format id="r1" frameDuration="1001/24000s" width="1920" height="1080"/>
  <format id="r3" name="FFVideoFormatRateUndefined" width="1280" height="720"/>
  <asset id="r2" name="Card" start="0s" duration="0s" hasVideo="1" format="r3">
    <media-rep kind="original-media" src="file:///media/Card.png"/></asset>
</resources><library><event name="E"><project name="Stills">
  <sequence format="r1" duration="48048/24000s" tcStart="0s"><spine>
    <video ref="r2" offset="0s" name="Card" start="86399313/24000s" duration="48048/24000s"/>
  </spine></sequence></project></event></library></fcpxml>
""")
    timeline = read_timeline(still)
    clip = timeline.find_clips()[0]
    assert clip.media_reference.target_url == "file:///media/Card.png"
    assert clip.media_reference.available_range is None  # a still has no length of its own
    assert clip.source_range.duration.value == 48
    # the FCPXML writer read every file's length from its available range and crashed on it
    wav = wav_factory()
    placements = _placements(timeline, wav)
    out = write_foley_timeline(timeline, placements, tmp_path / "cut.fcpxml")
    got, back = _got(out, wav)
    assert got == _expected(timeline, placements)
    # and the picture comes back where it was: the writer put a file starting at 01:00:00:00
    # at media time 0 inside its clip, and Final Cut Pro read the clip as empty
    assert [(c.name, c.source_range) for c in back.video_tracks()[0].find_clips()] == [("Card", clip.source_range)]


def test_an_edl_cannot_carry_an_audio_only_timeline(timeline_factory, wav_factory, tmp_path):
    foley_only = otio.schema.Timeline(global_start_time=TC.RationalTime(86400, 24))
    track = otio.schema.Track(name="Foley", kind=otio.schema.TrackKind.Audio)
    track.append(otio.schema.Clip(name="f", media_reference=otio.schema.ExternalReference(target_url="file:///f.wav"),
                                  source_range=TC.TimeRange(TC.RationalTime(0, 24), TC.RationalTime(48, 24))))
    foley_only.tracks.append(track)
    # the trap: the CMX writer refuses a timeline without exactly one video track...
    with pytest.raises(otio.exceptions.NotSupportedError, match="single video track"):
        otio.adapters.write_to_string(foley_only, "cmx_3600")
    # ...and with one, writes only the picture: the audio events vanish without a word
    with_picture = timeline_factory(clips=[("A001", 0, 100, 48)])
    with_picture.tracks.append(track.clone())
    raw = otio.adapters.read_from_string(otio.adapters.write_to_string(with_picture, "cmx_3600"), "cmx_3600", rate=24)
    assert [c.name for c in raw.find_clips()] == ["A001"]
    # the answer: an EDL of the Foley events, channel per Foley track, each event its shot
    timeline = timeline_factory(clips=[("A001", 24, 100, 48), ("A002", 72, 200, 24), ("A003", 96, 300, 36)])
    wav = wav_factory()
    placements = _placements(timeline, wav)
    out = write_foley_timeline(timeline, placements, tmp_path / "cut.edl")
    got, back = _got(out, wav, rate=24)
    assert got == _expected(timeline, placements, trim=True)
    shots = find_shots(timeline).shots
    assert sorted(set(got)) == [(s.record_in_frame, s.duration_frames) for s in shots]  # cut to the shots
    assert sorted(t.name for t in back.tracks) == ["A1", "A2"]  # Foley FX and Foley, one channel each
    text = out.read_text()
    assert "* LOC: 01:00:01:00 RED     notes 0" in text and "* FOLEYLINE TAKE: take-0-FX" in text
    # source = record timecode: the WAV is stamped a head handle before the shot, 12 frames in
    assert "AX       A     C        01:00:01:00 01:00:03:00 01:00:01:00 01:00:03:00" in text
    # with exposed handles, abutting shots' tail and head meet at the cut, nothing overlaps
    out = write_foley_timeline(timeline, placements, tmp_path / "exposed.edl", expose_handles=True)
    got, back = _got(out, wav, rate=24)
    assert got == _expected(timeline, placements, trim=True, expose_handles=True)
    assert "* LOC: 01:00:01:00 RED     notes 0" in out.read_text()
    starts = [c for c in placed_clips(timeline, placements, trim_overlaps=True, expose_handles=True)
              if c.placement.kind == LayerKind.FOLEY]
    assert [(c.start, c.duration, c.head, c.tail) for c in starts] == [(12, 60, 12, 0), (72, 24, 0, 0), (96, 48, 0, 12)]


def test_an_edl_refuses_more_tracks_than_channels(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(tracks=3, clips=[("A001", 24, 100, 48)])  # three shots at the same time
    wav = wav_factory()
    placements = _placements(timeline, wav, kinds=(LayerKind.FOLEY, LayerKind.FX))
    with pytest.raises(InvalidInput, match="EDL carries 4 audio channels; write AAF"):
        write_foley_timeline(timeline, placements, tmp_path / "cut.edl")
    assert not (tmp_path / "cut.edl").exists()


def _marker_count(timeline):
    return (sum(len(i.markers) for i in timeline.find_children()) + sum(len(t.markers) for t in timeline.tracks)
            + len(timeline.tracks.markers))


def test_the_aaf_writer_drops_markers(otio_samples_dir, timeline_factory, wav_factory, tmp_path):
    # the trap: OTIO's AAF writer loses every marker of an Avid timeline
    avid = otio.adapters.read_from_file(str(otio_samples_dir / "multitrack.aaf"))
    assert _marker_count(avid) == 3
    otio.adapters.write_to_file(avid, str(tmp_path / "raw.aaf"))
    assert _marker_count(otio.adapters.read_from_file(str(tmp_path / "raw.aaf"))) == 0
    # the answer: Foleyline's own AAF carries a DescriptiveMarker per Foley clip
    timeline = timeline_factory(clips=SPREAD)
    wav = wav_factory()
    placements = _placements(timeline, wav)
    out = write_foley_timeline(timeline, placements, tmp_path / "foley.aaf")
    back = read_timeline(out)
    names = sorted(m.name for c in back.find_clips() for m in c.markers)
    assert names == sorted(p.notes_summary for p in placements)


def test_kdenlive_round_trip(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(rate=25, clips=SPREAD, media_dir=tmp_path)
    wav = wav_factory()
    placements = _placements(timeline, wav)
    out = write_foley_timeline(timeline, placements, tmp_path / "cut.kdenlive")
    got, _ = _got(out, wav)
    start = round(timeline.global_start_time.value)  # Kdenlive projects start at zero
    assert got == [(s - start, d) for s, d in _expected(timeline, placements)]


def test_fcp7_keeps_take_and_notes_as_master_comments(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(rate=25, clips=SPREAD)
    wav = wav_factory()
    out = write_foley_timeline(timeline, _placements(timeline, wav, kinds=(LayerKind.FX,)), tmp_path / "cut.xml", fmt="fcp7")
    back = read_timeline(out)
    foley = [c for c in back.find_clips() if c.media_reference.target_url.endswith(wav.name)]
    comments = [c.metadata["fcp_xml"]["comments"] for c in foley]
    assert [c["mastercomment1"] for c in comments] == ["foleyline take take-0-FX", "foleyline take take-1-FX",
                                                       "foleyline take take-2-FX"]
    assert comments[0]["mastercomment4"] == "notes 0"


def test_kdenlive_keeps_the_notes_as_guides(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(rate=25, clips=SPREAD, media_dir=tmp_path)
    out = write_foley_timeline(timeline, _placements(timeline, wav_factory(), kinds=(LayerKind.FOLEY,)), tmp_path / "c.kdenlive")
    back = read_timeline(out)
    guides = sorted((round(m.marked_range.start_time.value), m.name) for m in back.tracks.markers)
    # each guide sits on its shot's first frame (record offsets 24, 100, 160 from the start)
    assert guides == [(24, "notes 0"), (100, "notes 1"), (160, "notes 2")]


def test_fcp7_drop_frame_sequences_stay_drop_frame(timeline_factory, wav_factory, tmp_path):
    timeline = timeline_factory(rate=30000 / 1001, start_tc="01:00:00;00", clips=SPREAD)
    timeline.metadata["foleyline"] = {"drop_frame": True}
    # the trap: the writer labels every sequence NDF unless its own metadata says otherwise
    assert "<displayformat>DF</displayformat>" not in otio.adapters.write_to_string(timeline, "fcp_xml")
    out = write_foley_timeline(timeline, _placements(timeline, wav_factory()), tmp_path / "df.xml", fmt="fcp7")
    assert "<string>01:00:00;00</string>" in out.read_text()
    back = read_timeline(out)
    assert back.metadata["foleyline"]["drop_frame"] is True
    assert find_shots(back).shots[0].record_timecode() == "01:00:00;24"


def test_fcp7_media_labelled_drop_frame_in_a_sequence_of_another_rate(tmp_path):
    # a 29.97 DF camera file cut into a 25 fps Premiere sequence: the writer counts every
    # timecode at the sequence rate, where drop-frame does not exist, and used to fail
    ntsc30 = "<rate><timebase>30</timebase><ntsc>TRUE</ntsc></rate>"
    pal = "<rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate>"
    path = tmp_path / "pal.xml"
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<xmeml version="4"><sequence id="s1"><name>PAL cut</name>'
        f"<duration>50</duration>{pal}<media><video><track>"
        f'<clipitem id="c1"><name>A001</name><duration>3000</duration>{pal}<start>0</start><end>50</end>'
        f'<in>100</in><out>150</out><file id="f1"><name>A001.mov</name><pathurl>file:///m/A001.mov</pathurl>'
        f"{ntsc30}<duration>3600</duration><timecode>{ntsc30}<string>00;00;00;00</string><frame>0</frame>"
        f"<displayformat>DF</displayformat></timecode><media><video/></media></file></clipitem>"
        f"</track></video><audio/></media><timecode>{pal}<string>00:00:00:00</string><frame>0</frame>"
        f"<displayformat>NDF</displayformat></timecode></sequence></xmeml>\n")
    [result] = conform_file(path, workdir=tmp_path)
    assert result.ok and result.round_trip == "ok (2 clips)" and result.rate == "25", result.detail


def test_a_media_range_at_rate_zero_is_no_range(tmp_path):
    # Kdenlive's OTIO export gives stills and colour clips an available range at rate 0: every
    # frame count from it was NaN, and the preflight of such a cut crashed
    rate = 24
    still = otio.schema.ExternalReference(target_url="red.png", available_range=TC.TimeRange(
        TC.RationalTime(0, 0), TC.RationalTime(120, 0)))
    clip = otio.schema.Clip(name="red.png", media_reference=still,
                            source_range=TC.TimeRange(TC.RationalTime(0, rate), TC.RationalTime(24, rate)))
    timeline = otio.schema.Timeline(name="stills")
    timeline.tracks.append(otio.schema.Track(kind=otio.schema.TrackKind.Video, children=[clip]))
    path = tmp_path / "stills.otio"
    otio.adapters.write_to_file(timeline, str(path))
    [read] = read_timeline(path).find_clips()
    assert read.media_reference.available_range is None
    said = preflight(path)
    assert [e for e in said.errors if not e.startswith("missing media")] == []


def test_a_nested_fcp7_sequence_is_read_with_its_clips(tmp_path):
    # Premiere nests and multicam clips are clipitems holding a <sequence>: the adapter's reader
    # makes them empty stacks (it looks for tracks under <sequence>, not its <media>), and their
    # shots vanished without a word
    pal = "<rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate>"
    inner = (f'<sequence id="inner"><name>Inner</name><duration>300</duration>{pal}<media><video><track>'
             f'<clipitem id="c1"><name>a.mov</name><duration>300</duration>{pal}<start>0</start><end>300</end>'
             f'<in>0</in><out>300</out><file id="f1"><name>a.mov</name><pathurl>file:///m/a.mov</pathurl>{pal}'
             f'<duration>300</duration><timecode>{pal}<string>01:00:00:00</string><frame>90000</frame>'
             f'<displayformat>NDF</displayformat></timecode></file></clipitem></track></video></media></sequence>')
    path = tmp_path / "nest.xml"
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<xmeml version="4"><sequence id="outer"><name>Cut</name>'
                    f'<duration>60</duration>{pal}<media><video><track><clipitem id="n1"><name>Nest</name>'
                    f'<duration>300</duration>{pal}<start>10</start><end>60</end><in>100</in><out>150</out>{inner}'
                    f'</clipitem></track></video></media></sequence></xmeml>\n')
    timeline = read_timeline(path)
    [nest] = [item for item in timeline.video_tracks()[0] if isinstance(item, otio.schema.Stack)]
    assert nest.name == "Inner" and len(nest) == 1
    [shot] = find_shots(timeline).shots
    assert shot.name == "a.mov" and shot.record_timecode() == "00:00:00:10" and shot.duration_frames == 50
    assert TC.to_frames(shot.source_range.start_time, 25) == 90000 + 100


def _premiere_remap(tmp_path, remap: str, ticks: str = "<pproTicksIn>2032128000000</pproTicksIn>"
                                                          "<pproTicksOut>3048192000000</pproTicksOut>"):
    """One 2 s clip (50 frames at 25) of a Premiere sequence with a Time Remap; its <in> counts
    frames before the speed change, its ticks the media after it (8 s to 12 s of the file,
    whose timecode starts at 10:00:00:00)."""
    path = tmp_path / "premiere.xml"
    path.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<xmeml version="4"><sequence id="s1"><name>Seq</name><duration>50</duration>
<rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate>
<media><video><track><clipitem id="c1"><name>A001.mov</name><enabled>TRUE</enabled><duration>1000</duration>
<rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate><start>0</start><end>50</end><in>100</in><out>150</out>{ticks}
<file id="f1"><name>A001.mov</name><pathurl>file://localhost/media/A001.mov</pathurl>
<rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate><duration>1000</duration>
<timecode><rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate><string>10:00:00:00</string><frame>900000</frame>
<displayformat>NDF</displayformat></timecode></file>
<filter><effect><name>Time Remap</name><effectid>timeremap</effectid><effecttype>motion</effecttype>{remap}</effect></filter>
</clipitem></track></video></media></sequence></xmeml>""")
    return read_timeline(path)


def _param(name: str, value: str) -> str:
    return f"<parameter authoringApp=\"PremierePro\"><parameterid>{name}</parameterid><value>{value}</value></parameter>"


def test_a_premiere_speed_change_takes_its_media_span_from_the_ticks(tmp_path):
    timeline = _premiere_remap(tmp_path, _param("variablespeed", "0") + _param("speed", "200") + _param("reverse", "FALSE"))
    result = find_shots(timeline)
    [shot] = result.shots
    assert shot.source_timecode() == "10:00:08:00"  # the ticks' in point, not <in> (00:04)
    assert shot.source_range.duration.value == 100 and shot.duration_frames == 50
    assert [p.message.split(":")[0] for p in result.problems if p.kind == "speed"] == ["speed effect 200%"]


def test_a_premiere_ramp_keeps_saying_its_speed_varies_and_a_remap_without_ticks_is_left_as_read(tmp_path):
    ramp = _premiere_remap(tmp_path, _param("variablespeed", "1") + _param("speed", "200"))
    [clip] = ramp.find_clips()
    assert {type(e).__name__ for e in clip.effects} == {"Effect", "LinearTimeWarp"}
    plain = _premiere_remap(tmp_path, _param("variablespeed", "0") + _param("speed", "200"), ticks="")
    [shot] = find_shots(plain).shots
    assert shot.source_timecode() == "10:00:04:00" and shot.source_range.duration.value == 50


def test_a_premiere_speed_change_written_back_keeps_the_in_point_premiere_wrote(tmp_path):
    from foleyline.plugin.timeline.quirks import write_string

    timeline = _premiere_remap(tmp_path, _param("variablespeed", "0") + _param("speed", "200"))
    xml = write_string(timeline, "fcp7", "fcp_xml")
    assert "<in>100</in>" in xml and "timeremap" in xml
    [clip] = timeline.find_clips()  # the timeline itself keeps the reading
    assert clip.source_range.start_time.value == 900200


def test_premiere_clip_markers_count_from_the_media_start_and_only_those_the_clip_shows_select_it(tmp_path):
    # a master clip's markers log the whole file (frame 5: an hour of rushes before the cut);
    # Premiere counts them, like <in>, from the file's first frame, its timecode 10:00:00:00
    path = tmp_path / "markers.xml"
    path.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<xmeml version="4"><sequence id="s1"><name>Seq</name><duration>50</duration>
<rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate>
<media><video><track><clipitem id="c1"><name>A001.mov</name><enabled>TRUE</enabled><duration>1000</duration>
<rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate><start>0</start><end>50</end><in>100</in><out>150</out>
<file id="f1"><name>A001.mov</name><pathurl>file://localhost/media/A001.mov</pathurl>
<rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate><duration>1000</duration>
<timecode><rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate><string>10:00:00:00</string><frame>900000</frame>
<displayformat>NDF</displayformat></timecode></file>
<marker><comment></comment><name>door slam</name><in>120</in><out>-1</out></marker>
<marker><comment></comment><name>slate</name><in>5</in><out>-1</out></marker>
</clipitem></track></video></media></sequence></xmeml>""")
    timeline = read_timeline(path)
    [clip] = timeline.find_clips()
    assert [m.marked_range.start_time.value for m in clip.markers] == [900120, 900005]  # the media's time
    assert len(find_shots(timeline, Selection(marker_name="door slam")).shots) == 1
    assert find_shots(timeline, Selection(marker_name="slate")).shots == ()
    from foleyline.plugin.timeline.quirks import write_string

    xml = write_string(timeline, "fcp7", "fcp_xml")
    assert "<in>120</in>" in xml and "<in>5</in>" in xml  # as Premiere counts them


def _with_multiclip(tmp_path, angles: str):
    """The Premiere sequence with its second clip's file replaced by a multiclip of ``angles``."""
    path = premiere_xml(tmp_path / "cut.xml")
    text = path.read_text()
    start = text.index('<file id="file-1-2">')
    end = text.index("</file>", start) + len("</file>")
    path.write_text(text[:start] + f'<multiclip id="multiclip-1"><name>MC 1</name><collapsed>TRUE</collapsed>{angles}</multiclip>'
                    + text[end:])
    return path


def _angle(name: str, active: str | None, file: str, start: int = 0, in_: int = 0) -> str:
    flag = "" if active is None else f"<activevideoangle>{active}</activevideoangle>"
    return (f'<angle>{flag}<clip id="clip-{name}"><name>{name}</name><media><video><track><clipitem id="inner-{name}">'
            f'<name>{name}</name><start>{start}</start><end>5000</end><in>{in_}</in><out>{in_ + 5000 - start}</out>'
            f'{file}</clipitem></track></video></media></clip></angle>')


def _file(name: str, tc: str = "00:00:00:00") -> str:
    return (f'<file id="file-{name}"><name>{name}.mov</name><pathurl>file://localhost/D%3a/media/{name}.mov</pathurl>'
            f'<rate><timebase>24</timebase><ntsc>TRUE</ntsc></rate><timecode><rate><timebase>24</timebase><ntsc>TRUE</ntsc></rate>'
            f'<string>{tc}</string>'
            f'<displayformat>NDF</displayformat></timecode></file>')


def test_a_multiclip_in_fcp7_xml_plays_its_active_angle_from_the_frame_its_track_places(tmp_path):
    # FCP7 marks the angle cut to with <activevideoangle>; the clipitem's in/out count the
    # multiclip's time, which the angle's track places on its file (here 40 frames later)
    path = _with_multiclip(tmp_path, _angle("CamA", "FALSE", _file("CamA"))
                           + _angle("CamB", "TRUE", _file("CamB", "10:00:00:00"), in_=40))
    shots = find_shots(read_timeline(path)).shots
    assert [s.name for s in shots] == ["A001", "A002 (CamB)", "A003"]
    cam = shots[1]
    assert str(cam.media_path) == "D:/media/CamB.mov"
    assert (cam.record_in_frame - 86400, cam.duration_frames) == (48, 24)
    assert cam.source_range.start_time.value == 10 * 3600 * 24 + 100 + 40  # the clipitem's in is 100


def test_a_multiclip_angle_whose_file_is_named_by_id_alone_is_found(tmp_path):
    # FCP7 writes a file in full once; the same multiclip cut again names it by id
    path = _with_multiclip(tmp_path, _angle("CamA", "TRUE", '<file id="file-CamA"/>') + _angle("CamB", "FALSE", _file("CamB")))
    master = (f'<clip id="master-CamA"><name>CamA</name><media><video><track><clipitem id="m-a"><name>CamA</name>'
              f'{_file("CamA")}</clipitem></track></video></media></clip>')
    path.write_text(path.read_text().replace("</xmeml>", master + "</xmeml>"))
    shots = find_shots(read_timeline(path)).shots
    assert shots[1].name == "A002 (CamA)" and str(shots[1].media_path) == "D:/media/CamA.mov"


def test_a_multiclip_with_no_angle_marked_active_says_to_flatten_it(tmp_path):
    path = _with_multiclip(tmp_path, _angle("CamA", None, _file("CamA")))
    shots = find_shots(read_timeline(path)).shots
    assert [s.name for s in shots] == ["A001", "A002", "A003"]
    assert shots[1].missing_reason.startswith("a multiclip (A002) with no angle marked active; flatten it in the NLE")
    assert (shots[1].record_in_frame - 86400, shots[1].duration_frames) == (48, 24)
