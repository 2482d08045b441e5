"""Notes drafted by a local vision-language model (the Qwen2.5-VL / Qwen3-VL family) reading
the shot's frames.

The model sees a handful of frames, each labelled with its time, and a prompt asking for the
sound sources, the events with their times, their attributes and their order, answered as JSON.
The answer is parsed into ``Notes`` and validated (kinds, times inside the shot, unique labels).
An invalid answer is sent back once with the problems listed; if the second answer is invalid
too, the caller falls back to the next rung of the ladder. The same model edits notes by
instruction.

On a GPU the model runs in bfloat16 (``devices.choose_placement``), and one shot is one pass:
all its sampled frames go through the vision tower as one batch, inside one prompt. Each pass
records its time and the GPU memory it peaked at (``Vlm.last_run``), which drafting reports.
Weights come from a local folder only (``drafters.py`` finds it); nothing here downloads.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from foleyline.errors import InvalidInput, Unavailable
from foleyline.notes.schema import Event, Layer, LayerKind, Notes
from foleyline.notes.text import to_text
from foleyline.notes.validate import problems as notes_problems
from foleyline.notes.versions import recorded_version
from foleyline.server.media.frames import FrameStream
from foleyline.server.notes.devices import placement

__all__ = [
    "VlmSettings", "Vlm", "VlmAnswerError", "VlmAttempt", "VlmOutcome", "VlmRun",
    "load_vlm", "draft_prompt", "edit_prompt", "parse_answer", "draft_with_vlm",
    "edit_with_vlm", "sample_frames",
]

log = logging.getLogger(__name__)

_SLACK_S = 0.05
_KIND_WORDS = {
    "bg": LayerKind.BG, "ambience": LayerKind.BG, "ambiance": LayerKind.BG, "background": LayerKind.BG,
    "fx": LayerKind.FX, "sfx": LayerKind.FX, "effect": LayerKind.FX, "hard effect": LayerKind.FX,
    "foley": LayerKind.FOLEY,
}


@dataclass(frozen=True)
class VlmSettings:
    frames: int = 6                # frames shown to the model
    max_new_tokens: int = 768
    max_pixels: int = 384 * 384    # per frame, after the processor's resize
    min_pixels: int = 56 * 56
    device: str | None = None      # "cuda", "cpu", or None: the GPU when there is one


class VlmAnswerError(InvalidInput):
    """The model's answer could not be read as notes; ``problems`` lists why."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("the model's answer is not valid notes: " + "; ".join(self.problems))


@dataclass(frozen=True)
class VlmAttempt:
    answer: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class VlmRun:
    """One pass of the model: where it ran, how long, and the GPU memory it peaked at."""

    device: str
    frames: int
    seconds: float
    peak_gb: float = 0.0           # 0 on a CPU

    def describe(self) -> str:
        memory = f", {self.peak_gb:.1f} GB of GPU memory at peak" if self.peak_gb else ""
        return f"{self.frames} frame(s) in one pass on {self.device}, {self.seconds:.1f} s{memory}"


@dataclass
class VlmOutcome:
    """What the model produced: notes (None when both attempts failed) and every attempt."""

    notes: Notes | None
    attempts: list[VlmAttempt] = field(default_factory=list)
    runs: list[VlmRun] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# loading


def _model_type(folder: Path) -> str:
    try:
        data = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "?"
    return str(data.get("model_type", "?")) if isinstance(data, dict) else "?"


