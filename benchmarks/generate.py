"""What an editor waits for: `foleyline generate` end to end per shot length, what every run
pays before and after its shots, and where the time of one short shot goes on the server.

    .venv/bin/python benchmarks/generate.py lengths [--clip CLIP] [--lengths 2 8 30 79] [--rounds 3]
                                                    [--against /work/main]
    .venv/bin/python benchmarks/generate.py movies  [--clips MOVIE ...] [--rounds 5] [--against /work/main]
                                                    [--fresh]
    .venv/bin/python benchmarks/generate.py startup [--clip CLIP] [--seconds 0.2] [--rounds 7]
                                                    [--against /work/main]
    .venv/bin/python benchmarks/generate.py stages  [--clip CLIP] [--seconds 0.5] [--rounds 15] [--again]
                                                    [--against /work/main --pairs 2]

``lengths``: `foleyline generate` (default settings: in-process server, procedural engine,
drafted notes, 12-frame handles) run as a fresh process on a one-clip .otio timeline cut from
the clip (default: the 79.5 s 10 fps plaza clip), for each length, in paired rounds (every
length once per round, so a change of load hits all lengths alike). Per length: wall time, CPU
time (user + system of the process and its threads) and peak memory (the child's maxrss), medians
with min-max, then the CPU cost fitted as ``a + b * seconds``: cost linear in length means a
flat CPU s per shot s (printed per length, with wall s per shot s). A warm-up run first fills
the text-embedding cache (as a day's first shot would), so every timed run pays what a later
one does. ``--against CHECKOUT``: the same runs with that checkout's own ``.venv`` (its code,
e.g. main's) paired with ours in every round (the order flips each round), and the ratios
ours / theirs of the medians per length. ``--fresh``: no warm-up, and every run on an empty
data folder of its own, as a new machine's first run (``lengths`` and ``movies``).

``movies``: `foleyline generate MOVIE`, as an editor types it on a plain movie (its cuts found
first, each shot then generated), on real 8 s clips by default, paired with ``--against`` as
``lengths`` is: wall, CPU and peak memory per movie (the target: 1.5 s and 300 MiB for 8 s).

``startup``: the fixed cost of a run, paired with ``--against`` as ``lengths`` is: importing
``foleyline.plugin.commands.generate`` (what `foleyline generate` loads before it reads the
timeline) and ``foleyline.server.app`` (what its in-process server adds), each alone in a fresh
interpreter; and `foleyline generate` of a ``--seconds`` shot (a few frames: both imports, the
preflight of a one-clip .otio, the server's start, a shot that costs next to nothing, the
timeline's write, the process's exit): wall, CPU and peak memory.

``stages``: one server shot (``Pipeline.process_shot``, default handles, drafted notes,
procedural engine, WAVs into a store in a temp folder) of ``--seconds`` from a real clip, in
this process, ``--rounds`` times after one warm-up; CPU time per stage (decode, motion analysis,
notes, engine, post, loudness, WAV writing and storing) by wrapping each stage's function, medians
with min-max. The non-engine time is the shot's total less the engine's (target <= 30 ms for
a 0.5 s shot). gRPC and the job queue are not included (a few ms; see benchmarks in tests/server).
Every timed shot is one the server has not seen (the inputs it keeps for a shot's next takes,
``server.shot_inputs``, are cleared first); ``--again``: each is followed by the same shot again
(another take, as an editor asks for), timed apart in the ``again:`` rows.
``--against CHECKOUT``: both sides, each in worker processes on its own ``.venv``, in ``--pairs``
pairs whose order flips each time, with the ratio ours / theirs per stage.

Where a 0.5 s shot (1.44 s with its handles) of hitting_metal from 2 s stands (December 2026,
2 shared cores, OMP_NUM_THREADS=1), CPU ms: decode about 21 (one keyframe: 23 frames of
pre-roll, of which only the 12 others refer to are decoded; 4 of it opening and closing the
file), analysis about 51 (32 of it the dense flow around the shot's four contacts, 18 frame
pairs; 5 the camera's phase correlations, for the walker a range this long may show), loudness
about 5 (three stems: K-weighting 0.4, true peak 0.8 each), WAV write + store about 7.5 (three
signed WAVs, 1.5 of C2PA signing each; one syncfs for the shot), the rest about 3: about 90 for an unseen shot,
16 for the same shot asked for again. The 30 ms target is out of reach for an unseen shot
while the analysis' flow costs what it does.

Every side's process starts in the system's temporary folder, not in a checkout: `python -m`
and `python -c` put the current folder first on sys.path, so a run started in our worktree had
the other side import our ``foleyline/`` (the CLI, config, probe) under its own ``server/`` and
``plugin/`` (found December 2026, w9-fast: its ``--against`` figures before then compared two
sides that shared our ``foleyline/``; docs/evaluation.md, "A one-shot generate's critical path").

Every table prints the machine's load average: on a shared machine compare ratios from one run.
A peak counts the pages of the shared libraries the process maps, and how many depends on what
the page cache holds of each .venv's files: two .venvs can differ by 30-50 MiB on the same code
(docs/evaluation.md, "Start-up cost"), so the peaks of ``--against`` compare only roughly.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import opentimelineio as otio

SHARED_MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"
LONG_CLIP = SHARED_MEDIA / "debian_opencv-doc_vtest.avi"
SHORT_CLIP = SHARED_MEDIA / "condfoleygen_hitting_metal.mp4"
# Real 8 s movies: two at 1280x720 29.97 fps (chopping, ice), one at 480x270 21.5 fps
MOVIES = [SHARED_MEDIA / name for name in ("condfoleygen_chopping.mp4", "maskvat_ice_gt.mp4",
                                            "frieren_gt_5gWlAdGamFo_000646.mp4")]


def load() -> str:
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def spread(values: list[float], scale: float = 1.0, digits: int = 2) -> str:
    """median [min-max]"""
    return (f"{statistics.median(values) * scale:.{digits}f} "
            f"[{min(values) * scale:.{digits}f}-{max(values) * scale:.{digits}f}]")


# ---- lengths: the CLI end to end --------------------------------------------------------------

def clip_timeline(clip: Path, seconds: float, folder: Path) -> Path:
    """A timeline of one shot: the first ``seconds`` of ``clip`` at its own frame rate."""
    from foleyline.probe import probe

    info = probe(clip)
    rate = float(info.fps)
    frames = int(round(min(seconds, info.duration - 0.5 / rate) * rate))
    tc = otio.opentime
    reference = otio.schema.ExternalReference(
        target_url=clip.resolve().as_uri(),
        available_range=tc.TimeRange(tc.RationalTime(0, rate), tc.RationalTime(int(info.duration * rate), rate)))
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    track.append(otio.schema.Clip(name=f"shot{seconds:g}", media_reference=reference,
                                  source_range=tc.TimeRange(tc.RationalTime(0, rate), tc.RationalTime(frames, rate))))
    timeline = otio.schema.Timeline(name=f"bench{seconds:g}")
    timeline.tracks.append(track)
    path = folder / f"shot{seconds:g}.otio"
    otio.adapters.write_to_file(timeline, str(path))
    return path


# The folder every side's process starts in: `python -m` and `python -c` put the current folder
# first on sys.path, and started in a checkout, `foleyline` there (its foleyline/ folder) is
# imported before the side's own install maps it: the other side would run our foleyline/
# (the CLI, config, probe, ...) under its server/ and plugin/.
NEUTRAL_CWD = tempfile.gettempdir()


def run_cli(python: Path, timeline: Path, out: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak MiB) of one `foleyline generate` process on ``python``."""
    command = [str(python), "-m", "foleyline", "generate", str(timeline), "--seed", "1", "-o", str(out)]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=NEUTRAL_CWD)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"foleyline generate ({python}) failed ({process.returncode}):\n{error}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _fit(lengths: list[float], costs: list[float]) -> str:
    x, y = np.array(lengths, float), np.array(costs, float)
    slope, intercept = np.polyfit(x, y, 1)
    residual = float(np.max(np.abs(y - (intercept + slope * x)) / y))
    return f"{intercept:.2f} s + {slope:.3f} s per shot second (largest deviation from the line: {residual:.0%})"


