"""Real-time factor of the procedural engine per CPU core.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/engine.py [--seconds 10] [--repeats 7] [--embeddings]

A 10 s shot with three layers (footsteps on concrete, wooden hits, an exterior wind bed), a
motion curve, 20 visual onsets and a 24 fps analysis stream, rendered for one seed; the figure is shot seconds per CPU
second of the whole three-layer render (process time, so other processes on a shared machine do
not count against it). Target: >= 200x (issue 18). The text matcher is the keyword one unless
--embeddings is given; the embedding model's one-off load and its per-layer cost are printed
separately because a server pays them once, not per take.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--embeddings", action="store_true", help="match text with the sentence-embedding model")
    args = parser.parse_args()

    if args.embeddings:
        started = time.perf_counter()
        scorer = EmbeddingScorer()
        scorer.scores("warm up", [])
        EmbeddingScorer._load()
        print(f"embedding model load: {time.perf_counter() - started:.2f} s (once per process)")
        matcher = Matcher(scorer)
    else:
        matcher = Matcher(KeywordScorer())
    engine = ProceduralEngine(matcher=matcher)
    shot = make_shot(args.seconds)
    settings = SamplingSettings()
    warm_engine, warm_shot = ProceduralEngine(matcher=matcher), make_shot(args.seconds)
    for layer in LAYERS:  # warm-up: filter designs are cached after the first use
        warm_engine.generate(warm_shot, layer, [0], settings)
    for layer in LAYERS:
        engine.generate(shot, layer, [0], settings)

    totals, per_layer = [], {layer.label: [] for layer in LAYERS}
    for repeat in range(args.repeats):
        total = 0.0
        for layer in LAYERS:
            started = time.process_time()
            engine.generate(shot, layer, [repeat + 1], settings)
            spent = time.process_time() - started
            per_layer[layer.label].append(spent)
            total += spent
        totals.append(total)
    best, median = min(totals), statistics.median(totals)
    print(f"shot: {args.seconds:g} s, 3 layers, 48 kHz mono, 1 seed; {args.repeats} repeats; matcher: {matcher.scorer.name}")
    for label, values in per_layer.items():
        print(f"  {label:6s} {1000 * statistics.median(values):7.1f} ms CPU (median)")
    print(f"  total  {1000 * median:7.1f} ms CPU (median), {1000 * best:.1f} ms (best)")
    print(f"real-time factor per CPU core: {args.seconds / median:.0f}x (median), {args.seconds / best:.0f}x (best); target >= 200x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
