"""The real server, ``foleyline serve``, in its own process on loopback, driven over gRPC from
this process: generation, the token, and surviving ``kill -9`` in the middle of a job."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc
import pytest
import soundfile

from foleyline.plugin.client import FoleyClient
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.protos.v1 import foley_pb2_grpc as pb_grpc
from serverkit import HELD_SHOTS_ENV, collect, make_shot, two_layer_notes

HERE = Path(__file__).resolve().parent


class ServerProcess:
    def __init__(self, tmp: Path, data_dir: Path, root: Path, engine: str) -> None:
        self.port_file = tmp / "port"
        self.port_file.unlink(missing_ok=True)
        self.log = open(tmp / "serve.log", "ab")
        env = dict(os.environ, OMP_NUM_THREADS="1", FOLEYLINE_ENGINES="slowfake=serverkit:SlowFakeEngine")
        self.held = tmp / "held-shots"  # the shots its slowfake engine holds (SlowFakeEngine)
        env[HELD_SHOTS_ENV] = str(self.held)
        env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "foleyline", "serve", "--address", "127.0.0.1:0", "--port-file", str(self.port_file),
             "--data-dir", str(data_dir), "--allow-root", str(root), "--engine", engine],
            env=env, stdout=self.log, stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while not self.port_file.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"foleyline serve did not start: {(tmp / 'serve.log').read_text()}")
            time.sleep(0.05)
        self.address = f"127.0.0.1:{int(self.port_file.read_text())}"

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill9()
        self.log.close()


def _until(predicate, what: str) -> None:
    """Wait for ``predicate``; the deadline is a safety net, never a timing."""
    deadline = time.monotonic() + 60
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _noted_shots(root: Path, count: int) -> list[pb.Shot]:
    """``count`` consecutive shots of the clip, each with the editor's two-layer notes."""
    shots = []
    for i in range(count):
        shot = make_shot(root / "fall.mp4", shot_id=f"shot-{i}", record=86400 + 48 * i)
        shot.notes.CopyFrom(two_layer_notes(f"shot-{i}"))
        shot.has_notes = True
        shots.append(shot)
    return shots