def _sides(against: Path | None) -> dict[str, Path] | None:
    """Our interpreter, and with ``against`` that checkout's (None when it has no .venv)."""
    sides = {"ours": Path(sys.executable)}
    if against is not None:
        theirs = against.resolve() / ".venv" / "bin" / "python"
        if not theirs.exists():
            print(f"{theirs} does not exist: --against needs a checkout with its own .venv (`make install` there)",
                  file=sys.stderr)
            return None
        sides["theirs"] = theirs
    return sides


def _paired_runs(sides: dict[str, Path], inputs: dict, rounds: int, folder: Path, title: str,
                 fresh: bool = False) -> dict[str, dict[object, list[tuple[float, float, float]]]]:
    """Every input once per round on every side (the order flipping each round, so a change of
    load hits both alike), each side with its own data (its embedding cache, filled by a warm-up
    run first, as a day's later shots find it) and config; ``fresh``: every run with an empty
    data folder of its own and no warm-up, as a new machine's first run."""
    envs = {}
    for side in sides:
        env = dict(os.environ, FOLEYLINE_DATA_DIR=str(folder / side / "data"),
                   FOLEYLINE_CONFIG_DIR=str(folder / side / "config"))
        env.pop("FOLEYLINE_SERVER", None)
        envs[side] = env
    if not fresh:
        for side, python in sides.items():
            run_cli(python, next(iter(inputs.values())), folder / f"warm-{side}", envs[side])
    results: dict[str, dict[object, list[tuple[float, float, float]]]] = {side: defaultdict(list) for side in sides}
    print(f"{title}, {rounds} paired rounds{', each on an empty data folder' if fresh else ''}; {load()}", flush=True)
    for r in range(rounds):
        for n, (key, path) in enumerate(inputs.items()):
            order = list(sides.items()) if r % 2 == 0 else list(sides.items())[::-1]
            for side, python in order:
                env = dict(envs[side], FOLEYLINE_DATA_DIR=str(folder / side / f"data-{r}-{n}")) if fresh else envs[side]
                results[side][key].append(run_cli(python, path, folder / f"out-{side}{r}_{n}", env))
    return results


