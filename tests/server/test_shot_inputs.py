"""A shot asked for again is not decoded and analysed again: its input is kept under the media
file's version, the range and the streams, within a budget of held pictures; what a take is
made of is the same either way."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import soundfile

from foleyline.server.engines.procedural import ProceduralEngine
from foleyline.server.media import load as load_module
from foleyline.server.media.frames import ANALYSIS_STREAM, SYNC_STREAM
from foleyline.server.pipeline import Pipeline
from foleyline.server.records import JobSettings
from foleyline.server.service import shot_from_proto
from foleyline.server.shot_inputs import ShotInputs
from foleyline.server.store import Store

from serverkit import make_shot, write_clip


@pytest.fixture
def decodes(monkeypatch) -> list[tuple[float, float]]:
    """The ranges decoded, as (start s, duration s)."""
    seen: list[tuple[float, float]] = []
    real = load_module.decode_shot
    monkeypatch.setattr(load_module, "decode_shot",
                        lambda path, start, duration, *a, **k: seen.append((start, duration)) or real(path, start, duration, *a, **k))
    return seen


def _load(inputs: ShotInputs, clip: Path, start: float = 0.5, duration: float = 1.0, streams=(ANALYSIS_STREAM,), **caller):
    given = {"shot_id": "s1", "offset": -0.25, "notes": None, "extras": {"shot_name": "fall"}, **caller}
    return inputs.load(clip, start, duration, list(streams), **given)


def test_the_same_range_of_the_same_file_is_decoded_once_and_each_caller_gets_its_own_input(tmp_path, decodes):
    clip = write_clip(tmp_path / "fall.mp4")
    inputs = ShotInputs()
    first = _load(inputs, clip, extras={"shot_name": "fall", "shot_duration": 0.5})
    again = _load(inputs, clip, shot_id="s2", offset=-0.5, extras={"shot_name": "other"})
    assert len(decodes) == 1
    assert again.analysis is first.analysis  # shared: read, never written
    assert again.streams[ANALYSIS_STREAM.name] is first.streams[ANALYSIS_STREAM.name]
    assert (again.shot_id, again.offset, again.notes.shot_id) == ("s2", -0.5, "s2")
    assert again.extras == {"media_path": str(clip), "shot_name": "other"}  # nothing of the first caller's
    assert first.extras["shot_name"] == "fall" and first.shot_id == "s1"
    again.notes = None  # what one caller sets on its input, the next does not see
    assert _load(inputs, clip).notes is not None


def test_another_range_other_streams_or_a_changed_file_are_decoded_again(tmp_path, decodes):
    clip = write_clip(tmp_path / "fall.mp4")
    inputs = ShotInputs()
    _load(inputs, clip)
    _load(inputs, clip, start=0.75)
    _load(inputs, clip, duration=0.5)
    _load(inputs, clip, streams=(ANALYSIS_STREAM, SYNC_STREAM))
    assert len(decodes) == 4
    write_clip(clip, frames=50)  # rewritten under the same name
    _load(inputs, clip)
    write_clip(tmp_path / "other.mp4").replace(clip)  # replaced by another file
    _load(inputs, clip)
    assert len(decodes) == 6


def test_the_oldest_inputs_go_beyond_the_budget_and_one_too_large_is_not_kept(tmp_path, decodes):
    clip = write_clip(tmp_path / "fall.mp4")
    size = ShotInputs()
    _load(size, clip)
    one = size._bytes
    inputs = ShotInputs(max_bytes=4 * one + 1)  # four of this size fit; each is a quarter at most
    for start in (0.0, 0.25, 0.5, 0.75, 1.0):
        _load(inputs, clip, start=start)
    assert len(inputs) == 4 and inputs._bytes <= inputs.max_bytes
    _load(inputs, clip, start=0.25)  # still kept
    _load(inputs, clip, start=0.0)   # the oldest, gone
    assert decodes[-2:] == [(1.0, 1.0), (0.0, 1.0)]
    small = ShotInputs(max_bytes=4 * one - 4)
    _load(small, clip)
    assert len(small) == 0


def test_a_long_shot_whose_pictures_are_read_when_needed_is_not_kept(tmp_path, monkeypatch):
    clip = write_clip(tmp_path / "fall.mp4")
    monkeypatch.setattr("foleyline.server.media.decode.HELD_BYTES", 1)  # every engine stream read when needed
    inputs = ShotInputs()
    shot_input = _load(inputs, clip, streams=(ANALYSIS_STREAM, SYNC_STREAM))
    assert shot_input.streams[SYNC_STREAM.name].deferred and len(inputs) == 0


def test_a_shot_made_again_from_its_kept_input_has_the_same_takes(tmp_path, decodes):
    clip = write_clip(tmp_path / "fall.mp4")
    shot = shot_from_proto(make_shot(clip))  # drafted notes: from the analysis
    engine = ProceduralEngine()
    engine.load()

    def audio_of(pipeline: Pipeline, job: str) -> list[str]:
        outcome = pipeline.process_shot(shot, JobSettings(seed=7, num_takes=2), job_id=job, engine_name="procedural",
                                        engine=engine, progress=lambda stage, fraction: None, cancel=threading.Event(),
                                        take_ids=[f"take-{job}-{i}" for i in range(2)])
        hashes = [stored.sha256 for take in outcome.takes for stored in (take.mix, *(lt.audio for lt in take.layers))]
        # The WAVs differ by their stamps (take ids); their samples are what the takes are made of.
        return [soundfile.read(store.audio_path(sha), dtype="int32")[0].tobytes() for sha in hashes]

    store = Store(tmp_path / "store")
    try:
        pipeline = Pipeline(store, [tmp_path])
        first = audio_of(pipeline, "a")
        again = audio_of(pipeline, "b")
        cold = audio_of(Pipeline(store, [tmp_path]), "c")  # a server that never saw the shot
    finally:
        store.close()
    assert len(decodes) == 2  # the first pipeline's second shot was not decoded
    assert first == again == cold
