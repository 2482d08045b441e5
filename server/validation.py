"""Every field of a request, checked at the API edge before anything is queued or stored.

A field out of bounds is refused with ``InvalidInput`` (INVALID_ARGUMENT) naming it by its path
in the request, ``shots[2].source_range.duration.value: must be a finite number, got nan``, and
never echoing more than a bounded part of what was sent. What passes can be stored and always
sent back: ids fit a listing, seeds fit the takes' 64-bit field with room for every take.

The bounds (also in docs/server.md):

* text: ids, names, labels, engine, project at most ``MAX_ID_CHARS``; prompts ``MAX_PROMPT_CHARS``;
  a notes' reasoning and an instruction ``MAX_TEXT_CHARS``; no control characters (NUL
  included), except line breaks and tabs in free text;
* a media path absolute (the server reads it on its own machine: a relative path or ``~``
  would name whatever lies under the server's working folder or its user's home), at most
  ``MAX_PATH_BYTES`` (UTF-8); a content hash 64 hex digits;
* times finite, within ``MAX_SECONDS`` of zero; a time's rate in (0, ``MAX_TIME_RATE``]; a
  shot's frame rate in (0, ``MAX_FRAME_RATE``]; durations not negative;
* seeds: 0 (random) or 1 .. 2^32-1, and the last take's seed (seed + takes - 1) too: the
  engines seed 32-bit generators (numpy's legacy seeding, CUDA's Philox) and a take's seed
  is reported as it was used;
* gains within +-``MAX_GAIN_DB`` dB; at most ``MAX_LAYERS`` layers, ``MAX_EVENTS`` events and
  ``MAX_ENERGY_POINTS`` energy points per layer; at most ``MAX_SHOTS`` shots a request.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from foleyline.errors import InvalidInput
from foleyline.timebase import MAX_FRAME_RATE
from foleyline.notes.convert import notes_from_proto
from foleyline.notes.validate import problems
from foleyline.protos.v1 import foley_pb2 as pb

MAX_ID_CHARS = 256
MAX_PROMPT_CHARS = 4000
MAX_TEXT_CHARS = 64_000
MAX_EVENT_CHARS = 1000
MAX_PATH_BYTES = 4096
MAX_LAYERS = 64
MAX_EVENTS = 1000
MAX_ENERGY_POINTS = 10_000
MAX_SHOTS = 5000
MAX_DRAFT_SHOTS = 500
MAX_SECONDS = 7 * 86400.0
MAX_TIME_RATE = 1_000_000.0
MAX_GAIN_DB = 60.0
MAX_ENERGY_SCALE = 100.0
SEED_MAX = 2**32 - 1
MAX_TAKES = 16
MAX_STEPS = 1000
MAX_CFG_STRENGTH = 100.0
MAX_HANDLE_FRAMES = 1000
MAX_PAGE_SIZE = 1000
MAX_PAGE_TOKEN_CHARS = 512
MAX_CHUNK_BYTES = 4 << 20
MAX_FILENAME_CHARS = 255
WRITERS = ("", "auto", "analysis", "vlm")

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def _fail(path: str, problem: str) -> None:
    raise InvalidInput(f"{path}: {problem}")


def text(value: str, path: str, limit: int = MAX_ID_CHARS, *, free: bool = False, required: str = "") -> None:
    """A string field: at most ``limit`` characters, no control characters (``free`` text may
    break lines). ``required``: what to do when it is empty."""
    if not value:
        if required:
            _fail(path, f"is empty; {required}")
        return
    if len(value) > limit:
        _fail(path, f"is {len(value)} characters long; at most {limit}")
    bad = (_CONTROL_IN_TEXT if free else _CONTROL).search(value)
    if bad:
        _fail(path, f"holds the control character U+{ord(bad.group()):04X} at position {bad.start()}; remove it")


def number(value: float, path: str, low: float, high: float, unit: str = "") -> None:
    if not math.isfinite(value):
        _fail(path, f"must be a finite number, got {value}")
    if not low <= value <= high:
        _fail(path, f"must be from {low:g} to {high:g}{unit}, got {value:.6g}")


def integer(value: int, path: str, low: int, high: int) -> None:
    if not low <= value <= high:
        _fail(path, f"must be from {low} to {high}, got {value}")


def count(items, path: str, limit: int) -> None:
    if len(items) > limit:
        _fail(path, f"has {len(items)} entries; at most {limit}")


def sha256(value: str, path: str, *, required: bool = True) -> None:
    if not value and not required:
        return
    if not _SHA256.fullmatch(value):
        shown = value if len(value) <= 80 else f"{value[:40]}... ({len(value)} characters)"
        _fail(path, f"{shown!r} is not a sha256 (64 hex digits)")


# ---- time ---------------------------------------------------------------------------------


def rational_time(message: pb.RationalTime, path: str, *, negative: bool = True) -> None:
    if not (math.isfinite(message.rate) and 0 < message.rate <= MAX_TIME_RATE):
        _fail(f"{path}.rate", f"must be a rate above 0 and at most {MAX_TIME_RATE:g}, got {message.rate:.6g}")
    bound = MAX_SECONDS * message.rate
    number(message.value, f"{path}.value", -bound if negative else 0.0, bound,
           f" ({MAX_SECONDS / 86400:g} days at rate {message.rate:g})")


def time_range(message: pb.TimeRange, path: str) -> None:
    rational_time(message.start_time, f"{path}.start_time")
    rational_time(message.duration, f"{path}.duration", negative=False)


# ---- notes --------------------------------------------------------------------------------


def _layer(message: pb.Layer, path: str) -> None:
    text(message.label, f"{path}.label")
    if message.kind not in (pb.LAYER_KIND_BG, pb.LAYER_KIND_FX, pb.LAYER_KIND_FOLEY):
        _fail(f"{path}.kind", "set it to LAYER_KIND_BG, LAYER_KIND_FX or LAYER_KIND_FOLEY")
    text(message.prompt, f"{path}.prompt", MAX_PROMPT_CHARS, free=True)
    text(message.negative_prompt, f"{path}.negative_prompt", MAX_PROMPT_CHARS, free=True)
    count(message.events, f"{path}.events", MAX_EVENTS)
    for i, event in enumerate(message.events):
        number(event.start, f"{path}.events[{i}].start", 0.0, MAX_SECONDS, " s")
        number(event.end, f"{path}.events[{i}].end", 0.0, MAX_SECONDS, " s")
        text(event.description, f"{path}.events[{i}].description", MAX_EVENT_CHARS, free=True)
    if message.has_region:
        region = message.region
        number(region.time, f"{path}.region.time", 0.0, MAX_SECONDS, " s")
        for name in ("x", "y", "width", "height"):
            number(getattr(region, name), f"{path}.region.{name}", 0.0, 1.0)
    number(message.gain_db, f"{path}.gain_db", -MAX_GAIN_DB, MAX_GAIN_DB, " dB")
    if message.HasField("energy_scale"):
        number(message.energy_scale, f"{path}.energy_scale", 0.0, MAX_ENERGY_SCALE)
    count(message.energy_points, f"{path}.energy_points", MAX_ENERGY_POINTS)
    for i, point in enumerate(message.energy_points):
        number(point.time, f"{path}.energy_points[{i}].time", 0.0, MAX_SECONDS, " s")
        number(point.value, f"{path}.energy_points[{i}].value", 0.0, 1.0)


def notes(message: pb.Notes, path: str) -> None:
    text(message.shot_id, f"{path}.shot_id")
    text(message.author, f"{path}.author")
    text(message.reasoning, f"{path}.reasoning", MAX_TEXT_CHARS, free=True)
    integer(message.version, f"{path}.version", 0, 2**31 - 1)
    count(message.layers, f"{path}.layers", MAX_LAYERS)
    for i, layer in enumerate(message.layers):
        _layer(layer, f"{path}.layers[{i}]")
    found = problems(notes_from_proto(message))
    if found:
        _fail(path, "; ".join(found))


# ---- requests -----------------------------------------------------------------------------


def shot(message: pb.Shot, path: str) -> None:
    text(message.id, f"{path}.id", required="give every shot a stable id")
    text(message.name, f"{path}.name")
    source = message.media.WhichOneof("source")
    if source == "path":
        size = len(message.media.path.encode("utf-8"))
        if size > MAX_PATH_BYTES:
            _fail(f"{path}.media.path", f"is {size} bytes long; a path has at most {MAX_PATH_BYTES}")
        text(message.media.path, f"{path}.media.path", MAX_PATH_BYTES)
        _absolute(message.media.path, f"{path}.media.path")
    elif source == "content_hash":
        sha256(message.media.content_hash, f"{path}.media.content_hash")
    for name in ("source_range", "record_range"):
        if not message.HasField(name):
            _fail(f"{path}.{name}", "is missing; send the shot's source and record ranges")
        time_range(getattr(message, name), f"{path}.{name}")
    if message.HasField("available_range"):
        time_range(message.available_range, f"{path}.available_range")
    if not (math.isfinite(message.rate) and 0 < message.rate <= MAX_FRAME_RATE):
        _fail(f"{path}.rate", f"must be the timeline's frame rate, above 0 and at most {MAX_FRAME_RATE:g}, got {message.rate:.6g}")
    if message.has_notes or message.notes.layers:
        notes(message.notes, f"{path}.notes")
    count(message.only_layers, f"{path}.only_layers", MAX_LAYERS)
    for i, label in enumerate(message.only_layers):
        text(label, f"{path}.only_layers[{i}]")
    text(message.base_take_id, f"{path}.base_take_id")


def _absolute(value: str, path: str) -> None:
    # An empty path is "no media", which the shot's own failure says. Absolute by the server's
    # own system: a Windows client's "C:\\..." means nothing to a Linux server.
    if value and not Path(value).is_absolute():
        shown = value if len(value) <= 80 else f"{value[:40]}... ({len(value)} characters)"
        _fail(path, f"{shown!r} is not an absolute path on the server's machine; give the full path under one of "
                    "its allowed roots (GetServerInfo lists them), or upload the file")


def settings(message: pb.GenerateSettings, path: str = "settings") -> None:
    text(message.engine, f"{path}.engine")
    text(message.project, f"{path}.project")
    integer(message.num_takes, f"{path}.num_takes", 0, MAX_TAKES)
    takes = max(1, message.num_takes)
    if message.seed:
        integer(message.seed, f"{path}.seed", 1, SEED_MAX - (takes - 1))
    integer(message.steps, f"{path}.steps", 0, MAX_STEPS)
    number(message.cfg_strength, f"{path}.cfg_strength", 0.0, MAX_CFG_STRENGTH)
    if message.HasField("handle_frames"):
        # Negative: the default, as the field says.
        integer(message.handle_frames, f"{path}.handle_frames", -(2**31), MAX_HANDLE_FRAMES)


def generate(request: pb.GenerateRequest) -> None:
    if not request.shots:
        raise InvalidInput("the request has no shots; select at least one shot of the timeline")
    count(request.shots, "shots", MAX_SHOTS)
    for i, message in enumerate(request.shots):
        shot(message, f"shots[{i}]")
    ids = [message.id for message in request.shots]
    if len(set(ids)) != len(ids):
        raise InvalidInput("the request names the same shot id more than once; send each shot once")
    if request.HasField("settings"):
        settings(request.settings)
    text(request.request_id, "request_id")


def draft_notes(request: pb.DraftNotesRequest) -> None:
    """The request's own fields; each shot is checked as it comes (a bad one is an event)."""
    if not request.shots:
        raise InvalidInput("the request has no shots; select at least one shot")
    count(request.shots, "shots", MAX_DRAFT_SHOTS)
    if request.writer not in WRITERS:
        text(request.writer, "writer")
        _fail("writer", f"{request.writer!r} is not a notes writer; use auto, analysis or vlm")
    text(request.engine, "engine")


