"""What ``foleyline eval`` prints: per clip (the mean over the seeds asked for), per category and
half of the development set, as a table or as JSON.

A group's accuracy, precision, AP and chance are the means of its clips'; its ratio is its
generated onsets over its reference onsets, all clips together (so a clip with two onsets and
ten clicks weighs as much as it sounds)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .devset import CATEGORIES, CATEGORY_TITLES, load
from .runner import ClipResult

MAIN_TOLERANCE = 0.1


@dataclass(frozen=True)
class Row:
    """Scores of one clip over its seeds, or of a group of clips."""

    name: str
    category: str
    split: str
    clips: int
    reference: float      # onsets in the original (mean per clip over seeds; summed for a group)
    generated: float
    accuracy: float
    precision: float
    ap: float
    chance: float
    accuracy_wide: float  # at 0.3 s
    ap_wide: float
    energy_mae: float

    @property
    def ratio(self) -> float | None:
        return self.generated / self.reference if self.reference else None


def _split_of(name: str) -> str:
    return next((c.split for c in load() if c.file == name), "")


def clip_rows(results: Sequence[ClipResult]) -> list[Row]:
    """One row per clip, the mean of its seeds; skipped clips are left out."""
    by_clip: dict[str, list[ClipResult]] = {}
    for r in results:
        if r.skipped is None:
            by_clip.setdefault(str(r.path), []).append(r)
    rows = []
    for takes in by_clip.values():
        first = takes[0]

        def mean(get) -> float:
            return float(np.mean([get(r) for r in takes]))

        narrow = [r.score(MAIN_TOLERANCE) for r in takes]
        wide = [r.score(0.3) or r.score(MAIN_TOLERANCE) for r in takes]
        rows.append(Row(
            name=first.path.name, category=first.category or "", split=_split_of(first.path.name), clips=1,
            reference=float(np.mean([s.reference for s in narrow])),
            generated=float(np.mean([s.generated for s in narrow])),
            accuracy=float(np.mean([s.accuracy for s in narrow])),
            precision=float(np.mean([s.precision for s in narrow])),
            ap=float(np.mean([s.ap for s in narrow])),
            chance=float(np.mean([s.chance or 0.0 for s in narrow])),
            accuracy_wide=float(np.mean([s.accuracy for s in wide])),
            ap_wide=float(np.mean([s.ap for s in wide])),
            energy_mae=mean(lambda r: r.energy_mae or 0.0),
        ))
    return rows


def group(rows: Sequence[Row], name: str, category: str = "", split: str = "") -> Row:
    def mean(values: list[float]) -> float:
        return float(np.mean(values)) if values else 0.0

    return Row(
        name=name, category=category, split=split, clips=len(rows),
        reference=float(sum(r.reference for r in rows)), generated=float(sum(r.generated for r in rows)),
        accuracy=mean([r.accuracy for r in rows]), precision=mean([r.precision for r in rows]),
        ap=mean([r.ap for r in rows]), chance=mean([r.chance for r in rows]),
        accuracy_wide=mean([r.accuracy_wide for r in rows]), ap_wide=mean([r.ap_wide for r in rows]),
        energy_mae=mean([r.energy_mae for r in rows]),
    )


def category_rows(rows: Sequence[Row]) -> list[Row]:
    """Per half (when the clips belong to the development set) and category, then per half."""
    out = []
    halves = sorted({r.split for r in rows}, key=lambda s: ("tune", "validation", "").index(s))
    for half in halves:
        inside = [r for r in rows if r.split == half]
        for category in (*CATEGORIES, ""):
            members = [r for r in inside if r.category == category]
            if members and (category or len(members) != len(inside)):
                out.append(group(members, CATEGORY_TITLES.get(category, "other"), category, half))
        out.append(group(inside, "all", "", half))
    return out


def _fmt(value: float | None, places: int = 2) -> str:
    return "-" if value is None else f"{value:.{places}f}"


def _lay_out(header: Sequence[str], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return lines


def table(results: Sequence[ClipResult]) -> str:
    rows = clip_rows(results)
    seeds = sorted({r.seed for r in results})
    header = ("clip", "category", "half", "ref", "gen", "acc@0.1", "prec@0.1", "AP@0.1", "ratio", "chance@0.1",
              "acc@0.3", "AP@0.3", "E-MAE")

    def cells(r: Row, name: str) -> tuple[str, ...]:
        return (name, r.category, r.split, _fmt(r.reference, 0 if r.clips > 1 else 1),
                _fmt(r.generated, 0 if r.clips > 1 else 1), _fmt(r.accuracy), _fmt(r.precision), _fmt(r.ap),
                _fmt(r.ratio), _fmt(r.chance), _fmt(r.accuracy_wide), _fmt(r.ap_wide), _fmt(r.energy_mae))

    body = [cells(r, r.name) for r in rows]
    if rows:
        body.append(cells(group(rows, "mean"), "mean"))
    lines = _lay_out(header, body)
    groups = category_rows(rows)
    if len(groups) > 1:
        lines += ["", *_lay_out(("half", "category", "clips", "acc@0.1", "prec@0.1", "AP@0.1", "ratio", "chance@0.1"),
                                [(g.split or "-", g.name, str(g.clips), _fmt(g.accuracy), _fmt(g.precision),
                                  _fmt(g.ap), _fmt(g.ratio), _fmt(g.chance)) for g in groups])]
    lines += [f"skipped {r.path.name}: {r.skipped}" for r in results if r.skipped and r.seed == seeds[0]]
    lines.append(f"seeds {', '.join(map(str, seeds))} (scores are their mean); ref/gen: onsets in the clip's own "
                 "sound / in the generated sound; acc, prec, AP at +-0.1 and +-0.3 s; ratio: gen / ref; chance: "
                 "the accuracy if the clip's onsets fell at random (an acc near it: the clip's sound is not tied "
                 "to what the picture shows); E-MAE: energy-curve error (0 best)")
    return "\n".join(lines)


def _row_json(r: Row) -> dict:
    return {"clips": r.clips, "reference": r.reference, "generated": r.generated, "accuracy": r.accuracy,
            "precision": r.precision, "ap": r.ap, "ratio": r.ratio, "chance": r.chance}


def to_json(results: Sequence[ClipResult]) -> str:
    """Every take (clip and seed) with its onsets, then the per-clip means and the groups."""
    takes = []
    for r in results:
        item: dict = {"clip": str(r.path), "seed": r.seed, "category": r.category, "skipped": r.skipped}
        if r.skipped is None:
            item.update(
                duration=round(r.duration, 3),
                scores={f"{s.tolerance:g}": {"accuracy": s.accuracy, "precision": s.precision, "ap": s.ap,
                                            "ratio": s.ratio, "chance": s.chance, "matched": s.matched,
                                            "reference": s.reference, "generated": s.generated} for s in r.scores},
                energy_mae=r.energy_mae,
                reference_onsets=r.reference_onsets,
                generated_onsets=r.generated_onsets,
                visual_onsets=r.visual_onsets,
                generate_seconds=round(r.generate_seconds, 4),
                layers=[{"label": layer.label, "kind": layer.kind.value, "prompt": layer.prompt}
                        for layer in (r.notes.layers if r.notes else ())],
            )
        takes.append(item)
    rows = clip_rows(results)
    summary = {
        "tolerance": MAIN_TOLERANCE,
        "clips": {r.name: {"category": r.category, "split": r.split, **_row_json(r)} for r in rows},
        "groups": [{"split": g.split, "category": g.category or "all", **_row_json(g)} for g in category_rows(rows)],
    }
    return json.dumps({"takes": takes, "summary": summary}, indent=2)
