"""Notes → ThinkSound's two text inputs, and the 77-token check.

Each layer is one stem, so each layer becomes its own pair of texts:

- the **caption** (MetaCLIP, a short title, like the reference's "title" column): the layer's
  prompt, or its label when the prompt is empty;
- the **CoT** (T5, the reference's chain-of-thought column): what the layer should sound like
  and when — kind, prompt and its timed events in order, with times in seconds of the audio
  being generated (handles included, so they match the picture the network sees).

The shot's free-text reasoning is not copied into every layer: it talks about all layers at
once, and mixing other stems' sounds into this one's text would pull them into this stem.

The reference tokenises both texts with truncation to 77 tokens. Truncation would silently drop
the end of an editor's notes (usually the late events), so Foleyline counts first:
``token_report`` gives every layer's count, ``check_token_limits`` refuses an overlong layer
with a message saying which, by how much and what to do, and ``split_layer`` offers a split
into layers that fit (the editor chooses; nothing is cut).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import NamedTuple

from foleyline.config import models_dir
from foleyline.errors import InvalidInput, Unavailable
from foleyline.notes import Layer, LayerKind, Notes
from foleyline.notes.tokens import TokenCount, count_tokens as count_layer_tokens
from foleyline.server.engines.thinksound.configuration_thinksound import TEXT_TOKENS
from foleyline.server.engines.thinksound.files import PACKAGE_NAME, T5_FOLDER

__all__ = [
    "LayerTexts",
    "check_token_limits",
    "cot_text",
    "caption_text",
    "layer_texts",
    "split_layer",
    "token_report",
]

TokenCounter = Callable[[str], int]

_KIND_WORDS = {
    LayerKind.BG: "Background ambience",
    LayerKind.FX: "Sound effects",
    LayerKind.FOLEY: "Foley",
}


class LayerTexts(NamedTuple):
    caption: str
    cot: str


def caption_text(layer: Layer) -> str:
    return (layer.prompt or layer.label).strip()


def _seconds(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + " s"


def cot_text(layer: Layer, *, time_offset: float = 0.0) -> str:
    """The chain-of-thought sentence(s) for one layer. ``time_offset`` is subtracted from event
    times (shot time → time of the generated audio)."""
    parts = [f"{_KIND_WORDS[layer.kind]}: {caption_text(layer)}."]
    for event in sorted(layer.events, key=lambda e: (e.start, e.end)):
        start, end = event.start - time_offset, event.end - time_offset
        what = event.description.strip() or caption_text(layer)
        if end > start:
            parts.append(f"From {_seconds(start)} to {_seconds(end)}, {what}.")
        else:
            parts.append(f"At {_seconds(start)}, {what}.")
    return " ".join(parts)


def layer_texts(layer: Layer, *, time_offset: float = 0.0) -> LayerTexts:
    return LayerTexts(caption_text(layer), cot_text(layer, time_offset=time_offset))


def token_report(
    notes: Notes,
    count_tokens: TokenCounter | None = None,
    *,
    limit: int = TEXT_TOKENS,
    time_offset: float = 0.0,
) -> list[TokenCount]:
    """Every unmuted layer's T5 token count of its CoT text against the limit.

    ``count_tokens`` counts tokens including the end-of-sequence token (``T5TextEncoder.
    count_tokens``); without it the T5 tokenizer is read from the models folder."""
    unmuted = replace(notes, layers=tuple(layer for layer in notes.layers if not layer.mute))
    return count_layer_tokens(unmuted, limit, count_tokens or _default_counter(),
                              text_of=lambda layer: cot_text(layer, time_offset=time_offset))


def check_token_limits(report: Sequence[TokenCount]) -> None:
    """Refuse overlong layers, naming each (the reference would cut them silently)."""
    over = [row for row in report if row.over_limit]
    if over:
        detail = "; ".join(f"layer {r.layer_label!r} has {r.tokens} tokens (limit {r.limit})" for r in over)
        raise InvalidInput(
            f"ThinkSound reads at most {over[0].limit} tokens of each layer's notes: {detail}. "
            "Shorten the prompt or event descriptions, or split the layer into several layers "
            "(the panel offers a split); nothing was cut."
        )


def split_layer(layer: Layer, count_tokens: TokenCounter, *, limit: int = TEXT_TOKENS) -> list[Layer]:
    """Split an overlong layer into consecutive layers by its events, each within the limit.
    Labels get a suffix (" 1", " 2", ...). Raises InvalidInput when even the layer's prompt with
    a single event is over the limit (the editor has to shorten that text)."""
    if count_tokens(cot_text(layer)) <= limit:
        return [layer]
    events = sorted(layer.events, key=lambda e: (e.start, e.end))
    groups: list[list] = []
    for event in events:
        if groups and count_tokens(cot_text(replace(layer, events=tuple(groups[-1] + [event])))) <= limit:
            groups[-1].append(event)
            continue
        if count_tokens(cot_text(replace(layer, events=(event,)))) > limit:
            raise InvalidInput(
                f"layer {layer.label!r}: the prompt with the event at {event.start:.2f} s alone is over "
                f"{limit} tokens; shorten the prompt or that event's description"
            )
        groups.append([event])
    if not groups:
        raise InvalidInput(
            f"layer {layer.label!r}: the prompt alone is over {limit} tokens; shorten it"
        )
    return [
        replace(layer, label=f"{layer.label} {i + 1}", events=tuple(group))
        for i, group in enumerate(groups)
    ]


def _default_counter() -> TokenCounter:
    folder = models_dir() / PACKAGE_NAME / T5_FOLDER
    try:
        from transformers import AutoTokenizer  # heavy (transformers): only when counting for real

        tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    except (OSError, ValueError) as err:
        raise Unavailable(
            f"the T5 tokenizer is missing from {folder}; run `foleyline models pull thinksound`"
        ) from err
    return lambda text: len(tokenizer(text, truncation=False)["input_ids"])
