"""What an NLE importing the written Foley timeline requires of it, read from the file itself
(ElementTree, JSON, text), never through Foleyline's own readers: a take whose Broadcast WAV is
stamped with its record timecode sits where its stamp says, to the sample, and each format
says of the file what its importer needs (w14-writeback hunt, docs/architecture.md)."""

from __future__ import annotations

import json
import urllib.parse
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from foleyline import timebase
from foleyline.notes.schema import LayerKind
from foleyline.plugin.timeline import Placement, Selection, find_shots, write_foley_timeline
from foleyline.server.media.bwf import BextInfo, write_bwf
from foleyline.wavchunks import bext_time_reference

HEAD = TAIL = 12
SHOT_AT = 48  # record frames after the timeline's start


def _stamped_take(folder: Path, rate: float, first_record_frame: int, frames: int, name: str = "door slam #1.wav") -> Path:
    """A mono 24-bit take stamped, as the server stamps it, with its first sample's record time."""
    fps = timebase.rate_from_float(rate).fps
    samples = int(Fraction(frames) / fps * 48000)
    reference = timebase.samples_since_midnight(timebase.frames_to_time(first_record_frame, rate), rate, 48000)
    return write_bwf(folder / name, np.zeros((1, samples), np.float32), 48000, bext=BextInfo(time_reference=reference))


def _write(fmt: str, rate: float, start_tc: str, timeline_factory, tmp_path: Path):
    """One FX take under a 24-frame shot; returns (written file, WAV, the shot's record frame
    since midnight, frames per second)."""
    timeline = timeline_factory(rate=rate, start_tc=start_tc, clips=[("A001", SHOT_AT, 100, 24)])
    if ";" in start_tc:
        timeline.metadata["foleyline"] = {"drop_frame": True}
    shot = find_shots(timeline, Selection()).shots[0]
    record = shot.record_in_frame
    wav = _stamped_take(tmp_path, rate, record - HEAD, HEAD + 24 + TAIL)
    placement = Placement(shot, "take-1", "door", LayerKind.FX, wav, HEAD, TAIL, "door slams")
    out = write_foley_timeline(timeline, [placement], tmp_path / "out" / "foley", fmt=fmt)
    return out, wav, record, timebase.rate_from_float(rate).fps


def _samples(frames, fps) -> Fraction:
    return Fraction(frames) / fps * 48000


def test_the_bext_time_reference_is_read_from_the_file(tmp_path):
    wav = _stamped_take(tmp_path, 25.0, 90000, 10)
    assert bext_time_reference(wav) == 3600 * 48000


@pytest.mark.parametrize("rate, start_tc", [(24000 / 1001, "01:00:00:00"), (30000 / 1001, "01:00:00;00"), (25.0, "10:00:00:00")])
def test_otio_counts_a_stamped_takes_media_time_from_its_stamp(rate, start_tc, timeline_factory, tmp_path):
    out, wav, record, fps = _write("otio", rate, start_tc, timeline_factory, tmp_path)
    doc = json.loads(out.read_text())
    clip = next(c for t in doc["tracks"]["children"] if t["kind"] == "Audio" for c in t["children"] if c["OTIO_SCHEMA"].startswith("Clip"))
    reference = clip["media_references"]["DEFAULT_MEDIA"]
    available = reference["available_range"]["start_time"]["value"]
    source = clip["source_range"]["start_time"]["value"]
    assert abs(_samples(available, fps) - bext_time_reference(wav)) <= 1
    # the sound heard at the shot's first frame is the sound rendered for it
    assert abs(bext_time_reference(wav) + _samples(source - available, fps) - _samples(record, fps)) <= 1


@pytest.mark.parametrize("rate, start_tc", [(30000 / 1001, "01:00:00;00"), (24.0, "00:00:00:00")])
def test_fcp7_xml_says_what_final_cut_and_premiere_import_audio_by(rate, start_tc, timeline_factory, tmp_path):
    out, wav, record, fps = _write("fcp7", rate, start_tc, timeline_factory, tmp_path)
    root = ET.parse(out).getroot()
    sequence = root.find(".//sequence")
    timeline_start = int(sequence.findtext("timecode/frame"))
    files = {f.get("id"): f for f in root.iter("file") if f.find("pathurl") is not None}
    foley = [f for f in files.values() if f.findtext("pathurl").endswith(".wav")]
    assert len(foley) == 1
    file_e = foley[0]
    url = file_e.findtext("pathurl")
    assert url.startswith("file://localhost/") and " " not in url and "#" not in url
    assert Path(urllib.parse.unquote(urllib.parse.urlparse(url).path)) == wav.resolve()
    assert file_e.findtext("media/audio/samplecharacteristics/samplerate") == "48000"
    assert file_e.findtext("media/audio/samplecharacteristics/depth") == "24"
    assert file_e.findtext("media/audio/channelcount") == "1"
    assert abs(_samples(int(file_e.findtext("timecode/frame")), fps) - bext_time_reference(wav)) <= 1
    items = [i for i in sequence.findall("media/audio/track/clipitem") if i.find("file").get("id") == file_e.get("id")]
    assert len(items) == 1
    item = items[0]
    assert item.findtext("sourcetrack/mediatype") == "audio" and item.findtext("sourcetrack/trackindex") == "1"
    # in/out count from the file's first frame; start/end are the shot's record frames
    assert int(item.findtext("in")) == HEAD and int(item.findtext("out")) == HEAD + 24
    assert timeline_start + int(item.findtext("start")) == record


