"""Drafted notes fitted to the text limit of the engine they are for (ThinkSound reads 77 T5
tokens of each layer: its kind, prompt and every event), counted the engine's own way.

A drafted layer over the limit is, in turn:

1. given its events' short descriptions (the first clause: "contact 3, strength 0.80" reads
   "contact 3"): the detail is in the reasoning already;
2. split by its events into consecutive layers that each fit ("impacts", "impacts 2", ...),
   sharing the prompt and settings;
3. when one event with the prompt is over alone, kept whole and reported: nothing is cut.

Only drafted notes are fitted: they are the server's words, never the editor's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from foleyline.notes.schema import Event, Layer, Notes
from foleyline.notes.tokens import TokenCount, part_labels

__all__ = ["CountsOf", "fit_to_limit"]

CountsOf = Callable[[Notes], list[TokenCount]]


def _short(event: Event) -> Event:
    return replace(event, description=event.description.split(",")[0].strip())


def fit_to_limit(notes: Notes, counts_of: CountsOf) -> tuple[Notes, list[str]]:
    """``notes`` with every layer within the limit ``counts_of`` reports, and what was done."""
    over = {c.layer_label: c for c in counts_of(notes) if c.over_limit}
    if not over:
        return notes, []

    def fits(layer: Layer) -> bool:
        return not any(c.over_limit for c in counts_of(replace(notes, layers=(layer,))))

    taken = {layer.label for layer in notes.layers}
    layers: list[Layer] = []
    warnings: list[str] = []
    for layer in notes.layers:
        count = over.get(layer.label)
        if count is None:
            layers.append(layer)
            continue
        short = replace(layer, events=tuple(_short(e) for e in layer.events))
        if fits(short):
            layers.append(short)
            continue
        groups: list[list[Event]] = []
        for event in short.events:
            if groups and fits(replace(short, events=(*groups[-1], event))):
                groups[-1].append(event)
            else:
                groups.append([event])
        if not groups or not all(fits(replace(short, events=tuple(g))) for g in groups):
            layers.append(layer)
            warnings.append(f"layer {layer.label!r} has {count.tokens} tokens, over the engine's limit of "
                            f"{count.limit}, even with one event; shorten its prompt (nothing was cut)")
            continue
        for label, group in zip(part_labels(layer.label, len(groups), taken), groups):
            layers.append(replace(short, label=label, events=tuple(group)))
        if len(groups) > 1:
            warnings.append(f"layer {layer.label!r} ({len(layer.events)} events) was over the engine's limit of "
                            f"{count.limit} tokens and was split into {len(groups)} layers by time")
    return replace(notes, layers=tuple(layers)), warnings
