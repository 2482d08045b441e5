"""The analysis' dense optical flow (``media.momentum.Flow``: Farneback) against OpenCV's DIS flow
at other settings: what each costs a frame pair, how much motion it reads where the picture did
not change, and (``--eval``) what the sync scores become with it.

The frame pairs are those the analysis computes its flow on (the intervals around the contacts,
recorded from ``Flow._compute``) over a half of the development set, those at 160x90 (a 16:9
clip's analysis size). Per setting, on one thread (OpenCV's and numpy's):

* ``ms/pair``: the flow call alone (the trust test after it is the same for every setting), paired
  rounds over the same pairs, the settings' order reversed every other round; median [min-max];
* ``still>=0.3``: of the pixels 5 or more pixels away from any pixel that changed by NOISE_LEVEL,
  the share whose flow, after the analysis' trust test (the previous picture, moved along the
  flow, must match), is 0.3 pixel a frame or more (the speed below which the analysis reads no
  direction): motion read where nothing moved. On flat ground any flow passes the trust test;
* ``epe``: the mean distance from Farneback's flow (both before the trust test), over the pixels
  that changed.

``--eval``: the half's sync scores per category (``foleyline eval``'s, seeds 0-2) with each
setting's flow in place of Farneback's, and the clips whose scores moved.

Settings: ``farneback`` (the analysis' own) or ``dis:FINEST,PATCH,STRIDE,ITERATIONS,REFINE[,NORMALIZE]``
(finest pyramid scale, 0 = full size; patch size and stride in pixels; gradient-descent
iterations; variational-refinement iterations, 0 = none; 0 to match patches on their grey levels
as they are instead of less each patch's mean, DIS's default). DIS's presets at 160x90: ULTRAFAST
``dis:2,8,4,12,0``, FAST ``dis:2,8,4,16,5``, MEDIUM ``dis:1,8,3,25,5`` (OpenCV 5.1). A finest
scale above the coarsest DIS chooses for the picture (2 for 160x90 at patch 8, 1 for 72x90) is
10-50 times slower and wrong.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/flow.py [--split tune] [--rounds 5] [--pairs 300]
        [--eval] [SETTING ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import cv2
import numpy as np

from foleyline.probe import probe
from foleyline.server.evaluation import devset
from foleyline.server.media import analysis, momentum
from foleyline.server.media.contacts import NOISE_LEVEL
from foleyline.server.media.decode import decode_shot
from foleyline.server.media.frames import ANALYSIS_STREAM

DEFAULT_SETTINGS = ("farneback", "dis:2,8,4,12,0", "dis:1,8,8,12,0", "dis:1,8,4,12,5", "dis:0,8,8,12,0",
                    "dis:0,8,4,12,0", "dis:0,8,8,12,0,0", "dis:0,8,6,12,0,0")
MIN_SPEED = 0.3   # momentum._MIN_SPEED
FAR = 5           # pixels from any change: "where nothing moved"
SIZE = (90, 160)  # the pairs timed: a 16:9 clip's (a DIS object set up for one size redoes it for another)

FlowFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


def flow_function(setting: str) -> FlowFn:
    """(previous, current) uint8 -> (H, W, 2) float32 flow, previous to current."""
    if setting == "farneback":
        real = cv2.calcOpticalFlowFarneback
        return lambda a, b: real(a, b, None, **momentum._FLOW_PARAMS)
    finest, patch, stride, iterations, refine, *normalize = (int(v) for v in setting.removeprefix("dis:").split(","))
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
    dis.setUseMeanNormalization(bool(normalize[0]) if normalize else True)
    dis.setFinestScale(finest)
    dis.setPatchSize(patch)
    dis.setPatchStride(stride)
    dis.setGradientDescentIterations(iterations)
    dis.setVariationalRefinementIterations(refine)
    return lambda a, b: dis.calc(a, b, None)  # one thread here: one DIS object suffices


def recorded_pairs(split: str, media: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """The 8-bit frame pairs the analysis computes its flow on, over the half's clips."""
    pairs: list[tuple[np.ndarray, np.ndarray]] = []
    real = momentum.Flow._compute

    def recording(self: momentum.Flow, t: int) -> np.ndarray:
        pairs.append(tuple(np.clip(self.gray[k], 0, 255).astype(np.uint8) for k in (t - 1, t)))
        return real(self, t)

    with mock.patch.object(momentum.Flow, "_compute", recording):
        for path, _ in devset.select(split, media):
            decoded = decode_shot(path, 0.0, probe(path).duration, [ANALYSIS_STREAM])
            analysis.analyze_motion(decoded.streams[ANALYSIS_STREAM.name])
    return pairs


