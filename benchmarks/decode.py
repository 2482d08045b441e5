"""Decode benchmark: every engine input of a shot, motion analysis included, against FFmpeg
only decoding the same range.

For each clip (default: every video in ../shared/media) and the same range, in paired rounds
(ours, then FFmpeg's, then ours...: a change of load hits both alike), it times

* ours:   ``load_shot(clip, start, duration, [CLIP, SYNC])``, i.e. one decode pass producing the
          CLIP, SYNC and ANALYSIS streams plus the motion analysis, in this process, warm, and
          then every frame of the CLIP and SYNC streams read as the engines read them
          (``window_input`` per 8 s window, ``take``): a long shot's CLIP and SYNC pictures,
          decoded again window by window when read (``media.decode.HELD_BYTES``), count with
          their re-reading;
* ffmpeg: the same range decoded by FFmpeg's libraries in this process, warm, through PyAV
          (seek to the keyframe before the start, decode every video and audio packet up to the
          end, convert nothing), which is what ``ffmpeg -ss START -t DURATION -i CLIP -f null -``
          does without a process start; with ``--cli`` also that command itself (cold: a
          process each run; its start-up counts against it).

Ours runs with the thread pools the server sets (``server.threads.apply_compute_threads``:
OMP_NUM_THREADS, else the config, else the cores). Both sides decode with FFmpeg's frame and
slice threads (``thread_type = "AUTO"``, what the ``ffmpeg`` command does by default) and their
CPU time counts every thread; FFmpeg's side also decodes the sound, which ours does not need
(so the comparison leans, slightly, against ours).

It prints per clip the medians [min-max] of wall and CPU time (user + system, all threads;
steadier on a shared machine) and the ratios ours / ffmpeg of the medians (target <= 1.3),
plus the peak memory of ours in a fresh process (``--memory``: one child per clip, its
high water mark less the same child's before decoding). Prints the machine's load, and the
median ratio per class of clip (picture height and frame rate: what the analysis' cost
against FFmpeg's turns on).

With ``--against CHECKOUT`` (another worktree with its own .venv, e.g. /work/main) ours is
timed twice per round, this checkout's code and that one's, each in its own warm worker
process (the same function, imported from each checkout's package), the three sides' order
rotating from round to round, and the ratio ours / theirs is printed beside the rest.

    .venv/bin/python benchmarks/decode.py [--rounds 5] [--start 0] [--duration 8] [--cli] [--memory]
        [--analysis-only] [--against /work/main] [CLIP ...]

``--analysis-only``: ours produces only what the procedural engine (the default) reads, the
analysis stream and the motion analysis; without it, every engine's inputs.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np

from foleyline.probe import probe
from foleyline.server.media.frames import CLIP_STREAM, SYNC_STREAM
from foleyline.server.media.load import load_shot
from foleyline.server.threads import apply_compute_threads
from foleyline.server.windowing import window_input

SHARED_MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"
VIDEO_SUFFIXES = {".mp4", ".mkv", ".avi", ".mov", ".mxf", ".webm"}
STREAMS = (CLIP_STREAM, SYNC_STREAM)  # load_shot adds the analysis stream
ENGINE_WINDOW_S = 8.0  # MMAudio's window: the engines read their pictures a window at a time


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _timed(fn, who: int = resource.RUSAGE_SELF) -> tuple[float, float]:
    c0, t0 = _cpu(who), time.perf_counter()
    fn()
    return time.perf_counter() - t0, _cpu(who) - c0


def ours(clip: Path, start: float, duration: float) -> int:
    shot = load_shot(clip, start, duration, STREAMS, shot_id="bench").input
    for window_start in np.arange(0.0, duration, ENGINE_WINDOW_S):
        window = window_input(shot, float(window_start), min(ENGINE_WINDOW_S, duration - float(window_start)))
        for name in (spec.name for spec in STREAMS):
            window.streams[name].take(np.arange(len(window.streams[name])))
    return len(shot.streams["analysis"])


def ffmpeg_in_process(clip: Path, start: float, duration: float) -> None:
    """What ``ffmpeg -ss -t -i CLIP -f null -`` decodes, with FFmpeg's libraries, no conversion."""
    with av.open(str(clip)) as container:
        video = container.streams.video[0]
        video.thread_type = "AUTO"
        streams = [video, *container.streams.audio[:1]]
        origin = float(container.start_time or 0) / av.time_base
        if start > 0:
            container.seek(int((origin + start) / video.time_base), stream=video, backward=True)
        end = origin + start + duration
        for packet in container.demux(*streams):
            for frame in packet.decode():
                if frame.pts is not None and frame.time is not None and frame.time >= end and packet.stream is video:
                    return


