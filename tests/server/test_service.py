"""The Foley service over gRPC, in process, with the test engine: generation streams progress
and takes, failures of a shot are events, and takes can be listed, fetched and regenerated."""

from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest
import soundfile

from foleyline.errors import InvalidInput, NotFound
from foleyline.notes import Layer, LayerKind, Notes
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.server.notes import DraftResult
from foleyline.server.pipeline import Pipeline
from serverkit import FakeEngine, collect, make_shot, two_layer_notes


def _with_notes(shot: pb.Shot, shot_id: str | None = None) -> pb.Shot:
    shot.notes.CopyFrom(two_layer_notes(shot_id or shot.id))
    shot.has_notes = True
    return shot


def test_generate_streams_progress_then_a_take_with_48k_24bit_layers_and_mix(client, clip_path: Path, tmp_path: Path) -> None:
    events = collect(client.generate([_with_notes(make_shot(clip_path))], pb.GenerateSettings(seed=11, handle_frames=-1)))
    assert events["accepted"][0].shot_count == 1
    stages = [p.stage for p in events["progress"]]
    assert stages[0] == "queued" and stages[-1] == "done"
    assert {"decode", "notes", "generate", "post", "store"} <= set(stages)
    assert events["done"][0].shots_done == 1 and events["done"][0].shots_failed == 0
    (take,) = events["take_ready"]
    assert take.seed == 11 and take.engine == "fake"
    assert [layer.label for layer in take.layers] == ["impact", "room"]
    assert (take.handle_head_frames, take.handle_tail_frames) == (12, 12)
    # 48 frames + 2 x 12 handles at 24 fps = 3 s
    for audio in [*(layer.audio for layer in take.layers), take.mix]:
        path = client.fetch_audio(audio.sha256, tmp_path / f"{audio.sha256}.wav")
        info = soundfile.info(str(path))
        assert (info.samplerate, info.subtype, info.frames) == (48000, "PCM_24", 144000)
        assert (audio.sample_rate, audio.bit_depth, audio.frames) == (48000, 24, 144000)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == audio.sha256
        samples, _ = soundfile.read(str(path))
        assert abs(samples).max() > 0.01


def test_the_wavs_carry_the_record_timecode_of_their_first_sample(client, clip_path: Path, tmp_path: Path) -> None:
    from wavinfo import WavInfoReader

    events = collect(client.generate([_with_notes(make_shot(clip_path, record=86400))], pb.GenerateSettings(handle_frames=-1)))
    take = events["take_ready"][0]
    path = client.fetch_audio(take.mix.sha256, tmp_path / "mix.wav")
    # 01:00:00:00 minus the 12-frame head handle at 24 fps = 3599.5 s
    assert WavInfoReader(str(path)).bext.time_reference == 3599.5 * 48000


def test_handles_are_clamped_to_the_available_media(client, clip_path: Path) -> None:
    shot = _with_notes(make_shot(clip_path, start=4, length=60))  # 4 frames before, 8 after
    take = collect(client.generate([shot], pb.GenerateSettings(handle_frames=12)))["take_ready"][0]
    assert (take.handle_head_frames, take.handle_tail_frames) == (4, 8)
    assert take.mix.frames == 72 * 2000


def test_notes_are_drafted_when_the_editor_gave_none(client, clip_path: Path) -> None:
    events = collect(client.generate([make_shot(clip_path)]))
    (drafted,) = events["notes_drafted"]
    assert drafted.shot_id == "shot-1" and drafted.layers
    take = events["take_ready"][0]
    assert [layer.label for layer in take.layers] == [layer.label for layer in drafted.layers]


