"""Where the wolf's howl, the big cat's roar, the creature's growl, the gull's cry, the owl's
hoot, the horse's whinny and the clock's ticking play (w16-models2), and where they do not: each
voice only beside what makes it (the wind howls, an engine and a crowd roar, a horn hoots), its
source named alone its call; a clock striking the hour is its chime, no tick."""

from __future__ import annotations

import pytest

from foleyline.notes import Layer, LayerKind
from foleyline.server.engines.procedural import vocabulary
from foleyline.server.engines.procedural.matcher import KeywordScorer, Matcher

from .conftest import both_matchers, chosen_models

F, X, B = LayerKind.FOLEY, LayerKind.FX, LayerKind.BG

NEW = {"wolf_howl", "big_cat_roar", "creature_growl", "gull_cry", "owl_hoot", "horse_whinny", "clock"}


@pytest.mark.parametrize(("kind", "prompt", "model"), [
    (X, "a lone wolf howls at the moon", "wolf_howl"), (B, "coyotes howling in the distance", "wolf_howl"),
    (X, "wolf", "wolf_howl"),
    (X, "the lion roars", "big_cat_roar"), (X, "tiger growling", "big_cat_roar"), (X, "leopard snarls", "big_cat_roar"),
    (X, "monster growl", "creature_growl"), (X, "the creature roars", "creature_growl"),
    (X, "a beast snarling in the dark", "creature_growl"),
    (X, "gulls squawking over the pier", "gull_cry"), (B, "gulls", "gull_cry"),
    (X, "an owl hoots", "owl_hoot"), (B, "owl hooting in the woods at night", "owl_hoot"),
    (X, "the horse whinnies", "horse_whinny"), (X, "neighing", "horse_whinny"),
    (B, "a clock ticking on the wall", "clock"), (F, "grandfather clock", "clock"), (X, "tick tock", "clock"),
])
def test_each_new_model_answers_what_names_it_unwarned(embedding_matcher, kind, prompt, model):
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(Layer("fx 1", kind, prompt=prompt))
        assert model in chosen_models(plan) and plan.warning == "", (matcher.scorer.name, prompt, plan.warning)


@pytest.mark.parametrize(("prompt", "model"), [
    ("howling wind", "wind"), ("wind howling through the trees", "wind"),   # the wind howls
    ("engine roars", "engine"), ("crowd roars", "crowd"),                   # so do an engine and a crowd
    ("the horn hoots", "horn"),                                             # and a horn hoots
    ("a dog growls at the stranger", "dog_growl"),                          # a dog's growl stays the dog's
    ("ocean waves, no gulls", "surf"),                                      # refused, not played
])
def test_their_words_said_of_something_else_stay_its(embedding_matcher, prompt, model):
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(Layer("fx 1", X, prompt=prompt))
        assert model in chosen_models(plan) and not chosen_models(plan) & NEW, (matcher.scorer.name, prompt)


@pytest.mark.parametrize(("prompt", "named"), [
    ("dog howling", "howling"),            # a dog's howl is warned as before: the bark plays
    ("stomach growling", "growling"),      # only what growls growls
    ("a hawk screeches", "screeches"),     # a bird of prey's scream is no owl's hoot
    ("eagle", "eagle"),
])
def test_what_is_named_like_them_but_is_not_them_stays_warned(embedding_matcher, prompt, named):
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(Layer("fx 1", X, prompt=prompt))
        assert f'no sound model for "{named}' in plan.warning, (matcher.scorer.name, prompt, plan.warning)
        assert not chosen_models(plan) & NEW, (matcher.scorer.name, prompt)


def test_a_screech_beside_a_creature_is_its_growl_warned():
    plan = Matcher(KeywordScorer()).plan(Layer("fx 1", X, prompt="alien creature screech"))
    assert chosen_models(plan) == {"creature_growl"} and 'no sound model for "screech"' in plan.warning


def test_a_big_cat_named_in_two_words_is_the_roar_to_the_embedding_and_still_warned_to_the_keywords(
        embedding_matcher):
    # The keywords read words one at a time: "cat" is the meow's, and the roar needs a big cat by name.
    plan = embedding_matcher.plan(Layer("fx 1", X, prompt="big cat roar"))
    assert chosen_models(plan) == {"big_cat_roar"} and plan.warning == ""
    plan = Matcher(KeywordScorer()).plan(Layer("fx 1", X, prompt="big cat roar"))
    assert 'no sound model for "big cat"' in plan.warning


def test_the_new_models_cover_their_ucs_categories():
    covered = {c: vocabulary.coverage_of(c) for c in ("ANMLWild", "ANMLWcat", "CREAMnstr", "CREABeast", "CREAMisc",
                                                      "BIRDSea", "BIRDPrey", "ANMLHors", "CLOCKTick", "CLOCKMech")}
    assert {c: cov.status for c, cov in covered.items()} == dict.fromkeys(covered, "model")
    # a bird of prey that is no owl is the birds' bed, as before the owl had a model
    assert vocabulary.fallback_model(vocabulary.Mention("eagle", ("BIRDPrey",))).name == "birds"


def test_a_clock_striking_the_hour_is_warned_about_its_chime(embedding_matcher):
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(Layer("fx 1", X, prompt="the clock strikes midnight"))
        assert 'no sound model for "clock strikes" (UCS CLOCKChim)' in plan.warning, matcher.scorer.name