def lengths(args: argparse.Namespace) -> int:
    sides = _sides(args.against)
    if sides is None:
        return 2
    with tempfile.TemporaryDirectory(prefix="foleyline-bench-") as tmp:
        folder = Path(tmp)
        timelines = {s: clip_timeline(args.clip, s, folder) for s in sorted(args.lengths)}
        results = _paired_runs(sides, timelines, args.rounds, folder, f"`foleyline generate` on {args.clip.name}",
                               args.fresh)
        for side in sides:
            print(f"{side}:" + (f" {sides[side]}" if len(sides) > 1 else ""))
            print(f"{'shot s':>7s} {'wall s':>20s} {'CPU s':>20s} {'wall s per shot s':>18s} {'CPU s per shot s':>17s} "
                  f"{'peak MiB':>16s}")
            for seconds in args.lengths:
                walls, cpus, peaks = zip(*results[side][seconds])
                print(f"{seconds:7g} {spread(list(walls)):>20s} {spread(list(cpus)):>20s} "
                      f"{statistics.median(walls) / seconds:18.3f} {statistics.median(cpus) / seconds:17.3f} "
                      f"{spread(list(peaks), digits=0):>16s}")
            cpu = [statistics.median([c for _, c, _ in results[side][s]]) for s in args.lengths]
            wall = [statistics.median([w for w, _, _ in results[side][s]]) for s in args.lengths]
            print(f"  CPU  = {_fit(args.lengths, cpu)}")
            print(f"  wall = {_fit(args.lengths, wall)}")
        if len(sides) > 1:
            print("ours / theirs, ratio of the medians:")
            print(f"{'shot s':>7s} {'wall':>7s} {'CPU':>7s} {'peak':>7s}")
            for seconds in args.lengths:
                med = {side: [statistics.median(values) for values in zip(*results[side][seconds])] for side in sides}
                ratios = [a / b for a, b in zip(med["ours"], med["theirs"])]
                print(f"{seconds:7g} {ratios[0]:7.2f} {ratios[1]:7.2f} {ratios[2]:7.2f}")
        print(load())
    return 0


# ---- movies: the CLI on plain movies -----------------------------------------------------------

