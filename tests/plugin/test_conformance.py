"""Every shared real export reads, gives shots, and takes Foley back to the frame."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from foleyline.cli import main
from foleyline.plugin.timeline.conformance import conform_file

# the same place tests/conftest.py looks (parametrize needs the names before fixtures run)
SAMPLES = Path(os.environ.get("FOLEYLINE_SHARED", Path(__file__).resolve().parents[3] / "shared")) / "otio-samples"
AUDIO_ONLY = {"multi_audio.edl", "one_audio_clip.aaf"}
FILES = sorted(p.name for p in SAMPLES.iterdir() if p.suffix != ".tsv") if SAMPLES.is_dir() else []


def test_all_fourteen_samples_are_covered(otio_samples_dir):
    assert len([p for p in otio_samples_dir.iterdir() if p.suffix != ".tsv"]) == 14 == len(FILES)


@pytest.mark.parametrize("name", FILES)
def test_sample_conforms(name, otio_samples_dir, tmp_path):
    result = conform_file(otio_samples_dir / name, rate=24, workdir=tmp_path)
    assert result.ok, f"{name}: {result.round_trip} {result.detail}"
    if name in AUDIO_ONLY:
        assert result.audio_only and result.shots == 0
    else:
        assert result.shots > 0 and not result.audio_only
    assert result.round_trip.startswith("ok (")


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


def test_conform_asks_for_the_rate_of_an_edl(otio_samples_dir, capsys):
    assert main(["conform", str(otio_samples_dir / "multi_audio.edl")]) == 2
    assert "--rate" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".otio", ".otioz"])
def test_otio_files_conform_too(suffix, timeline_factory, tmp_path):
    path = tmp_path / f"cut{suffix}"
    timeline = timeline_factory(rate=24000 / 1001, media_dir=tmp_path)
    otio_adapter = "otio_json" if suffix == ".otio" else "otioz"
    import opentimelineio as otio

    otio.adapters.write_to_file(timeline, str(path), adapter_name=otio_adapter)
    result = conform_file(path, workdir=tmp_path)
    assert result.ok and result.shots == 3 and result.usable == 3 and result.rate == "23.976", result.detail


def test_conform_takes_a_folder(tmp_path, otio_samples_dir, capsys):
    for name in ("premiere_example.xml", "multi_audio.edl"):
        (tmp_path / name).write_bytes((otio_samples_dir / name).read_bytes())
    (tmp_path / "notes.txt").write_text("not a timeline")
    assert main(["conform", str(tmp_path), "--rate", "24"]) == 0
    assert "2 of 2 files conform" in capsys.readouterr().out
