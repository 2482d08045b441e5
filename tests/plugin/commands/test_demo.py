"""``foleyline demo``: from nothing to a Foley timeline, WAVs and a preview, over gRPC."""

from __future__ import annotations

import time
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import soundfile
from wavinfo import WavInfoReader

from foleyline.cli import main
from foleyline.plugin.commands.demo_scenes import HANDLE
from foleyline.provenance import read_provenance
from foleyline.timebase import to_timecode


def test_the_demo_writes_aligned_foley_clips_48k_24bit_wavs_and_a_preview(tmp_path: Path, capsys, monkeypatch) -> None:
    out = tmp_path / "demo"
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    assert main(["demo", "-o", "demo"]) == 0
    elapsed = time.monotonic() - started
    # A guard against a hang or a gross regression, not a timing: the demo takes about 4 s here
    # (its target is < 60 s on an idle 2-core box).
    assert elapsed < 120, f"the demo took {elapsed:.0f} s"
    said = capsys.readouterr()
    assert "demo written" in said.out
    # every path it names is absolute, so it is found from wherever `make -C` was typed
    named = [line.split(None, 1)[1] for line in said.out.splitlines()[1:]]
    assert len(named) == 6 and all(Path(path).is_absolute() and Path(path).exists() for path in named), said.out
    assert str(out / "demo_preview.mp4") in said.err

    cut = otio.adapters.read_from_file(str(out / "demo.otio"))
    video = [t for t in cut.tracks if t.kind == otio.schema.TrackKind.Video][0]
    assert len(video.find_clips()) >= 4
    assert to_timecode(cut.global_start_time, "23.976") == "01:00:00:00"
    assert abs(cut.global_start_time.rate - 24000 / 1001) < 1e-6

    foley = otio.adapters.read_from_file(str(out / "foley" / "demo_foley.otio"))
    shots = {c.name: (round(c.range_in_parent().start_time.value), round(c.range_in_parent().duration.value))
             for c in foley.tracks[0].find_clips()}
    audio_tracks = [t for t in foley.tracks if t.kind == otio.schema.TrackKind.Audio]
    assert {t.name.split(" ")[0] for t in audio_tracks} == {"Foley"}
    placed_shots = set()
    loudest = 0.0
    for track in audio_tracks:
        for clip in track.find_clips():
            meta = clip.metadata["foleyline"]
            # cut to its shot: the same record frames as the shot, exactly
            record = clip.range_in_parent()
            assert (record.start_time.value, record.duration.value) == shots[meta["shot_name"]], clip.name
            # and the WAV's frame there is the shot's first: the demo's full 12-frame head handle in
            assert meta["handle_head_frames"] == HANDLE and meta["shown_head_frames"] == 0, clip.name
            # media time is the WAV's own timecode (its stamp, below): the shot is HANDLE frames in
            origin = clip.media_reference.available_range.start_time.value
            assert origin == 86400 + record.start_time.value - HANDLE, clip.name
            assert clip.source_range.start_time.value - origin == HANDLE, clip.name
            placed_shots.add(meta["shot_name"])
            wav = Path(meta["wav_path"])
            # its BWF stamp (record time of the first sample, 2002 samples a frame at 23.976) is
            # a head handle before the shot's record frame (01:00:00:00 is frame 86400)
            assert WavInfoReader(str(wav)).bext.time_reference == (86400 + record.start_time.value - HANDLE) * 2002
            info = soundfile.info(str(wav))
            assert (info.samplerate, info.subtype) == (48000, "PCM_24")
            # what a sound editor reads: what is heard, the take (accepted: circled), provenance
            stamp = WavInfoReader(str(wav))
            assert stamp.bext.description.startswith(f"{meta['kind']} {meta['layer']}: "), stamp.bext.description
            assert stamp.ixml.take == "1" and stamp.ixml.raw_xml.findtext("CIRCLED") == "TRUE"
            report = read_provenance(wav)
            assert report.ok and report.generation["engine"] == "procedural", report.line()
            samples, _ = soundfile.read(str(wav))
            # not silent: an ambience bed may be quiet, but above -60 dBFS
            assert np.abs(samples).max() > 0.001, f"{wav.name} is silent"
            loudest = max(loudest, float(np.abs(samples).max()))
    assert placed_shots == set(shots)
    assert loudest > 0.1  # the hits are clearly audible

    with av.open(str(out / "demo_preview.mp4")) as preview:
        kinds = {s.type for s in preview.streams}
        assert kinds == {"video", "audio"}
        assert preview.streams.audio[0].rate == 48000
        assert abs(float(preview.duration / av.time_base) - 4 * 72 * 1001 / 24000) < 0.2


def test_the_demo_says_in_one_line_when_its_folder_cannot_be_written(tmp_path: Path, capsys) -> None:
    # as under a read-only checkout: `make demo` writes demo-out/ beside the Makefile
    blocker = tmp_path / "a file"
    blocker.write_text("", encoding="utf-8")
    assert main(["demo", "-o", str(blocker / "demo-out")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("foleyline demo: cannot write into")
    assert error.count("\n") == 1, error
