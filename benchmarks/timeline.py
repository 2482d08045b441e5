"""Timeline benchmark: an N-shot edit in each format, read + select + write-back in that format.

    .venv/bin/python benchmarks/timeline.py [--shots 500] [--formats otio,fcp7,aaf] [--repeat 3] [--own-wavs]

Builds an edit of N shots (23.976 fps, 01:00:00:00, two video tracks, 1-3 s shots with markers
on every tenth) and writes it as .otio, FCP7 XML (through our writer) and AAF (built with
pyaaf2 as Avid lays a sequence out: master and source mobs per roll, a timecode track). Then,
per format, times reading that file, finding the shots (and a marker selection) and writing a
Foley timeline with two layers per shot back in the same format (all takes share two WAVs, or
with ``--own-wavs`` every take has its own, as generate writes them): one warm-up run (adapter
imports), then the median of ``--repeat`` runs; the parts are from the median run. Peak memory
is traced with tracemalloc (Python allocations, where OTIO objects live) for several shot
counts, so growth per shot can be read off: flat per-shot cost means no hidden quadratic work;
a last row times a 5,000-shot .otio. Targets: <= 2 s for .otio and FCP7 XML, <= 3 s for AAF
(500 shots), < 20 s for 5,000 shots (.otio).
"""

from __future__ import annotations

import argparse
import gc
import os
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
from foleyline.plugin.timeline.track_names import track_names
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


def aaf_edit(timeline: otio.schema.Timeline, path: Path) -> Path:
    """The edit as an Avid-style AAF: a top-level composition with a timecode track and one
    picture track per video track, clips referencing a master mob per roll."""
    import aaf2

    rate = 24000 / 1001
    with aaf2.open(str(path), "w") as f:
        picture = f.dictionary.lookup_datadef("picture")
        masters = {}
        comp = f.create.CompositionMob(timeline.name)
        comp.usage = "Usage_TopLevel"
        tc_slot = comp.create_timeline_slot(rate)
        tc_slot["PhysicalTrackNumber"].value = 1
        tc_slot.segment = f.create.Timecode(24, False)
        tc_slot.segment.start = 86400
        tc_slot.segment.length = round(timeline.duration().value)
        for track in timeline.video_tracks():
            slot = comp.create_picture_slot(rate)
            for clip in track.find_clips():
                url = clip.media_reference.target_url
                if url not in masters:
                    master = f.create.MasterMob(Path(url).stem)
                    source = f.create.SourceMob(Path(url).name)
                    descriptor = f.create.CDCIDescriptor()
                    descriptor["ComponentWidth"].value = 8
                    descriptor["HorizontalSubsampling"].value = 2
                    descriptor["ImageAspectRatio"].value = "16/9"
                    descriptor["StoredWidth"].value, descriptor["StoredHeight"].value = 1920, 1080
                    descriptor["FrameLayout"].value = "FullFrame"
                    descriptor["VideoLineMap"].value = [42, 0]
                    descriptor["SampleRate"].value = rate
                    descriptor["Length"].value = 200000
                    locator = f.create.NetworkLocator()
                    locator["URLString"].value = url
                    descriptor["Locator"].append(locator)
                    source.descriptor = descriptor
                    source_slot = source.create_timeline_slot(rate, slot_id=1)
                    source_slot.segment = f.create.SourceClip(media_kind=picture, length=200000)
                    master_slot = master.create_timeline_slot(rate, slot_id=1)
                    master_slot.segment = source.create_source_clip(1, start=0, length=200000)
                    master_slot.segment.media_kind = picture
                    f.content.mobs.append(source)
                    f.content.mobs.append(master)
                    masters[url] = master
                component = f.create.SourceClip(media_kind=picture, length=round(clip.source_range.duration.value))
                component.mob_id = masters[url].mob_id
                component.slot_id = 1
                component.start = round(clip.source_range.start_time.value) - 86400
                slot.segment.components.append(component)
        f.content.mobs.append(comp)
    return path


def source_files(edit: Path, folder: Path, formats: list[str]) -> dict[str, Path]:
    """The edit in each format to read from."""
    from foleyline.plugin.timeline import quirks
    from foleyline.plugin.timeline.formats import read_timeline as read

    timeline = read(edit)
    files = {"otio": edit}
    if "fcp7" in formats:
        files["fcp7"] = folder / f"{edit.stem}.xml"
        files["fcp7"].write_text(quirks.write_string(timeline, "fcp7", "fcp_xml"))
    if "aaf" in formats:
        files["aaf"] = aaf_edit(timeline, folder / f"{edit.stem}.aaf")
    return files