def test_a_failed_shot_is_an_event_and_the_other_shots_still_come(client, clip_path: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "secret.mp4"
    outside.parent.mkdir()
    shutil.copy(clip_path, outside)
    shots = [
        _with_notes(make_shot(outside, shot_id="outside")),
        _with_notes(make_shot(clip_path.parent / "missing.mp4", shot_id="missing")),
        _with_notes(make_shot(clip_path, shot_id="empty", length=0)),
        _with_notes(make_shot(clip_path, shot_id="good")),
    ]
    events = collect(client.generate(shots))
    failures = {f.shot_id: f for f in events["shot_failed"]}
    assert failures["outside"].code == "PERMISSION_DENIED"
    assert str(outside) in failures["outside"].reason and "allowed roots" in failures["outside"].reason
    assert failures["missing"].code == "FAILED_PRECONDITION"
    assert "does not exist" in failures["missing"].reason
    assert failures["empty"].code == "INVALID_ARGUMENT" and "zero length" in failures["empty"].reason
    assert [t.shot_id for t in events["take_ready"]] == ["good"]
    assert (events["done"][0].shots_done, events["done"][0].shots_failed) == (1, 3)


def test_a_request_without_shots_is_invalid(client) -> None:
    with pytest.raises(InvalidInput, match="no shots"):
        list(client.generate([]))


def test_several_takes_use_consecutive_seeds_and_differ(client, clip_path: Path) -> None:
    events = collect(client.generate([_with_notes(make_shot(clip_path))], pb.GenerateSettings(num_takes=2, seed=100, handle_frames=-1)))
    takes = events["take_ready"]
    assert [t.seed for t in takes] == [100, 101]
    assert takes[0].layers[0].audio.sha256 != takes[1].layers[0].audio.sha256


def test_regenerating_one_layer_keeps_the_others_bit_identical(client, clip_path: Path, fake_engine) -> None:
    base = collect(client.generate([_with_notes(make_shot(clip_path))], pb.GenerateSettings(seed=5, handle_frames=-1)))["take_ready"][0]
    fake_engine.calls.clear()
    shot = _with_notes(make_shot(clip_path))
    shot.only_layers.append("impact")
    shot.base_take_id = base.id
    new = collect(client.generate([shot], pb.GenerateSettings(seed=77, handle_frames=-1)))["take_ready"][0]
    assert [call[1] for call in fake_engine.calls] == ["impact"]
    old_layers = {layer.label: layer for layer in base.layers}
    new_layers = {layer.label: layer for layer in new.layers}
    assert new_layers["room"].reused and new_layers["room"].audio.sha256 == old_layers["room"].audio.sha256
    assert not new_layers["impact"].reused and new_layers["impact"].audio.sha256 != old_layers["impact"].audio.sha256
    assert new.base_take_id == base.id


def test_takes_can_be_listed_and_fetched_by_id(client, clip_path: Path) -> None:
    events = collect(client.generate([_with_notes(make_shot(clip_path))]))
    take = events["take_ready"][0]
    assert [t.id for t in client.list_takes(shot_id="shot-1")] == [take.id]
    assert client.get_take(take.id) == take
    with pytest.raises(NotFound, match="no take"):
        client.get_take("take-nope")
    with pytest.raises(NotFound, match="no audio"):
        client.fetch_audio("ab" * 32, Path("/tmp/never-written.wav"))


def test_uploaded_media_is_referenced_by_hash(client, server, clip_path: Path, tmp_path: Path) -> None:
    # a remote client: media outside the allowed roots goes by upload, not by path
    elsewhere = tmp_path / "remote" / "clip.mp4"
    elsewhere.parent.mkdir()
    shutil.copy(clip_path, elsewhere)
    digest = client.upload_media(elsewhere)
    assert digest == hashlib.sha256(elsewhere.read_bytes()).hexdigest()
    shot = _with_notes(make_shot(None))
    shot.media.content_hash = digest
    events = collect(client.generate([shot]))
    assert len(events["take_ready"]) == 1


def test_cancelling_the_stream_cancels_the_job_and_resume_finishes_it(client, clip_path: Path, fake_engine) -> None:
    fake_engine.held.update({"s1", "s2"})  # still to do when the stream is cancelled
    shots = [_with_notes(make_shot(clip_path, shot_id=f"s{i}"), f"s{i}") for i in range(3)]
    call = client.generate(shots)
    job_id = ""
    for event in call:
        job_id = event.job_id
        if event.WhichOneof("event") == "take_ready":
            call.cancel()
            break
    deadline = time.monotonic() + 60  # a safety net: the cancel ends the job
    while time.monotonic() < deadline and client.list_jobs()[0].state not in ("cancelled", "done"):
        time.sleep(0.05)
    job = client.list_jobs()[0]
    assert job.job_id == job_id and job.state == "cancelled" and job.shots_done == 1
    fake_engine.held.clear()
    events = collect(client.resume(job_id))
    assert sorted(t.shot_id for t in events["take_ready"]) == ["s0", "s1", "s2"]
    assert events["done"][0].shots_done == 3
    assert client.list_jobs()[0].state == "done"


def test_draft_notes_streams_notes_per_shot_and_errors_as_events(client, clip_path: Path) -> None:
    shots = [make_shot(clip_path, shot_id="a"), make_shot(clip_path.parent / "missing.mp4", shot_id="b")]
    events = {event.shot_id: event for event in client.draft_notes(shots, writer="analysis")}
    assert events["a"].WhichOneof("result") == "notes" and events["a"].notes.layers
    assert events["a"].notes.shot_id == "a"
    assert events["b"].WhichOneof("result") == "error" and "does not exist" in events["b"].error


class TextLimitedEngine(FakeEngine):
    """The fake engine reading at most 12 tokens of a layer's prompt."""

    def capabilities(self):
        return replace(super().capabilities(), max_text_tokens=12)


LONG_PROMPT = "heavy boots on wet gravel, slow pace, scuffs of the heel, keys jingling in a pocket"


@pytest.mark.parametrize("fake_engine", [TextLimitedEngine()])
def test_drafted_layers_over_the_engines_text_limit_are_split(client, clip_path: Path, monkeypatch, fake_engine) -> None:
    def long_draft(self, shot, shot_input, writer="auto", *, counts_of=None, chosen=None):  # as drafted, before any fitting
        return DraftResult(Notes(layers=(Layer("steps", LayerKind.FOLEY, prompt=LONG_PROMPT),), shot_id=shot.id), "analysis")

    monkeypatch.setattr(Pipeline, "draft", long_draft)
    (event,) = client.draft_notes([make_shot(clip_path, shot_id="a")], writer="analysis", engine="fake")
    labels = [layer.label for layer in event.notes.layers]
    assert labels[0] == "steps" and "steps 2" in labels
    assert " ".join(layer.prompt for layer in event.notes.layers).replace(",", "") == LONG_PROMPT.replace(",", "")
    assert [c.layer_label for c in event.token_counts] == labels
    assert all(c.limit == 12 and not c.over_limit for c in event.token_counts)
    assert any("split into" in warning for warning in event.warnings)
    # Without a target engine there is no limit to split for, and no counts.
    (plain,) = client.draft_notes([make_shot(clip_path, shot_id="a")], writer="analysis")
    assert [layer.label for layer in plain.notes.layers] == ["steps"] and not plain.token_counts


def test_edit_notes_applies_an_instruction_and_names_the_layers_to_regenerate(client) -> None:
    response = client.edit_notes(two_layer_notes(), "quieter room", 2.0)
    assert list(response.affected_layers) == ["room"]
    assert response.notes.version == 2 and response.diff


def test_takes_and_jobs_are_listed_in_pages(client, clip_path: Path) -> None:
    collect(client.generate([_with_notes(make_shot(clip_path))], pb.GenerateSettings(num_takes=5, seed=3)))
    collect(client.generate([_with_notes(make_shot(clip_path))]))
    pages, token = [], ""
    while True:
        page = client._stub.ListTakes(pb.ListTakesRequest(page_size=2, page_token=token), metadata=client._metadata)
        pages.append([take.seed for take in page.takes])
        if not (token := page.next_page_token):
            break
    assert [len(p) for p in pages] == [2, 2, 2]
    seeds = [seed for p in pages for seed in p]
    assert sorted(seeds[:5]) == [3, 4, 5, 6, 7] and len(set(seeds)) == 6
    assert len(client.list_takes()) == 6 and len(client.list_takes(shot_id="shot-1")) == 6
    jobs = client._stub.ListJobs(pb.ListJobsRequest(page_size=1), metadata=client._metadata)
    assert len(jobs.jobs) == 1 and jobs.next_page_token
    assert len(client.list_jobs()) == 2
    with pytest.raises(InvalidInput, match="page_token: not a token this server gave"):
        client._unary(client._stub.ListTakes, pb.ListTakesRequest(page_token="garbage"))


def test_a_page_token_of_an_older_server_still_reads() -> None:
    # It named the last entry by (created_at, id); the id alone places the page now.
    import base64
    import json

    from foleyline.server.messages import page_after, page_token

    older = base64.urlsafe_b64encode(json.dumps(["2026-01-01T00:00:00.000+00:00", "job-7"]).encode()).decode()
    assert page_after(older) == "job-7" == page_after(page_token("job-7"))
