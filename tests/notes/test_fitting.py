"""Drafted notes fitted to an engine's text limit, counted the engine's way (a stand-in count
here: a word per prompt word and per event word, two per event time)."""

from __future__ import annotations

from foleyline.notes import Event, Layer, LayerKind, Notes
from foleyline.notes.tokens import TokenCount
from foleyline.server.notes.fitting import fit_to_limit

LIMIT = 12


def counts_of(notes: Notes) -> list[TokenCount]:
    out = []
    for layer in notes.layers:
        n = len(layer.prompt.split()) + sum(2 + len(e.description.split()) for e in layer.events)
        out.append(TokenCount(layer.label, n, LIMIT, n > LIMIT))
    return out


def hits(n: int, description: str = "contact {i}, strength 0.80") -> tuple[Event, ...]:
    return tuple(Event(float(i), float(i), description.format(i=i)) for i in range(1, n + 1))


def test_notes_within_the_limit_are_left_alone() -> None:
    notes = Notes(layers=(Layer("bed", LayerKind.BG, prompt="room tone", events=(Event(0, 3, "bed"),)),))
    assert fit_to_limit(notes, counts_of) == (notes, [])


def test_long_event_descriptions_are_shortened_first() -> None:
    notes = Notes(layers=(Layer("impacts", LayerKind.FX, prompt="metal hits", events=hits(2)),))
    fitted, warnings = fit_to_limit(notes, counts_of)  # 2 + 2 * (2 + 4) = 14 -> 2 + 2 * (2 + 2) = 10
    assert [e.description for e in fitted.layers[0].events] == ["contact 1", "contact 2"]
    assert warnings == [] and not any(c.over_limit for c in counts_of(fitted))


def test_then_a_layer_is_split_by_time_into_layers_that_fit() -> None:
    notes = Notes(layers=(Layer("impacts", LayerKind.FX, prompt="metal hits", events=hits(5), gain_db=-3.0),
                          Layer("impacts 2", LayerKind.FX, prompt="taken label")))
    fitted, warnings = fit_to_limit(notes, counts_of)
    labels = [layer.label for layer in fitted.layers]
    assert labels == ["impacts", "impacts 2'", "impacts 3", "impacts 2"]  # an existing label is never reused
    split = [layer for layer in fitted.layers if layer.prompt == "metal hits"]
    assert [len(layer.events) for layer in split] == [2, 2, 1]
    assert [e.start for layer in split for e in layer.events] == [1.0, 2.0, 3.0, 4.0, 5.0]  # every event kept, in order
    assert all(layer.gain_db == -3.0 for layer in split)
    assert not any(c.over_limit for c in counts_of(fitted))
    assert warnings == ["layer 'impacts' (5 events) was over the engine's limit of 12 tokens and was split into 3 layers by time"]


def test_a_layer_over_with_a_single_event_is_kept_whole_and_reported() -> None:
    wordy = Layer("speech", LayerKind.FX, prompt=" ".join(["word"] * 20), events=hits(1))
    fitted, warnings = fit_to_limit(Notes(layers=(wordy,)), counts_of)
    assert fitted.layers == (wordy,)
    assert "even with one event; shorten its prompt (nothing was cut)" in warnings[0]