def ffmpeg_cli(command: list[str]) -> None:
    subprocess.run(command, check=True)


class Worker:
    """``ours`` in a warm process of a checkout's own Python (its package imported there): one
    line in (clip, start, duration), one line out (wall, cpu of that process, frames)."""

    def __init__(self, python: Path) -> None:
        command = [str(python), str(Path(__file__).resolve()), "--worker", *(["--analysis-only"] if not STREAMS else [])]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def __call__(self, clip: Path, start: float, duration: float) -> tuple[float, float, int]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{clip}\t{start!r}\t{duration!r}\n")
        reply = self.process.stdout.readline().split()
        if len(reply) != 3:
            raise RuntimeError(f"the worker of {self.process.args[0]} stopped; run it by hand to see why")
        return float(reply[0]), float(reply[1]), int(reply[2])

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def serve() -> int:
    """The worker's side of ``Worker``."""
    for line in sys.stdin:
        clip, start, duration = line.rstrip("\n").split("\t")
        frames: list[int] = []
        wall, cpu = _timed(lambda: frames.append(ours(Path(clip), float(start), float(duration))))
        print(f"{wall} {cpu} {frames[0]}", flush=True)
    return 0


def clip_class(height: int, fps: float) -> str:
    """A clip's class for the summary: its picture height and frame-rate bands."""
    size = "HD >=720p" if height >= 700 else ("SD 340-576p" if height >= 330 else "small <330p")
    return f"{size}, {'<=15 fps' if fps <= 15.5 else '>15 fps'}"


