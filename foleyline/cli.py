"""The ``foleyline`` command. Each subcommand is a module with ``add_arguments(parser)`` and
``run(args) -> int``; only the chosen one is imported, so ``foleyline --help`` stays fast.

Errors the user can act on (``FoleylineError``) print as one line and exit 2; set
FOLEYLINE_DEBUG=1 for the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from foleyline import __version__
from foleyline.errors import FoleylineError

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("foleyline.server.commands.serve", "run the gRPC server"),
    "generate": ("foleyline.plugin.commands.generate", "generate Foley for shots of a timeline"),
    "demo": ("foleyline.plugin.commands.demo", "make a demo timeline, generate its Foley, write a preview"),
    "panel": ("foleyline.desktop.commands.panel", "open the desktop panel"),
    "notes": ("foleyline.server.commands.notes", "draft or check shot notes"),
    "models": ("foleyline.server.commands.models", "list, pull, verify model weights; parity checks"),
    "eval": ("foleyline.server.commands.eval", "measure sync of generated Foley against clips' own sound"),
    "conform": ("foleyline.plugin.commands.conform", "check that timelines read and round-trip"),
    "engines": ("foleyline.server.commands.engines", "list the engines and why any is unavailable"),
    "timelines": ("foleyline.plugin.commands.timelines", "list the timelines a file holds"),
    "takes": ("foleyline.plugin.commands.takes", "list the takes per shot, accept one"),
    "jobs": ("foleyline.plugin.commands.jobs", "list, resume or cancel the server's jobs"),
    "store": ("foleyline.server.commands.store", "free what the store no longer needs (gc)"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="foleyline", description="Foley beside the editor's timeline.")
    parser.add_argument("--version", action="version", version=f"foleyline {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or argv[0] not in COMMANDS:
        parser.parse_args(argv or ["--help"])
        return 2
    name = argv[0]
    module = importlib.import_module(COMMANDS[name][0])
    command_parser = argparse.ArgumentParser(prog=f"foleyline {name}", description=COMMANDS[name][1])
    module.add_arguments(command_parser)
    args = command_parser.parse_args(argv[1:])
    try:
        return int(module.run(args) or 0)
    except FoleylineError as exc:
        if os.environ.get("FOLEYLINE_DEBUG"):
            raise
        print(f"foleyline {name}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"foleyline {name}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
