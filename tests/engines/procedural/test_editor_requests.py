"""Forty requests as an editor types them into a layer's prompt (terse, plural or verb forms,
closed-up UCS FXNames): each gets the model that makes that sound, or a warning naming the layer
and what it will sound like instead. The models named here were judged by ear and by their
render (duration, attack, spectral centroid); a request without a model must never get a
confident stand-in."""

from __future__ import annotations

import pytest

from foleyline.notes import Layer, LayerKind
from foleyline.server.engines.procedural.matcher import KeywordScorer, Matcher

from .conftest import chosen_models

F, X, B = LayerKind.FOLEY, LayerKind.FX, LayerKind.BG
WARN = None

EDITOR_REQUESTS = [
    (X, "door slams", "door"),
    (F, "keys jingle", "keys"),
    (X, "punch to face", "impact_body"),
    (X, "shattering glass", "glass_break"),
    (F, "running footsteps on gravel", "steps_gravel"),
    (B, "rain hitting the windows", "rain"),
    (X, "car pass by", "car_pass"),
    (X, "dogs barking", "dog_bark"),
    (X, "thunder crack", "thunder"),
    (X, "gunshot with tail", "gunshot"),
    (X, "body falls to the ground", "body_fall"),
    (F, "clothes rustling", "cloth"),
    (F, "paper crumple", "paper"),
    (F, "coins drop", "keys"),
    (F, "zipper", "zipper"),
    (X, "camera shutter", "click"),
    (X, "phone vibrate", WARN),
    (X, "horse gallop", "hooves"),
    (B, "boat engine", WARN),
    (B, "crowd applause", "applause"),
    (X, "kettle whistle", WARN),
    (F, "heels on marble floor", "steps_concrete"),
    (X, "distant explosion", "explosion"),
    (B, "campfire crackle", "fire"),
    (B, "waves crashing on the beach", "surf"),
    (X, "splash into pool", "splash"),
    (B, "ambulance siren passing", "siren"),
    (X, "slicing vegetables", "impact_chop"),
    (X, "creaky door hinge", "creak"),
    (B, "fluorescent light buzz", "hum"),
    (X, "gun shots", "gunshot"),
    (X, "bottle clink", "impact_glass"),
    (X, "tires screech", "skid"),
    (X, "match strike", WARN),
    (X, "foot steps on wood", "steps_wood"),
    (X, "a wrench clanks on the floor", "impact_metal"),
    (X, "helicopter flyby", "helicopter"),
    (X, "toilet flush", WARN),
    (X, "lighter flick", "click"),
    (B, "morning birdsong", "birds"),
]


def _wrong(matcher: Matcher) -> list[tuple[str, set[str], str]]:
    wrong = []
    for kind, prompt, model in EDITOR_REQUESTS:
        plan = matcher.plan(Layer("fx 1", kind, prompt=prompt))
        if model is WARN:
            ok = plan.warning.startswith("layer 'fx 1': no sound model") and "; it will sound like " in plan.warning
        else:
            ok = model in chosen_models(plan) and plan.warning == ""  # no warning: a confident, right match
        if not ok:
            wrong.append((prompt, chosen_models(plan), plan.warning))
    return wrong


def test_the_set_is_forty_distinct_requests():
    assert len({prompt for _k, prompt, _m in EDITOR_REQUESTS}) == len(EDITOR_REQUESTS) == 40


def test_the_keyword_matcher_answers_each_request_with_its_model_or_a_warning():
    assert _wrong(Matcher(KeywordScorer())) == []


def test_the_embedding_matcher_answers_each_request_with_its_model_or_a_warning(embedding_matcher):
    assert _wrong(embedding_matcher) == []


@pytest.mark.parametrize(("prompt", "model"), [
    ("bodyfall", "body_fall"), ("thunder cracks", "thunder"), ("crack of thunder", "thunder"),
    ("footsteps on the wooden porch", "steps_wood"), ("high heels on tiles", "steps_concrete"),
])
def test_a_named_source_and_its_surface_outweigh_a_context_word(prompt, model):
    plan = Matcher(KeywordScorer()).plan(Layer("fx", LayerKind.FX, prompt=prompt))
    assert model in chosen_models(plan) and plan.warning == ""


def test_a_paraphrase_guess_keeps_its_sound_and_says_so(embedding_matcher):
    # Nothing makes a bird's screech (a sound named as no model's: a tyre's is the skid's); the
    # nearest model shares only a sound's shape.
    plan = embedding_matcher.plan(Layer("hawk", LayerKind.FX, prompt="a hawk screeches"))
    assert plan.matched_by == "embedding"
    assert plan.warning == f"layer 'hawk': no sound model for \"screeches\"; it will sound like {plan.sounds_like}"
    # A close paraphrase with no shared word is not a guess.
    assert embedding_matcher.plan(Layer("steps", LayerKind.FOLEY, prompt="gravel crunch")).warning == ""


@pytest.mark.parametrize(("prompt", "model"), [
    ("GUNPis", "gunshot"), ("DOORWood_Heavy Slam", "door"), ("THUN", "thunder"), ("ANMLDog", "dog_bark"),
    ("FEETHmn on a hard floor", "steps_concrete"), ("GLASBrk", "glass_break"), ("RAIN", "rain"),
])
def test_a_ucs_category_written_as_such_gets_its_model(prompt, model, embedding_matcher):
    for matcher in (Matcher(KeywordScorer()), embedding_matcher):
        plan = matcher.plan(Layer("fx", LayerKind.FX, prompt=prompt))
        assert model in chosen_models(plan) and plan.matched_by == "ucs" and plan.warning == "", matcher.scorer.name


def test_a_ucs_category_with_only_a_stand_in_says_so():
    plan = Matcher(KeywordScorer()).plan(Layer("fx", LayerKind.FX, prompt="DOORMetl"))
    assert plan.oneshot.name == "door" and plan.matched_by == "fallback"
    assert 'no sound model for "DOORMetl" (UCS DOORMetl)' in plan.warning


@pytest.mark.parametrize(("prompt", "model"), [
    ("punched", "impact_body"), ("door slammed", "door"), ("chopped", "impact_chop"), ("paper crumpled", "paper"),
])
def test_a_past_tense_counts_as_its_verb(prompt, model):
    plan = Matcher(KeywordScorer()).plan(Layer("fx", LayerKind.FX, prompt=prompt))
    assert model in chosen_models(plan) and plan.warning == ""


@pytest.mark.parametrize(("prompt", "model"), [
    ("ambience of rain", "rain"), ("ambience of wind in trees", "wind"), ("forest ambience", "birds"),
    ("ambience of a storm", "storm"), ("quiet room tone, natural ambience", "room_tone"),
])
def test_the_word_ambience_does_not_make_every_bed_a_room_tone(prompt, model):
    plan = Matcher(KeywordScorer()).plan(Layer("amb", LayerKind.BG, prompt=prompt))
    assert plan.texture is not None and plan.texture.name == model and plan.warning == ""
