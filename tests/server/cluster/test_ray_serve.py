"""The service on Ray Serve: a local Ray on loopback with two CPU replicas of the procedural
engine, started once for the module by `start_server` as `serve --ray --replicas 2` does, and
stopped at the end. The shots of one job spread over both replicas; four clients at once all get
their takes; a replica process killed mid-job costs no take and duplicates none; a cancel stops
the job on the replicas."""

from __future__ import annotations

import hashlib
import ipaddress
import os
import signal
import socket
import threading
import time
from pathlib import Path

import pytest

from foleyline.capacity import ClusterOptions
from foleyline.plugin.client import FoleyClient
from foleyline.protos.v1 import foley_pb2 as pb
from serverkit import TOKEN, collect, make_shot, two_layer_notes, write_clip

# Ray's start, two replicas importing Foleyline and loading the engine, on a shared 2-core machine.
DEPLOY_BOUND_S = 240.0
CANCEL_BOUND_S = 10.0


@pytest.fixture(scope="module")
def cluster_server(tmp_path_factory: pytest.TempPathFactory):
    from foleyline.server.app import ServerConfig, start_server

    media = tmp_path_factory.mktemp("cluster-media")
    write_clip(media / "fall.mp4")
    running = start_server(ServerConfig(
        address="127.0.0.1:0", data_dir=tmp_path_factory.mktemp("cluster-store"), allowed_roots=[media],
        token=TOKEN, default_engine="procedural", cluster=ClusterOptions(replicas=2),
    ))
    try:
        assert running.load_done.wait(DEPLOY_BOUND_S), "the replicas did not deploy in time"
        assert running.load_error is None, running.load_error
        yield running, media / "fall.mp4"
    finally:
        running.stop(grace=0.5)


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


def test_health_turns_serving_once_the_replicas_are_deployed(cluster_server) -> None:
    running, _clip = cluster_server
    with FoleyClient(running.address, TOKEN) as client:
        assert client.health() == "SERVING"
        assert client.server_info().default_engine == "procedural"


def test_the_shots_of_one_job_spread_over_both_replicas(cluster_server, tmp_path: Path) -> None:
    running, clip = cluster_server
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
    running, clip = cluster_server
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


def test_a_cancel_stops_the_job_on_the_replicas(cluster_server) -> None:
    running, clip = cluster_server
    with FoleyClient(running.address, TOKEN) as client:
        call = client.generate(_shots(clip, "cancel", 8))
        job_id = ""
        for event in call:
            if event.WhichOneof("event") == "progress" and event.progress.stage == "generate":
                job_id = event.job_id
                break
        asked = time.monotonic()
        client.cancel_job(job_id)
        done = [e.done for e in call if e.WhichOneof("event") == "done"]
        assert time.monotonic() - asked < CANCEL_BOUND_S
        assert done and done[0].cancelled and done[0].shots_done < 8
        assert not any(job == job_id for job, _shot in running.cluster.running)
        assert next(j.state for j in client.list_jobs() if j.job_id == job_id) == "cancelled"


def test_a_replica_killed_mid_job_costs_no_take_and_duplicates_none(cluster_server, tmp_path: Path) -> None:
    running, clip = cluster_server
    killed: list[int] = []

    def kill_a_replica_mid_shot() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            busy = dict(running.cluster.running)
            for (job, _shot), (_replica, pid) in busy.items():
                if job.startswith("job-") and pid != os.getpid():
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
            time.sleep(0.02)

    retries_before = running.cluster.retries
    with FoleyClient(running.address, TOKEN) as client:
        call = client.generate(_shots(clip, "kill", 6))
        killer = threading.Thread(target=kill_a_replica_mid_shot)
        killer.start()
        events = collect(call)
        killer.join()
        job_id = events["_job"][0]
        assert killed, "no replica was seen working"
        assert events["done"][0].shots_done == 6 and events["done"][0].shots_failed == 0
        assert running.cluster.retries > retries_before
        stored = client.list_takes(job_id=job_id)
        assert sorted(t.shot_id for t in stored) == sorted(f"kill{i}" for i in range(6))
        assert len({t.id for t in stored}) == 6
        # numbered once by the head: the shot sent again keeps its take 1 (no gap, no repeat)
        assert [t.number for t in stored] == [1] * 6
        for take in stored:
            _intact(client, take, tmp_path)
