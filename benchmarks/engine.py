"""Real-time factor of the procedural engine per CPU core.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/engine.py [--seconds 10] [--repeats 7] [--embeddings]
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/engine.py --against /work/main [--rounds 6] [--repeats 5]

A 10 s shot with three layers (footsteps on concrete, wooden hits, an exterior wind bed), a
motion curve, 20 visual onsets and a 24 fps analysis stream, rendered for one seed; the figure is shot seconds per CPU
second of the whole three-layer render (process time, so other processes on a shared machine do
not count against it). Target: >= 200x (issue 18). The text matcher is the keyword one unless
--embeddings is given; the embedding model's one-off load and its per-layer cost are printed
separately because a server pays them once, not per take.

``--against CHECKOUT``: a paired A/B against another checkout of the project (its own
``.venv``, e.g. main's). Each round runs this file once per side as a fresh process on that
side's interpreter (so each imports its own ``foleyline``), each warmed up before its
``--repeats`` timed renders; the sides alternate, and their order flips every round (ABBA), so
a change of load hits both alike. Printed: each side's per-round medians as median [min-max],
the real-time factors, the per-round ratio ours / theirs as median [min-max], and the machine's
load before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from foleyline.notes import Layer, LayerKind, Notes  # noqa: E402
from foleyline.server.engines.base import SamplingSettings, ShotInput  # noqa: E402
from foleyline.server.engines.procedural import ProceduralEngine  # noqa: E402
from foleyline.server.engines.procedural.matcher import EmbeddingScorer, KeywordScorer, Matcher  # noqa: E402
from foleyline.server.media.frames import ANALYSIS_STREAM, FrameStream, MotionAnalysis  # noqa: E402

LAYERS = (
    Layer("steps", LayerKind.FOLEY, prompt="footsteps on concrete, leather shoes"),
    Layer("hits", LayerKind.FX, prompt="knocks on a wooden table"),
    Layer("bg", LayerKind.BG, prompt="exterior wind with gusts"),
)


def make_shot(seconds: float, fps: float = 24.0) -> ShotInput:
    rng = np.random.default_rng(0)
    times = np.arange(0.0, seconds, 1.0 / fps)
    energy = np.clip(0.4 + 0.3 * np.sin(times * 2.1) + 0.1 * rng.standard_normal(times.size), 0.0, 1.0)
    onsets = np.sort(rng.uniform(0.2, seconds - 0.2, int(2 * seconds)))
    analysis = MotionAnalysis(times=times, energy=energy, onsets=onsets, onset_strengths=rng.uniform(0.3, 1.0, onsets.size))
    # A textured square bouncing up and down: real optical flow for the contact weighting.
    frames = np.full((times.size, 90, 160), 40, np.uint8)
    patch = rng.integers(100, 255, (16, 16)).astype(np.uint8)
    for i, t in enumerate(times):
        y = int(10 + 60 * abs(np.sin(t * 3.0)))
        frames[i, y : y + 16, 70:86] = patch
    stream = FrameStream(ANALYSIS_STREAM, frames, times)
    return ShotInput("bench", seconds, 0.0, fps, {ANALYSIS_STREAM.name: stream}, analysis, Notes(layers=LAYERS))


def render_times(seconds: float, repeats: int, embeddings: bool) -> tuple[str, list[float], dict[str, list[float]]]:
    """(matcher name, CPU s per three-layer render, CPU s per layer) over ``repeats`` renders,
    after a warm-up (filter designs are cached after the first use)."""
    if embeddings:
        started = time.perf_counter()
        scorer = EmbeddingScorer()
        scorer.scores("warm up", [])
        EmbeddingScorer._load()
        print(f"embedding model load: {time.perf_counter() - started:.2f} s (once per process)")
        matcher = Matcher(scorer)
    else:
        matcher = Matcher(KeywordScorer())
    engine = ProceduralEngine(matcher=matcher)
    shot = make_shot(seconds)
    settings = SamplingSettings()
    warm_engine, warm_shot = ProceduralEngine(matcher=matcher), make_shot(seconds)
    for layer in LAYERS:
        warm_engine.generate(warm_shot, layer, [0], settings)
    for layer in LAYERS:
        engine.generate(shot, layer, [0], settings)
    totals, per_layer = [], {layer.label: [] for layer in LAYERS}
    for repeat in range(repeats):
        total = 0.0
        for layer in LAYERS:
            started = time.process_time()
            engine.generate(shot, layer, [repeat + 1], settings)
            spent = time.process_time() - started
            per_layer[layer.label].append(spent)
            total += spent
        totals.append(total)
    return matcher.scorer.name, totals, per_layer


def load() -> str:
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def spread(values: list[float], scale: float = 1.0, digits: int = 1) -> str:
    """median [min-max]"""
    return (f"{statistics.median(values) * scale:.{digits}f} "
            f"[{min(values) * scale:.{digits}f}-{max(values) * scale:.{digits}f}]")


def one_round(python: Path, args: argparse.Namespace) -> float:
    """The median CPU s per render of one fresh worker process on ``python``."""
    command = [str(python), str(Path(__file__).resolve()), "--worker", "--seconds", str(args.seconds),
               "--repeats", str(args.repeats)]
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    return statistics.median(json.loads(out.strip().splitlines()[-1])["totals"])


def paired(args: argparse.Namespace) -> int:
    other = args.against.resolve()
    theirs_python = other / ".venv" / "bin" / "python"
    if not theirs_python.exists():
        print(f"{theirs_python} does not exist: --against needs a checkout with its own .venv "
              f"(run `make install` there)", file=sys.stderr)
        return 2
    ours_python = Path(sys.executable)
    print(f"paired rounds: {args.rounds} (ABBA), {args.repeats} renders each after a warm-up; "
          f"ours {Path.cwd()} vs theirs {other}; {load()}", flush=True)
    ours, theirs = [], []
    for r in range(args.rounds):
        sides = ((ours, ours_python), (theirs, theirs_python))
        for results, python in (sides if r % 2 == 0 else sides[::-1]):
            results.append(one_round(python, args))
    ratios = [a / b for a, b in zip(ours, theirs)]
    for name, values in (("ours", ours), ("theirs", theirs)):
        factors = [args.seconds / v for v in values]
        print(f"  {name:6s} {spread(values, 1000)} ms CPU per {args.seconds:g} s three-layer render; "
              f"real-time factor per core {spread(factors, digits=0)}x")
    print(f"  ratio ours / theirs (CPU time, per round): {spread(ratios, digits=3)}; target >= 200x; {load()}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--embeddings", action="store_true", help="match text with the sentence-embedding model")
    parser.add_argument("--against", type=Path, help="another checkout (with .venv) to pair against, e.g. /work/main")
    parser.add_argument("--rounds", type=int, default=6, help="paired rounds with --against")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)  # one side of a paired round
    args = parser.parse_args()
    if args.against is not None:
        return paired(args)
    name, totals, per_layer = render_times(args.seconds, args.repeats, args.embeddings)
    if args.worker:
        print(json.dumps({"totals": totals}))
        return 0
    best, median = min(totals), statistics.median(totals)
    print(f"shot: {args.seconds:g} s, 3 layers, 48 kHz mono, 1 seed; {args.repeats} repeats; matcher: {name}; {load()}")
    for label, values in per_layer.items():
        print(f"  {label:6s} {spread(values, 1000)} ms CPU")
    print(f"  total  {spread(totals, 1000)} ms CPU")
    print(f"real-time factor per CPU core: {args.seconds / median:.0f}x (median), {args.seconds / best:.0f}x (best); "
          f"target >= 200x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