def edit_notes(request: pb.EditNotesRequest) -> None:
    notes(request.notes, "notes")
    text(request.instruction, "instruction", MAX_PROMPT_CHARS, free=True, required="say what to change")
    number(request.shot_duration, "shot_duration", 0.0, MAX_SECONDS, " s")


def job_id(value: str, path: str = "job_id") -> None:
    text(value, path, required="name the job; list the jobs to find its id")


def page(page_size: int, page_token: str) -> None:
    integer(page_size, "page_size", 0, MAX_PAGE_SIZE)
    text(page_token, "page_token", MAX_PAGE_TOKEN_CHARS)


def list_takes(request: pb.ListTakesRequest) -> None:
    text(request.shot_id, "shot_id")
    text(request.job_id, "job_id")
    page(request.page_size, request.page_token)


def take_id(value: str) -> None:
    text(value, "take_id", required="name the take; list the takes of the shot to find its id")


def fetch_audio(request: pb.FetchAudioRequest) -> None:
    sha256(request.sha256, "sha256")
    integer(request.chunk_size, "chunk_size", 0, MAX_CHUNK_BYTES)


def upload_header(chunk: pb.MediaChunk) -> None:
    text(chunk.filename, "filename", MAX_FILENAME_CHARS)
    sha256(chunk.sha256, "sha256", required=False)
