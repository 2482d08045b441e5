"""Token counts per layer against an engine's limit: reported, split or warned, never cut."""

from __future__ import annotations

from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

from foleyline.notes import Layer, LayerKind, Notes
from foleyline.notes.tokens import (count_tokens, counter_from_tokenizer, estimate_tokens, split_long_layers,
                                    token_counts_to_proto, token_warnings)

LONG = ("heavy leather boots on wet gravel, a slow deliberate pace, occasional scuffs of the heel, "
        "keys jingling in a coat pocket, the coat rustling with each step")
NOTES = Notes(layers=(Layer("steps", LayerKind.FOLEY, prompt=LONG), Layer("wind", LayerKind.BG, prompt="soft wind"),
                      Layer("hit", LayerKind.FX)))


def test_each_layer_is_counted_against_the_limit() -> None:
    counts = count_tokens(NOTES, 20)
    assert [c.layer_label for c in counts] == ["steps", "wind", "hit"]
    steps, wind, hit = counts
    assert steps.over_limit and steps.tokens > 20 and steps.limit == 20
    assert not wind.over_limit and wind.tokens == estimate_tokens("soft wind")
    assert hit.tokens == estimate_tokens("hit")  # no prompt: the engine reads the label
    assert token_warnings(counts) == [
        f"layer 'steps' has {steps.tokens} tokens, over the engine's limit of 20; shorten its prompt or split it into layers"]
    messages = token_counts_to_proto(counts)
    assert messages[0].over_limit and messages[0].limit == 20 and messages[1].layer_label == "wind"


def test_no_limit_means_nothing_is_over() -> None:
    assert not any(c.over_limit for c in count_tokens(NOTES, None))
    assert split_long_layers(NOTES, 0) == (NOTES, [])


def test_the_estimate_does_not_undercount_a_real_subword_tokenizer() -> None:
    # a tokenizer that knows only whole short words and single letters: long words cost pieces
    vocab = {"[UNK]": 0, "</s>": 1, **{c: i + 2 for i, c in enumerate("abcdefghijklmnopqrstuvwxyz,.")}}
    for word in ("on", "wet", "a", "the", "of", "in", "with", "each", "boots", "heel"):
        vocab.setdefault(word, len(vocab))
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    counter = counter_from_tokenizer(PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]"))
    assert counter("wet boots") == 2
    assert estimate_tokens("wet boots") >= counter("wet boots")


def test_long_layers_are_split_at_clauses_and_nothing_is_lost() -> None:
    new, warnings = split_long_layers(NOTES, 20)
    parts = [layer for layer in new.layers if layer.label.startswith("steps")]
    assert len(parts) >= 2 and parts[0].label == "steps" and parts[1].label == "steps 2"
    assert all(estimate_tokens(p.prompt) <= 20 for p in parts)
    words = " ".join(p.prompt for p in parts).replace(",", " ").split()
    assert words == LONG.replace(",", " ").split()
    assert new.layer("wind") == NOTES.layer("wind")
    assert warnings and "split into" in warnings[0]


def test_a_clause_too_long_to_split_is_kept_whole_and_reported() -> None:
    word_salad = "x" * 400
    notes = Notes(layers=(Layer("noise", LayerKind.FX, prompt=word_salad),))
    new, warnings = split_long_layers(notes, 10)
    assert new == notes
    assert "cannot be split" in warnings[0] and "was not cut" in warnings[0]
