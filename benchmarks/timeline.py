"""Timeline benchmark: a generated N-shot timeline, read + select + write-back.

    .venv/bin/python benchmarks/timeline.py [--shots 500] [--formats otio,fcp7,edl,aaf]

Builds an edit of N shots (23.976 fps, 01:00:00:00, two video tracks, 1-3 s shots with
markers on every tenth), writes it as .otio, then times reading it, finding the shots (and a
marker selection), and writing a Foley timeline with two layers per shot, per format. Peak
memory is traced with tracemalloc (Python allocations, which is where OTIO objects live) for
several shot counts, so growth per shot can be read off: flat per-shot cost means no hidden
quadratic work. Target: <= 2 s for 500 shots (.otio).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import opentimelineio as otio
import soundfile

from foleyline.notes.schema import LayerKind
from foleyline.plugin.timeline import Placement, Selection, find_shots, read_timeline, write_foley_timeline
from foleyline.timebase import OUTPUT_SAMPLE_RATE

TC = otio.opentime
RATE = 24000 / 1001


def make_edit(shots: int, folder: Path) -> Path:
    rng = np.random.default_rng(7)
    timeline = otio.schema.Timeline(name=f"bench{shots}", global_start_time=TC.from_timecode("01:00:00:00", RATE))
    for track_index in range(2):
        track = otio.schema.Track(name=f"V{track_index + 1}", kind=otio.schema.TrackKind.Video)
        count = shots // 2 + (shots % 2 if track_index == 0 else 0)
        for i in range(count):
            length = int(rng.integers(24, 72))
            clip = otio.schema.Clip(
                name=f"S{track_index}_{i:04d}",
                media_reference=otio.schema.ExternalReference(
                    target_url=f"file:///media/roll{i % 40:02d}.mov",
                    available_range=TC.TimeRange(TC.RationalTime(86400, RATE), TC.RationalTime(100000, RATE))),
                source_range=TC.TimeRange(TC.RationalTime(86400 + int(rng.integers(0, 90000)), RATE), TC.RationalTime(length, RATE)),
            )
            if i % 10 == 0:
                clip.markers.append(otio.schema.Marker(name="foley", color="RED",
                                                       marked_range=TC.TimeRange(clip.source_range.start_time, TC.RationalTime(0, RATE))))
            track.append(clip)
        timeline.tracks.append(track)
    path = folder / f"bench{shots}.otio"
    otio.adapters.write_to_file(timeline, str(path))
    return path


def one_run(edit: Path, wavs: dict, fmt: str, out_dir: Path, *, trace: bool) -> tuple[float, int, int, dict]:
    """Read, select (all shots, and by marker colour), write. With ``trace`` the peak of Python
    allocations is measured; tracing slows Python several times, so times come from untraced runs."""
    gc.collect()
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    timeline = read_timeline(edit)
    t1 = time.perf_counter()
    found = find_shots(timeline, Selection())
    marked = find_shots(timeline, Selection(marker_color="RED"))
    t2 = time.perf_counter()
    placements = [Placement(s, f"take{i}", label, kind, wavs[kind], 12, 12, "steps, room tone")
                  for i, s in enumerate(found.shots) for label, kind in (("steps", LayerKind.FOLEY), ("room", LayerKind.BG))]
    out = write_foley_timeline(timeline, placements, out_dir / f"foley_{fmt}", fmt=fmt)
    t3 = time.perf_counter()
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    out.unlink()
    return t3 - t0, peak, len(found.shots), {"read": t1 - t0, "select": t2 - t1, "write": t3 - t2, "marked": len(marked.shots)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=500)
    parser.add_argument("--formats", default="otio,fcp7,aaf,kdenlive",
                        help="write-back formats; an EDL refuses this edit (two video tracks of overlapping shots need more than 4 channels)")
    parser.add_argument("--scaling", default="100,250,500,1000", help="shot counts for the memory-per-shot table")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wavs = {}
        for kind in (LayerKind.FOLEY, LayerKind.BG):
            wavs[kind] = folder / f"{kind.value}.wav"
            soundfile.write(str(wavs[kind]), np.zeros((OUTPUT_SAMPLE_RATE * 4, 2), np.float32), OUTPUT_SAMPLE_RATE, subtype="PCM_24")
        edit = make_edit(args.shots, folder)
        print(f"{args.shots}-shot timeline, 23.976 fps, two layers per shot (python {sys.version.split()[0]})")
        print(f"{'format':<8} {'total s':>8} {'read s':>7} {'select s':>9} {'write s':>8} {'peak MiB':>9}")
        for fmt in args.formats.split(","):
            seconds, _, shots, parts = one_run(edit, wavs, fmt, folder, trace=False)
            _, peak, _, _ = one_run(edit, wavs, fmt, folder, trace=True)
            print(f"{fmt:<8} {seconds:8.3f} {parts['read']:7.3f} {parts['select']:9.3f} {parts['write']:8.3f} {peak / 2**20:9.1f}")
        print("\nscaling (.otio): shots, total s, peak MiB, KiB per shot")
        for n in [int(x) for x in args.scaling.split(",") if x]:
            edit_n = make_edit(n, folder)
            seconds, _, shots, _ = one_run(edit_n, wavs, "otio", folder, trace=False)
            _, peak, _, _ = one_run(edit_n, wavs, "otio", folder, trace=True)
            print(f"{shots:6d} {seconds:8.3f} {peak / 2**20:9.1f} {peak / 1024 / shots:9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
