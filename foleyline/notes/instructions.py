"""An editor's instruction ("add thunder at 3 s", "quieter wind") turned into a change of notes.

This is the rule-based reader used when no vision-language model is installed. It knows the
common verbs of a spotting session:

===============================  =================================================================
instruction                      change
===============================  =================================================================
add thunder at 3 s               an event on the matching layer, or a new layer (kind guessed)
add rain from 2 to 5 s           an event spanning the range
remove the voices                the matching layer goes; with no such layer, a negative prompt
remove the hit at 2 s            the matching layer's events near that time go
no music / without music         "music" in every layer's negative prompt (and its layer goes)
louder / quieter wind [by 6 dB]  the layer's gain moves (3 dB unless said)
heavier footsteps                the prompt gains "heavy", the energy scale rises
make the wind softer             same, with the thing before the adjective
mute / unmute the birds          the layer's mute flag
move the thunder to 4 s          the layer's events shift so the first one lands there
move the hits 0.1 s later        the layer's events shift by that much
the footsteps are too loud       the opposite comparative ("quieter footsteps")
replace the wind with rain       the layer's prompt is replaced
===============================  =================================================================

Anything else raises ``InvalidInput`` listing these forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from foleyline.errors import InvalidInput
from foleyline.notes.diff import affected_layers, unified_diff
from foleyline.notes.phrases import clean_phrase, find_layer, guess_kind, phrase_words, related
from foleyline.notes.schema import Event, Layer, LayerKind, Notes
from foleyline.notes.text import format_number
from foleyline.notes.versions import recorded_version

__all__ = ["EditResult", "apply_instruction", "guess_kind", "find_layer", "EXAMPLES"]

EXAMPLES = (
    "add thunder at 3 s",
    "remove the voices",
    "heavier footsteps",
    "quieter wind",
    "no music",
)

# Event times may exceed the duration by this much: durations are frame-rounded.
_SLACK_S = 0.05
_DEFAULT_STEP_DB = 3.0

_T = r"(\d+:\d{1,2}(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_UNIT = r"\s*(?:s|sec|secs|seconds?)?\b"
_RANGE_RE = re.compile(rf"\b(?:from|between)\s+{_T}{_UNIT}\s*(?:to|and|-|–)\s*{_T}{_UNIT}")
_DASH_RANGE_RE = re.compile(rf"\b(?:at\s+)?{_T}\s*(?:-|–)\s*{_T}{_UNIT}")
_AT_RE = re.compile(rf"\b(?:at|@|around|near)\s+{_T}{_UNIT}")
_EDGE_RE = re.compile(r"\b(?:at|in)\s+the\s+(start|beginning|top|end|head|tail)(?:\s+of\s+the\s+shot)?\b")
_DB_RE = re.compile(r"\bby\s+(\d+(?:\.\d+)?)\s*db\b")

_FILLER = re.compile(
    r"^(?:please\s+|can you\s+|could you\s+|i want\s+(?:to\s+)?|i'd like\s+(?:to\s+)?|let's\s+|we need\s+(?:to\s+)?)+"
)

# comparative -> (adjective added to the prompt, energy factor, gain change in dB)
_CHARACTER = {
    "heavier": ("heavy", 1.25, 2.0), "lighter": ("light", 0.8, -2.0),
    "harder": ("hard", 1.25, 2.0), "softer": ("soft", 0.8, -2.0),
    "bigger": ("big", 1.25, 2.0), "smaller": ("small", 0.8, -2.0),
    "stronger": ("strong", 1.25, 2.0), "weaker": ("weak", 0.8, -2.0),
    "wetter": ("wet", 1.0, 0.0), "drier": ("dry", 1.0, 0.0), "dryer": ("dry", 1.0, 0.0),
    "sharper": ("sharp", 1.1, 0.0), "duller": ("dull", 0.9, 0.0),
    "deeper": ("deep", 1.0, 0.0), "brighter": ("bright", 1.0, 0.0), "darker": ("dark", 1.0, 0.0),
    "crisper": ("crisp", 1.0, 0.0), "crunchier": ("crunchy", 1.0, 0.0), "grittier": ("gritty", 1.0, 0.0),
    "closer": ("close-up", 1.0, 2.0), "further": ("distant", 1.0, -2.0), "farther": ("distant", 1.0, -2.0),
    "faster": ("fast", 1.1, 0.0), "slower": ("slow", 0.9, 0.0), "busier": ("busy", 1.2, 0.0),
    "calmer": ("calm", 0.8, 0.0), "gentler": ("gentle", 0.8, -2.0), "rougher": ("rough", 1.1, 0.0),
}
_OPPOSITE = {"heavy": "light", "light": "heavy", "hard": "soft", "soft": "hard", "big": "small",
             "small": "big", "strong": "weak", "weak": "strong", "wet": "dry", "dry": "wet",
             "sharp": "dull", "dull": "sharp", "bright": "dark", "dark": "bright", "close-up": "distant",
             "distant": "close-up", "fast": "slow", "slow": "fast", "calm": "busy", "busy": "calm",
             "gentle": "rough", "rough": "gentle"}
# "too X" -> the comparative that fixes it
_TOO = {"loud": "quieter", "quiet": "louder", "soft": "louder", "heavy": "lighter", "light": "heavier",
        "hard": "softer", "big": "smaller", "small": "bigger", "wet": "drier", "dry": "wetter", "sharp": "duller",
        "dull": "sharper", "bright": "darker", "dark": "brighter", "fast": "slower", "slow": "faster",
        "busy": "calmer", "close": "further", "far": "closer", "distant": "closer", "strong": "weaker",
        "weak": "stronger", "harsh": "gentler", "rough": "gentler"}
_LOUDER = {"louder": 1, "quieter": -1, "lower": -1, "higher": 1, "more": 1, "less": -1, "boost": 1,
           "reduce": -1}


@dataclass(frozen=True)
class EditResult:
    """A new version of the notes, the diff a person reads, the layers to regenerate, and a
    sentence saying what was done."""

    notes: Notes
    diff: str
    affected_layers: tuple[str, ...]
    summary: str


# --------------------------------------------------------------------------------------------
# layers


def _append_term(listing: str, term: str) -> str:
    terms = [t.strip() for t in listing.split(",") if t.strip()]
    if any(t.lower() == term.lower() for t in terms):
        return listing
    return ", ".join([*terms, term])


def _unique_label(notes: Notes, label: str) -> str:
    taken = {layer.label for layer in notes.layers}
    if label not in taken:
        return label
    n = 2
    while f"{label} {n}" in taken:
        n += 1
    return f"{label} {n}"


def _replace_layer(notes: Notes, old: Layer, new: Layer | None) -> Notes:
    layers = [new if layer is old else layer for layer in notes.layers]
    return replace(notes, layers=tuple(layer for layer in layers if layer is not None))


# --------------------------------------------------------------------------------------------
# times


def _seconds(text: str) -> float:
    if ":" in text:
        minutes, seconds = text.split(":", 1)
        return int(minutes) * 60 + float(seconds)
    return float(text)


def _check_time(t: float, duration: float | None) -> float:
    if duration is not None and t > duration + _SLACK_S:
        raise InvalidInput(
            f"{format_number(t)} s is after the end of the shot ({duration:.2f} s long); "
            f"give a time between 0 and {duration:.2f} s"
        )
    return t


def _take_times(text: str, duration: float | None) -> tuple[str, tuple[float, float] | None]:
    """Remove the time phrase from ``text``; return the rest and (start, end) or None."""
    for regex in (_RANGE_RE, _DASH_RANGE_RE):
        m = regex.search(text)
        if m:
            a, b = _seconds(m.group(1)), _seconds(m.group(2))
            if b < a:
                raise InvalidInput(f"the range {m.group(0)!r} ends before it starts; say e.g. 'from 2 to 4 s'")
            return (text[: m.start()] + text[m.end():]), (_check_time(a, duration), _check_time(b, duration))
    m = _AT_RE.search(text)
    if m:
        t = _check_time(_seconds(m.group(1)), duration)
        return text[: m.start()] + text[m.end():], (t, t)
    m = _EDGE_RE.search(text)
    if m:
        if m.group(1) in ("end", "tail"):
            if duration is None:
                raise InvalidInput("'at the end' needs the shot's duration; give a time in seconds instead")
            t = duration
        else:
            t = 0.0
        return text[: m.start()] + text[m.end():], (t, t)
    return text, None


# --------------------------------------------------------------------------------------------
# the verbs


def apply_instruction(notes: Notes, instruction: str, duration: float | None = None) -> EditResult:
    """Apply one instruction to ``notes``; ``duration`` (seconds) bounds the times it may name."""
    text = " ".join(instruction.lower().replace("’", "'").split()).strip(" .!?;")
    text = _FILLER.sub("", text)
    if not text:
        raise InvalidInput("the instruction is empty; " + _HELP)
    new, said = _dispatch(notes, text, duration)
    if new == notes:
        raise InvalidInput(f"{instruction!r} changes nothing in these notes ({said})")
    new = recorded_version(new, [notes])
    return EditResult(new, unified_diff(notes, new), affected_layers(notes, new), said)


_HELP = ("try e.g. 'add thunder at 3 s', 'remove the voices', 'no music', 'quieter wind', "
         "'heavier footsteps', 'mute the birds', 'move the thunder to 4 s', 'replace the wind with rain'")


def _dispatch(notes: Notes, text: str, duration: float | None) -> tuple[Notes, str]:
    m = re.match(r"^(?:no|without|avoid|never|lose all|don't want|do not want|get rid of all)\s+(.+)$", text)
    if m and not re.search(r"\bat\b|\bfrom\b|\bbetween\b", m.group(1)):
        return _negative(notes, m.group(1))
    m = re.match(r"^(un)?mute\s+(.+)$", text)
    if m:
        return _mute(notes, m.group(2), mute=not m.group(1))
    m = re.match(r"^(?:remove|delete|drop|cut|kill|lose|take out|get rid of|take away)\s+(.+)$", text)
    if m:
        return _remove(notes, m.group(1), duration)
    # "move the thunder 0.2 s later", "shift the hits earlier by 0.1 s"
    m = (re.match(rf"^(?:move|shift|slide|nudge|push|pull)\s+(.+?)\s+(?:by\s+)?{_T}{_UNIT}\s*(earlier|later|sooner)$", text)
         or re.match(rf"^(?:move|shift|slide|nudge|push|pull)\s+(.+?)\s+(earlier|later|sooner)\s+by\s+{_T}{_UNIT}$", text))
    if m:
        thing, amount, direction = (m.group(1), m.group(2), m.group(3)) if m.group(3) in ("earlier", "later", "sooner") \
            else (m.group(1), m.group(3), m.group(2))
        return _shift(notes, thing, _seconds(amount) * (1 if direction == "later" else -1), duration)
    # "the footsteps are too loud": the opposite comparative
    m = re.match(r"^(.+?)\s+(?:is|are|sounds?|feels?)\s+(?:a bit\s+|way\s+|much\s+)?too\s+(\w+)$", text)
    if m and m.group(2) in _TOO:
        return _comparative(notes, _TOO[m.group(2)], m.group(1), text)
    m = re.match(r"^(move|shift|slide|put)\s+(.+?)\s+(?:to|at)\s+(.+)$", text)
    if m and (_AT_RE.search("at " + m.group(3)) or _EDGE_RE.search("at " + m.group(3))):
        if m.group(1) == "put" and find_layer(notes, m.group(2)) is None:
            return _add(notes, f"{m.group(2)} at {m.group(3)}", duration)  # "put a thunderclap at 4 s"
        return _move(notes, m.group(2), "at " + m.group(3), duration)
    m = re.match(r"^(?:replace|swap|change)\s+(.+?)\s+(?:with|for|to|into)\s+(.+)$", text)
    if m:
        return _reprompt(notes, m.group(1), m.group(2))
    m = re.match(r"^(?:add|insert|put in|put|give me|we need|need|include|there should be)\s+(.+)$", text)
    if m:
        return _add(notes, m.group(1), duration)
    # "turn the wind down", "turn up the rain"
    m = re.match(r"^turn\s+(up|down)\s+(.+)$", text) or re.match(r"^turn\s+(.+?)\s+(up|down)$", text)
    if m:
        direction, thing = (m.group(1), m.group(2)) if m.group(1) in ("up", "down") else (m.group(2), m.group(1))
        return _gain(notes, thing, 1 if direction == "up" else -1, text)
    # "make the footsteps heavier", "footsteps heavier", "heavier footsteps", "louder wind by 6 db"
    m = re.match(r"^(?:make|let)\s+(.+?)\s+(?:sound\s+)?(?:a bit\s+|a little\s+|much\s+|way\s+|a lot\s+)?(\w+)(\s+by\s+.+)?$", text)
    if m:
        return _comparative(notes, m.group(2), m.group(1), text)
    words = text.split()
    for i, word in enumerate(words):
        if word in _CHARACTER or word in _LOUDER:
            thing = " ".join(words[:i] + words[i + 1:])
            thing = _DB_RE.sub("", thing)
            thing = re.sub(r"^(?:much|a bit|a little|way|a lot)\s+|\s+(?:much|a bit|a little|please)$", "", thing)
            return _comparative(notes, word, thing, text)
    raise InvalidInput(f"could not read the instruction {text!r}; {_HELP}")


def _negative(notes: Notes, phrase: str) -> tuple[Notes, str]:
    term = clean_phrase(phrase)
    if not term:
        raise InvalidInput("say what to avoid, e.g. 'no music'")
    layer = find_layer(notes, term)
    removed = ""
    if layer is not None and phrase_words(term) and all(
            any(related(w, lw) for lw in phrase_words(layer.label)) for w in phrase_words(term)):
        notes = _replace_layer(notes, layer, None)
        removed = f"removed layer {layer.label!r}; "
    layers = tuple(replace(layer, negative_prompt=_append_term(layer.negative_prompt, term)) for layer in notes.layers)
    return replace(notes, layers=layers), f"{removed}added {term!r} to every layer's negative prompt"


def _mute(notes: Notes, phrase: str, *, mute: bool) -> tuple[Notes, str]:
    layer = _need_layer(notes, phrase)
    return _replace_layer(notes, layer, replace(layer, mute=mute)), f"{'muted' if mute else 'unmuted'} {layer.label!r}"


def _need_layer(notes: Notes, phrase: str) -> Layer:
    layer = find_layer(notes, phrase)
    if layer is None:
        labels = ", ".join(repr(layer.label) for layer in notes.layers) or "none"
        raise InvalidInput(f"no layer matches {clean_phrase(phrase)!r}; the layers are {labels}")
    return layer


def _remove(notes: Notes, phrase: str, duration: float | None) -> tuple[Notes, str]:
    rest, times = _take_times(phrase, None)
    thing = clean_phrase(rest)
    layer = find_layer(notes, thing)
    if times is not None:
        if layer is None:
            layer = _nearest_event_layer(notes, times)
        if layer is None:
            raise InvalidInput(f"no layer has an event near {format_number(times[0])} s to remove")
        window = 0.25  # an editor names a time by eye; a quarter second is what they can see
        kept = tuple(e for e in layer.events if e.end < times[0] - window or e.start > times[1] + window)
        gone = len(layer.events) - len(kept)
        if not gone:
            raise InvalidInput(f"layer {layer.label!r} has no event near {format_number(times[0])} s")
        return (_replace_layer(notes, layer, replace(layer, events=kept)),
                f"removed {gone} event(s) near {format_number(times[0])} s from {layer.label!r}")
    if layer is not None:
        return _replace_layer(notes, layer, None), f"removed layer {layer.label!r}"
    if not thing:
        raise InvalidInput("say what to remove, e.g. 'remove the voices'")
    # Nothing of ours makes it: the engine hears it in the picture, so steer every layer away.
    return _negative(notes, thing)


def _nearest_event_layer(notes: Notes, times: tuple[float, float]) -> Layer | None:
    best, gap = None, float("inf")
    for layer in notes.layers:
        for e in layer.events:
            d = max(0.0, e.start - times[1], times[0] - e.end)
            if d < gap:
                best, gap = layer, d
    return best if gap <= 0.25 else None


def _add(notes: Notes, phrase: str, duration: float | None) -> tuple[Notes, str]:
    rest, times = _take_times(phrase, duration)
    thing = clean_phrase(rest)
    if not thing:
        raise InvalidInput("say what to add, e.g. 'add thunder at 3 s'")
    layer = find_layer(notes, thing)
    # A new sound only joins an existing layer when every word of it fits that layer's label;
    # "add a car horn" must not land on a "car engine" layer.
    fits = layer is not None and all(any(related(w, lw) for lw in phrase_words(layer.label)) for w in phrase_words(thing))
    if layer is not None and fits and times is not None:
        event = Event(times[0], times[1], thing)
        events = tuple(sorted((*layer.events, event), key=lambda e: (e.start, e.end)))
        return (_replace_layer(notes, layer, replace(layer, events=events)),
                f"added {thing!r} at {_span(times)} to {layer.label!r}")
    if layer is not None and fits and re.match(r"^(?:more|extra)\b", phrase.strip()):
        return _gain(notes, thing, 1, phrase)
    if layer is not None and fits:
        raise InvalidInput(f"layer {layer.label!r} already exists; say when, e.g. 'add {thing} at 2 s'")
    kind = guess_kind(thing)
    if times is not None:
        events: tuple[Event, ...] = (Event(times[0], times[1], thing),)
    elif kind is LayerKind.BG and duration is not None:
        events = (Event(0.0, duration, thing),)
    else:
        events = ()  # no time said: the engine places it from the picture's motion
    label = _unique_label(notes, thing)
    new_layer = Layer(label=label, kind=kind, prompt=thing, events=events)
    where = f" at {_span(times)}" if times else ""
    return replace(notes, layers=(*notes.layers, new_layer)), f"added {kind.value} layer {label!r}{where}"


def _tidy(t: float) -> float:
    # Sums of decimal times pick up binary noise (1.2000000000000002); a microsecond is plenty.
    return round(t, 6)


def _span(times: tuple[float, float]) -> str:
    a, b = times
    return f"{format_number(a)} s" if a == b else f"{format_number(a)}-{format_number(b)} s"


def _move(notes: Notes, phrase: str, when: str, duration: float | None) -> tuple[Notes, str]:
    layer = _need_layer(notes, phrase)
    _, times = _take_times(when, duration)
    if times is None or not layer.events:
        raise InvalidInput(f"layer {layer.label!r} has no events to move; add one with 'add ... at T s'")
    shift = times[0] - layer.events[0].start
    events = tuple(Event(_tidy(max(0.0, e.start + shift)), _tidy(max(0.0, e.end + shift)), e.description)
                   for e in layer.events)
    for e in events:
        _check_time(e.start, duration)
    return (_replace_layer(notes, layer, replace(layer, events=events)),
            f"moved {layer.label!r} by {shift:+.2f} s")


def _shift(notes: Notes, phrase: str, delta: float, duration: float | None) -> tuple[Notes, str]:
    layer = _need_layer(notes, phrase)
    if not layer.events:
        raise InvalidInput(f"layer {layer.label!r} has no events to move; add one with 'add ... at T s'")
    if layer.events[0].start + delta < 0:
        raise InvalidInput(f"moving {layer.label!r} {abs(delta):g} s earlier would put its first event before the "
                           f"shot starts (it is at {format_number(layer.events[0].start)} s)")
    events = tuple(Event(_tidy(e.start + delta), _tidy(e.end + delta), e.description) for e in layer.events)
    for e in events:
        _check_time(e.start, duration)
    return (_replace_layer(notes, layer, replace(layer, events=events)),
            f"moved {layer.label!r} {abs(delta):g} s {'later' if delta > 0 else 'earlier'}")


def _reprompt(notes: Notes, phrase: str, prompt: str) -> tuple[Notes, str]:
    layer = _need_layer(notes, phrase)
    prompt = clean_phrase(prompt) or prompt.strip()
    return (_replace_layer(notes, layer, replace(layer, prompt=prompt)),
            f"{layer.label!r} now sounds like {prompt!r}")


def _gain(notes: Notes, phrase: str, sign: int, text: str) -> tuple[Notes, str]:
    layer = _need_layer(notes, phrase)
    m = _DB_RE.search(text)
    step = float(m.group(1)) if m else (2 * _DEFAULT_STEP_DB if re.search(r"\b(much|way|a lot)\b", text) else _DEFAULT_STEP_DB)
    gain = round(layer.gain_db + sign * step, 2)
    return (_replace_layer(notes, layer, replace(layer, gain_db=gain)),
            f"{layer.label!r} gain {layer.gain_db:+g} -> {gain:+g} dB")


def _comparative(notes: Notes, word: str, phrase: str, text: str) -> tuple[Notes, str]:
    if word in _LOUDER:
        return _gain(notes, phrase, _LOUDER[word], text)
    if word not in _CHARACTER:
        raise InvalidInput(f"could not read {word!r} in {text!r}; {_HELP}")
    adjective, energy, gain = _CHARACTER[word]
    layer = _need_layer(notes, phrase)
    prompt = layer.prompt or layer.label
    opposite = _OPPOSITE.get(adjective)
    if opposite:
        # "heavier" after "light footsteps" replaces the old quality instead of contradicting it.
        prompt = re.sub(rf"\b{re.escape(opposite)}\b\s*", "", prompt).strip()
    if not re.search(rf"\b{re.escape(adjective)}\b", prompt):
        prompt = f"{adjective} {prompt}".strip()
    changed = replace(layer, prompt=prompt, energy_scale=round(layer.energy_scale * energy, 4),
                      gain_db=round(layer.gain_db + gain, 2))
    return _replace_layer(notes, layer, changed), f"{layer.label!r} made {word}: prompt {prompt!r}"
