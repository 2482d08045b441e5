"""Notes become ThinkSound's caption + CoT texts; the 77-token limit is reported, never cut."""

from __future__ import annotations

from pathlib import Path

import pytest

from foleyline.errors import InvalidInput, Unavailable
from foleyline.notes.tokens import TokenCount
from foleyline.notes import Event, Layer, LayerKind, Notes
from foleyline.server.engines.thinksound import files
from foleyline.server.engines.thinksound.conditioning import (
    caption_text,
    check_token_limits,
    cot_text,
    split_layer,
    token_report,
)


@pytest.fixture(scope="module")
def count_tokens(tiny_models_root: Path):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(files.package_dir(tiny_models_root) / files.T5_FOLDER))
    return lambda text: len(tokenizer(text, truncation=False)["input_ids"])


STEPS = Layer(
    "Steps", LayerKind.FOLEY, prompt="footsteps on a wood floor",
    events=(Event(2.0, 2.0, "a heavy step"), Event(0.5, 0.8, "soft steps")),
)


def long_layer(events: int) -> Layer:
    return Layer("Rain", LayerKind.BG, prompt="rain on glass",
                 events=tuple(Event(float(i), float(i) + 0.5, "loud rain on metal and glass") for i in range(events)))


def test_caption_is_the_prompt_or_else_the_label() -> None:
    assert caption_text(STEPS) == "footsteps on a wood floor"
    assert caption_text(Layer("Room tone", LayerKind.BG)) == "Room tone"


def test_cot_lists_kind_prompt_and_events_in_time_order() -> None:
    assert cot_text(STEPS) == (
        "Foley: footsteps on a wood floor. From 0.5 s to 0.8 s, soft steps. At 2 s, a heavy step."
    )


def test_cot_event_times_are_relative_to_the_generated_audio() -> None:
    # audio starting 0.5 s before the shot (a head handle) puts the events 0.5 s later
    assert "From 1 s to 1.3 s" in cot_text(STEPS, time_offset=-0.5)


def test_report_has_one_row_per_unmuted_layer(count_tokens) -> None:
    muted = Layer("Muted", LayerKind.FX, prompt="glass break", mute=True)
    report = token_report(Notes(layers=(STEPS, muted)), count_tokens)
    assert [row.layer_label for row in report] == ["Steps"]
    row = report[0]
    assert row == TokenCount("Steps", count_tokens(cot_text(STEPS)), 77, False)
    assert 0 < row.tokens <= 77


def test_a_layer_over_77_tokens_is_reported_with_its_full_count(count_tokens) -> None:
    layer = long_layer(8)
    (row,) = token_report(Notes(layers=(layer,)), count_tokens)
    assert row.over_limit and row.tokens > 77
    assert row.tokens == count_tokens(cot_text(layer))  # counted in full, not truncated


def test_overlong_layers_are_refused_by_name_with_what_to_do(count_tokens) -> None:
    report = token_report(Notes(layers=(STEPS, long_layer(8))), count_tokens)
    with pytest.raises(InvalidInput, match=r"'Rain' has \d+ tokens \(limit 77\).*split"):
        check_token_limits(report)
    check_token_limits(token_report(Notes(layers=(STEPS,)), count_tokens))  # fits: no error


def test_split_keeps_every_event_in_layers_that_fit(count_tokens) -> None:
    layer = long_layer(8)
    parts = split_layer(layer, count_tokens)
    assert len(parts) > 1
    assert all(count_tokens(cot_text(p)) <= 77 for p in parts)
    assert [e for p in parts for e in p.events] == sorted(layer.events, key=lambda e: e.start)
    assert [p.label for p in parts] == [f"Rain {i + 1}" for i in range(len(parts))]


def test_split_of_a_layer_that_fits_is_the_layer_itself(count_tokens) -> None:
    assert split_layer(STEPS, count_tokens) == [STEPS]


def test_a_prompt_too_long_on_its_own_cannot_be_split(count_tokens) -> None:
    layer = Layer("Long", LayerKind.FX, prompt="glass break " * 40, events=(Event(0, 1, "hit"),))
    with pytest.raises(InvalidInput, match="shorten"):
        split_layer(layer, count_tokens)


def test_report_without_a_tokenizer_says_how_to_get_one() -> None:
    with pytest.raises(Unavailable, match="foleyline models pull thinksound"):
        token_report(Notes(layers=(STEPS,)))


def test_report_reads_the_tokenizer_from_the_models_folder(tiny_models_root: Path, monkeypatch, count_tokens) -> None:
    monkeypatch.setenv("FOLEYLINE_MODELS_DIR", str(tiny_models_root))
    assert token_report(Notes(layers=(STEPS,))) == token_report(Notes(layers=(STEPS,)), count_tokens)
