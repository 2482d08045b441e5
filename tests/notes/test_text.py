"""The plain-text form: round trips exactly, reads what editors type, names bad lines."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import foleyline.notes.text as text_module
from foleyline.errors import InvalidInput
from foleyline.notes import (Event, EnergyPoint, Layer, LayerKind, Notes, NotesSyntaxError, Region, from_text,
                             notes_from_proto, notes_to_proto, summary, to_text)

# --------------------------------------------------------------------------------------------
# strategies: every valid Notes

times = st.floats(min_value=0.0, max_value=1e5, allow_nan=False, allow_infinity=False)
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)
unit = st.floats(min_value=0.0, max_value=1.0)
any_text = st.text(max_size=40)
line_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@st.composite
def events(draw: st.DrawFn) -> Event:
    a, b = sorted((draw(times), draw(times)))
    if draw(st.booleans()):
        b = a  # point events are the common case
    return Event(a, b, draw(line_text))


@st.composite
def regions(draw: st.DrawFn) -> Region:
    x = draw(st.floats(min_value=0.0, max_value=0.99))
    y = draw(st.floats(min_value=0.0, max_value=0.99))
    w = draw(st.floats(min_value=1e-6, max_value=1.0).filter(lambda v: x + v <= 1.0))
    h = draw(st.floats(min_value=1e-6, max_value=1.0).filter(lambda v: y + v <= 1.0))
    return Region(draw(times), x, y, w, h)


@st.composite
def layers(draw: st.DrawFn) -> Layer:
    return Layer(
        label=draw(any_text.filter(lambda s: s.strip())),
        kind=draw(st.sampled_from(LayerKind)),
        prompt=draw(any_text),
        negative_prompt=draw(any_text),
        events=tuple(draw(st.lists(events(), max_size=4))),
        region=draw(st.none() | regions()),
        gain_db=draw(finite),
        mute=draw(st.booleans()),
        energy_scale=draw(st.floats(min_value=0.0, max_value=100.0)),
        energy_points=tuple(EnergyPoint(t, v) for t, v in draw(st.lists(st.tuples(times, unit), max_size=4))),
    )


@st.composite
def notes_strategy(draw: st.DrawFn) -> Notes:
    return Notes(
        reasoning=draw(st.text(max_size=120) | st.lists(line_text, max_size=5).map("\n".join)),
        layers=tuple(draw(st.lists(layers(), max_size=4, unique_by=lambda layer: layer.label))),
        version=draw(st.integers(min_value=0, max_value=2**31 - 1)),
        shot_id=draw(any_text),
        author=draw(any_text),
    )


FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(notes_strategy())
def test_dataclass_text_dataclass_is_exact(notes: Notes) -> None:
    assert from_text(to_text(notes)) == notes


@FAST
@given(notes_strategy())
def test_proto_text_proto_is_exact(notes: Notes) -> None:
    message = notes_to_proto(notes)
    again = notes_to_proto(from_text(to_text(notes_from_proto(message))))
    assert again == message
    assert again.SerializeToString(deterministic=True) == message.SerializeToString(deterministic=True)


@FAST
@given(notes_strategy())
def test_the_text_is_stable_after_one_pass(notes: Notes) -> None:
    once = to_text(notes)
    assert to_text(from_text(once)) == once


def test_negative_zero_gain_survives_bit_for_bit() -> None:
    notes = Notes(layers=(Layer("a", LayerKind.FX, gain_db=-0.0),))
    message = notes_to_proto(from_text(to_text(notes)))
    assert message.layers[0].gain_db == 0.0 and str(message.layers[0].gain_db) == "-0.0"


# --------------------------------------------------------------------------------------------
# what editors type


def test_the_module_example_reads_as_documented() -> None:
    example = textwrap.dedent(text_module.__doc__.split("::", 1)[1].split("The pieces:")[0]).strip()
    notes = from_text(example)
    assert (notes.version, notes.shot_id, notes.author) == (3, "sh010", "editor")
    assert notes.reasoning.splitlines()[0].startswith("1. A man crosses")
    assert "\n\nWind under everything" in notes.reasoning
    assert [(layer.kind, layer.label) for layer in notes.layers] == [
        (LayerKind.BG, "wind"), (LayerKind.FOLEY, "footsteps"), (LayerKind.FX, "door slam")]
    wind, steps, door = notes.layers
    assert wind.gain_db == -6.0 and wind.negative_prompt == "music, voices"
    assert wind.events == (Event(0.0, 4.0, ""),)
    assert steps.region == Region(0.5, 0.4, 0.3, 0.2, 0.5) and steps.energy_scale == 1.2
    assert [e.start for e in steps.events] == [0.5, 1.0, 1.5]
    assert steps.events[2].description == "left foot, scuff"
    assert door.mute and door.energy_points == (EnergyPoint(0.0, 0.2), EnergyPoint(3.0, 1.0))


def test_loose_typing_is_accepted() -> None:
    typed = (
        "\ufeff# comment at the top, after a byte-order mark\r\n"
        "Reasoning: one line of thought\r\n"
        "\r\n"
        "[foley]   steps  \r\n"
        "  Prompt:   boots on snow  \r\n"
        "  gain: +3\r\n"
        "  Mute: off\r\n"
        "  energy: x0.5\r\n"
        "  region: x=0.1, y=0.2, w=0.3, h=0.4 at 2 sec\r\n"
        "  events:\r\n"
        "    1.5: left\r\n"
        "\r\n"
        "    2 to 2.5 seconds: scuff\r\n"
        "    3s\r\n"
        "    .25 – 0.5 s\r\n"
    )
    notes = from_text(typed)
    layer = notes.layers[0]
    assert notes.reasoning == "one line of thought"
    assert (layer.kind, layer.label, layer.prompt) == (LayerKind.FOLEY, "steps", "boots on snow")
    assert (layer.gain_db, layer.mute, layer.energy_scale) == (3.0, False, 0.5)
    assert layer.region == Region(2.0, 0.1, 0.2, 0.3, 0.4)
    assert layer.events == (Event(1.5, 1.5, "left"), Event(2.0, 2.5, "scuff"), Event(3.0, 3.0, ""),
                            Event(0.25, 0.5, ""))


def test_awkward_values_are_quoted_and_come_back() -> None:
    notes = Notes(reasoning="  starts with spaces\n\n\ttab\nends\n", layers=(
        Layer('"quoted" label', LayerKind.FX, prompt="two\nlines", negative_prompt=" pad ",
              events=(Event(1.0, 1.0, "a: b"), Event(2.0, 2.0, '"x"'))),
    ))
    written = to_text(notes)
    assert 'prompt: "two\\nlines"' in written
    assert from_text(written) == notes


def test_an_opening_quote_typed_by_an_editor_is_kept_as_text() -> None:
    notes = from_text('[FX] gun\nprompt: "bang" with a long tail\n')
    assert notes.layers[0].prompt == '"bang" with a long tail'


def test_defaults_are_left_out_of_the_text() -> None:
    written = to_text(Notes(layers=(Layer("hit", LayerKind.FX),)))
    assert written == "version: 1\nauthor: editor\n\n[FX] hit\n"


def test_non_finite_numbers_cannot_be_written() -> None:
    with pytest.raises(InvalidInput, match="not finite"):
        to_text(Notes(layers=(Layer("a", LayerKind.FX, gain_db=float("inf")),)))


def test_summary_is_one_short_line() -> None:
    notes = Notes(layers=(
        Layer("wind", LayerKind.BG, events=(Event(0, 4),)),
        Layer("steps", LayerKind.FOLEY, events=(Event(1, 1), Event(2, 2))),
        Layer("door\nslam", LayerKind.FX, mute=True),
    ))
    assert summary(notes) == "BG wind, FOLEY steps (2), FX door slam (muted)"
    assert summary(Notes()) == "no layers"
    long = Notes(layers=tuple(Layer(f"layer number {i}", LayerKind.FX) for i in range(20)))
    assert len(summary(long)) <= 120 and summary(long).endswith("…")


# --------------------------------------------------------------------------------------------
# malformed notes name the line and what was expected

MALFORMED = [
    ("version: 1\nlayers here\n", 2, "key: value"),
    ("version: one\n", 1, "whole number"),
    ("version: 1\nversion: 2\n", 2, "only once"),
    ("colour: red\n", 1, "version:, shot:, author:, reasoning:"),
    ("[SFX] bang\n", 1, "[BG], [FX] or [FOLEY]"),
    ("[FX]\n", 1, "a label after [FX]"),
    ("[FX] a\n[BG] a\n", 2, "a label not used before (line 1"),
    ("[FX] a\nloudness: 3\n", 2, "a layer field"),
    ("[FX] a\ngain: loud\n", 2, "a gain in dB"),
    ("[FX] a\nmute: maybe\n", 2, "'mute: yes' or 'mute: no'"),
    ("[FX] a\nenergy: -1\n", 2, "energy scale of 0 or more"),
    ("[FX] a\nenergy points: 0=0.5, 1:0.2\n", 2, "time=value"),
    ("[FX] a\nenergy points: 0=1.5\n", 2, "value between 0 and 1"),
    ("[FX] a\nregion: 0.1 0.2 0.3\n", 2, "x y width height at TIME"),
    ("[FX] a\nregion: 0.8 0.2 0.5 0.5 at 1 s\n", 2, "inside the frame"),
    ("[FX] a\nevents:\n  1 s: ok\n  2,5 s: comma\n", 4, "an event as"),
    ("[FX] a\nevents:\n  3-2 s: backwards\n", 3, "end is not before its start"),
    ("[FX] a\nevents: 1 s\n", 2, "nothing after 'events:'"),
    ("[FX] a\nevents:\n  soon\n", 3, "an event line"),
    ("[FX] a\nprompt: \"unterminated \\\" string\"x\"\n", 2, "double-quoted"),
    ("[FX] a\nprompt: x\nprompt: y\n", 3, "only once in layer 'a'"),
    ("version: 99999999999\n", 1, "a version between"),
    ("[FX] a\n1 s: hit\n", 2, "'events:' on a line before the event times of layer 'a'"),
    ("A man walks in.\n", 1, "free text goes in an indented block under 'reasoning:'"),
]


@pytest.mark.parametrize(("text", "line", "expected"), MALFORMED)
def test_malformed_notes_name_the_line_and_what_was_expected(text: str, line: int, expected: str) -> None:
    with pytest.raises(NotesSyntaxError) as caught:
        from_text(text)
    assert caught.value.line == line
    assert expected in caught.value.expected
    assert str(caught.value).startswith(f"notes line {line}: expected ")
    assert isinstance(caught.value, InvalidInput)


def test_the_error_shows_what_was_found() -> None:
    with pytest.raises(NotesSyntaxError, match=r"notes line 3: expected .*found 'soon'"):
        from_text("[FX] a\nevents:\n  soon\n")