class Vlm:
    """A loaded model with its tokenizer and image processor. ``generate`` is thread-safe."""

    def __init__(self, folder: Path, settings: VlmSettings = VlmSettings()) -> None:
        # Deferred: torch and transformers are heavy and needed only once a VLM is installed.
        import torch
        from transformers import AutoImageProcessor, AutoModelForImageTextToText, AutoTokenizer

        self.folder = Path(folder)
        self.settings = settings
        self.model_type = _model_type(self.folder)
        self.name = self.folder.name
        try:
            self.placement = placement(settings.device)
        except ValueError as exc:
            raise Unavailable(f"the VLM cannot run as asked: {exc}") from exc
        self.device = self.placement.device
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.folder, local_files_only=True)
            self.image_processor = AutoImageProcessor.from_pretrained(self.folder, local_files_only=True)
            self.model = AutoModelForImageTextToText.from_pretrained(
                self.folder, local_files_only=True, dtype=getattr(torch, self.placement.dtype)).to(self.device).eval()
        except (OSError, ValueError, KeyError) as exc:
            raise Unavailable(
                f"the vision-language model in {self.folder} could not be loaded ({exc}); "
                "check the folder holds config.json, the weights, tokenizer and preprocessor files"
            ) from exc
        self.weights_gb = sum(p.numel() * p.element_size() for p in self.model.parameters()) / 2**30
        self.last_run: VlmRun | None = None
        self._lock = threading.Lock()

    def _merge(self) -> int:
        return int(getattr(self.image_processor, "merge_size", 2))

    def generate(self, prompt: str, frames: Sequence[tuple[float, np.ndarray]] = (), *,
                 system: str = "You are a Foley supervisor spotting a film shot.") -> str:
        """The model's answer to ``prompt`` about ``frames`` ((time s, RGB uint8 HxWx3) pairs):
        one pass, every frame in one batch of the vision tower."""
        import torch  # deferred, as in __init__

        parts = [f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n"]
        image_inputs: dict[str, object] = {}
        if frames:
            enc = self.image_processor(
                images=[np.ascontiguousarray(f) for _, f in frames], return_tensors="pt",
                size={"shortest_edge": self.settings.min_pixels, "longest_edge": self.settings.max_pixels})
            # One <|image_pad|> per merged patch: the count the vision tower will produce.
            for (t, _), grid in zip(frames, enc["image_grid_thw"]):
                pads = int(grid.prod()) // self._merge() ** 2
                parts.append(f"Frame at {t:.2f} s: <|vision_start|>{'<|image_pad|>' * pads}<|vision_end|>\n")
            image_inputs = {"pixel_values": enc["pixel_values"].to(self.device, self.model.dtype),
                            "image_grid_thw": enc["image_grid_thw"].to(self.device)}
        parts.append(f"{prompt}<|im_end|>\n<|im_start|>assistant\n")
        ids = self.tokenizer("".join(parts), return_tensors="pt").to(self.device)
        eos = self.tokenizer.convert_tokens_to_ids("<|im_end|>")
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else eos
        on_gpu = self.device == "cuda"
        with self._lock, torch.inference_mode():
            if on_gpu:
                torch.cuda.reset_peak_memory_stats()
            began = time.perf_counter()
            out = self.model.generate(
                **ids, **image_inputs, max_new_tokens=self.settings.max_new_tokens, do_sample=False,
                eos_token_id=eos, pad_token_id=pad)
            peak = torch.cuda.max_memory_allocated() / 2**30 if on_gpu else 0.0
            self.last_run = VlmRun(self.placement.describe(), len(frames), time.perf_counter() - began, peak)
        return self.tokenizer.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)


_CACHE: dict[tuple[str, VlmSettings], Vlm] = {}
_CACHE_LOCK = threading.Lock()


def load_vlm(folder: Path, settings: VlmSettings = VlmSettings()) -> Vlm:
    """The model in ``folder``, loaded once per process (per settings)."""
    key = (str(Path(folder).resolve()), settings)
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = Vlm(Path(folder), settings)
        return _CACHE[key]


# --------------------------------------------------------------------------------------------
# prompts

_SCHEMA = """Answer with one JSON object and nothing else:
{"reasoning": "step by step: what is seen, what should be heard, in what order, why",
 "layers": [{"label": "short unique name of the source, e.g. dog, pistol, rain",
             "kind": "BG" or "FX" or "FOLEY",
             "prompt": "at most 10 words: the source and its sound, e.g. small dog barking",
             "negative": "sounds to avoid, comma separated",
             "events": [{"start": seconds, "end": seconds, "description": "at most 3 words"}]}]}
BG is ambience under the whole shot, FX hard effects (impacts, whooshes, vehicles), FOLEY
footsteps, props and cloth. Times are seconds from the shot's first frame, between 0 and %(d)s.
An impact sounds when the motion stops (the contact), not when it starts. Name what you see
(a dog, a car, rain, a crowd, footsteps on gravel). Keep prompts and descriptions short: the
sound engine reads only a few dozen words per layer; put every detail in the reasoning."""


def draft_prompt(duration: float) -> str:
    return ("These frames are from one shot of %(d)s seconds. List every sound source a Foley editor "
            "should add, the events with their times, their attributes and their order.\n" + _SCHEMA) % {
        "d": f"{duration:.2f}"}