def _seconds(text: str) -> Fraction:
    value = text.rstrip("s")
    return Fraction(*map(int, value.split("/"))) if "/" in value else Fraction(value)


@pytest.mark.parametrize("rate, start_tc", [(24000 / 1001, "01:00:00:00"), (30000 / 1001, "00:59:59;00"), (50.0, "23:59:50:00")])
def test_fcpxml_gives_an_audio_asset_its_audio_and_its_stamp_on_frame_times(rate, start_tc, timeline_factory, tmp_path):
    out, wav, record, fps = _write("fcpx", rate, start_tc, timeline_factory, tmp_path)
    root = ET.parse(out).getroot()
    frame = _seconds(root.find("resources/format").get("frameDuration"))
    assert frame == 1 / fps
    asset = next(a for a in root.iter("asset") if a.get("src", "").endswith(".wav"))
    assert (asset.get("hasAudio"), asset.get("audioSources"), asset.get("audioChannels"), asset.get("audioRate")) == ("1", "1", "1", "48000")
    assert abs(_seconds(asset.get("start")) * 48000 - bext_time_reference(wav)) <= 1
    sequence = root.find(".//sequence")
    for element in sequence.iter():  # Final Cut Pro refuses a time off the sequence's frames
        for name in ("offset", "start", "duration"):
            if element.get(name) is not None:
                assert (_seconds(element.get(name)) / frame).denominator == 1, (element.tag, name, element.get(name))
    clip = next(c for c in sequence.iter("clip")
                if any(a.get("ref") == asset.get("id") for a in c.findall("audio") + c.findall("gap/audio")))
    assert (_seconds(clip.get("start")) - _seconds(asset.get("start"))) / frame == HEAD


@pytest.mark.parametrize("fmt", ["kdenlive", "xges"])
def test_mlt_and_ges_count_a_stamped_takes_in_point_from_the_files_first_frame(fmt, timeline_factory, tmp_path):
    out, wav, record, fps = _write(fmt, 25.0, "01:00:00:00", timeline_factory, tmp_path)
    root = ET.parse(out).getroot()
    if fmt == "xges":
        clip = next(c for c in root.iter("clip") if c.get("asset-id", "").endswith(".wav"))
        in_seconds = Fraction(int(clip.get("inpoint")), 10**9)
    else:
        producers = {p.get("id") for p in root.iter("producer") for q in p.findall("property")
                     if q.get("name") == "resource" and (q.text or "").endswith(".wav")}
        entry = next(e for pl in root.iter("playlist") if pl.get("id") != "main_bin" for e in pl.findall("entry")
                     if e.get("producer") in producers)
        h, m, s = entry.get("in").split(":")
        in_seconds = Fraction(int(h) * 3600 + int(m) * 60) + Fraction(s)
    assert in_seconds * fps == HEAD


def test_a_take_without_a_stamp_keeps_its_length_and_counts_from_zero(timeline_factory, tmp_path):
    import soundfile

    timeline = timeline_factory(rate=25.0, clips=[("A001", SHOT_AT, 100, 24)])
    shot = find_shots(timeline, Selection()).shots[0]
    take = tmp_path / "take.aiff"  # no bext chunk to read: not a RIFF file at all
    soundfile.write(str(take), np.zeros(48000 * 2, np.float32), 48000, subtype="PCM_24", format="AIFF")
    out = write_foley_timeline(timeline, [Placement(shot, "t", "door", LayerKind.FX, take, HEAD, TAIL)], tmp_path / "f.otio")
    doc = json.loads(out.read_text())
    clip = next(c for t in doc["tracks"]["children"] if t["kind"] == "Audio" for c in t["children"] if c["OTIO_SCHEMA"].startswith("Clip"))
    available = clip["media_references"]["DEFAULT_MEDIA"]["available_range"]
    assert (available["start_time"]["value"], available["duration"]["value"]) == (0, 50)
    assert clip["source_range"]["start_time"]["value"] == HEAD
