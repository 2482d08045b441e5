"""Every shared real export reads, gives shots, and takes Foley back to the frame."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import opentimelineio as otio
import pytest

from foleyline.cli import main
from foleyline.errors import InvalidInput
from foleyline.plugin.timeline.conformance import conform_file
from foleyline.plugin.timeline.formats import read_timelines
from foleyline.plugin.timeline.selection import find_shots
from foleyline.plugin.timeline.timelines import describe

# the same place tests/conftest.py looks (parametrize needs the names before fixtures run)
SAMPLES = Path(os.environ.get("FOLEYLINE_SHARED", Path(__file__).resolve().parents[3] / "shared")) / "otio-samples"


def _index() -> list[dict[str, str]]:
    """INDEX.tsv: one row per shared export (path, producing app, frame rate, tracks, notes)."""
    index = SAMPLES / "INDEX.tsv"
    if not index.is_file():
        return []
    with open(index, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


ROWS = {Path(row["path"]).name: row for row in _index()}


def _rates(row: dict[str, str]) -> list[str]:
    """The rates INDEX.tsv allows ("23.976 or 24 (frames <=23), NDF" -> ["23.976", "24"])."""
    head = re.split(r"[(,]", row["frame_rate"])[0]
    return [f"{float(n):g}" for n in re.findall(r"\d+(?:\.\d+)?", head)]


def _start(row: dict[str, str]) -> str | None:
    found = re.search(r"start (\d\d:\d\d:\d\d[:;]\d\d)", row["frame_rate"])
    return found.group(1) if found else None


def test_every_shared_export_is_indexed_and_every_indexed_one_is_there(otio_samples_dir):
    on_disk = {p.name for p in otio_samples_dir.iterdir() if p.name != "INDEX.tsv"}
    assert ROWS and set(ROWS) == on_disk


@pytest.mark.parametrize("name", sorted(ROWS))
def test_sample_conforms(name, otio_samples_dir, tmp_path):
    row = ROWS[name]
    rate = float(_rates(row)[0]) if name.endswith(".edl") else None  # an editor knows their EDL's rate
    results = conform_file(otio_samples_dir / name, rate=rate, workdir=tmp_path)
    assert results
    for result in results:
        assert result.ok and result.round_trip.startswith("ok ("), f"{result.label}: {result.round_trip} {result.detail}"
        assert result.rate.split()[0] in _rates(row), f"{name}: read at {result.rate}, INDEX says {row['frame_rate']}"
    if "audio only" in row["audio_tracks"] or "audio-only" in row["notes"]:
        assert results[0].stand_in == "audio only" and results[0].shots == 0
    elif not results[0].stand_in:
        assert results[0].shots > 0
    if _start(row):
        info = describe(read_timelines(otio_samples_dir / name, rate=rate))[0]
        assert info.start.replace(";", ":") == _start(row)


def test_conform_prints_the_table_and_fails_when_one_file_fails(otio_samples_dir, tmp_path, capsys):
    broken = tmp_path / "broken.xml"
    broken.write_text("<xmeml version='4'><sequence>")
    code = main(["conform", str(otio_samples_dir / "premiere_example.xml"), str(otio_samples_dir / "multi_audio.edl"),
                 str(broken), "--rate", "24"])
    out = capsys.readouterr().out
    assert code == 1
    header = out.splitlines()[0].split()
    assert header == ["file", "format", "producer", "rate", "shots", "round", "trip"]
    assert "premiere_example.xml  FCP7 XML" in out and "Adobe Premiere Pro" in out
    assert "broken.xml: " in out and "2 of 3 files conform" in out


def test_conform_passes_on_good_files(otio_samples_dir, capsys):
    assert main(["conform", str(otio_samples_dir / "simple.aaf")]) == 0
    assert "1 of 1 files conform" in capsys.readouterr().out


def test_conform_reads_an_edl_at_the_rate_its_timecodes_allow_and_says_so(otio_samples_dir, capsys):
    assert main(["conform", str(otio_samples_dir / "multi_audio.edl")]) == 0
    assert "frame rate 24 guessed from its timecodes (23.976 and 24 look alike)" in capsys.readouterr().out


def test_conform_with_a_rate_an_edl_cannot_have_reads_it_at_the_rate_it_can(otio_samples_dir, capsys):
    # one --rate for a folder of EDLs: a 25 fps EDL counts frame 24, which 24 fps has not
    assert main(["conform", str(otio_samples_dir / "test_25.edl"), "--rate", "24"]) == 0
    assert "read at 25 fps: its timecodes count frame 24, which 24 fps does not have" in capsys.readouterr().out


@pytest.mark.parametrize("suffix", [".otio", ".otioz"])
def test_otio_files_conform_too(suffix, timeline_factory, tmp_path):
    path = tmp_path / f"cut{suffix}"
    timeline = timeline_factory(rate=24000 / 1001, media_dir=tmp_path)
    otio_adapter = "otio_json" if suffix == ".otio" else "otioz"
    otio.adapters.write_to_file(timeline, str(path), adapter_name=otio_adapter)
    [result] = conform_file(path, workdir=tmp_path)
    assert result.ok and result.shots == 3 and result.usable == 3 and result.rate == "23.976", result.detail


def test_conform_takes_a_folder(tmp_path, otio_samples_dir, capsys):
    for name in ("premiere_example.xml", "multi_audio.edl"):
        (tmp_path / name).write_bytes((otio_samples_dir / name).read_bytes())
    (tmp_path / "notes.txt").write_text("not a timeline")
    assert main(["conform", str(tmp_path), "--rate", "24"]) == 0
    assert "2 of 2 files conform" in capsys.readouterr().out


def test_the_check_wavs_are_silent_broadcast_wavs_of_the_length_asked_stamped_as_takes_are(tmp_path):
    # The writers read a check WAV's header only; its samples are the file system's zeros.
    import numpy as np
    import soundfile

    from foleyline.plugin.timeline.conformance import CHECK_WAV_STAMP_SECONDS, _write_check_wavs
    from foleyline.wavchunks import bext_time_reference

    wavs = _write_check_wavs(tmp_path, 2.5)
    assert len(wavs) == 2
    for path in wavs.values():
        info = soundfile.info(str(path))
        assert (info.frames, info.samplerate, info.channels, info.subtype) == (120_000, 48_000, 2, "PCM_24")
        assert not np.any(soundfile.read(str(path))[0])
        assert bext_time_reference(path) == CHECK_WAV_STAMP_SECONDS * 48_000


def test_an_empty_timeline_conforms_with_nothing_to_place_and_generate_says_it_holds_no_clips(tmp_path):
    # no clips and no start time: nothing says its frame rate, and nothing needs one
    path = tmp_path / "empty.otio"
    otio.adapters.write_to_file(otio.schema.Timeline(name="Empty"), str(path))
    [result] = conform_file(path, workdir=tmp_path)
    assert result.ok and result.round_trip == "nothing to place"
    with pytest.raises(InvalidInput, match="holds no clips: there is nothing to take Foley for"):
        find_shots(read_timelines(path)[0])
