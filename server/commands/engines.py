"""``foleyline engines``: the engines this installation offers, and why any is unavailable.

    foleyline engines [list] [--load NAME]

Listing never loads weights; ``--load NAME`` loads one engine to prove it works (or says what
is missing).
"""

from __future__ import annotations

import argparse

from foleyline.server.engines.registry import EngineRegistry


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", default="list", choices=["list"], help="list (default)")
    parser.add_argument("--load", metavar="NAME", default=None, help="also load this engine (weights and all)")


def run(args: argparse.Namespace) -> int:
    registry = EngineRegistry()
    if args.load:
        registry.get(args.load)  # raises Unavailable with what is missing
    for status in registry.statuses():
        mark = "yes" if status.available else "no "
        line = f"{status.name:<13} available: {mark}"
        caps = status.capabilities
        if caps is not None:
            window = f"{caps.max_window_seconds:g} s" if caps.max_window_seconds else "any length"
            line += f"  {caps.model} {caps.version}, {caps.sample_rate} Hz, {window}, {caps.device}"
            features = [name for name, on in (("text", caps.supports_text), ("notes", caps.supports_cot),
                                              ("roi", caps.supports_roi), ("edit", caps.supports_edit)) if on]
            if features:
                line += f", uses {'/'.join(features)}"
        print(line)
        if caps is not None and caps.memory:
            print(f"{'':<12} needs {caps.memory}")
        if caps is not None and caps.licence:
            print(f"{'':<12} licence: {caps.licence}")
        if not status.available:
            print(f"{'':<12} {status.reason}")
    return 0
