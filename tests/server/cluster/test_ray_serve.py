"""The service on Ray Serve: a local Ray on loopback with two CPU replicas of the procedural
engine, started once for the module by `start_server` as `serve --ray --replicas 2` does, and
stopped at the end. The shots of one job spread over both replicas; four clients at once all get
their takes; a replica process killed mid-job costs no take and duplicates none; a cancel stops
the job on the replicas.

The replicas also know the test engine ``slowfake`` (serverkit.SlowFakeEngine), which holds the
shots named in a file: a test that needs a shot still running on a replica when it acts (a
cancel, a kill) holds it there, rather than hoping a shot outlasts a loaded machine."""

from __future__ import annotations

import hashlib
import ipaddress
import os
import signal
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

from foleyline.capacity import ClusterOptions
from foleyline.plugin.client import FoleyClient
from foleyline.protos.v1 import foley_pb2 as pb
from serverkit import HELD_SHOTS_ENV, TOKEN, collect, make_shot, two_layer_notes, write_clip

# Ray's start, two replicas importing Foleyline and loading the engine, on a shared 2-core machine.
DEPLOY_BOUND_S = 240.0
# A safety net for what the tests wait on, never a timing (benchmarks/cancel.py measures those).
SAFETY_S = 60.0
SERVERKIT = Path(__file__).resolve().parents[1]
HELD_ENGINE = "slowfake=serverkit:SlowFakeEngine"


@pytest.fixture(scope="module")
def cluster_home(tmp_path_factory: pytest.TempPathFactory):
    """The home folder Ray starts under: read-only, as a service account's or a CI runner's may be."""
    home = tmp_path_factory.mktemp("home")
    home.chmod(0o555)
    yield home
    home.chmod(0o755)