def movies(args: argparse.Namespace) -> int:
    """`foleyline generate MOVIE` as an editor types it: the movie's cuts found, its shots sent."""
    sides = _sides(args.against)
    if sides is None:
        return 2
    with tempfile.TemporaryDirectory(prefix="foleyline-bench-") as tmp:
        results = _paired_runs(sides, {clip.name: clip.resolve() for clip in args.clips}, args.rounds, Path(tmp),
                               "`foleyline generate MOVIE` (cuts found)", args.fresh)
        print(f"{'movie':>36s} {'side':>6s} {'wall s':>20s} {'CPU s':>20s} {'peak MiB':>16s}")
        for clip in args.clips:
            for side in sides:
                walls, cpus, peaks = zip(*results[side][clip.name])
                print(f"{clip.name[:36]:>36s} {side:>6s} {spread(list(walls)):>20s} {spread(list(cpus)):>20s} "
                      f"{spread(list(peaks), digits=0):>16s}")
        if len(sides) > 1:
            print("ours / theirs, ratio of the medians (wall, CPU, peak):")
            for clip in args.clips:
                med = {side: [statistics.median(v) for v in zip(*results[side][clip.name])] for side in sides}
                print(f"{clip.name[:36]:>36s} " + " ".join(f"{a / b:7.2f}" for a, b in zip(med["ours"], med["theirs"])))
        print(load())
    return 0


# ---- startup: what every run pays -------------------------------------------------------------

IMPORTED = {"foleyline.plugin.commands.generate": "import generate s", "foleyline.server.app": "import server.app s"}


def import_seconds(python: Path, module: str) -> float:
    """Seconds a fresh interpreter on ``python`` takes to import ``module``."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    return float(subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True,
                                cwd=NEUTRAL_CWD).stdout.strip().splitlines()[-1])


def startup(args: argparse.Namespace) -> int:
    sides = _sides(args.against)
    if sides is None:
        return 2
    rows: dict[str, dict[str, list[float]]] = {side: defaultdict(list) for side in sides}
    for r in range(args.rounds):
        for side, python in (list(sides.items()) if r % 2 == 0 else list(sides.items())[::-1]):
            for module, row in IMPORTED.items():
                rows[side][row].append(import_seconds(python, module))
    with tempfile.TemporaryDirectory(prefix="foleyline-bench-") as tmp:
        folder = Path(tmp)
        timeline = clip_timeline(args.clip, args.seconds, folder)
        runs = _paired_runs(sides, {"shot": timeline}, args.rounds, folder,
                            f"start-up: the imports alone, then `foleyline generate` of a {args.seconds:g} s shot "
                            f"of {args.clip.name}")
    for side in sides:
        for row, values in zip(("generate wall s", "generate CPU s", "generate peak MiB"), zip(*runs[side]["shot"])):
            rows[side][row] = list(values)
    print(f"  {'median [min-max]':20s}" + "".join(f"{side:>22s}" for side in sides) + ("   ratio" if len(sides) > 1 else ""))
    for row in rows["ours"]:
        cells = "".join(f"{spread(rows[side][row], digits=0 if 'MiB' in row else 3):>22s}" for side in sides)
        ratio = (f"{statistics.median(rows['ours'][row]) / statistics.median(rows['theirs'][row]):8.2f}"
                 if len(sides) > 1 else "")
        print(f"  {row:20s}{cells}{ratio}")
    print(load())
    return 0


# ---- stages: one short shot on the server -----------------------------------------------------

class StageClock:
    """CPU time per stage, by wrapping the functions that do each stage."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self.waited: dict[str, float] = defaultdict(float)  # wall time: fsync waits are not CPU
        self._depth = threading.local()

    def wrap(self, owner: object, attribute: str, stage: str) -> None:
        inner = getattr(owner, attribute)

        def timed(*args, **kwargs):
            depth = getattr(self._depth, "value", 0)
            self._depth.value = depth + 1
            started, wall = time.process_time(), time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self._depth.value = depth
                if depth == 0:  # a stage inside another counts once, in the outer one
                    self.spent[stage] += time.process_time() - started
                    self.waited[stage] += time.perf_counter() - wall

        setattr(owner, attribute, timed)