def high_water_mib() -> float:
    """This process's peak resident memory, MiB: VmHWM (since exec; ru_maxrss would count the
    parent's image at fork) where Linux has it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_memory(clip: Path, start: float, duration: float) -> float:
    """MiB ours adds to a fresh process's peak (its high water after, less before)."""
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); import decode as d; "
        "d.STREAMS = d.STREAMS if sys.argv[5] == 'all' else (); "
        "before = d.high_water_mib(); d.ours(Path(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])); "
        "print(d.high_water_mib() - before)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(clip), str(start), str(duration),
                          "all" if STREAMS else "analysis"],
                         check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} [{min(values):.3f}-{max(values):.3f}]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="*", type=Path, help=f"videos (default: every video in {SHARED_MEDIA})")
    parser.add_argument("--rounds", type=int, default=5, help="paired rounds per clip (one warm-up first)")
    parser.add_argument("--start", type=float, default=0.0, help="range start, seconds")
    parser.add_argument("--duration", type=float, default=None, help="range length, seconds (default: to the end)")
    parser.add_argument("--cli", action="store_true", help="also time the ffmpeg command (needs it installed)")
    parser.add_argument("--memory", action="store_true", help="peak memory of ours, a fresh process per clip")
    parser.add_argument("--against", type=Path, default=None,
                        help="another checkout (with its .venv) to time side by side with this one, e.g. /work/main")
    parser.add_argument("--analysis-only", action="store_true",
                        help="only what the procedural engine (the default) reads: the analysis stream and the "
                             "motion analysis, not the neural engines' CLIP and SYNC pictures")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    global STREAMS
    if args.analysis_only:
        STREAMS = ()
    # The thread pools the server gives the analysis (OpenCV's among them), on every side alike.
    apply_compute_threads()
    if args.worker:
        return serve()
    if args.against is not None and not (args.against / ".venv" / "bin" / "python").exists():
        print(f"{args.against} has no .venv/bin/python; run `make install` there first", file=sys.stderr)
        return 2

    ffmpeg = shutil.which("ffmpeg")
    if args.cli and ffmpeg is None:
        print("ffmpeg (the command-line tool) is not installed; --cli needs it", file=sys.stderr)
        return 2
    clips = args.clips or sorted(p for p in SHARED_MEDIA.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
    workers = {}
    if args.against is not None:  # both checkouts alike: each warm in its own process
        workers = {"ours": Worker(Path(sys.executable)), "theirs": Worker(args.against / ".venv" / "bin" / "python")}
    try:
        report(args, clips, workers, ffmpeg)
    finally:
        for worker in workers.values():
            worker.close()
    return 0


def report(args: argparse.Namespace, clips: list[Path], workers: dict[str, Worker], ffmpeg: str | None) -> None:
    against = "theirs" in workers
    print(f"paired rounds: {args.rounds} after a warm-up; seconds, median [min-max]; "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
          + (f"; theirs: {args.against}" if against else ""))
    print(f"{'clip':34s} {'range s':>12s} {'frames':>6s} {'ours wall':>21s} {'ffmpeg wall':>21s} {'ratio':>5s}"
          f" {'ours cpu':>21s} {'ffmpeg cpu':>21s} {'ratio':>5s}"
          + (f" {'theirs cpu':>21s} {'ratio':>5s} {'ours/theirs':>11s}" if against else "")
          + (f" {'cli wall':>7s}" if args.cli else "") + (f" {'MiB':>5s}" if args.memory else ""))
    ratios: dict[str, list[float]] = {"wall": [], "cpu": [], "theirs cpu": [], "ours/theirs cpu": []}
    classes: dict[str, list[tuple[float, float]]] = {}
    for clip in clips:
        info = probe(clip)
        start = args.start
        duration = min(args.duration or info.duration, info.duration - start)
        sides = {
            "ours": workers["ours"] if against else lambda c, s, d: (*_timed(lambda: ours(c, s, d)), 0),
            "ffmpeg": lambda c, s, d: (*_timed(lambda: ffmpeg_in_process(c, s, d)), 0),
        }
        if against:
            sides["theirs"] = workers["theirs"]
        if args.cli:
            command = [ffmpeg or "ffmpeg", "-nostdin", "-v", "error", "-ss", f"{start:.6f}", "-t", f"{duration:.6f}",
                       "-i", str(clip), "-f", "null", "-"]
            sides["cli"] = lambda c, s, d: (*_timed(lambda: ffmpeg_cli(command), resource.RUSAGE_CHILDREN), 0)
        # Warm-up (imports, codec tables, filter designs); ours also counts the analysis frames.
        frames = ours(clip, start, duration) if not against else workers["ours"](clip, start, duration)[2]
        for name, side in sides.items():
            if name != "cli":
                side(clip, start, duration)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
        names = list(sides)
        for r in range(args.rounds):  # the sides' order rotates: a change of load hits each alike
            for name in names[r % len(names):] + names[: r % len(names)]:
                wall, cpu, _ = sides[name](clip, start, duration)
                times[name].append((wall, cpu))
        median = {name: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
                  for name, v in times.items()}
        wall_ratio = median["ours"][0] / median["ffmpeg"][0]
        cpu_ratio = median["ours"][1] / median["ffmpeg"][1]
        ratios["wall"].append(wall_ratio)
        ratios["cpu"].append(cpu_ratio)
        m_wall, m_cpu = ([v[i] for v in times["ours"]] for i in (0, 1))
        t_wall, t_cpu = ([v[i] for v in times["ffmpeg"]] for i in (0, 1))
        line = (f"{clip.name[:34]:34s} {start:5.2f}+{duration:6.2f} {frames:6d} {spread(m_wall):>21s} "
                f"{spread(t_wall):>21s} {wall_ratio:5.2f} {spread(m_cpu):>21s} {spread(t_cpu):>21s} {cpu_ratio:5.2f}")
        theirs_ratio = math.nan
        if against:
            theirs_ratio = median["theirs"][1] / median["ffmpeg"][1]
            ratios["theirs cpu"].append(theirs_ratio)
            ratios["ours/theirs cpu"].append(median["ours"][1] / median["theirs"][1])
            line += (f" {spread([c for _, c in times['theirs']]):>21s} {theirs_ratio:5.2f}"
                     f" {median['ours'][1] / median['theirs'][1]:11.2f}")
        if args.cli:
            line += f" {median['cli'][0]:7.3f}"
        if args.memory:
            line += f" {peak_memory(clip, start, duration):5.0f}"
        classes.setdefault(clip_class(info.height, info.fps), []).append((cpu_ratio, theirs_ratio))
        print(line, flush=True)
    for label, values in ratios.items():
        if values:
            values.sort()
            print(f"{label}: median ratio {statistics.median(values):.2f} [{values[0]:.2f}-{values[-1]:.2f}]"
                  + (" (target <= 1.3)" if label in ("wall", "cpu") else ""))
    for name, values in sorted(classes.items()):
        ours_cpu = sorted(v for v, _ in values)
        line = (f"  {name:24s} {len(values):2d} clips: cpu ratio median {statistics.median(ours_cpu):.2f} "
                f"[{ours_cpu[0]:.2f}-{ours_cpu[-1]:.2f}]")
        if against:
            theirs_cpu = sorted(v for _, v in values)
            line += f", theirs {statistics.median(theirs_cpu):.2f} [{theirs_cpu[0]:.2f}-{theirs_cpu[-1]:.2f}]"
        print(line)
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    raise SystemExit(main())
