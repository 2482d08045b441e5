"""Token counts of each layer's text against an engine's limit. Nothing is ever cut quietly.

ThinkSound's T5 path reads at most 77 tokens; a longer prompt would lose its end without a word.
So drafting reports the count per layer, and a layer over the limit is either split into layers
whose prompts each fit (at clause boundaries) or, when one clause alone is too long, reported
with a warning that says what to shorten.

Engines pass their real tokenizer (``counter_from_tokenizer``); without one, ``estimate_tokens``
is a deliberately generous estimate for subword tokenizers (T5, CLIP), so "fits" is safe to trust.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from foleyline.notes.schema import Layer, Notes
from foleyline.protos.v1 import foley_pb2 as pb

__all__ = ["TokenCount", "Counter", "layer_text", "estimate_tokens", "counter_from_tokenizer",
           "count_tokens", "token_warnings", "part_labels", "split_long_layers", "token_counts_to_proto"]

Counter = Callable[[str], int]


@dataclass(frozen=True)
class TokenCount:
    layer_label: str
    tokens: int
    limit: int
    over_limit: bool


def layer_text(layer: Layer) -> str:
    """The text a text-conditioned engine reads for a layer: its prompt, else its label."""
    return layer.prompt or layer.label


_PIECE = re.compile(r"[A-Za-z]+|\d|[^\sA-Za-z\d]")


def estimate_tokens(text: str) -> int:
    """A generous count for subword tokenizers: one per short word, one more per 6 letters,
    one per digit and punctuation mark, plus the end-of-sequence token."""
    count = 1
    for piece in _PIECE.findall(text):
        count += 1 + (len(piece) - 1) // 6 if piece.isalpha() else 1
    return count


def counter_from_tokenizer(tokenizer: object) -> Counter:
    """A counter from a transformers tokenizer (special tokens included, as the engine sees it)."""
    def count(text: str) -> int:
        return len(tokenizer(text, truncation=False)["input_ids"])  # type: ignore[operator]
    return count


def count_tokens(notes: Notes, limit: int | None, counter: Counter = estimate_tokens,
                 text_of: Callable[[Layer], str] = layer_text) -> list[TokenCount]:
    """One count per layer; ``limit`` None or 0 means the engine has none."""
    cap = int(limit or 0)
    out = []
    for layer in notes.layers:
        n = counter(text_of(layer))
        out.append(TokenCount(layer.label, n, cap, bool(cap) and n > cap))
    return out


def token_warnings(counts: list[TokenCount]) -> list[str]:
    return [f"layer {c.layer_label!r} has {c.tokens} tokens, over the engine's limit of {c.limit}; "
            "shorten its prompt or split it into layers" for c in counts if c.over_limit]


def _clauses(text: str) -> list[str]:
    # Only at punctuation: every word of the editor's prompt must survive the split.
    return [c.strip().rstrip(",;") for c in re.split(r"(?<=[.;,])\s+", text) if c.strip().rstrip(",;")]


def part_labels(label: str, count: int, taken: set[str]) -> list[str]:
    """Labels for the ``count`` parts of a split layer: its own, then "label 2", "label 3"...,
    each primed until it is not in ``taken`` (which it joins)."""
    out = []
    for i in range(count):
        name = label if i == 0 else f"{label} {i + 1}"
        while i and name in taken:
            name += "'"
        taken.add(name)
        out.append(name)
    return out


def split_long_layers(notes: Notes, limit: int | None, counter: Counter = estimate_tokens
                      ) -> tuple[Notes, list[str]]:
    """Split every layer whose prompt is over ``limit`` into layers whose prompts fit, cutting at
    clauses ("boots on gravel, a scuff, keys jingling" -> three layers sharing the events). A
    prompt that cannot be split so is kept whole and reported. Returns the notes and warnings."""
    if not limit:
        return notes, []
    warnings: list[str] = []
    layers: list[Layer] = []
    taken = {layer.label for layer in notes.layers}
    for layer in notes.layers:
        text = layer_text(layer)
        if counter(text) <= limit:
            layers.append(layer)
            continue
        parts: list[str] = []
        for clause in _clauses(text):
            joined = f"{parts[-1]}, {clause}" if parts else clause
            if parts and counter(joined) <= limit:
                parts[-1] = joined
            else:
                parts.append(clause)
        if len(parts) < 2 or any(counter(p) > limit for p in parts):
            warnings.append(f"layer {layer.label!r} has {counter(text)} tokens, over the limit of {limit}, and "
                            "cannot be split at a clause; shorten its prompt (it was not cut)")
            layers.append(layer)
            continue
        for label, part in zip(part_labels(layer.label, len(parts), taken), parts):
            layers.append(replace(layer, label=label, prompt=part))
        warnings.append(f"layer {layer.label!r} was over the limit of {limit} tokens and was split into "
                        f"{len(parts)} layers")
    return replace(notes, layers=tuple(layers)), warnings


def token_counts_to_proto(counts: list[TokenCount]) -> list[pb.TokenCount]:
    return [pb.TokenCount(layer_label=c.layer_label, tokens=c.tokens, limit=c.limit, over_limit=c.over_limit)
            for c in counts]