def stages(args: argparse.Namespace) -> int:
    from foleyline.server import pipeline as pipeline_module
    from foleyline.server.engines.procedural import ProceduralEngine
    from foleyline.server.media import audio, load as load_module
    from foleyline.server.pipeline import Pipeline
    from foleyline.server.records import JobSettings, ShotRequest
    from foleyline.server.store import Store
    from foleyline.server.threads import apply_compute_threads

    apply_compute_threads()
    clock = StageClock()
    clock.wrap(load_module, "decode_shot", "decode")
    clock.wrap(load_module, "analyze_motion", "analysis")
    clock.wrap(pipeline_module.Pipeline, "notes_for", "notes")
    clock.wrap(pipeline_module, "generate_layer", "engine")
    clock.wrap(audio, "finish_stem", "post")
    clock.wrap(audio, "mix_stems", "post")
    if hasattr(audio, "Mix"):  # the pipeline mixes a stem at a time
        clock.wrap(audio.Mix, "add", "post")
        clock.wrap(audio.Mix, "finish", "post")
    for owner, name in ((pipeline_module, "measure"), (audio, "reported_loudness"), (audio, "loudness_lufs")):
        if hasattr(owner, name):
            clock.wrap(owner, name, "loudness")
    for name in ("write_take", "write_takes"):
        if hasattr(pipeline_module, name):
            clock.wrap(pipeline_module, name, "WAV write + store")
    for name in ("adopt_audio", "sync_audio"):
        if hasattr(Store, name):
            clock.wrap(Store, name, "WAV write + store")

    tc = otio.opentime
    with tempfile.TemporaryDirectory(prefix="foleyline-bench-") as tmp:
        os.environ["FOLEYLINE_DATA_DIR"] = str(Path(tmp) / "data")
        store = Store(Path(tmp) / "store")
        pipeline = Pipeline(store, [args.clip.parent])
        engine = ProceduralEngine()
        engine.load()
        rate = 25.0
        start = int(round(args.start * rate))
        length = max(1, int(round(args.seconds * rate)))
        shot = ShotRequest(
            id="bench", name="bench", media_path=args.clip, media_hash=None,
            source_range=tc.TimeRange(tc.RationalTime(start, rate), tc.RationalTime(length, rate)),
            record_range=tc.TimeRange(tc.RationalTime(90000, rate), tc.RationalTime(length, rate)),
            available_range=None, rate=rate, drop_frame=False,
        )
        rows: dict[str, list[float]] = defaultdict(list)
        walls: dict[str, list[float]] = defaultdict(list)
        kept = getattr(pipeline, "inputs", None)  # a checkout that keeps shots' inputs for their next takes

        def shot_cpu(r: int) -> float:
            clock.spent.clear()
            clock.waited.clear()
            started = time.process_time()
            pipeline.process_shot(shot, JobSettings(seed=r + 1), job_id=f"job{r}", engine_name="procedural",
                                  engine=engine, progress=lambda stage, fraction: None, cancel=threading.Event())
            return time.process_time() - started

        for r in range(args.rounds + 1):
            if kept is not None:
                kept.clear()  # a shot the server has not seen: decoded and analysed
            total = shot_cpu(r)
            if r == 0:
                continue  # warm-up: imports, filter designs, the embedding cache
            for stage, spent in clock.spent.items():
                rows[stage].append(spent)
                walls[stage].append(clock.waited[stage])
            rows["total"].append(total)
            rows["non-engine"].append(total - clock.spent.get("engine", 0.0))
            rows["other"].append(total - sum(clock.spent.values()))
            if args.again:  # the same shot again (another take): what the server kept is reused
                total = shot_cpu(r + args.rounds + 1)
                rows["again: non-engine"].append(total - clock.spent.get("engine", 0.0))
                rows["again: total"].append(total)
        store.close()
    if args.worker:
        print(json.dumps(rows))
        return 0
    print(f"one {args.seconds:g} s shot of {args.clip.name} from {args.start:g} s, default handles, "
          f"{args.rounds} rounds after a warm-up; ms, median [min-max]; {load()}")
    print(f"  {'stage':18s} {'CPU':>24s} {'wall':>24s}")
    for stage in STAGE_ORDER:
        if stage in rows:
            wall = spread(walls[stage], 1000, 1) if stage in walls else ""
            print(f"  {stage:18s} {spread(rows[stage], 1000, 1):>24s} {wall:>24s}")
    print("target: non-engine <= 30 ms for a 0.5 s shot")
    return 0


STAGE_ORDER = ["decode", "analysis", "notes", "engine", "post", "loudness", "WAV write + store", "other",
               "non-engine", "total", "again: non-engine", "again: total"]


