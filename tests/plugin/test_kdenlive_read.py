"""Reading Kdenlive: producers that are not media files are not offline media, and a
sequence keeps the name Kdenlive gives it."""

from __future__ import annotations

import opentimelineio as otio
import pytest

from foleyline.plugin.timeline import find_shots, read_timeline

from timeline_exports import kdenlive_sequence


def test_titles_test_patterns_nested_sequences_and_reversed_clips_are_not_offline_media(tmp_path):
    path = tmp_path / "cut.kdenlive"
    path.write_text(kdenlive_sequence([
        ("file", "avformat-novalidate", {"resource": "/media/A001.mov", "kdenlive:clipname": "A001"}),
        ("title", "kdenlivetitle", {"kdenlive:clipname": "Opening title"}),
        ("pattern", "frei0r.test_pat_G", {"kdenlive:clipname": "Grid"}),
        ("back", "timewarp", {"resource": "-1:/media/A002.mov", "kdenlive:clipname": "A002 reversed"}),
    ]))
    timeline = read_timeline(path)
    assert timeline.name == "Reel 2"
    found = find_shots(timeline)
    kinds = {c.name: type(c.media_reference).__name__ for c in timeline.find_clips()}
    assert kinds == {"A001": "ExternalReference", "Opening title": "GeneratorReference",
                     "Grid": "GeneratorReference", "A002 reversed": "MissingReference"}
    assert {p.clip_name: p.message for p in found.problems if p.kind == "generator"} == {
        "Opening title": "title generator (no picture media); not a shot",
        "Grid": "test pattern generator (no picture media); not a shot"}
    reasons = {s.name: s.missing_reason for s in found.shots}
    assert reasons["A001"].startswith("media file not found")
    assert reasons["A002 reversed"].startswith("a reversed clip, or one whose speed is not written (Kdenlive timewarp)")


def test_a_clip_at_another_speed_plays_its_file_from_the_frame_the_speed_reaches(tmp_path):
    # MLT's timewarp producer counts its own frames: at 200 % its frame 25 is the file's 50, and
    # its resource names the speed before the file
    path = tmp_path / "fast.kdenlive"
    text = kdenlive_sequence([
        ("fast", "timewarp", {"resource": "2:/media/A002.mov", "warp_speed": "2", "warp_resource": "/media/A002.mov",
                              "kdenlive:clipname": "A002 x2"}),
    ])
    path.write_text(text.replace('<entry producer="fast" in="00:00:00.000" out="00:00:00.960"/>',
                                 '<entry producer="fast" in="00:00:01.000" out="00:00:01.960"/>'))
    [clip] = read_timeline(path).find_clips()
    assert clip.media_reference.target_url == "/media/A002.mov"
    found = find_shots(read_timeline(path))
    [shot] = found.shots
    assert shot.media_path is not None and shot.media_path.name == "A002.mov"
    assert shot.source_range.start_time.value == pytest.approx(50)
    assert shot.source_range.duration.value == pytest.approx(50) and shot.duration_frames == 25
    assert [p.message.split(":")[0] for p in found.problems if p.kind == "speed"] == ["speed effect 200%"]


def test_a_sequence_nested_in_the_played_one_says_so(tmp_path):
    path = tmp_path / "nest.kdenlive"
    text = kdenlive_sequence([("file", "avformat-novalidate", {"resource": "/media/A001.mov"})])
    # the played sequence holds another sequence (a tractor with a name) as a clip
    text = text.replace('<producer id="file"', '<tractor id="inner" in="00:00:00.000" out="00:00:04.960"><property name="kdenlive:clipname">Scene 4</property>'
                        '<property name="kdenlive:id">2</property><track producer="black"/></tractor><producer id="old"')
    text = text.replace('producer="file"', 'producer="inner"')
    path.write_text(text)
    [shot] = find_shots(read_timeline(path)).shots
    assert shot.missing_reason.startswith("a nested sequence (Scene 4): its clips are not read")
    assert isinstance(read_timeline(path).find_clips()[0].media_reference, otio.schema.MissingReference)
