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

Both sides decode with FFmpeg's frame and slice threads (``thread_type = "AUTO"``, what the
``ffmpeg`` command does by default) and their CPU time counts every thread; FFmpeg's side also
decodes the sound, which ours does not need (so the comparison leans, slightly, against ours).

It prints per clip the medians [min-max] of wall and CPU time (user + system, all threads;
steadier on a shared machine) and the ratios ours / ffmpeg of the medians (target <= 1.3),
plus the peak memory of ours in a fresh process (``--memory``: one child per clip, its
high water mark less the same child's before decoding). Prints the machine's load.

    .venv/bin/python benchmarks/decode.py [--rounds 5] [--start 0] [--duration 8] [--cli] [--memory] [CLIP ...]
"""

from __future__ import annotations

import argparse
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
        "before = d.high_water_mib(); d.ours(Path(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])); "
        "print(d.high_water_mib() - before)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(clip), str(start), str(duration)],
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
    args = parser.parse_args(argv)

    ffmpeg = shutil.which("ffmpeg")
    if args.cli and ffmpeg is None:
        print("ffmpeg (the command-line tool) is not installed; --cli needs it", file=sys.stderr)
        return 2
    clips = args.clips or sorted(p for p in SHARED_MEDIA.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
    print(f"paired rounds: {args.rounds} after a warm-up; seconds, median [min-max]; "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"{'clip':34s} {'range s':>12s} {'frames':>6s} {'ours wall':>21s} {'ffmpeg wall':>21s} {'ratio':>5s}"
          f" {'ours cpu':>21s} {'ffmpeg cpu':>21s} {'ratio':>5s}" + (f" {'cli wall':>7s}" if args.cli else "")
          + (f" {'MiB':>5s}" if args.memory else ""))
    wall_ratios, cpu_ratios = [], []
    for clip in clips:
        info = probe(clip)
        start = args.start
        duration = min(args.duration or info.duration, info.duration - start)
        frames = ours(clip, start, duration)  # warm-up: imports, codec tables, filter designs
        ffmpeg_in_process(clip, start, duration)
        mine, theirs, cli = [], [], []
        command = [ffmpeg or "ffmpeg", "-nostdin", "-v", "error", "-ss", f"{start:.6f}", "-t", f"{duration:.6f}",
                   "-i", str(clip), "-f", "null", "-"]
        for _ in range(args.rounds):
            mine.append(_timed(lambda: ours(clip, start, duration)))
            theirs.append(_timed(lambda: ffmpeg_in_process(clip, start, duration)))
            if args.cli:
                cli.append(_timed(lambda: ffmpeg_cli(command), resource.RUSAGE_CHILDREN))
        m_wall, m_cpu = zip(*mine)
        t_wall, t_cpu = zip(*theirs)
        wall_ratio = statistics.median(m_wall) / statistics.median(t_wall)
        cpu_ratio = statistics.median(m_cpu) / statistics.median(t_cpu)
        wall_ratios.append(wall_ratio)
        cpu_ratios.append(cpu_ratio)
        line = (f"{clip.name[:34]:34s} {start:5.2f}+{duration:6.2f} {frames:6d} {spread(list(m_wall)):>21s} "
                f"{spread(list(t_wall)):>21s} {wall_ratio:5.2f} {spread(list(m_cpu)):>21s} {spread(list(t_cpu)):>21s} "
                f"{cpu_ratio:5.2f}")
        if args.cli:
            line += f" {statistics.median([w for w, _ in cli]):7.3f}"
        if args.memory:
            line += f" {peak_memory(clip, start, duration):5.0f}"
        print(line, flush=True)
    for label, values in (("wall", wall_ratios), ("cpu", cpu_ratios)):
        if values:
            values.sort()
            print(f"{label}: median ratio {statistics.median(values):.2f}, worst {values[-1]:.2f} (target <= 1.3)")
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