def stages_paired(args: argparse.Namespace) -> int:
    """``stages`` on both sides: per pair, one worker process per side (each warmed up, then
    ``--rounds`` shots), the order flipping every pair; CPU ms per stage of both sides."""
    theirs = args.against.resolve() / ".venv" / "bin" / "python"
    if not theirs.exists():
        print(f"{theirs} does not exist: --against needs a checkout with its own .venv (`make install` there)",
              file=sys.stderr)
        return 2
    sides = {"ours": Path(sys.executable), "theirs": theirs}
    command = [str(Path(__file__).resolve()), "stages", "--worker", "--clip", str(args.clip), "--start", str(args.start),
               "--seconds", str(args.seconds), "--rounds", str(args.rounds), *(["--again"] if args.again else [])]
    print(f"one {args.seconds:g} s shot of {args.clip.name} from {args.start:g} s; {args.pairs} pairs (ABBA) of "
          f"worker processes, {args.rounds} shots each after a warm-up; CPU ms, median [min-max]; {load()}", flush=True)
    rows: dict[str, dict[str, list[float]]] = {side: defaultdict(list) for side in sides}
    for pair in range(args.pairs):
        for side, python in (list(sides.items()) if pair % 2 == 0 else list(sides.items())[::-1]):
            out = subprocess.run([str(python), *command], check=True, capture_output=True, text=True).stdout
            for stage, values in json.loads(out.strip().splitlines()[-1]).items():
                rows[side][stage].extend(values)
    print(f"  {'stage':18s} {'ours':>24s} {'theirs':>24s} {'ratio':>6s}")
    for stage in STAGE_ORDER:
        if stage in rows["ours"] and stage in rows["theirs"]:
            ours, other = rows["ours"][stage], rows["theirs"][stage]
            ratio = statistics.median(ours) / statistics.median(other) if statistics.median(other) else float("nan")
            print(f"  {stage:18s} {spread(ours, 1000, 1):>24s} {spread(other, 1000, 1):>24s} {ratio:6.2f}")
    print(load())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    paired = argparse.ArgumentParser(add_help=False)  # every mode pairs with another checkout
    paired.add_argument("--against", type=Path, help="another checkout (with .venv) to pair against, e.g. /work/main")
    fresh = argparse.ArgumentParser(add_help=False)
    fresh.add_argument("--fresh", action="store_true", help="each run on an empty data folder (a new machine's first run)")
    p = sub.add_parser("lengths", help="`foleyline generate` end to end per shot length", parents=[paired, fresh])
    p.add_argument("--clip", type=Path, default=LONG_CLIP)
    p.add_argument("--lengths", type=float, nargs="+", default=[2.0, 8.0, 30.0, 79.0])
    p.add_argument("--rounds", type=int, default=3)
    p.set_defaults(run=lengths)
    p = sub.add_parser("movies", help="`foleyline generate MOVIE` on plain movies, cuts found", parents=[paired, fresh])
    p.add_argument("--clips", type=Path, nargs="+", default=MOVIES)
    p.add_argument("--rounds", type=int, default=5)
    p.set_defaults(run=movies)
    p = sub.add_parser("startup", help="what every `foleyline generate` pays: imports, server start, exit",
                       parents=[paired])
    p.add_argument("--clip", type=Path, default=SHORT_CLIP)
    p.add_argument("--seconds", type=float, default=0.2, help="the shot's length (a few frames)")
    p.add_argument("--rounds", type=int, default=7)
    p.set_defaults(run=startup)
    p = sub.add_parser("stages", help="CPU per stage of one short server shot", parents=[paired])
    p.add_argument("--clip", type=Path, default=SHORT_CLIP)
    p.add_argument("--start", type=float, default=2.0, help="seconds into the clip")
    p.add_argument("--seconds", type=float, default=0.5)
    p.add_argument("--rounds", type=int, default=15)
    p.add_argument("--pairs", type=int, default=2, help="worker pairs with --against")
    p.add_argument("--again", action="store_true",
                   help="after each shot, the same shot again (another take), timed apart: 'again:' rows")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)  # one side of a pair: JSON out
    p.set_defaults(run=lambda a: stages_paired(a) if a.against is not None else stages(a))
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
