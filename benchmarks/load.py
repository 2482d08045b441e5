"""Load benchmark: N clients x M shots against one server; shot latency, throughput, and how
fast the short calls answer meanwhile.

    .venv/bin/python benchmarks/load.py [--clients 8] [--shots 10] [--workers cpu=2]
        [--open-streams 50] [--engine procedural] [--address HOST:PORT --token T] [--json]

Starts a server in this process (the procedural engine, the demo's picture and the editor's
notes of ``foleyline demo``, a temporary store) unless ``--address`` names a running one. First a background job of
``--background-shots`` shots starts, followed by ``--open-streams`` streams (an editor's long
job, watched from many panels); then each client sends one Generate of M shots (the editor's
notes given, one take each) at the same moment; a shot's latency runs from its client's request
to its TakeReady. Meanwhile a prober on its own connection calls Health,
GetServerInfo and CancelJob (of a finished job) in turn, every 50 ms. Reported: shot latency
p50/p95/max, throughput (shots/s), each client's finishing time (fairness), and p50/p95/max of
each short call (the target: under 100 ms with 50 streams open).
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from foleyline.capacity import ServerLimits, parse_workers
from foleyline.notes import from_text, notes_to_proto
from foleyline.plugin.client import FoleyClient
from foleyline.plugin.commands import demo_scenes as scenes
from foleyline.plugin.commands.demo import EDITOR_NOTES, make_picture, shot_ranges
from foleyline.protos.v1 import foley_pb2 as pb

RATE = float(scenes.FPS)
NOTES = [notes_to_proto(from_text(text)) for text in EDITOR_NOTES.values()]


def shot(media: str, shot_id: str, index: int) -> pb.Shot:
    """A shot of the demo's picture (its scenes in turn), with an editor's notes."""
    ranges = shot_ranges()
    start, length = ranges[index % len(ranges)]

    def time_range(first: float, frames: float) -> pb.TimeRange:
        return pb.TimeRange(start_time=pb.RationalTime(value=first, rate=RATE), duration=pb.RationalTime(value=frames, rate=RATE))

    message = pb.Shot(id=shot_id, name=shot_id, rate=RATE, source_range=time_range(start, length),
                      record_range=time_range(86400 + length * index, length),
                      available_range=time_range(0, scenes.SCENE_FRAMES * len(scenes.SCENES)), has_notes=True)
    message.media.path = media
    message.notes.CopyFrom(NOTES[index % len(NOTES)])
    message.notes.shot_id = shot_id
    return message


def quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]  # noqa: E731
    return {"n": len(values), "p50": pick(0.5), "p95": pick(0.95), "max": ordered[-1], "mean": statistics.fmean(values)}


def run_client(address: str, token: str, shots: list[pb.Shot], start: threading.Event, out: dict) -> None:
    with FoleyClient(address, token) as client:
        start.wait()
        sent = time.monotonic()
        latencies, failures = [], []
        for event in client.generate(shots, pb.GenerateSettings(num_takes=1)):
            kind = event.WhichOneof("event")
            if kind == "take_ready":
                latencies.append(time.monotonic() - sent)
            elif kind == "shot_failed":
                failures.append(event.shot_failed.reason)
        out.update(latencies=latencies, failures=failures, finished=time.monotonic() - sent, sent=sent)


def probe_short_calls(address: str, token: str, job_id: str, stop: threading.Event) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"health": [], "server_info": [], "cancel_job": []}
    with grpc.insecure_channel(address) as channel, FoleyClient(address, token) as client:
        health = health_pb2_grpc.HealthStub(channel)
        calls = {
            "health": lambda: health.Check(health_pb2.HealthCheckRequest(), timeout=30),
            "server_info": client.server_info,
            "cancel_job": lambda: client.cancel_job(job_id),
        }
        while not stop.is_set():
            for name, call in calls.items():
                started = time.monotonic()
                call()
                timings[name].append(time.monotonic() - started)
                stop.wait(0.05)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--shots", type=int, default=10, help="shots per client")
    parser.add_argument("--workers", default="cpu=2", help="engine workers per device (in-process server)")
    parser.add_argument("--open-streams", type=int, default=50, help="streams following the background job")
    parser.add_argument("--background-shots", type=int, default=500, help="shots of the background job")
    parser.add_argument("--engine", default="procedural")
    parser.add_argument("--address", default=None, help="a running server (its media root must hold --media)")
    parser.add_argument("--token", default=None)
    parser.add_argument("--media", type=Path, default=None, help="the demo's picture, when already written")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="foleyline-load-"))
    media = args.media
    if media is None:
        media = work / "demo.mp4"
        make_picture(media)
    running = None
    if args.address:
        address, token = args.address, args.token
    else:
        from foleyline.server.app import ServerConfig, start_server  # this process serves only when asked

        token = secrets.token_urlsafe(24)
        limits = ServerLimits(workers=parse_workers(args.workers), max_streams=max(100, 2 * (args.clients + args.open_streams)))
        running = start_server(ServerConfig(address="127.0.0.1:0", data_dir=work / "store", allowed_roots=[media.parent],
                                            token=token, default_engine=args.engine, limits=limits))
        if not running.ready.wait(300):
            print(f"the server did not come up: {running.load_error}", file=sys.stderr)
            return 1
        address = running.address
    try:
        with FoleyClient(address, token) as client:
            client.health(wait=60)
            warm = [e for e in client.generate([shot(str(media.resolve()), "warm-up", 0)]) if e.WhichOneof("event") == "done"]
            finished_job = warm[0].job_id
            background = [shot(str(media.resolve()), f"bg-{i}", i) for i in range(args.background_shots)]
            idle = [client.generate(background)] if background else []
            followers = []
            if idle:
                job_id = next(idle[0]).job_id
                followers = [client.resume(job_id) for _ in range(max(0, args.open_streams - 1))]
            for follower in followers:
                next(follower)
            start = threading.Event()
            results = [dict() for _ in range(args.clients)]
            threads = [
                threading.Thread(target=run_client, args=(
                    address, token, [shot(str(media.resolve()), f"c{c}-s{s}", s) for s in range(args.shots)], start, results[c]))
                for c in range(args.clients)
            ]
            for thread in threads:
                thread.start()
            stop = threading.Event()
            short: dict[str, list[float]] = {}
            prober = threading.Thread(target=lambda: short.update(probe_short_calls(address, token, finished_job, stop)))
            prober.start()
            began = time.monotonic()
            start.set()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - began
            stop.set()
            prober.join()
            for call in [*idle, *followers]:
                call.cancel()
    finally:
        if running is not None:
            running.stop(grace=1.0)

    latencies = [v for r in results for v in r.get("latencies", [])]
    shots_done = len(latencies)
    figures = {
        "clients": args.clients, "shots_per_client": args.shots, "workers": args.workers, "open_streams": args.open_streams,
        "background_shots": args.background_shots,
        "engine": args.engine, "shots_done": shots_done, "shots_failed": sum(len(r.get("failures", [])) for r in results),
        "elapsed_s": elapsed, "throughput_shots_per_s": shots_done / elapsed if elapsed else 0.0,
        "shot_latency_s": quantiles(latencies),
        "client_finish_s": quantiles([r["finished"] for r in results if "finished" in r]),
        "short_calls_ms": {name: {k: (v * 1000 if k != "n" else v) for k, v in quantiles(values).items()}
                           for name, values in short.items()},
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    lat, fin = figures["shot_latency_s"], figures["client_finish_s"]
    print(f"{args.clients} clients x {args.shots} shots, {args.engine}, workers {args.workers}, "
          f"beside a {args.background_shots}-shot job followed by {args.open_streams} streams")
    print(f"  shots: {shots_done} done, {figures['shots_failed']} failed in {elapsed:.1f} s = "
          f"{figures['throughput_shots_per_s']:.2f} shots/s")
    print(f"  shot latency: p50 {lat.get('p50', 0):.2f} s, p95 {lat.get('p95', 0):.2f} s, max {lat.get('max', 0):.2f} s")
    print(f"  clients finished: first {min(r['finished'] for r in results):.1f} s, p50 {fin['p50']:.1f} s, "
          f"last {fin['max']:.1f} s")
    for name, q in figures["short_calls_ms"].items():
        print(f"  {name:<12} n={q['n']:<4} p50 {q.get('p50', 0):6.1f} ms  p95 {q.get('p95', 0):6.1f} ms  "
              f"max {q.get('max', 0):6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