def still_and_epe(fn: FlowFn, pairs: list[tuple[np.ndarray, np.ndarray]],
                  reference: list[np.ndarray]) -> tuple[float, float]:
    still, epe = [], []
    for (a, b), ref in zip(pairs, reference):
        flow = fn(a, b)
        changed = cv2.absdiff(a, b) > NOISE_LEVEL
        if changed.any():
            epe.append(float(np.hypot(*(flow - ref).transpose(2, 0, 1))[changed].mean()))
        h, w = a.shape
        gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
        moved = cv2.remap(b, gx + flow[..., 0], gy + flow[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        flow[np.abs(moved.astype(np.float32) - a) > 2 * NOISE_LEVEL] = 0.0  # Flow's trust test
        near = cv2.dilate(changed.astype(np.uint8), np.ones((2 * FAR + 1, 2 * FAR + 1), np.uint8)).astype(bool)
        if (~near).any():
            still.append(float((np.hypot(flow[..., 0], flow[..., 1])[~near] >= MIN_SPEED).mean()))
    return statistics.fmean(still), statistics.fmean(epe)


def costs(settings: list[str], pairs: list[tuple[np.ndarray, np.ndarray]], rounds: int) -> None:
    functions = {s: flow_function(s) for s in settings}
    farneback = flow_function("farneback")
    reference = [farneback(a, b) for a, b in pairs]
    times: dict[str, list[float]] = {s: [] for s in settings}
    for r in range(rounds):
        for s in (settings if r % 2 == 0 else settings[::-1]):
            fn, c0 = functions[s], time.process_time()
            for a, b in pairs:
                fn(a, b)
            times[s].append((time.process_time() - c0) / len(pairs) * 1e3)
    base = statistics.median(times[settings[0]])
    print(f"{len(pairs)} pairs, {rounds} rounds, load {os.getloadavg()[0]:.1f} (1 min)")
    print(f"{'setting':18s} {'ms/pair':>22s} {'x' + settings[0][:9]:>11s} {'still>=0.3':>10s} {'epe':>6s}")
    for s in settings:
        still, epe = still_and_epe(functions[s], pairs, reference)
        v = times[s]
        print(f"{s:18s} {statistics.median(v):8.3f} [{min(v):.3f}-{max(v):.3f}] {statistics.median(v) / base:11.2f} "
              f"{still:10.3f} {epe:6.3f}")


def sync(settings: list[str], split: str, media: Path, seeds: list[int]) -> None:
    from foleyline.server.commands.eval import evaluate
    from foleyline.server.evaluation.report import category_rows, clip_rows

    videos = [path for path, _ in devset.select(split, media)]
    per_setting = {}
    for s in settings:
        fn = flow_function(s)
        # Flow calls Farneback by its module attribute: a stand-in there changes the flow alone,
        # the trust test and everything that reads the flow as they are.
        with mock.patch.object(cv2, "calcOpticalFlowFarneback", lambda a, b, *_, **__: fn(a, b)):
            rows = clip_rows(evaluate(videos, "procedural", None, seeds))
        per_setting[s] = (category_rows(rows), {r.name: r for r in rows})

    def fmt(r) -> str:
        return f"{r.accuracy:.3f} {r.precision:.3f} {r.ap:.3f} {r.ratio or 0:.2f}"

    print(f"\n{split}, seeds {' '.join(map(str, seeds))}: acc prec AP ratio")
    print(f"{'category':10s} " + " | ".join(f"{s:>23s}" for s in settings))
    for k, row in enumerate(per_setting[settings[0]][0]):
        print(f"{row.name[:10]:10s} " + " | ".join(f"{fmt(per_setting[s][0][k]):>23s}" for s in settings))
    print("clips whose scores moved:")
    first = per_setting[settings[0]][1]
    for name, row in first.items():
        others = [per_setting[s][1][name] for s in settings[1:]]
        if any(fmt(o) != fmt(row) for o in others):
            print(f"{name[:34]:34s} " + " | ".join(fmt(r) for r in (row, *others)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("settings", nargs="*", default=list(DEFAULT_SETTINGS), metavar="SETTING")
    parser.add_argument("--split", default="tune", choices=("tune", "validation", "all"))
    parser.add_argument("--media", type=Path, default=Path("../shared/media"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pairs", type=int, default=300, help="pairs timed, drawn at random from those recorded")
    parser.add_argument("--eval", action="store_true", help="also the half's sync scores with each setting")
    parser.add_argument("--seed", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    cv2.setNumThreads(1)
    pairs = [p for p in recorded_pairs(args.split, args.media) if p[0].shape == SIZE]
    picked = np.random.default_rng(0).choice(len(pairs), min(args.pairs, len(pairs)), replace=False)
    costs(list(args.settings), [pairs[i] for i in sorted(picked)], args.rounds)
    if args.eval:
        sync(list(args.settings), args.split, args.media, list(args.seed))


if __name__ == "__main__":
    main()
