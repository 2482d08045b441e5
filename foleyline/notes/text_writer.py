"""Writing shot notes in their plain-text form (the form itself, and reading it back, are in
``text.py``), and the one-line summary a timeline marker carries."""

from __future__ import annotations

import json
import math

from foleyline.errors import InvalidInput
from foleyline.notes.schema import Layer, LayerKind, Notes

__all__ = ["INDENT", "format_number", "summary", "to_text"]

INDENT = "  "


def format_number(value: float) -> str:
    """The shortest text that reads back as exactly ``value`` ("3" rather than "3.0")."""
    value = float(value)
    if not math.isfinite(value):
        raise InvalidInput(f"notes hold a number that is not finite ({value}); use a real number")
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _plain(text: str) -> bool:
    """Whether a one-line value can be written as it is (else it goes out as a JSON string)."""
    if text != text.strip() or text.startswith('"'):
        return False
    return not any(ord(c) < 32 or ord(c) == 127 for c in text)


def _value(text: str) -> str:
    return text if _plain(text) else json.dumps(text, ensure_ascii=False)


def _block_ok(text: str) -> bool:
    """Whether a multi-line reasoning can be written as an indented block and read back as is."""
    lines = text.split("\n")
    if not lines[-1] or not lines[0].strip():
        return False
    for ln in lines:
        if ln != ln.rstrip() or any((ord(c) < 32 and c != "\t") or ord(c) == 127 for c in ln):
            return False
    return True


def to_text(notes: Notes) -> str:
    """The notes in the plain-text form (see the module docstring)."""
    out = [f"version: {notes.version}"]
    if notes.shot_id:
        out.append(f"shot: {_value(notes.shot_id)}")
    out.append(f"author: {_value(notes.author)}")
    reasoning = notes.reasoning
    if reasoning:
        if "\n" not in reasoning and _plain(reasoning):
            out.append(f"reasoning: {reasoning}")
        elif _block_ok(reasoning):
            out.append("reasoning:")
            out.extend(INDENT + ln if ln else "" for ln in reasoning.split("\n"))
        else:
            out.append(f"reasoning: {_value(reasoning)}")
    for layer in notes.layers:
        out.append("")
        out.extend(_layer_lines(layer))
    return "\n".join(out) + "\n"


def _layer_lines(layer: Layer) -> list[str]:
    lines = [f"[{layer.kind.value}] {_value(layer.label)}"]
    if layer.prompt:
        lines.append(f"prompt: {_value(layer.prompt)}")
    if layer.negative_prompt:
        lines.append(f"negative: {_value(layer.negative_prompt)}")
    if repr(float(layer.gain_db)) != "0.0":  # -0.0 is written too, so it reads back bit for bit
        lines.append(f"gain: {format_number(layer.gain_db)} dB")
    if layer.mute:
        lines.append("mute: yes")
    if layer.energy_scale != 1.0:
        lines.append(f"energy: {format_number(layer.energy_scale)}")
    if layer.energy_points:
        pts = ", ".join(f"{format_number(p.time)} s={format_number(p.value)}" for p in layer.energy_points)
        lines.append(f"energy points: {pts}")
    if layer.region is not None:
        r = layer.region
        box = " ".join(format_number(v) for v in (r.x, r.y, r.width, r.height))
        lines.append(f"region: {box} at {format_number(r.time)} s")
    if layer.events:
        lines.append("events:")
        for ev in layer.events:
            span = format_number(ev.start)
            if ev.end != ev.start:
                span += f"-{format_number(ev.end)}"
            desc = f": {_value(ev.description)}" if ev.description else ""
            lines.append(f"{INDENT}{span} s{desc}")
    return lines


def summary(notes: Notes, max_chars: int = 120) -> str:
    """One line for a timeline marker: the layers and their event counts, e.g.
    ``"FOLEY footsteps (3), BG wind, FX door slam (1, muted)"``."""
    parts = []
    for layer in notes.layers:
        extra = []
        if layer.events and not (len(layer.events) == 1 and layer.kind is LayerKind.BG):
            extra.append(str(len(layer.events)))
        if layer.mute:
            extra.append("muted")
        parts.append(f"{layer.kind.value} {layer.label}" + (f" ({', '.join(extra)})" if extra else ""))
    text = ", ".join(parts) if parts else "no layers"
    text = " ".join(text.split())  # labels may hold line breaks; a marker is one line
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"
