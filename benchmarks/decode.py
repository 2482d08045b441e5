"""Decode benchmark: time to produce every engine input of a shot vs. FFmpeg just decoding it.

For each clip (default: every video in ../shared/media) and the same range, it times

* ours:   ``decode_shot(clip, start, duration, [CLIP, SYNC, ANALYSIS])`` in this process;
* ffmpeg: ``ffmpeg -ss START -t DURATION -i CLIP -f null -`` (decodes every stream, converts
          nothing), wall time of the command;

best of ``--repeat`` runs each, and prints the ratio ours / ffmpeg (target <= 1.3), for wall
time and for CPU time (user + system, all threads; steadier when the machine is shared).

    .venv/bin/python benchmarks/decode.py [--repeat 3] [--start 0] [--duration 8] [CLIP ...]

FFmpeg's command-line tool is needed for the comparison only (never at run time).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from foleyline.probe import probe
from foleyline.server.media.decode import decode_shot
from foleyline.server.media.frames import ANALYSIS_STREAM, CLIP_STREAM, SYNC_STREAM

SHARED_MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"
VIDEO_SUFFIXES = {".mp4", ".mkv", ".avi", ".mov", ".mxf", ".webm"}


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _best(fn, repeat: int, who: int) -> tuple[float, float]:
    """Best wall time and best CPU time of ``repeat`` runs (CPU of this process or its children)."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        c0, t0 = _cpu(who), time.perf_counter()
        fn()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, _cpu(who) - c0)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="*", type=Path, help=f"videos (default: every video in {SHARED_MEDIA})")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    parser.add_argument("--start", type=float, default=0.0, help="range start, seconds")
    parser.add_argument("--duration", type=float, default=None, help="range length, seconds (default: to the end)")
    args = parser.parse_args(argv)

    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        print("ffmpeg (the command-line tool) is not installed; it is needed for the comparison only", file=sys.stderr)
        return 2
    clips = args.clips or sorted(p for p in SHARED_MEDIA.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
    specs = [CLIP_STREAM, SYNC_STREAM, ANALYSIS_STREAM]
    print(f"{'clip':36s} {'range s':>12s} {'frames':>7s} {'ours s':>8s} {'ffmpeg s':>9s} {'ratio':>6s}"
          f" {'ours cpu':>9s} {'ffmpeg cpu':>10s} {'cpu ratio':>9s}")
    ratios, cpu_ratios = [], []
    for clip in clips:
        info = probe(clip)
        start = args.start
        duration = min(args.duration or info.duration, info.duration - start)
        frames = 0

        def ours() -> None:
            nonlocal frames
            shot = decode_shot(clip, start, duration, specs)
            frames = len(shot.streams[ANALYSIS_STREAM.name])

        command = [ffmpeg, "-nostdin", "-v", "error", "-ss", f"{start:.6f}", "-t", f"{duration:.6f}",
                   "-i", str(clip), "-f", "null", "-"]
        t_ours, c_ours = _best(ours, args.repeat, resource.RUSAGE_SELF)
        t_ffmpeg, c_ffmpeg = _best(lambda: subprocess.run(command, check=True), args.repeat, resource.RUSAGE_CHILDREN)
        ratio, cpu_ratio = t_ours / t_ffmpeg, c_ours / c_ffmpeg
        ratios.append(ratio)
        cpu_ratios.append(cpu_ratio)
        print(f"{clip.name:36s} {start:5.2f}+{duration:6.2f} {frames:7d} {t_ours:8.3f} {t_ffmpeg:9.3f} {ratio:6.2f}"
              f" {c_ours:9.3f} {c_ffmpeg:10.3f} {cpu_ratio:9.2f}")
    for label, values in (("wall", ratios), ("cpu", cpu_ratios)):
        if values:
            values.sort()
            print(f"{label}: median ratio {values[len(values) // 2]:.2f}, worst {values[-1]:.2f} (target <= 1.3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
