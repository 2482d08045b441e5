"""How an editor names a layer: the words that mean one sound to an editor ("voices" ~
"dialogue"), which kind of layer a phrase suggests, and which layer of a shot's notes a phrase
("the footsteps", "wind") means. Used by the instruction reader (``instructions.py``)."""

from __future__ import annotations

import re

from foleyline.notes.schema import Layer, LayerKind, Notes

__all__ = ["clean_phrase", "find_layer", "guess_kind", "phrase_words", "related", "stem"]

_ARTICLES = {"the", "a", "an", "some", "any", "all", "of", "sound", "sounds", "layer", "track", "please"}

# Layer words that mean the same thing to an editor.
_SYNONYMS: tuple[frozenset[str], ...] = tuple(frozenset(s) for s in (
    {"voice", "voices", "dialogue", "dialog", "speech", "talking", "people", "chatter", "vocal", "vocals"},
    {"footstep", "footsteps", "step", "steps", "feet", "walking", "boots", "boot", "shoes", "walk"},
    {"wind", "breeze", "gust", "gusts", "wind noise"},
    {"rain", "drizzle", "downpour", "shower"},
    {"music", "score", "song", "soundtrack"},
    {"thunder", "thunderclap", "storm"},
    {"ambience", "ambiance", "ambient", "atmos", "atmosphere", "background", "bg", "roomtone", "room"},
    {"hit", "hits", "impact", "impacts", "strike", "strikes", "bang", "bangs"},
    {"bird", "birds", "birdsong", "chirp", "chirps", "tweet"},
    {"cloth", "clothes", "clothing", "rustle", "fabric"},
    {"car", "cars", "traffic", "engine", "vehicle"},
))

_BG_WORDS = {"wind", "rain", "ambience", "ambiance", "ambient", "atmos", "room", "tone", "roomtone", "traffic",
             "crowd", "birds", "bird", "birdsong", "city", "forest", "ocean", "sea", "waves", "crickets",
             "insects", "hum", "drone", "air", "breeze", "night", "street", "river", "stream", "background"}
_FOLEY_WORDS = {"footstep", "footsteps", "steps", "step", "feet", "boots", "shoes", "cloth", "clothes",
                "rustle", "fabric", "hands", "hand", "grab", "keys", "cup", "paper", "props", "prop",
                "handling", "touch", "pat", "scratch", "chair", "glass", "bag", "walking"}


def phrase_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9']+(?:-[a-z0-9]+)*", text.lower()) if w not in _ARTICLES]


def stem(word: str) -> str:
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def related(a: str, b: str) -> bool:
    if a == b or stem(a) == stem(b):
        return True
    return any(a in group and b in group for group in _SYNONYMS)


def find_layer(notes: Notes, phrase: str) -> Layer | None:
    """The layer an editor most likely means by ``phrase`` ("the footsteps", "wind"), or None.
    Label words count more than prompt words; synonyms ("voices" ~ "dialogue") count."""
    wanted = phrase_words(phrase)
    if not wanted:
        return None
    best, best_score = None, 0.0
    for layer in notes.layers:
        if layer.label.lower().strip() == " ".join(wanted):
            return layer
        label_words, prompt_words = phrase_words(layer.label), phrase_words(layer.prompt)
        score = 0.0
        for w in wanted:
            if any(related(w, lw) for lw in label_words):
                score += 2.0
            elif any(related(w, pw) for pw in prompt_words):
                score += 1.0
        if score > best_score:
            best, best_score = layer, score
    return best


def guess_kind(phrase: str) -> LayerKind:
    words = {stem(w) for w in phrase_words(phrase)} | set(phrase_words(phrase))
    if words & _FOLEY_WORDS:
        return LayerKind.FOLEY
    if words & _BG_WORDS:
        return LayerKind.BG
    return LayerKind.FX


def clean_phrase(phrase: str) -> str:
    words = [w for w in re.findall(r"[\w'-]+", phrase.lower())]
    while words and words[0] in _ARTICLES | {"more", "another", "extra", "new"}:
        words.pop(0)
    while words and words[-1] in {"sound", "sounds", "please", "too", "also", "layer", "track"}:
        words.pop()
    return " ".join(words)
