"""Jobs between editors: fair turns at shot granularity, a waiting job told where it stands, a
job that ends only by a cancel or when its last follower leaves, a cancel that stops any stage
of a shot, leaving no file behind, and a restart: streams told to resume, resumes arriving
together following one run, a cancel of a job the restart left."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from foleyline.capacity import ServerLimits
from foleyline.plugin.client import FoleyClient
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.server import housekeeping
from foleyline.server.pipeline import Pipeline
from serverkit import TOKEN, collect, make_shot, two_layer_notes

# A safety net for what the tests wait on, never a timing: a loaded machine only makes the
# wait longer. How fast a cancel ends each stage, benchmarks/cancel.py measures.
SAFETY_S = 60.0


def _shots(clip: Path, prefix: str, count: int, length: int = 48) -> list[pb.Shot]:
    shots = []
    for i in range(count):
        shot = make_shot(clip, shot_id=f"{prefix}{i}", record=86400 + 48 * i, length=length, start=12 if length <= 48 else 0)
        shot.notes.CopyFrom(two_layer_notes(shot.id))
        shot.has_notes = True
        shots.append(shot)
    return shots


def _until(call, stage: str) -> str:
    """Read a Generate stream until a shot reaches ``stage``; the job id."""
    for event in call:
        if event.WhichOneof("event") == "progress" and event.progress.stage == stage:
            return event.job_id
    raise AssertionError(f"the stream ended before {stage}")


def _wait_state(client: FoleyClient, job_id: str, states: tuple[str, ...], timeout: float = SAFETY_S) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = next(j.state for j in client.list_jobs() if j.job_id == job_id)
        if state in states:
            return state
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} is still {state}")


def _shots_run(engine) -> list[str]:
    """The shots the engine was called for, each once, in the order they first ran."""
    return list(dict.fromkeys(shot_id for shot_id, _layer, _seeds in engine.calls))


def test_one_editors_long_job_does_not_hold_back_anothers_single_shot(start, clip_path: Path, fake_engine) -> None:
    server = start(ServerLimits(workers={"cpu": 1}))
    alices = _shots(clip_path, "a", 40)
    fake_engine.held.update(shot.id for shot in alices)
    with FoleyClient(server.address, TOKEN) as alice, FoleyClient(server.address, TOKEN) as bob:
        long = alice.generate(alices)
        _until(long, "generate")  # a0 holds the one worker
        call = bob.generate(_shots(clip_path, "b", 1))
        assert next(call).WhichOneof("event") == "accepted"  # bob's job is in the queue
        fake_engine.held.discard("a0")
        events = collect(call)
        assert [t.shot_id for t in events["take_ready"]] == ["b0"]
        # only alice's shot running when bob asked ran before his
        assert _shots_run(fake_engine)[:2] == ["a0", "b0"]
        long.cancel()


def test_a_waiting_job_hears_its_place_in_the_queue_and_an_estimate(start, clip_path: Path, fake_engine) -> None:
    server = start(ServerLimits(workers={"cpu": 1}))
    with FoleyClient(server.address, TOKEN) as alice, FoleyClient(server.address, TOKEN) as bob:
        first = alice.generate(_shots(clip_path, "a", 2))
        _until(first, "done")  # one shot done: the running mean has a value
        fake_engine.held.add("c0")
        second = alice.generate(_shots(clip_path, "c", 3))
        _until(second, "generate")  # c0 holds the one worker: bob's job has to wait
        call = bob.generate(_shots(clip_path, "b", 1))
        assert next(call).WhichOneof("event") == "accepted"
        fake_engine.held.discard("c0")
        events = collect(call)
        queued = [p for p in events["progress"] if p.stage == "queued" and p.queue_eta_seconds != 0]
        assert queued and queued[-1].queue_position == 0 and queued[-1].queue_eta_seconds > 0
        first.cancel()
        second.cancel()


def test_a_job_followed_twice_goes_on_when_one_follower_leaves(server, clip_path: Path, fake_engine) -> None:
    fake_engine.delay = 0.1
    with FoleyClient(server.address, TOKEN) as first, FoleyClient(server.address, TOKEN) as second:
        call = first.generate(_shots(clip_path, "s", 4))
        job_id = _until(call, "generate")
        follower = second.resume(job_id)
        assert next(follower).WhichOneof("event") == "accepted"
        call.cancel()  # the first client leaves
        events = collect(follower)
        assert events["done"][0].shots_done == 4 and not events["done"][0].cancelled
        assert _wait_state(first, job_id, ("done", "cancelled")) == "done"


def test_a_job_whose_last_follower_leaves_is_cancelled_and_resumable(server, clip_path: Path, fake_engine) -> None:
    shots = _shots(clip_path, "s", 6)
    fake_engine.held.update(shot.id for shot in shots)  # the job can end only by the cancel
    with FoleyClient(server.address, TOKEN) as client:
        call = client.generate(shots)
        job_id = _until(call, "generate")
        call.cancel()
        assert _wait_state(client, job_id, ("cancelled", "done")) == "cancelled"
        fake_engine.held.clear()
        assert collect(client.resume(job_id))["done"][0].shots_done == 6


def test_unfollowed_jobs_can_be_set_to_continue(start, clip_path: Path, fake_engine) -> None:
    fake_engine.delay = 0.05
    server = start(ServerLimits(unfollowed_jobs="continue"))
    with FoleyClient(server.address, TOKEN) as client:
        call = client.generate(_shots(clip_path, "s", 4))
        job_id = _until(call, "generate")
        call.cancel()
        assert _wait_state(client, job_id, ("cancelled", "done")) == "done"
        assert len(client.list_takes(job_id=job_id)) == 4


def _held_at(monkeypatch, stage: str) -> None:
    """Each shot waits where ``stage`` begins until its job is cancelled, so the cancel lands
    in that stage however loaded the machine is (a shot left to run could finish first)."""
    real = Pipeline.process_shot

    def process_shot(self, shot, settings, *, progress, cancel, **kwargs):
        def told(name: str, fraction: float) -> None:
            progress(name, fraction)
            if name == stage:
                cancel.wait(SAFETY_S)

        return real(self, shot, settings, progress=told, cancel=cancel, **kwargs)

    monkeypatch.setattr(Pipeline, "process_shot", process_shot)


@pytest.mark.parametrize("stage", ["decode", "generate", "post", "store"])
def test_a_cancel_stops_every_stage_and_leaves_no_file(monkeypatch, server, clip_path: Path, fake_engine, stage: str) -> None:
    shots = _shots(clip_path, "s", 1)
    if stage == "generate":
        fake_engine.held.add("s0")  # only the engine's own look at the cancel can end it
    else:
        _held_at(monkeypatch, stage)
    # two takes: several files to post and store, a cancel between them
    settings = pb.GenerateSettings(num_takes=2 if stage in ("post", "store") else 1)
    with FoleyClient(server.address, TOKEN) as client:
        call = client.generate(shots, settings)
        job_id = _until(call, stage)
        assert client.cancel_job(job_id) in ("cancelling", "cancelled")
        assert _wait_state(client, job_id, ("cancelled", "done")) == "cancelled"
        call.cancel()
    assert server.store.list_takes(job_id=job_id) == []
    assert housekeeping.collect_orphans(server.store, grace_s=0, dry_run=True).files == 0
    assert not [p for p in server.store.tmp_dir.iterdir() if p.name.endswith(".wav")]


def test_the_decode_loop_stops_at_the_next_packet_once_cancelled(clip_path: Path) -> None:
    from foleyline.errors import Cancelled
    from foleyline.server.media.decode import decode_shot
    from foleyline.server.media.frames import ANALYSIS_STREAM

    class AfterChecks(threading.Event):
        """Set after it has been looked at ``n`` times: a cancel arriving mid-decode."""

        def __init__(self, n: int) -> None:
            super().__init__()
            self.looks = n

        def is_set(self) -> bool:
            self.looks -= 1
            return self.looks < 0

    cancel = AfterChecks(5)
    with pytest.raises(Cancelled):
        decode_shot(clip_path, 0.0, 2.5, [ANALYSIS_STREAM], cancel=cancel)
    assert cancel.looks == -1  # stopped at the first look after the cancel


def _interrupted(start, clip_path: Path, fake_engine, prefix: str):
    """A job whose server stopped mid-shot, and a server started again on the same store: (the
    new server, the job's id, what the job's stream ended with)."""
    server = start()
    shots = _shots(clip_path, prefix, 1)
    fake_engine.held.update(shot.id for shot in shots)  # only the server's stop ends the shot
    with FoleyClient(server.address, TOKEN) as client:
        call = client.generate(shots)
        job_id = _until(call, "generate")
        stopper = threading.Thread(target=server.stop, kwargs={"grace": SAFETY_S})
        stopper.start()
        try:
            ended = collect(call)
        except Exception as exc:  # noqa: BLE001 - what the stream ended with is the point
            ended = exc
        stopper.join(SAFETY_S)
    return start(), job_id, ended


def test_a_stopping_server_ends_its_streams_unavailable_saying_to_resume_and_keeps_the_job(
        start, clip_path: Path, fake_engine) -> None:
    # A JobDone "cancelled" would read as the editor's own cancel, and nobody would resume it.
    from foleyline.errors import Unavailable

    again, job_id, ended = _interrupted(start, clip_path, fake_engine, "stop")
    assert isinstance(ended, Unavailable), ended
    assert job_id in str(ended) and "resume" in str(ended)
    fake_engine.held.clear()
    with FoleyClient(again.address, TOKEN) as client:
        assert next(j.state for j in client.list_jobs() if j.job_id == job_id) == "interrupted"
        assert collect(client.resume(job_id))["done"][0].shots_done == 1


def test_resumes_of_one_job_arriving_together_follow_one_run(start, clip_path: Path, fake_engine) -> None:
    # A team's panels reconnecting after a restart: each hears the job's take, and the shot runs once.
    again, job_id, _ended = _interrupted(start, clip_path, fake_engine, "together")
    fake_engine.calls.clear()
    clients = [FoleyClient(again.address, TOKEN) for _ in range(3)]
    try:
        with ThreadPoolExecutor(3) as pool:
            calls = list(pool.map(lambda client: client.resume(job_id), clients))
            assert all(next(call).WhichOneof("event") == "accepted" for call in calls)
            fake_engine.held.clear()
            followed = list(pool.map(collect, calls))
    finally:
        for client in clients:
            client.close()
    assert [len(events["take_ready"]) for events in followed] == [1, 1, 1]
    assert len({events["take_ready"][0].id for events in followed}) == 1
    layers = len(two_layer_notes().layers)
    assert len([call for call in fake_engine.calls if call[0] == "together0"]) == layers
    assert len(again.store.list_takes(job_id=job_id)) == 1


def test_a_cancel_of_a_job_a_stopped_server_left_marks_it_cancelled_and_it_stays_resumable(
        start, clip_path: Path, fake_engine) -> None:
    again, job_id, _ended = _interrupted(start, clip_path, fake_engine, "left")
    fake_engine.held.clear()
    with FoleyClient(again.address, TOKEN) as client:
        assert client.cancel_job(job_id) == "cancelled"
        assert next(j.state for j in client.list_jobs() if j.job_id == job_id) == "cancelled"
        assert collect(client.resume(job_id))["done"][0].shots_done == 1