@pytest.fixture
def media_root(tmp_path: Path, clip_path: Path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    (root / "fall.mp4").write_bytes(clip_path.read_bytes())
    return root


def test_generate_over_grpc_against_a_server_in_another_process(tmp_path: Path, media_root: Path) -> None:
    server = ServerProcess(tmp_path, tmp_path / "data", media_root, engine="procedural")
    try:
        # the client finds the token the server created in the user's config dir
        with FoleyClient(server.address) as client:
            assert client.health(wait=30) == "SERVING"
            events = collect(client.generate([make_shot(media_root / "fall.mp4")], pb.GenerateSettings(seed=3, handle_frames=-1)))
            assert not events.get("shot_failed"), events.get("shot_failed")
            (take,) = events["take_ready"]
            assert take.engine == "procedural"
            path = client.fetch_audio(take.mix.sha256, tmp_path / "mix.wav")
        info = soundfile.info(str(path))
        assert (info.samplerate, info.subtype) == (48000, "PCM_24")
        samples, _ = soundfile.read(str(path))
        assert abs(samples).max() > 0.01

        with grpc.insecure_channel(server.address) as channel:
            with pytest.raises(grpc.RpcError) as caught:
                pb_grpc.FoleyStub(channel).ListTakes(pb.ListTakesRequest(), timeout=30)
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    finally:
        server.stop()


def test_kill_9_mid_job_keeps_finished_takes_and_the_rest_can_be_resumed(tmp_path: Path, media_root: Path) -> None:
    data = tmp_path / "data"
    shots = _noted_shots(media_root, 4)

    server = ServerProcess(tmp_path, data, media_root, engine="slowfake")
    server.held.write_text("shot-1\nshot-2\nshot-3\n")  # in the middle of the job: three shots to go
    received = []
    try:
        with FoleyClient(server.address) as client:
            client.health(wait=30)
            call = client.generate(shots, pb.GenerateSettings(seed=9, handle_frames=-1))
            for event in call:
                job_id = event.job_id
                if event.WhichOneof("event") == "take_ready":
                    received.append(event.take_ready)
                    server.kill9()
                    break
            call.cancel()
    finally:
        server.stop()

    server = ServerProcess(tmp_path, data, media_root, engine="slowfake")
    server.held.unlink()
    try:
        with FoleyClient(server.address) as client:
            client.health(wait=30)
            (job,) = client.list_jobs(unfinished_only=True)
            assert job.job_id == job_id and job.state == "interrupted" and job.shots_done == 1
            listed = {t.id: t for t in client.list_takes(job_id=job_id)}
            for take in received:
                assert take.id in listed
                for audio in [take.mix, *(layer.audio for layer in take.layers)]:
                    path = client.fetch_audio(audio.sha256, tmp_path / "fetched" / f"{audio.sha256}.wav")
                    assert hashlib.sha256(path.read_bytes()).hexdigest() == audio.sha256
                    assert soundfile.info(str(path)).frames == audio.frames

            events = collect(client.resume(job_id))
            assert sorted(t.shot_id for t in events["take_ready"]) == [f"shot-{i}" for i in range(4)]
            assert events["done"][0].shots_done == 4
            assert client.list_jobs(unfinished_only=True) == []
            # finished shots were not generated again: their takes are the ones from before
            assert {t.id for t in received} <= {t.id for t in events["take_ready"]}
    finally:
        server.stop()


def test_a_kill_9_loop_loses_no_take_and_leaves_no_partial_file(tmp_path: Path, media_root: Path) -> None:
    data = tmp_path / "data"
    shots = _noted_shots(media_root, 6)
    rng = random.Random(16)
    received: dict[str, pb.Take] = {}
    job_id = ""
    for _round in range(4):
        server = ServerProcess(tmp_path, data, media_root, engine="slowfake")
        hold = threading.Event()
        try:
            with FoleyClient(server.address) as client:
                client.health(wait=30)
                # An upload left half-sent when the server dies.
                def chunks():
                    for _ in range(3):
                        yield pb.MediaChunk(filename="half.mov", data=os.urandom(1 << 20))
                    hold.wait(30)

                upload = client._stub.UploadMedia.future(chunks(), metadata=client._metadata)
                call = client.resume(job_id) if job_id else client.generate(shots, pb.GenerateSettings(seed=4))
                deadline = time.monotonic() + rng.uniform(0.5, 2.5)
                for event in call:
                    job_id = event.job_id
                    if event.WhichOneof("event") == "take_ready":
                        received[event.take_ready.id] = event.take_ready
                    if time.monotonic() > deadline:
                        break
                _until(lambda: list((data / "tmp").glob("*-*.mov")), "the upload is not half-written")
                server.kill9()
                call.cancel()
                upload.cancel()
        finally:
            hold.set()
            server.stop()

    server = ServerProcess(tmp_path, data, media_root, engine="slowfake")
    try:
        with FoleyClient(server.address) as client:
            client.health(wait=30)
            events = collect(client.resume(job_id))
            assert events["done"][0].shots_done == 6
            final = {t.id: t for t in client.list_takes(job_id=job_id)}
            assert set(received) <= set(final)
            assert sorted(t.shot_id for t in final.values()) == [f"shot-{i}" for i in range(6)]
            for take in final.values():
                for audio in [take.mix, *(layer.audio for layer in take.layers)]:
                    path = client.fetch_audio(audio.sha256, tmp_path / "fetched" / f"{audio.sha256}.wav")
                    assert hashlib.sha256(path.read_bytes()).hexdigest() == audio.sha256
        # swept by the housekeeping thread the server starts with
        _until(lambda: not list((data / "tmp").iterdir()), "staged files of the killed servers were not swept")
    finally:
        server.stop()
    with sqlite3.connect(data / "store.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
