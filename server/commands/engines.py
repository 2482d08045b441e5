"""``foleyline engines``: the engines this installation offers (the engine manifest, see
``foleyline.server.engines.manifest``), their weights' licence, and why any is unavailable.

    foleyline engines [list] [--load NAME]

Listing never loads weights; ``--load NAME`` loads one engine to prove it works (or says what
is missing). The last block says which rung of the notes ladder drafts notes here (a VLM, CLIP
labels with the motion analysis, or the motion analysis alone), why not a better one, and
which drafting models are installed.
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
    parser.add_argument("action", nargs="?", default="list", choices=["list"], help="list (default)")
    parser.add_argument("--load", metavar="NAME", default=None, help="also load this engine (weights and all)")


def run(args: argparse.Namespace) -> int:
    registry = EngineRegistry()
    if args.load:
        registry.get(args.load)  # raises Unavailable with what is missing
    for status in registry.statuses():
        mark = "yes" if status.available else "no "
        line = f"{status.name:<12} available: {mark}"
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
            print(f"{'':<12} weights: {manifest.weights_licence or 'none (synthesized, nothing to license)'}")
        if not status.available:
            print(f"{'':<12} {status.reason}")
    headline, details = describe()
    print(f"{'notes':<12} drafted by {headline}")
    for line in details:
        print(f"{'':<12} {line}")
    return 0
