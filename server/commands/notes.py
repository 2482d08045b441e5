"""``foleyline notes``: draft notes for a video, check a notes file, edit one by instruction.

    foleyline notes draft VIDEO [--range IN OUT] [--writer auto|vlm|clip|analysis] [--engine NAME]
    foleyline notes check FILE [--duration SECONDS] [--engine procedural|thinksound]
    foleyline notes edit FILE "INSTRUCTION" [--duration SECONDS] [--write]

``draft`` prints the notes on stdout and, on stderr, which rung of the ladder drafted them (a
VLM, CLIP labels with the motion analysis, or the motion analysis alone), what the better rungs
lacked and how to get it. The notes are fitted to ``--engine``'s text limit (ThinkSound's 77
tokens per layer by default: the tightest, so they fit every engine).
``check`` prints ``FILE:LINE: what was expected`` and exits 1 when the notes are malformed. For
the procedural engine (the default) it also warns, per layer, when no sound model makes what the
prompt asks and says what the layer will sound like instead (the same words ``generate`` and the
panel show); warnings do not fail the check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from foleyline.errors import InvalidInput, NotFound, Unavailable
from foleyline.fsutil import write_text_atomic
from foleyline.notes import NotesSyntaxError, from_text, problems, summary, to_text
from foleyline.notes.instructions import apply_instruction
from foleyline.notes.tokens import estimate_tokens
from foleyline.probe import probe
from foleyline.server.engines.manifest import engine_manifests
from foleyline.server.engines.registry import EngineRegistry
from foleyline.server.engines.thinksound.conditioning import token_report
from foleyline.server.media.load import load_shot
from foleyline.server.notes import DraftResult, draft, required_streams
from foleyline.server.notes.drafting import WRITERS


EXAMPLES = (
    'foleyline notes draft shot.mov --range 1 5 > sh010.txt   # seconds into the file',
    'foleyline notes check sh010.txt --duration 4',
    'foleyline notes edit sh010.txt "make the footsteps softer" --write',
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    draft = sub.add_parser("draft", help="draft notes for a video and print them in the text form")
    draft.add_argument("video", type=Path)
    draft.add_argument("--range", nargs=2, metavar=("IN", "OUT"),
                       help="seconds (or M:SS.s) from the video's first frame; default the whole video")
    draft.add_argument("--writer", choices=WRITERS, default="auto",
                       help="auto (default): the best this machine has; vlm: the vision-language model (on a CPU too); "
                            "clip: CLIP labels with the motion analysis; analysis: the motion analysis alone")
    draft.add_argument("--engine", choices=sorted(engine_manifests()), default="thinksound",
                       help="the engine the notes are for: drafted layers are fitted to its text limit "
                            "(default thinksound, 77 tokens per layer, the tightest)")
    draft.add_argument("--shot-id", default="")
    check = sub.add_parser("check", help="validate a notes file; exit 1 with the line and reason")
    check.add_argument("file", type=Path)
    check.add_argument("--duration", type=float, help="the shot's length in seconds, to check event times")
    check.add_argument("--engine", choices=("procedural", "thinksound"), default="procedural",
                       help="the engine to check against: procedural (default) warns about prompts it has no sound "
                            "model for; thinksound counts each layer's text tokens against its limit (exit 1 when over)")
    edit = sub.add_parser("edit", help="apply an instruction to a notes file and print the diff")
    edit.add_argument("file", type=Path)
    edit.add_argument("instruction")
    edit.add_argument("--duration", type=float)
    edit.add_argument("--write", action="store_true", help="save the new notes over FILE")


def run(args: argparse.Namespace) -> int:
    if args.action == "draft":
        return _draft(args)
    if args.action == "check":
        return _check(args)
    return _edit(args)


def _seconds(text: str) -> float:
    try:
        if ":" in text:
            minutes, seconds = text.rsplit(":", 1)
            return int(minutes) * 60 + float(seconds)
        return float(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a time; give seconds like 12.5 or minutes like 1:02.5") from None


def _draft(args: argparse.Namespace) -> int:
    if not args.video.exists():
        raise NotFound(f"{args.video} does not exist; give the path of a video file")
    info = probe(args.video)
    start, end = (0.0, info.duration) if args.range is None else (_seconds(args.range[0]), _seconds(args.range[1]))
    if end <= start:
        raise InvalidInput(f"the range {start}-{end} s is empty; OUT must be after IN")
    loaded = load_shot(args.video, start, end - start, required_streams(args.writer),
                       shot_id=args.shot_id or args.video.stem, extras={"shot_duration": end - start})
    registry = EngineRegistry()
    result = draft(loaded.input, args.writer, counts_of=lambda notes: registry.token_counts(args.engine, notes))
    _report(result)
    sys.stdout.write(to_text(result.notes))
    return 0


def _report(result: DraftResult) -> None:
    """Who drafted the notes, what the better rungs lacked, and what went wrong (stderr)."""
    print(f"drafted by {result.drafter} (author: {result.notes.author})", file=sys.stderr)
    for line in result.runs:
        print(f"VLM pass: {line}", file=sys.stderr)
    for line in result.missing:
        print(f"not used: {line}", file=sys.stderr)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"{path} does not exist; give the path of a notes text file") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


def _check(args: argparse.Namespace) -> int:
    try:
        notes = from_text(_read(args.file))
    except NotesSyntaxError as exc:
        print(f"{args.file}:{exc.line}: expected {exc.expected}" + (f"; found {exc.got.strip()[:60]!r}" if exc.got.strip() else ""),
              file=sys.stderr)
        return 1
    found = problems(notes, args.duration)
    for problem in found:
        print(f"{args.file}: {problem}", file=sys.stderr)
    if found:
        return 1
    if args.engine == "thinksound" and not _tokens_fit(args.file, notes):
        return 1
    if args.engine == "procedural":
        for warning in _procedural_warnings(notes):
            print(f"{args.file}: warning: {warning}", file=sys.stderr)
    events = sum(len(layer.events) for layer in notes.layers)
    print(f"{args.file}: ok, {len(notes.layers)} layer(s), {events} event(s): {summary(notes)}")
    return 0


def _procedural_warnings(notes) -> list[str]:
    """What the procedural engine says about each layer (the engine a fresh install runs, with
    the configured sound library)."""
    from foleyline.server.engines.procedural import ProceduralEngine

    engine = ProceduralEngine()
    return [warning for layer in notes.layers for warning in engine.layer_warnings(layer)]


def _tokens_fit(path: Path, notes) -> bool:
    """Print every layer's ThinkSound token count (T5, its chain-of-thought text); False when one
    is over the limit. Without the T5 tokenizer installed the count is a generous estimate."""
    try:
        report, how = token_report(notes), "T5 tokens"
    except Unavailable:
        report, how = token_report(notes, estimate_tokens), "tokens (estimated: the T5 tokenizer is not installed)"
    for row in report:
        verdict = "OVER the limit: shorten it or split the layer" if row.over_limit else "fits"
        print(f"{path}: layer {row.layer_label!r}: {row.tokens}/{row.limit} {how}, {verdict}",
              file=sys.stderr if row.over_limit else sys.stdout)
    return not any(row.over_limit for row in report)


def _edit(args: argparse.Namespace) -> int:
    notes = from_text(_read(args.file))
    result = apply_instruction(notes, args.instruction, args.duration)
    sys.stdout.write(result.diff)
    print(f"{result.summary}; regenerate: {', '.join(result.affected_layers) or 'nothing'}", file=sys.stderr)
    if args.write:
        write_text_atomic(args.file, to_text(result.notes))
    return 0
