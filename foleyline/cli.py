"""The ``foleyline`` command. Each subcommand is a module with ``add_arguments(parser)`` and
``run(args) -> int``; only the chosen one is imported, so ``foleyline --help`` stays fast.

Errors the user can act on (``FoleylineError``) print as one line and exit 2, and so does a
command that needs an extra that is not installed (``foleyline.extras``); set FOLEYLINE_DEBUG=1
for the traceback. A command module may define ``EXAMPLES`` (lines of shell), printed at the
end of its help.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from pathlib import Path

from foleyline import __version__, config
from foleyline.errors import FoleylineError, InvalidInput
from foleyline.extras import missing_extra

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
    "config": ("foleyline.server.commands.config", "show the settings in effect and where each came from"),
    "resolve": ("foleyline.plugin.commands.resolve", "install the DaVinci Resolve menu script"),
    "completion": ("foleyline.plugin.commands.completion", "print a bash or zsh completion script"),
    "timelines": ("foleyline.plugin.commands.timelines", "list the timelines a file holds"),
    "takes": ("foleyline.plugin.commands.takes", "list the takes per shot, accept one"),
    "jobs": ("foleyline.plugin.commands.jobs", "list, resume or cancel the server's jobs"),
    "provenance": ("foleyline.plugin.commands.provenance", "read and validate the C2PA manifests of take WAVs"),
    "store": ("foleyline.server.commands.store", "free what the store no longer needs (gc)"),
}


def add_sfx_library_option(parser: argparse.ArgumentParser) -> None:
    """``--sfx-library DIR``, for every command that starts a server."""
    parser.add_argument("--sfx-library", type=Path, default=None, metavar="DIR",
                        help="a folder of your own sound effects (WAV/BWF, AIFF, CAF, FLAC, Ogg, MP3, M4A, WMA), indexed once and "
                             "used before synthesis where a file matches a layer (setting sfx_library)")


def sfx_library_option(args: argparse.Namespace) -> Path | None:
    """The folder ``--sfx-library`` names, checked; None when not given."""
    folder = getattr(args, "sfx_library", None)
    if folder is None:
        return None
    folder = folder.expanduser()
    if not folder.is_dir():
        raise InvalidInput(f"--sfx-library {folder}: no such folder; give the folder holding your sound files")
    return folder


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="foleyline", description="Foley beside the editor's timeline.")
    parser.add_argument("--version", action="version", version=f"foleyline {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def command_parser(name: str, module) -> argparse.ArgumentParser:
    """The parser of one subcommand, its help ending with the module's EXAMPLES."""
    examples = getattr(module, "EXAMPLES", ())
    parser = argparse.ArgumentParser(
        prog=f"foleyline {name}", description=COMMANDS[name][1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=("examples:\n" + "\n".join(f"  {line}" for line in examples)) if examples else None,
    )
    module.add_arguments(parser)
    # An option is its whole name: abbreviated, "serve --port 8000" was --port-file, and wrote
    # the port to a file named 8000 while the server listened where it always had.
    parsers = [parser]
    while parsers:
        one = parsers.pop()
        one.allow_abbrev = False
        parsers += [p for action in one._actions if isinstance(action, argparse._SubParsersAction)
                    for p in action.choices.values()]
    return parser


def _debug() -> bool:
    """FOLEYLINE_DEBUG, or debug in foleyline.toml (a broken file must not hide its own error)."""
    try:
        return bool(config.value("debug"))
    except FoleylineError:
        return bool(os.environ.get("FOLEYLINE_DEBUG"))


def _fail(name: str, message: str, code: int = 2) -> int:
    print(f"foleyline {name}: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or argv[0] not in COMMANDS:
        parser.parse_args(argv or ["--help"])
        return 2
    name = argv[0]
    debug = _debug()
    try:
        module = importlib.import_module(COMMANDS[name][0])
    except ImportError as exc:
        hint = missing_extra(exc)
        if hint is None or debug:
            raise
        return _fail(name, hint)
    args = command_parser(name, module).parse_args(argv[1:])
    try:
        return int(module.run(args) or 0)
    except FoleylineError as exc:
        if debug:
            raise
        return _fail(name, str(exc))
    except ImportError as exc:  # a deferred import of an extra that is not installed
        hint = missing_extra(exc)
        if hint is None or debug:
            raise
        return _fail(name, hint)
    except KeyboardInterrupt:
        return _fail(name, "interrupted", 130)


# Where the environment names no thread count for them, the BLAS libraries numpy and OpenCV
# bring (OpenBLAS, one each) start a thread per core as they load, and each new thread spins a
# while waiting for work: importing numpy and OpenCV cost 0.18 s of CPU against 0.11 with one
# thread each (two cores, median of 15; docs/evaluation.md, "A one-shot generate's
# critical path"). A command's pools start with one; a server it starts gives its workers
# their share (``server.threads`` grows the pools), as does an engine loaded without a server.
_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


def _one_blas_thread_at_start() -> None:
    if not any(os.environ.get(name, "").strip() for name in _THREAD_VARIABLES):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"


def console() -> int:
    """The ``foleyline`` script and ``python -m foleyline``: :func:`main` in a process that ends
    with the command, its BLAS pools started with one thread (see ``_THREAD_VARIABLES``).

    What a command loaded stays until the process ends: some 70,000 objects (modules, classes,
    tables), most of them in reference cycles only the collector frees. At exit it would find
    and free them one by one, where the OS frees the whole process at once: they are frozen
    instead (``gc.freeze``), out of the collector's sight, about 80 ms of ``foleyline
    generate``'s exit. ``main`` leaves the collector alone, for the processes that go on after
    it (tests, the panel).
    """
    _one_blas_thread_at_start()
    code = main(sys.argv[1:])
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(console())
