"""``foleyline eval``: how well generated Foley lands on the picture, measured against the clips'
own sound.

    foleyline eval clip1.mp4 clip2.mkv [--engine procedural] [--prompt TEXT | --notes FILE] [--json]

For each clip with a sound track: the original sound is muted (the engine never hears it), the
engine generates from the picture and the notes, and the generated mix is compared with the
original: onset accuracy and average precision at +-0.1 s and +-0.3 s, and energy MAE (ReWaS's
metrics, pure DSP). Runs the engine in this process; no server needed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from foleyline.errors import InvalidInput, MediaError, NotFound
from foleyline.notes import from_text
from foleyline.server.engines.registry import EngineRegistry
from foleyline.server.evaluation.runner import DEFAULT_PROMPT, ClipResult, default_notes, evaluate_clip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("videos", nargs="+", type=Path, metavar="VIDEO", help="clips with their original sound")
    parser.add_argument("--engine", default="procedural", help="engine to evaluate (default: procedural)")
    notes = parser.add_mutually_exclusive_group()
    notes.add_argument("--prompt", default=None, help="prompt of the single FX layer (default: generic hits)")
    notes.add_argument("--notes", type=Path, default=None, help="a notes text file to use for every clip")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated take (default 0)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _notes_from_args(args: argparse.Namespace):
    if args.notes is not None:
        if not args.notes.is_file():
            raise NotFound(f"notes file not found: {args.notes}")
        return from_text(args.notes.read_text(encoding="utf-8"))
    return default_notes(args.prompt or DEFAULT_PROMPT)


def evaluate(videos: list[Path], engine_name: str, notes, seed: int) -> list:
    """The work of the command, without its printing: one ``ClipResult`` per video."""
    missing = [str(v) for v in videos if not v.is_file()]
    if missing:
        raise NotFound(f"video not found: {', '.join(missing)}")
    registry = EngineRegistry()
    if engine_name not in registry.names():
        raise InvalidInput(f"unknown engine {engine_name!r}; the engines are {', '.join(registry.names())}")
    engine = registry.get(engine_name)
    results = []
    for video in videos:
        try:
            results.append(evaluate_clip(video, engine, notes=notes, seed=seed))
        except MediaError as exc:
            results.append(ClipResult(video, skipped=str(exc)))
    return results


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def table(results: list) -> str:
    header = ("clip", "ref", "gen", "acc@0.1", "AP@0.1", "chance@0.1", "acc@0.3", "AP@0.3", "E-MAE", "gen s")
    rows = []
    scored = [r for r in results if r.skipped is None]
    for r in scored:
        s1, s3 = r.score(0.1), r.score(0.3)
        rows.append((r.path.name, str(s1.reference), str(s1.generated), _fmt(s1.accuracy), _fmt(s1.ap),
                     _fmt(s1.chance), _fmt(s3.accuracy), _fmt(s3.ap), _fmt(r.energy_mae), f"{r.generate_seconds:.2f}"))
    if scored:
        def mean(values):
            return sum(values) / len(values)

        rows.append(("mean", "", "",
                     _fmt(mean([r.score(0.1).accuracy for r in scored])), _fmt(mean([r.score(0.1).ap for r in scored])), "",
                     _fmt(mean([r.score(0.3).accuracy for r in scored])), _fmt(mean([r.score(0.3).ap for r in scored])),
                     _fmt(mean([r.energy_mae for r in scored])), ""))
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines += [f"skipped {r.path.name}: {r.skipped}" for r in results if r.skipped]
    lines.append("ref/gen: onsets in the clip's own sound / in the generated sound; acc, AP at +-0.1 and "
                 "+-0.3 s; chance: the accuracy if the clip's onsets fell at random (an acc near it: the clip's "
                 "sound is not tied to the picture's motion); E-MAE: energy-curve error (0 best); gen s: seconds to generate")
    return "\n".join(lines)


def to_json(results: list) -> str:
    out = []
    for r in results:
        item = {"clip": str(r.path), "skipped": r.skipped}
        if r.skipped is None:
            item.update(
                duration=round(r.duration, 3),
                scores={f"{s.tolerance:g}": {"accuracy": s.accuracy, "ap": s.ap, "chance": s.chance,
                                            "matched": s.matched, "reference": s.reference,
                                            "generated": s.generated} for s in r.scores},
                energy_mae=r.energy_mae,
                reference_onsets=r.reference_onsets,
                generated_onsets=r.generated_onsets,
                visual_onsets=r.visual_onsets,
                generate_seconds=round(r.generate_seconds, 4),
            )
        out.append(item)
    return json.dumps(out, indent=2)


def run(args: argparse.Namespace) -> int:
    results = evaluate(list(args.videos), args.engine, _notes_from_args(args), args.seed)
    print(to_json(results) if args.json else table(results))
    if all(r.skipped for r in results):
        print("foleyline eval: no clip could be evaluated (see the reasons above)", file=sys.stderr)
        return 1
    return 0
