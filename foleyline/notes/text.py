"""The plain-text form of shot notes: what an editor types in any text box.

It round-trips exactly: ``from_text(to_text(notes)) == notes`` for every valid ``Notes``. A
malformed line raises ``NotesSyntaxError`` naming the line and what was expected there. This
module reads the form; ``text_writer`` writes it (both are exported here).

An example, every part optional except the layer headers::

    # Shot notes. Lines starting with '#' are comments.
    version: 3
    shot: sh010
    author: editor
    reasoning:
      1. A man crosses a gravel car park at dusk, left to right.
      2. His boots land at 0.5 s, 1.0 s and 1.5 s; a car door slams off screen at 3 s.

      Wind under everything, low so the steps read.

    [BG] wind
    prompt: gusty wind across an open car park
    negative: music, voices
    gain: -6 dB
    events:
      0-4 s

    [FOLEY] footsteps
    prompt: heavy boots on loose gravel
    region: 0.4 0.3 0.2 0.5 at 0.5 s
    energy: 1.2
    events:
      0.5 s: left foot
      1 s: right foot
      1.5 s: left foot, scuff

    [FX] door slam
    prompt: car door slam, distant
    mute: yes
    energy points: 0 s=0.2, 3 s=1

The pieces:

- ``version:``, ``shot:``, ``author:`` and ``reasoning:`` come before the first layer. The
  reasoning is either on the same line or an indented block below it (blank lines allowed).
- ``[KIND] label`` starts a layer; KIND is BG (ambience), FX (hard effects) or FOLEY (footsteps,
  props, cloth), in any case. Labels are unique within the notes.
- In a layer: ``prompt:``, ``negative:``, ``gain:`` (dB), ``mute:`` (yes/no), ``energy:`` (scale of
  the analysed motion energy, 1 = as analysed), ``energy points:`` (``time=value`` pairs, value
  0..1), ``region:`` (x y width height, normalised 0..1 from the top left, ``at`` the time of the
  frame it is drawn on) and ``events:`` followed by indented ``START[-END] s[: description]``
  lines. Times are seconds from the shot's first frame; ``s`` is optional.
- A text value that starts or ends with spaces, or holds a line break or a control character, is
  written as a JSON string in double quotes; the reader accepts that form anywhere a text value
  goes.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

from foleyline.errors import InvalidInput
from foleyline.notes.schema import EnergyPoint, Event, Layer, LayerKind, Notes, Region
from foleyline.notes.text_writer import INDENT, format_number, summary, to_text

__all__ = ["NotesSyntaxError", "from_text", "to_text", "summary", "format_number", "parse_number"]

_INT32_MAX = 2**31 - 1
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUMBER_RE = re.compile(rf"^{_NUMBER}$")
_SECONDS = rf"({_NUMBER})\s*(?:s|sec|secs|seconds?)?"
_EVENT_RE = re.compile(rf"^{_SECONDS}(?:\s*(?:-|–|to)\s*{_SECONDS})?\s*(?::\s?(.*))?$")
_REGION_RE = re.compile(
    rf"^(?:x\s*=\s*)?({_NUMBER})[\s,]+(?:y\s*=\s*)?({_NUMBER})[\s,]+(?:w(?:idth)?\s*=\s*)?({_NUMBER})"
    rf"[\s,]+(?:h(?:eight)?\s*=\s*)?({_NUMBER})\s+at\s+{_SECONDS}$",
    re.IGNORECASE,
)
_POINT_RE = re.compile(rf"^{_SECONDS}\s*=\s*({_NUMBER})$")
_HEADER_RE = re.compile(r"^\[\s*([A-Za-z]*)\s*\]\s*(.*)$")
_KEY_RE = re.compile(r"^([A-Za-z][A-Za-z ]*?)\s*:(.*)$")
_GAIN_RE = re.compile(rf"^({_NUMBER})\s*(?:db)?$", re.IGNORECASE)
_YES = {"yes", "y", "true", "on", "1"}
_NO = {"no", "n", "false", "off", "0"}


class NotesSyntaxError(InvalidInput):
    """A line of a notes text that cannot be read. ``line`` is 1-based."""

    def __init__(self, line: int, expected: str, got: str = "") -> None:
        self.line = line
        self.expected = expected
        self.got = got
        shown = f"; found {got.strip()[:60]!r}" if got.strip() else ""
        super().__init__(f"notes line {line}: expected {expected}{shown}")


# --------------------------------------------------------------------------------------------
# numbers and strings


def parse_number(text: str) -> float:
    text = text.strip()
    if not _NUMBER_RE.match(text):
        raise ValueError(text)
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _read_value(raw: str, line: int, what: str) -> str:
    raw = raw.strip()
    if not raw.startswith('"'):
        return raw
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        if raw.endswith('"') and len(raw) > 1:
            raise NotesSyntaxError(line, f"{what} as a complete double-quoted string (escape inner quotes as \\\")", raw) from None
        return raw  # an editor's opening quote ('"loud" bang'): the writer never produces this form
    if not isinstance(value, str):
        raise NotesSyntaxError(line, f"{what} as text", raw)
    return value


# --------------------------------------------------------------------------------------------
# reading


@dataclass
class _LayerDraft:
    line: int
    label: str
    kind: LayerKind
    fields: dict[str, object] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)


_LAYER_KEYS = {
    "prompt": "prompt",
    "negative": "negative_prompt",
    "negative prompt": "negative_prompt",
    "gain": "gain_db",
    "mute": "mute",
    "muted": "mute",
    "energy": "energy_scale",
    "energy scale": "energy_scale",
    "energy points": "energy_points",
    "region": "region",
    "roi": "region",
    "events": "events",
}
_TOP_KEYS = ("version", "shot", "author", "reasoning")


def from_text(text: str) -> Notes:
    """Read notes typed by an editor. Raises ``NotesSyntaxError`` naming the first bad line."""
    text = text.removeprefix("\ufeff")  # a byte-order mark some Windows editors save
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in text.split("\n")]
    top: dict[str, object] = {}
    layers: list[_LayerDraft] = []
    in_events = False
    i = 0
    while i < len(lines):
        number, raw = i + 1, lines[i]
        i += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        header = _HEADER_RE.match(stripped)
        if header:
            layers.append(_read_header(header, number, stripped, layers))
            in_events = False
            continue
        # Event lines start with their time; anything starting with a letter is a field.
        if in_events and (stripped[0].isdigit() or stripped[0] in ".+-"):
            layers[-1].events.append(_read_event(stripped, number))
            continue
        key_match = _KEY_RE.match(stripped)
        if not key_match:
            if layers and in_events:
                expected = "an event line like '1.5 s: door slam' or '2-4 s: rain', indented"
            elif layers and (stripped[0].isdigit() or stripped[0] == "."):
                expected = f"'events:' on a line before the event times of layer {layers[-1].label!r}"
            elif layers:
                expected = "'key: value' (prompt, negative, gain, mute, energy, energy points, region, events)"
            else:
                expected = ("'key: value' (version, shot, author, reasoning) or a layer header like '[FX] door slam'; "
                            "free text goes in an indented block under 'reasoning:'")
            raise NotesSyntaxError(number, expected, stripped)
        key = " ".join(key_match.group(1).lower().split())
        rest = key_match.group(2)
        was_in_events, in_events = in_events, False
        if not layers:
            if key not in _TOP_KEYS:
                raise NotesSyntaxError(
                    number, "one of version:, shot:, author:, reasoning: before the first layer "
                    "(a layer starts with a header like '[FOLEY] footsteps')", stripped)
            if key in top:
                raise NotesSyntaxError(number, f"{key}: only once", stripped)
            if key == "reasoning" and not rest.strip():
                top[key], i = _read_block(lines, i)
            else:
                top[key] = _read_top(key, rest, number)
            continue
        layer = layers[-1]
        name = _LAYER_KEYS.get(key)
        if name is None and was_in_events:
            raise NotesSyntaxError(
                number, "an event line like '1.5 s: door slam' (the time first) or a layer field", stripped)
        if name is None:
            raise NotesSyntaxError(
                number, f"a layer field (prompt, negative, gain, mute, energy, energy points, region, events) "
                f"in layer {layer.label!r}", stripped)
        if name in layer.fields or (name == "events" and "events" in layer.fields):
            raise NotesSyntaxError(number, f"{key}: only once in layer {layer.label!r}", stripped)
        if name == "events":
            layer.fields["events"] = True
            if rest.strip():
                raise NotesSyntaxError(number, "nothing after 'events:'; put each event on its own indented line below", stripped)
            in_events = True
            continue
        layer.fields[name] = _read_layer_field(name, rest, number)
    notes = Notes(
        reasoning=str(top.get("reasoning", "")),
        layers=tuple(_build_layer(d) for d in layers),
        version=int(top.get("version", 1)),  # type: ignore[arg-type]
        shot_id=str(top.get("shot", "")),
        author=str(top.get("author", "editor")),
    )
    return notes


def _read_header(match: re.Match[str], number: int, stripped: str, layers: list[_LayerDraft]) -> _LayerDraft:
    kind_text = match.group(1).upper()
    try:
        kind = LayerKind(kind_text)
    except ValueError:
        raise NotesSyntaxError(number, "a layer kind in brackets: [BG], [FX] or [FOLEY]", stripped) from None
    label = _read_value(match.group(2), number, "the layer label")
    if not label.strip():
        raise NotesSyntaxError(number, f"a label after [{kind.value}], e.g. '[{kind.value}] door slam'", stripped)
    for other in layers:
        if other.label == label:
            raise NotesSyntaxError(number, f"a label not used before (line {other.line} already has {label!r})", stripped)
    return _LayerDraft(number, label, kind)


def _read_block(lines: list[str], i: int) -> tuple[str, int]:
    """An indented block starting at index ``i``; returns its text and the index after it."""
    body: list[str] = []
    j = i
    while j < len(lines):
        ln = lines[j][:-1] if lines[j].endswith("\r") else lines[j]
        if ln.startswith(INDENT):
            body.append(ln[len(INDENT):])
        elif ln.startswith("\t"):
            body.append(ln[1:])
        elif not ln.strip():
            body.append("")
        else:
            break
        j += 1
    while body and not body[-1].strip():
        body.pop()
    # Trailing blank lines belong to the gap before the next section, not to the reasoning.
    consumed = j
    return "\n".join(ln if ln.strip() else "" for ln in body), consumed


def _read_top(key: str, rest: str, number: int) -> object:
    if key == "version":
        try:
            version = int(rest.strip())
        except ValueError:
            raise NotesSyntaxError(number, "a whole number after 'version:'", rest) from None
        if not 0 <= version <= _INT32_MAX:
            raise NotesSyntaxError(number, f"a version between 0 and {_INT32_MAX}", rest)
        return version
    return _read_value(rest, number, key)


def _number(text: str, number: int, expected: str) -> float:
    try:
        return parse_number(text)
    except ValueError:
        raise NotesSyntaxError(number, expected, text) from None


def _read_layer_field(name: str, rest: str, number: int) -> object:
    value = rest.strip()
    if name in ("prompt", "negative_prompt"):
        return _read_value(rest, number, name.replace("_", " "))
    if name == "gain_db":
        m = _GAIN_RE.match(value)
        if not m:
            raise NotesSyntaxError(number, "a gain in dB, e.g. 'gain: -6 dB'", value)
        return _number(m.group(1), number, "a gain in dB")
    if name == "mute":
        if value.lower() in _YES:
            return True
        if value.lower() in _NO:
            return False
        raise NotesSyntaxError(number, "'mute: yes' or 'mute: no'", value)
    if name == "energy_scale":
        scale = _number(value.lstrip("xX×").strip(), number, "an energy scale, e.g. 'energy: 1.2' (1 = as analysed)")
        if scale < 0:
            raise NotesSyntaxError(number, "an energy scale of 0 or more", value)
        return scale
    if name == "energy_points":
        points: list[EnergyPoint] = []
        for part in filter(None, (p.strip() for p in value.split(","))):
            m = _POINT_RE.match(part)
            if not m:
                raise NotesSyntaxError(number, "energy points as 'time=value' pairs, e.g. '0 s=0.2, 1.5 s=0.8'", part)
            t = _number(m.group(1), number, "a time in seconds")
            v = _number(m.group(2), number, "an energy value 0..1")
            if t < 0 or not 0 <= v <= 1:
                raise NotesSyntaxError(number, "energy points with time >= 0 and value between 0 and 1", part)
            points.append(EnergyPoint(t, v))
        return tuple(points)
    if name == "region":
        m = _REGION_RE.match(value)
        if not m:
            raise NotesSyntaxError(number, "a region as 'x y width height at TIME s', e.g. 'region: 0.4 0.3 0.2 0.5 at 1 s'", value)
        x, y, w, h, t = (parse_number(g) for g in m.groups())
        if not (0 <= x <= 1 and 0 <= y <= 1 and 0 < w <= 1 and 0 < h <= 1 and x + w <= 1 + 1e-9 and y + h <= 1 + 1e-9):
            raise NotesSyntaxError(number, "a region inside the frame: x, y from 0 to 1, width and height above 0, box within 0..1", value)
        if t < 0:
            raise NotesSyntaxError(number, "a region time of 0 s or later", value)
        return Region(t, x, y, w, h)
    raise AssertionError(name)  # pragma: no cover - every key of _LAYER_KEYS is handled above


def _read_event(stripped: str, number: int) -> Event:
    m = _EVENT_RE.match(stripped)
    if not m:
        raise NotesSyntaxError(number, "an event as 'START s: description' or 'START-END s: description', e.g. '1.5 s: door slam'", stripped)
    start = _number(m.group(1), number, "a start time in seconds")
    end = _number(m.group(2), number, "an end time in seconds") if m.group(2) is not None else start
    if start < 0:
        raise NotesSyntaxError(number, "an event time of 0 s or later (times are seconds from the shot's first frame)", stripped)
    if end < start:
        raise NotesSyntaxError(number, "an event whose end is not before its start", stripped)
    description = _read_value(m.group(3) or "", number, "the event description")
    return Event(start, end, description)


def _build_layer(draft: _LayerDraft) -> Layer:
    f = draft.fields
    return Layer(
        label=draft.label,
        kind=draft.kind,
        prompt=str(f.get("prompt", "")),
        negative_prompt=str(f.get("negative_prompt", "")),
        events=tuple(draft.events),
        region=f.get("region"),  # type: ignore[arg-type]
        gain_db=float(f.get("gain_db", 0.0)),  # type: ignore[arg-type]
        mute=bool(f.get("mute", False)),
        energy_scale=float(f.get("energy_scale", 1.0)),  # type: ignore[arg-type]
        energy_points=tuple(f.get("energy_points", ())),  # type: ignore[arg-type]
    )
