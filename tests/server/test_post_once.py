"""Post once: each stem's loudness is measured once (the WAV and the take both say it), and a
shot's WAVs are made durable together, in one flush, before its takes are stored."""

from __future__ import annotations

import threading
import weakref
from dataclasses import replace
from pathlib import Path

import pytest
import wavinfo

from foleyline import fsutil
from foleyline.notes import notes_from_proto
from foleyline.provenance import read_provenance
from foleyline.server import pipeline as pipeline_module
from foleyline.server.media import audio
from foleyline.server.pipeline import Pipeline
from foleyline.server.records import JobSettings
from foleyline.server.service import shot_from_proto
from foleyline.server.store import Store

from serverkit import FakeEngine, make_shot, two_layer_notes, write_clip


@pytest.fixture
def run_shot(tmp_path: Path):
    clip = write_clip(tmp_path / "fall.mp4")
    store = Store(tmp_path / "store")
    shot = replace(shot_from_proto(make_shot(clip)), notes=notes_from_proto(two_layer_notes()))

    def run(takes: int = 1):
        return Pipeline(store, [tmp_path]).process_shot(
            shot, JobSettings(seed=3, num_takes=takes), job_id="job", engine_name="fake", engine=FakeEngine(),
            progress=lambda stage, fraction: None, cancel=threading.Event())

    yield store, run
    store.close()


def test_each_stem_and_the_mix_is_measured_once(run_shot, monkeypatch):
    store, run = run_shot
    measured = []
    real_measure, real_integrated = pipeline_module.measure, audio.loudness_lufs
    monkeypatch.setattr(pipeline_module, "measure", lambda x, rate: measured.append(x.shape) or real_measure(x, rate))
    integrated = []
    monkeypatch.setattr(audio, "loudness_lufs", lambda x, rate: integrated.append(1) or real_integrated(x, rate))
    outcome = run(takes=2)
    assert len(measured) == 2 * 3  # two layers and the mix, per take
    assert len(integrated) == 0  # the take reports what the measurement gave, never measures again
    take = outcome.takes[0]
    # What the take reports is what its WAVs say (bext loudness, in 0.01 LU).
    for layer in take.layers:
        bext = wavinfo.WavInfoReader(str(store.audio_path(layer.audio.sha256))).bext
        assert bext.loudness_value == pytest.approx(layer.loudness_lufs, abs=0.01)


def test_a_shots_wavs_are_flushed_together_once(run_shot, monkeypatch):
    store, run = run_shot
    flushes: list[list[Path]] = []
    fsyncs = []
    monkeypatch.setattr(pipeline_module.Store, "sync_audio",
                        lambda self, shas: flushes.append([self.audio_path(s) for s in shas]))
    real_fsync = fsutil.os.fsync
    monkeypatch.setattr(fsutil.os, "fsync", lambda fd: fsyncs.append(fd) or real_fsync(fd))
    outcome = run(takes=2)
    # One flush for every take of the shot, before any of them is stored.
    assert len(flushes) == 1
    wanted = {store.audio_path(f.sha256) for take in outcome.takes for f in (*(lt.audio for lt in take.layers), take.mix)}
    assert set(flushes[0]) == wanted
    assert fsyncs == [], "a WAV was fsynced on its own"


@pytest.mark.parametrize("has_syncfs", [True, False])
def test_sync_written_flushes_each_file_system_once_or_every_file(tmp_path, monkeypatch, has_syncfs):
    files = [tmp_path / "a" / "1.wav", tmp_path / "b" / "2.wav"]
    for f in files:
        f.parent.mkdir()
        fsutil.write_bytes_atomic(f, b"RIFF", durable=False)
    calls = []
    monkeypatch.setattr(fsutil, "_SYNCFS", (lambda fd: calls.append("syncfs") or 0) if has_syncfs else None)
    real_fsync = fsutil.os.fsync
    monkeypatch.setattr(fsutil.os, "fsync", lambda fd: calls.append("fsync") or real_fsync(fd))
    fsutil.sync_written(files)
    # One file system here: one syncfs; without it, each file and each folder.
    assert calls == (["syncfs"] if has_syncfs else ["fsync"] * 4)


def test_a_shots_wavs_are_signed_with_one_signer(run_shot, monkeypatch):
    store, run = run_shot
    made = []
    real = pipeline_module.signer_for
    monkeypatch.setattr(pipeline_module, "signer_for", lambda creds: made.append(creds) or real(creds))
    outcome = run(takes=2)
    assert len(made) == 1  # six WAVs, one signer: the key and chain are read once per shot
    for take in outcome.takes:
        for stored in [take.mix, *(layer.audio for layer in take.layers)]:
            assert wavinfo.WavInfoReader(str(store.audio_path(stored.sha256))).data.frame_count > 0
            # each one signed, and valid as a reader checks it (c2pa does not read back what it signs)
            report = read_provenance(store.audio_path(stored.sha256))
            assert report.ok and report.generation["take_id"] == take.id, report.line()


def test_a_shots_post_holds_one_takes_audio_at_a_time(run_shot, monkeypatch):
    # a long shot's memory: once a take's stems and mix are written, none of its audio is kept
    store, run = run_shot
    written: dict[str, list[weakref.ref]] = {}
    alive_from_earlier_takes = []
    real = pipeline_module.write_take

    def write_take(path, audio, stamp, generation, creds, **kwargs):
        earlier = [ref for take_id, refs in written.items() if take_id != generation.take_id for ref in refs]
        alive_from_earlier_takes.append(sum(ref() is not None for ref in earlier))
        written.setdefault(generation.take_id, []).append(weakref.ref(audio))
        return real(path, audio, stamp, generation, creds, **kwargs)

    monkeypatch.setattr(pipeline_module, "write_take", write_take)
    outcome = run(takes=3)
    assert len(written) == 3 and sum(len(refs) for refs in written.values()) == 3 * 3
    assert alive_from_earlier_takes == [0] * 9
    assert all(layer.peak_dbfs <= audio.PEAK_CEILING_DBFS + 0.01 for take in outcome.takes for layer in take.layers)
