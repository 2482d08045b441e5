"""``foleyline engines``: the engines this installation offers (the engine manifest, see
``foleyline.server.engines.manifest``), their weights' licence, and why any is unavailable.

    foleyline engines [list] [--load NAME]
    foleyline engines vocabulary [--all]

Listing never loads weights; ``--load NAME`` loads one engine to prove it works (or says what
is missing). ``vocabulary`` shows which Universal Category System (UCS) categories the
procedural engine has a sound model for, which it stands in for with a near model, and which it
cannot make (``--all``: every CatID). The list's last block says which rung of the notes ladder
drafts notes here (a VLM, CLIP labels with the motion analysis, or the motion analysis alone),
why not a better one, and which drafting models are installed.
"""

from __future__ import annotations

import argparse

from foleyline.server.engines.registry import EngineRegistry
from foleyline.server.notes.drafters import describe


EXAMPLES = (
    "foleyline engines                 # each engine, its weights' licence, what is missing",
    'foleyline engines --load mmaudio  # load it now, to check the weights',
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", default="list", choices=["list", "vocabulary"],
                        help="list (default), or vocabulary: the procedural engine's UCS coverage")
    parser.add_argument("--all", action="store_true", help="vocabulary: every UCS CatID, not only a line per category")
    parser.add_argument("--load", metavar="NAME", default=None, help="also load this engine (weights and all)")


def run(args: argparse.Namespace) -> int:
    if args.action == "vocabulary":
        return _vocabulary(args.all)
    registry = EngineRegistry()
    if args.load:
        registry.get(args.load)  # raises Unavailable with what is missing
    for status in registry.statuses():
        mark = "yes" if status.available else "no "
        line = f"{status.name:<13} available: {mark}"
        caps, manifest = status.capabilities, status.manifest
        if caps is not None:
            window = f"{caps.max_window_seconds:g} s" if caps.max_window_seconds else "any length"
            line += f"  {caps.model} {caps.version}, {caps.sample_rate} Hz, {window}, {caps.device}"
            features = [name for name, on in (("text", caps.supports_text), ("notes", caps.supports_cot),
                                              ("roi", caps.supports_roi), ("edit", caps.supports_edit)) if on]
            if features:
                line += f", uses {'/'.join(features)}"
        elif manifest is not None and manifest.sample_rates:
            window = f"{manifest.max_seconds:g} s" if manifest.max_seconds else "any length"
            line += f"  {'/'.join(f'{rate} Hz' for rate in manifest.sample_rates)}, {window}"
        print(line)
        if manifest is not None:
            print(f"{'':<13} weights: {manifest.weights_licence or 'none (synthesized, nothing to license)'}")
            if manifest.memory:
                print(f"{'':<13} needs: {manifest.memory}")
        if not status.available:
            print(f"{'':<13} {status.reason}")
    headline, details = describe()
    print(f"{'notes':<13} drafted by {headline}")
    for line in details:
        print(f"{'':<13} {line}")
    return 0


def _vocabulary(every: bool) -> int:
    from foleyline.server.engines.procedural import places, vocabulary

    table = vocabulary.coverage()
    laid = places.by_category()
    if every:
        for row in table:
            what = f"model {row.model.name}" if row.status == "model" else (
                f"falls back to {row.model.name}" if row.status == "fallback" else "no model")
            # A place's ambience is laid from several beds, whatever one model the CatID names.
            what += "".join(f"; as a place: {beds}" for beds in laid.get(row.entry.cat_id, []))
            print(f"{row.entry.cat_id:<12} {row.entry.label:<40} {what}")
    else:
        print(f"{'category':<18} {'model':>5} {'near':>5} {'none':>5}  models")
        for category, rows in vocabulary.by_category(table).items():
            counts = {status: sum(r.status == status for r in rows) for status in ("model", "fallback", "none")}
            models = sorted(m.name for m in vocabulary.models_rendering({r.entry.cat_id for r in rows}))
            print(f"{category:<18} {counts['model']:>5} {counts['fallback']:>5} {counts['none']:>5}  {', '.join(models)}")
    print(f"{len(places.table())} place names lay their beds for {len(laid)} UCS categories (an ambience naming a place)")
    totals = {status: sum(r.status == status for r in table) for status in ("model", "fallback", "none")}
    print(f"{len(table)} UCS categories: {totals['model']} with a model, {totals['fallback']} standing in with a near "
          f"model, {totals['none']} without")
    return 0
