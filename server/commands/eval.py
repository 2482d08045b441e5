"""``foleyline eval``: how well generated Foley lands on the picture, measured against the clips'
own sound.

    foleyline eval clip1.mp4 clip2.mkv [--engine procedural] [--prompt TEXT | --notes FILE] [--json]
    foleyline eval --split tune|validation|all [--media DIR] [--seed 0 1 2]

For each clip with a sound track: the original sound is muted (the engine never hears it), the
notes are drafted from the picture as ``foleyline generate`` drafts them (unless --prompt or
--notes gives them), the engine generates, and the generated mix is compared with the original:
onset accuracy, precision, average precision and the onset-count ratio at +-0.1 s (and +-0.3 s),
the chance column and energy MAE (ReWaS's metrics, pure DSP), per clip and, for the development
set's clips (docs/evaluation.md), per category and half. Runs the engine in this process; no
server needed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from foleyline import config
from foleyline.errors import InvalidInput, MediaError, NotFound
from foleyline.notes import from_text
from foleyline.server.engines.registry import EngineRegistry
from foleyline.server.evaluation.devset import select
from foleyline.server.evaluation.report import table, to_json
from foleyline.server.evaluation.runner import ClipResult, default_notes, evaluate_takes

EXAMPLES = (
    'foleyline eval clip_with_sound.mp4',
    'foleyline eval clips/*.mp4 --engine procedural --json',
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("videos", nargs="*", type=Path, metavar="VIDEO", help="clips with their original sound")
    parser.add_argument("--split", choices=("tune", "validation", "all"), default=None,
                        help="evaluate a half of the development set (docs/evaluation.md), or all of it")
    parser.add_argument("--media", type=Path, default=None,
                        help="the development clips' folder for --split (default: the dev_media setting, ../shared/media)")
    parser.add_argument("--engine", default="procedural", help="engine to evaluate (default: procedural)")
    notes = parser.add_mutually_exclusive_group()
    notes.add_argument("--prompt", default=None, help="one FX layer with this prompt instead of drafted notes")
    notes.add_argument("--notes", type=Path, default=None, help="a notes text file to use for every clip")
    parser.add_argument("--seed", type=int, nargs="+", default=[0], help="seed(s) of the generated takes (default 0)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _notes_from_args(args: argparse.Namespace):
    """The notes for every clip, or None: drafted per clip from its picture."""
    if args.notes is not None:
        if not args.notes.is_file():
            raise NotFound(f"notes file not found: {args.notes}")
        return from_text(args.notes.read_text(encoding="utf-8"))
    return default_notes(args.prompt) if args.prompt else None


def _videos_from_args(args: argparse.Namespace) -> list[Path]:
    videos = list(args.videos)
    if args.split is not None:
        media = args.media or config.value("dev_media")
        videos += [path for path, _ in select(args.split, media)]
    if not videos:
        raise InvalidInput("name the clips to evaluate, or a half of the development set with --split")
    return videos


def evaluate(videos: list[Path], engine_name: str, notes, seeds: list[int]) -> list:
    """The work of the command, without its printing: one ``ClipResult`` per video and seed."""
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
            results += evaluate_takes(video, engine, notes=notes, seeds=seeds)
        except MediaError as exc:
            results += [ClipResult(video, seed=s, skipped=str(exc)) for s in seeds]
    return results


def run(args: argparse.Namespace) -> int:
    results = evaluate(_videos_from_args(args), args.engine, _notes_from_args(args), list(args.seed))
    print(to_json(results) if args.json else table(results))
    if all(r.skipped for r in results):
        print("foleyline eval: no clip could be evaluated (see the reasons above)", file=sys.stderr)
        return 1
    return 0