class TakeWavs:
    """The WAV of take ``i``'s layer ``kind``: one of two shared files, or with ``own`` a file
    per take (hard links to them: distinct paths, no disk)."""

    def __init__(self, folder: Path, own: bool) -> None:
        self.shared, self.own, self.folder = {}, own, folder
        for kind in (LayerKind.FOLEY, LayerKind.BG):
            self.shared[kind] = folder / f"{kind.value}.wav"
            soundfile.write(str(self.shared[kind]), np.zeros((OUTPUT_SAMPLE_RATE * 4, 2), np.float32), OUTPUT_SAMPLE_RATE, subtype="PCM_24")

    def __call__(self, i: int, kind: LayerKind) -> Path:
        if not self.own:
            return self.shared[kind]
        path = self.folder / f"take{i:05d}_{kind.value}.wav"
        if not path.exists():
            os.link(self.shared[kind], path)
        return path


def one_run(edit: Path, wavs: TakeWavs, fmt: str, out_dir: Path, *, trace: bool) -> tuple[float, int, int, dict]:
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
    names = track_names()  # the preset, read from the config once per write as generate and the panel do
    placements = [Placement(s, f"take{i}", label, kind, wavs(i, kind), 12, 12, "steps, room tone", track_names=names)
                  for i, s in enumerate(found.shots) for label, kind in (("steps", LayerKind.FOLEY), ("room", LayerKind.BG))]
    out = write_foley_timeline(timeline, placements, out_dir / f"foley_{fmt}", fmt=fmt)
    t3 = time.perf_counter()
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    out.unlink()
    return t3 - t0, peak, len(found.shots), {"read": t1 - t0, "select": t2 - t1, "write": t3 - t2, "marked": len(marked.shots)}


def timed(edit: Path, wavs: TakeWavs, fmt: str, folder: Path, repeat: int) -> tuple[float, dict, int]:
    """(median seconds, that run's parts, shots) after one warm-up run."""
    one_run(edit, wavs, fmt, folder, trace=False)
    runs = sorted((one_run(edit, wavs, fmt, folder, trace=False) for _ in range(repeat)), key=lambda r: r[0])
    seconds, _, shots, parts = runs[len(runs) // 2]
    return seconds, parts, shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=500)
    parser.add_argument("--formats", default="otio,fcp7,aaf", help="formats read and written back (otio, fcp7, aaf)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per format (the median is shown)")
    parser.add_argument("--scaling", default="100,250,500,1000", help="shot counts for the memory-per-shot table")
    parser.add_argument("--own-wavs", action="store_true", help="every take its own WAV (as generate writes them)")
    parser.add_argument("--large", type=int, default=5000, help="shots of the large .otio timed last (0: skip)")
    args = parser.parse_args(argv)
    formats = [f for f in args.formats.split(",") if f]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wavs = TakeWavs(folder, args.own_wavs)
        files = source_files(make_edit(args.shots, folder), folder, formats)
        print(f"{args.shots}-shot timeline, 23.976 fps, two layers per shot, read and written back in its format "
              f"({'a WAV per take' if args.own_wavs else 'two shared WAVs'}; python {sys.version.split()[0]}, median of {args.repeat})")
        print(f"{'format':<8} {'total s':>8} {'read s':>7} {'select s':>9} {'write s':>8} {'peak MiB':>9}")
        for fmt in formats:
            seconds, parts, _ = timed(files[fmt], wavs, fmt, folder, args.repeat)
            _, peak, _, _ = one_run(files[fmt], wavs, fmt, folder, trace=True)
            print(f"{fmt:<8} {seconds:8.3f} {parts['read']:7.3f} {parts['select']:9.3f} {parts['write']:8.3f} {peak / 2**20:9.1f}")
        print("\nscaling (.otio): shots, total s, peak MiB, KiB per shot")
        for n in [int(x) for x in args.scaling.split(",") if x]:
            edit_n = make_edit(n, folder)
            seconds, _, shots = timed(edit_n, wavs, "otio", folder, 1)
            _, peak, _, _ = one_run(edit_n, wavs, "otio", folder, trace=True)
            print(f"{shots:6d} {seconds:8.3f} {peak / 2**20:9.1f} {peak / 1024 / shots:9.1f}")
        if args.large:
            seconds, parts, shots = timed(make_edit(args.large, folder), wavs, "otio", folder, 1)
            print(f"\n{shots}-shot .otio: {seconds:.2f} s (read {parts['read']:.2f}, select {parts['select']:.2f}, "
                  f"write {parts['write']:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
