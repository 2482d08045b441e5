"""What tells a stop with a sound from one without: measures of the candidate stops of the motion
analysis against the clip's own sound, on one half of the development set.

A candidate stop is every fall the analysis finds (``media.contacts.falls``), before the source
kind, the flow's tests and the settling choose the drafted hits among them; it has a sound when
the clip's own sound has an onset (``evaluation.onsets``) within 0.1 s of its onset. Per measure
it prints the area under the ROC curve for "has a sound" (0.5 is chance), within each clip (the
mean over the clips with stops of both kinds) and pooled over the half; then per clip, by
category, the median of each measure over its stops (what a rule on a whole region reads).

The measures are the seventh sync pass's (docs/evaluation.md): how coherent the optical flow of
the stroke that ended at the stop is. A struck or dropped thing is rigid and moves one way; water,
spray, sawdust, fire or a crowd move as a texture, every which way. On the flow the analysis
computes (``media.momentum.Flow``, the stroke's last two intervals up to its arrival, as
``momentum.rising`` reads them), over the pixels moving 0.3 pixel a frame or more:

- ``coherence``: |sum of the velocities| / sum of the speeds (1: one direction, ~0: spread);
- ``weighted``: the same with each velocity weighted by its speed (the fast part counts);
- ``quarter``: the share of the flow's energy (speed squared) heading within the best quarter of
  directions (two adjacent 45-degree sectors);
- ``changed``: ``coherence`` over the arrival interval's pixels that changed (the frame
  difference's moving pixels, not the flow's spread around them);
- ``cell``: ``coherence`` in the grid cell where the motion fell most at the stop;
- ``blobs``: the arrival interval's moving blobs (changed pixels closed over 1 pixel, 4 pixels
  or more), many small independent ones for a texture;
- ``per_blob``: ``coherence`` within each blob of 20 pixels or more, speed-weighted mean.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/stops.py --split tune [--drafted] [--media DIR]

``--drafted``: only the stops the analysis drafts a hit on (in clips it judges contacts).
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import cv2
import numpy as np

from foleyline.probe import probe
from foleyline.server.evaluation import devset
from foleyline.server.evaluation.onsets import detect_onsets
from foleyline.server.media import analysis
from foleyline.server.media.contacts import GRID, NOISE_LEVEL, grid_cells
from foleyline.server.media.decode import decode_shot
from foleyline.server.media.frames import ANALYSIS_STREAM
from foleyline.server.media.momentum import Flow
from foleyline.server.media.sources import MIN_BLOB_PX, Motion

TOLERANCE = 0.1
MIN_SPEED = 0.3   # momentum._MIN_SPEED: slower flow has no direction worth trusting
BLOB_PX = 20      # contacts.MIN_MOVING_PIXELS: a blob whose direction is worth reading
MEASURES = ("coherence", "weighted", "quarter", "changed", "cell", "blobs", "per_blob")


def coherence(v: np.ndarray, weight: np.ndarray | None = None) -> float:
    """|sum w v| / sum w |v| of (N, 2) velocities, over those moving MIN_SPEED or more."""
    speed = np.hypot(v[:, 0], v[:, 1])
    keep = speed >= MIN_SPEED
    if keep.sum() < 5:
        return float("nan")
    w = np.ones(keep.sum()) if weight is None else weight[keep]
    return float(np.linalg.norm((v[keep] * w[:, None]).sum(axis=0)) / (speed[keep] * w).sum())


def quarter(v: np.ndarray) -> float:
    speed = np.hypot(v[:, 0], v[:, 1])
    keep = speed >= MIN_SPEED
    if keep.sum() < 5:
        return float("nan")
    sector = ((np.arctan2(v[keep, 1], v[keep, 0]) + np.pi) / (2 * np.pi) * 8).astype(int) % 8
    energy = np.bincount(sector, weights=speed[keep] ** 2, minlength=8)
    return float((energy + np.roll(energy, -1)).max() / energy.sum())


def stop_measures(motion: Motion) -> list[dict[str, float]]:
    """Each candidate stop's measures (module docstring), in the order of ``motion.contacts``."""
    gray, n = motion.gray, len(motion.gray)
    flow = Flow(gray, motion.times)
    ys, xs = grid_cells(None, flow.height, flow.width, GRID)
    boxes = [(yr[0], yr[-1] + 1, xr[0], xr[-1] + 1) for yr in ys for xr in xs]
    w = max(1, int(round(0.07 / flow.typical)))
    close = np.ones((3, 3), np.uint8)
    out = []
    for fall, arrived in zip(motion.contacts, motion.arrived):
        stroke = [flow(t) for t in (arrived - 1, arrived) if 1 <= t < n]
        v = np.concatenate([f.reshape(-1, 2) for f in stroke])
        last = flow(arrived).reshape(-1, 2)
        changed = (np.abs(np.asarray(gray[arrived], np.float32) - gray[arrived - 1]) > NOISE_LEVEL).astype(np.uint8)
        before = motion.cells[max(1, fall - w + 1) : fall + 1].mean(axis=0)
        after = motion.cells[fall + 1 : fall + 1 + w].mean(axis=0) if fall + 1 < n else np.zeros_like(before)
        y0, y1, x0, x1 = boxes[int(np.argmax(before - after))]
        count, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.morphologyEx(changed, cv2.MORPH_CLOSE, close),
                                                                     connectivity=8)
        areas = stats[1:, cv2.CC_STAT_AREA]
        pairs = []  # per blob: its coherence, and its moving flow's summed speed (the weight)
        for j in range(1, count):
            if stats[j, cv2.CC_STAT_AREA] >= BLOB_PX:
                blob = last[labels.ravel() == j]
                speed = np.hypot(blob[:, 0], blob[:, 1])
                if np.isfinite(coherence(blob)):
                    pairs.append((coherence(blob), float(speed[speed >= MIN_SPEED].sum())))
        out.append({
            "coherence": coherence(v),
            "weighted": coherence(v, np.hypot(v[:, 0], v[:, 1])),
            "quarter": quarter(v),
            "changed": coherence(last[changed.ravel().astype(bool)]),
            "cell": coherence(np.concatenate([f[y0:y1, x0:x1].reshape(-1, 2) for f in stroke])),
            "blobs": float((areas >= MIN_BLOB_PX).sum()),
            "per_blob": (sum(c * wt for c, wt in pairs) / sum(wt for _, wt in pairs)) if pairs else float("nan"),
        })
    return out