def edit_prompt(notes: Notes, instruction: str, duration: float) -> str:
    return (f"Here are the notes of a shot of {duration:.2f} seconds, as JSON:\n{notes_to_json(notes)}\n"
            f"Apply this instruction from the editor: {instruction!r}. Change only what it asks; keep "
            "every other layer exactly as it is.\n" + _SCHEMA % {"d": f"{duration:.2f}"})


def _retry_prompt(first_prompt: str, problems: Sequence[str]) -> str:
    listed = "\n".join(f"- {p}" for p in problems[:8])
    return f"{first_prompt}\nYour previous answer could not be used:\n{listed}\nAnswer again with only the JSON object."


def notes_to_json(notes: Notes) -> str:
    return json.dumps({
        "reasoning": notes.reasoning,
        "layers": [{
            "label": layer.label, "kind": layer.kind.value, "prompt": layer.prompt,
            "negative": layer.negative_prompt, "gain_db": layer.gain_db, "mute": layer.mute,
            "events": [{"start": e.start, "end": e.end, "description": e.description} for e in layer.events],
        } for layer in notes.layers],
    }, ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# reading the answer


def _json_object(answer: str) -> object:
    text = re.sub(r"```(?:json)?", "", answer)
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise VlmAnswerError(["the answer holds no JSON object"])
    try:
        return json.loads(text[start : end + 1])
    except json.JSONDecodeError as exc:
        raise VlmAnswerError([f"the JSON does not parse ({exc.msg} at character {exc.pos})"]) from None


def _number(value: object, what: str, found: list[str]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        found.append(f"{what} is not a number")
        return None
    try:
        number = float(str(value).strip().rstrip("s").strip())
    except ValueError:
        found.append(f"{what} is not a number ({value!r})")
        return None
    if not math.isfinite(number):
        found.append(f"{what} is not finite")
        return None
    return number


def parse_answer(answer: str, *, duration: float, shot_id: str = "", author: str = "vlm",
                 base: Notes | None = None) -> Notes:
    """Notes from a model's JSON answer, or ``VlmAnswerError`` listing every problem.

    ``base``: for edits, the notes being edited; a layer the model returns under an existing
    label keeps that layer's region and energy settings, which the JSON does not carry.
    """
    data = _json_object(answer)
    found: list[str] = []
    if not isinstance(data, dict):
        raise VlmAnswerError(["the answer is not a JSON object"])
    reasoning = data.get("reasoning", "")
    if isinstance(reasoning, list):
        reasoning = "\n".join(f"{i}. {s}" for i, s in enumerate(map(str, reasoning), 1))
    if not isinstance(reasoning, str):
        found.append("reasoning is not text")
        reasoning = ""
    raw_layers = data.get("layers")
    if not isinstance(raw_layers, list) or not raw_layers:
        raise VlmAnswerError([*found, "layers is missing or empty: give at least one layer"])
    old = {layer.label: layer for layer in base.layers} if base else {}
    layers: list[Layer] = []
    for n, raw in enumerate(raw_layers, 1):
        if not isinstance(raw, dict):
            found.append(f"layer {n} is not an object")
            continue
        label = str(raw.get("label", "")).strip()
        if not label:
            found.append(f"layer {n} has no label")
            continue
        kind = _KIND_WORDS.get(str(raw.get("kind", "")).strip().lower())
        if kind is None:
            found.append(f"layer {label!r} has kind {raw.get('kind')!r}; use BG, FX or FOLEY")
            continue
        events: list[Event] = []
        raw_events = raw.get("events", [])
        if not isinstance(raw_events, list):
            found.append(f"layer {label!r}: events is not a list")
            raw_events = []
        for k, ev in enumerate(raw_events, 1):
            if not isinstance(ev, dict):
                found.append(f"layer {label!r}: event {k} is not an object")
                continue
            start = _number(ev.get("start", ev.get("time")), f"layer {label!r} event {k} start", found)
            end = _number(ev.get("end", ev.get("start", ev.get("time"))), f"layer {label!r} event {k} end", found)
            if start is None or end is None:
                continue
            if not 0 <= start <= duration + _SLACK_S:
                found.append(f"layer {label!r} event {k} starts at {start} s, outside the shot (0-{duration:.2f} s)")
                continue
            if end < start:
                found.append(f"layer {label!r} event {k} ends before it starts")
                continue
            # A sound running past the cut is clamped, not rejected: the intent is clear.
            events.append(Event(start, min(end, max(duration, start)), str(ev.get("description", "")).strip()))
        gain = _number(raw.get("gain_db", 0.0), f"layer {label!r} gain", found) or 0.0
        previous = old.get(label)
        layers.append(Layer(
            label=label,
            kind=kind,
            prompt=str(raw.get("prompt", "")).strip(),
            negative_prompt=str(raw.get("negative", raw.get("negative_prompt", ""))).strip(),
            events=tuple(sorted(events, key=lambda e: (e.start, e.end))),
            region=previous.region if previous else None,
            gain_db=gain,
            mute=bool(raw.get("mute", False)),
            energy_scale=previous.energy_scale if previous else 1.0,
            energy_points=previous.energy_points if previous else (),
        ))
    notes = Notes(reasoning=reasoning.strip(), layers=tuple(layers), version=1, shot_id=shot_id, author=author)
    found.extend(notes_problems(notes, duration))
    if found:
        raise VlmAnswerError(found)
    to_text(notes)  # every value must have a text form (finite numbers) before it leaves here
    return notes


# --------------------------------------------------------------------------------------------
# the writer and the editor


def sample_frames(frames: np.ndarray | FrameStream, times: np.ndarray, *, start: float, end: float, count: int
                  ) -> list[tuple[float, np.ndarray]]:
    """``count`` frames spread evenly over [start, end] (stream times), with their times. From
    a ``FrameStream``, only those frames are read (a long shot's are decoded when read)."""
    rgb = not frames.spec.gray if isinstance(frames, FrameStream) else frames.ndim == 4 and frames.shape[-1] == 3
    if not rgb:
        shape = frames.spec.size if isinstance(frames, FrameStream) else frames.shape
        raise InvalidInput(f"the VLM needs RGB frames (T, H, W, 3); got grey frames of {shape}")
    if len(frames) == 0:
        return []
    wanted = np.linspace(start, end, count + 2)[1:-1] if count > 0 else np.zeros(0)
    picked = sorted({int(np.argmin(np.abs(times - t))) for t in wanted})
    rows = frames.take(np.asarray(picked, np.intp)) if isinstance(frames, FrameStream) else frames[picked]
    return [(float(times[i]), row) for i, row in zip(picked, rows)]


def _ask(vlm: Vlm, prompt: str, frames: Sequence[tuple[float, np.ndarray]], *, duration: float,
         shot_id: str, base: Notes | None) -> VlmOutcome:
    outcome = VlmOutcome(None)
    current = prompt
    for _ in range(2):  # the answer, and one retry with its problems listed
        answer = vlm.generate(current, frames)
        if getattr(vlm, "last_run", None) is not None:
            outcome.runs.append(vlm.last_run)
        try:
            notes = parse_answer(answer, duration=duration, shot_id=shot_id,
                                 author=f"vlm:{vlm.name}", base=base)
        except VlmAnswerError as exc:
            outcome.attempts.append(VlmAttempt(answer, tuple(exc.problems)))
            log.info("VLM answer rejected: %s", exc)
            current = _retry_prompt(prompt, exc.problems)
            continue
        outcome.attempts.append(VlmAttempt(answer, ()))
        outcome.notes = notes
        return outcome
    return outcome


def draft_with_vlm(vlm: Vlm, frames: Sequence[tuple[float, np.ndarray]], *, duration: float,
                   shot_id: str = "") -> VlmOutcome:
    """Ask the model for notes on ``frames`` (times already in shot seconds)."""
    return _ask(vlm, draft_prompt(duration), frames, duration=duration, shot_id=shot_id, base=None)


def edit_with_vlm(vlm: Vlm, notes: Notes, instruction: str, duration: float) -> VlmOutcome:
    """Ask the model to apply ``instruction`` to ``notes`` (text only, no frames)."""
    outcome = _ask(vlm, edit_prompt(notes, instruction, duration), (), duration=duration,
                   shot_id=notes.shot_id, base=notes)
    if outcome.notes is not None:
        edited = Notes(reasoning=outcome.notes.reasoning or notes.reasoning, layers=outcome.notes.layers,
                       shot_id=notes.shot_id, author=notes.author)
        outcome.notes = recorded_version(edited, [notes])
    return outcome