@pytest.fixture(scope="module")
def cluster_server(tmp_path_factory: pytest.TempPathFactory, cluster_home):
    from foleyline.server.app import ServerConfig, start_server

    media = tmp_path_factory.mktemp("cluster-media")
    write_clip(media / "fall.mp4")
    held = tmp_path_factory.mktemp("cluster-held") / "shots"
    with pytest.MonkeyPatch.context() as env:
        # Ray's processes, the replicas among them, inherit the environment Ray starts in.
        env.setenv("FOLEYLINE_ENGINES", HELD_ENGINE)
        env.setenv("HOME", str(cluster_home))
        for setting in ("CONFIG_DIR", "DATA_DIR", "MODELS_DIR"):  # the replicas' own (signing keys)
            env.setenv(f"FOLEYLINE_{setting}", str(tmp_path_factory.mktemp(setting.lower())))
        env.setenv("TMPDIR", tempfile.gettempdir())  # the suite's, with a space and a non-ASCII letter
        env.setenv(HELD_SHOTS_ENV, str(held))
        env.setenv("PYTHONPATH", os.pathsep.join([str(SERVERKIT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
        running = start_server(ServerConfig(
            address="127.0.0.1:0", data_dir=tmp_path_factory.mktemp("cluster-store"), allowed_roots=[media],
            token=TOKEN, default_engine="procedural", cluster=ClusterOptions(replicas=2),
        ))
        try:
            assert running.load_done.wait(DEPLOY_BOUND_S), "the replicas did not deploy in time"
        except BaseException:
            running.stop(grace=0.5)
            raise
    try:
        assert running.load_error is None, running.load_error
        yield running, media / "fall.mp4", held
    finally:
        running.stop(grace=0.5)


@pytest.fixture
def slowfake(monkeypatch) -> pb.GenerateSettings:
    """The settings of a job on the test engine (the head resolves it too)."""
    monkeypatch.setenv("FOLEYLINE_ENGINES", HELD_ENGINE)
    return pb.GenerateSettings(engine="slowfake")


def _wait(predicate, what: str, safety_s: float = SAFETY_S):
    deadline = time.monotonic() + safety_s
    while not (found := predicate()):
        assert time.monotonic() < deadline, what
        time.sleep(0.02)
    return found


def _shots(clip: Path, prefix: str, count: int) -> list[pb.Shot]:
    shots = []
    for i in range(count):
        shot = make_shot(clip, shot_id=f"{prefix}{i}", record=86400 + 24 * i, length=24)  # 1 s shots
        shot.notes.CopyFrom(two_layer_notes(shot.id))
        shot.has_notes = True
        shots.append(shot)
    return shots


def _intact(client: FoleyClient, take: pb.Take, folder: Path) -> None:
    """The take's mix fetched from the head's store hashes to what the take says."""
    path = client.fetch_audio(take.mix.sha256, folder / f"{take.id}.wav")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == take.mix.sha256


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _listening(pids: set[int]) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The addresses the processes' TCP sockets listen on (Linux /proc)."""
    inodes = set()
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    found = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        with open(table) as rows:
            for row in rows.read().splitlines()[1:]:
                fields = row.split()
                if fields[3] != "0A" or fields[9] not in inodes:  # 0A: LISTEN
                    continue
                raw = bytes.fromhex(fields[1].split(":")[0])
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))  # host-order words
                address = ipaddress.ip_address(socket.inet_ntop(family, raw))
                found.add(getattr(address, "ipv4_mapped", None) or address)
    return found


def test_a_local_ray_listens_on_loopback_only(cluster_server) -> None:
    addresses = _listening(_descendants(os.getpid()))
    assert addresses, "no listening socket found among Ray's processes"
    assert all(a.is_loopback for a in addresses), sorted(map(str, addresses))


def test_a_local_ray_writes_nothing_in_the_home_folder(cluster_server, cluster_home) -> None:
    assert list(cluster_home.iterdir()) == []  # Ray's token stays in its processes' environment


def test_health_turns_serving_once_the_replicas_are_deployed(cluster_server) -> None:
    running, _clip, _held = cluster_server
    with FoleyClient(running.address, TOKEN) as client:
        assert client.health() == "SERVING"
        assert client.server_info().default_engine == "procedural"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _both_replicas_running() -> None:
    """Wait until two replica processes run: one killed by an earlier test counts as RUNNING
    until Serve's health check finds it gone (seconds later), then it is started anew."""
    import ray
    from ray.serve.context import _get_global_client

    from foleyline.server.cluster.deploy import APP_NAME, DEPLOYMENT_NAME

    controller = _get_global_client()._controller

    def running() -> bool:
        details = ray.get(controller.get_serve_instance_details.remote())
        replicas = details["applications"][APP_NAME]["deployments"][DEPLOYMENT_NAME]["replicas"]
        return sum(r["state"] == "RUNNING" and _alive(r["pid"]) for r in replicas) >= 2

    _wait(running, "a killed replica was not started again", DEPLOY_BOUND_S)


def test_the_shots_of_one_job_spread_over_both_replicas(cluster_server, tmp_path: Path) -> None:
    running, clip, _held = cluster_server
    _both_replicas_running()
    with FoleyClient(running.address, TOKEN) as client:
        events = collect(client.generate(_shots(clip, "spread", 8)))
        job_id = events["_job"][0]
        assert [d.shots_done for d in events["done"]] == [8]
        assert sorted(t.shot_id for t in events["take_ready"]) == sorted(f"spread{i}" for i in range(8))
        replicas = {replica for job, _shot, replica in running.cluster.placements if job == job_id}
        assert len(replicas) == 2
        stored = client.list_takes(job_id=job_id)
        assert len(stored) == 8
        _intact(client, stored[0], tmp_path)


def test_four_clients_at_once_all_get_their_takes(cluster_server) -> None:
    running, clip, _held = cluster_server
    results: dict[int, dict] = {}

    def editor(n: int) -> None:
        with FoleyClient(running.address, TOKEN) as client:
            results[n] = collect(client.generate(_shots(clip, f"ed{n}-", 2)))

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert sorted(results) == [0, 1, 2, 3]
    for n, events in results.items():
        assert sorted(t.shot_id for t in events["take_ready"]) == [f"ed{n}-0", f"ed{n}-1"]
        assert events["done"][0].shots_failed == 0


def test_a_cancel_stops_the_job_on_the_replicas(cluster_server, slowfake) -> None:
    running, clip, held = cluster_server
    shots = _shots(clip, "cancel", 8)
    held.write_text("\n".join(shot.id for shot in shots))  # only the cancel can end them
    # should the cancel not reach the replicas, the shots are let go after a while
    release = threading.Timer(SAFETY_S, lambda: held.unlink(missing_ok=True))
    try:
        with FoleyClient(running.address, TOKEN) as client:
            call = client.generate(shots, slowfake)
            job_id = next(call).job_id
            _wait(lambda: any(job == job_id for job, _shot in running.cluster.running), "no replica took a shot")
            release.start()
            client.cancel_job(job_id)
            done = [e.done for e in call if e.WhichOneof("event") == "done"]
            assert held.exists(), "the job ended only when its shots were let go"
            assert done and done[0].cancelled and done[0].shots_done == 0
            assert not any(job == job_id for job, _shot in running.cluster.running)
            assert next(j.state for j in client.list_jobs() if j.job_id == job_id) == "cancelled"
    finally:
        release.cancel()
        held.unlink(missing_ok=True)


def test_a_replica_killed_mid_job_costs_no_take_and_duplicates_none(cluster_server, slowfake, tmp_path: Path) -> None:
    running, clip, held = cluster_server
    shots = _shots(clip, "kill", 6)
    held.write_text("\n".join(shot.id for shot in shots))  # the first shots wait on the replicas
    retries_before = running.cluster.retries
    try:
        with FoleyClient(running.address, TOKEN) as client:
            call = client.generate(shots, slowfake)
            job_id = next(call).job_id
            _replica, pid = _wait(lambda: next((where for (job, _shot), where in dict(running.cluster.running).items()
                                                if job == job_id), None), "no replica was seen working")
            assert pid != os.getpid()
            os.kill(pid, signal.SIGKILL)  # in the middle of a shot: it is held there
            held.unlink()
            events = collect(call)
            assert events["done"][0].shots_done == 6 and events["done"][0].shots_failed == 0, events.get("shot_failed")
            assert running.cluster.retries > retries_before
            stored = client.list_takes(job_id=job_id)
            assert sorted(t.shot_id for t in stored) == sorted(f"kill{i}" for i in range(6))
            assert len({t.id for t in stored}) == 6
            # numbered once by the head: the shot sent again keeps its take 1 (no gap, no repeat)
            assert [t.number for t in stored] == [1] * 6
            for take in stored:
                _intact(client, take, tmp_path)
    finally:
        held.unlink(missing_ok=True)