def clip_stops(path: Path) -> tuple[list[dict[str, float]], np.ndarray, np.ndarray, np.ndarray] | None:
    """The clip's candidate stops' measures, their onsets, the drafted onsets and the sound's
    onsets; None for a clip without a sound of its own."""
    info = probe(path)
    if not info.has_audio:
        return None
    decoded = decode_shot(path, 0.0, info.duration, [ANALYSIS_STREAM], with_audio=True)
    if decoded.audio is None or not np.abs(decoded.audio).max() > 0:
        return None
    seen: list[Motion] = []
    judge: Callable = analysis.describe_sources

    def reading(motion: Motion, following: Callable | None = None):
        seen.append(motion)  # the motion the analysis judges, its candidate stops included
        return judge(motion, following)

    with mock.patch.object(analysis, "describe_sources", reading):
        result = analysis.analyze_motion(decoded.streams[ANALYSIS_STREAM.name])
    motion = seen[0]
    sound = detect_onsets(decoded.audio, decoded.audio_rate).times
    return stop_measures(motion), motion.onsets, np.asarray(result.onsets), np.asarray(sound)


def auc(values: list[float], sounded: list[bool]) -> float:
    pos = np.array([v for v, s in zip(values, sounded) if s and np.isfinite(v)])
    neg = np.array([v for v, s in zip(values, sounded) if not s and np.isfinite(v)])
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    return float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="tune", choices=("tune", "validation"))
    parser.add_argument("--media", type=Path, default=Path("../shared/media"))
    parser.add_argument("--drafted", action="store_true", help="only the stops drafted as hits")
    args = parser.parse_args()
    per_clip = []
    for path, clip in devset.select(args.split, args.media):
        found = clip_stops(path)
        if found is None:
            continue
        measures, onsets, drafted, sound = found
        rows = []
        for m, t in zip(measures, onsets):
            if args.drafted and not (len(drafted) and np.abs(drafted - t).min() < 1e-6):
                continue
            rows.append((m, bool(len(sound) and np.abs(sound - t).min() <= TOLERANCE)))
        per_clip.append((clip, rows))
    stops = [r for _, rows in per_clip for r in rows]
    print(f"{args.split}: {len(stops)} stops, {sum(s for _, s in stops)} with a sound within {TOLERANCE} s")
    print(f"{'measure':10s} within  pooled  (clips with both)")
    for name in MEASURES:
        within = [auc([m[name] for m, _ in rows], [s for _, s in rows]) for _, rows in per_clip]
        within = [a for a in within if np.isfinite(a)]
        pooled = auc([m[name] for m, _ in stops], [s for _, s in stops])
        mean = statistics.fmean(within) if within else float("nan")
        print(f"{name:10s} {mean:.2f}    {pooled:.2f}   ({len(within)})")
    print("\nper clip, the median over its stops")
    print(f"{'category':10s} {'clip':44s} {'stops':>5s} " + " ".join(f"{n:>9s}" for n in MEASURES))
    for category in devset.CATEGORIES:
        for clip, rows in per_clip:
            if clip.category == category and rows:
                medians = [np.nanmedian([m[n] for m, _ in rows]) if any(np.isfinite(m[n]) for m, _ in rows)
                           else float("nan") for n in MEASURES]
                print(f"{category:10s} {clip.file[:44]:44s} {len(rows):5d} " + " ".join(f"{v:9.2f}" for v in medians))


if __name__ == "__main__":
    main()
