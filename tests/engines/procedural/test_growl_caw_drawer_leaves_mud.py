"""Where the growl, the caw, the drawers, dry leaves and mud play (w15-models), and where they do
not: each only where the prompt names what makes it, anything else named like them warned about
as before."""

from __future__ import annotations

import pytest

from foleyline.notes import Layer, LayerKind
from foleyline.server.engines.procedural import vocabulary
from foleyline.server.engines.procedural.matcher import KeywordScorer, Matcher

from .conftest import both_matchers, chosen_models

F, X, B = LayerKind.FOLEY, LayerKind.FX, LayerKind.BG


@pytest.mark.parametrize(("kind", "prompt", "model"), [
    (X, "a dog growls at the stranger", "dog_growl"), (X, "guard dog snarling", "dog_growl"),
    (X, "crows cawing in the field", "crow_caw"), (X, "a raven caws", "crow_caw"),
    (F, "desk drawer pulled open", "drawer"), (F, "metal drawer slams shut", "drawer_metal"),
    (F, "footsteps crunching through dry leaves", "steps_leaves"), (B, "leaves rustling", "leaves"),
    (F, "kicking through dry leaves", "leaves"),   # kicked, not stepped on: the rustle
    (F, "boots squelching through mud", "steps_mud"), (F, "walking in the mud", "steps_mud"),
])
def test_each_new_model_answers_what_names_it_unwarned(embedding_matcher, kind, prompt, model):
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(Layer("fx 1", kind, prompt=prompt))
        assert chosen_models(plan) == {model} and plan.warning == "", (matcher.scorer.name, prompt, plan.warning)


@pytest.mark.parametrize(("prompt", "named"), [
    ("stomach growling", "growling"), ("an engine growls", "growls"),   # only what growls growls
    ("mud splatters on the windshield", "mud"),                         # mud nobody walks in
])
def test_what_is_named_like_them_but_is_not_them_stays_warned(embedding_matcher, prompt, named):
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(Layer("fx 1", X, prompt=prompt))
        assert f'no sound model for "{named}"' in plan.warning, (matcher.scorer.name, prompt, plan.warning)
        assert not chosen_models(plan) & {"dog_growl", "crow_caw", "steps_mud"}, (matcher.scorer.name, prompt)


def test_a_dogs_growl_is_no_bark_and_a_bark_no_growl():
    matcher = Matcher(KeywordScorer())
    assert chosen_models(matcher.plan(Layer("fx", X, prompt="dog barking"))) == {"dog_bark"}
    assert chosen_models(matcher.plan(Layer("fx", X, prompt="dog"))) == {"dog_bark"}
    # one model a layer: the growl beside the bark is said
    plan = matcher.plan(Layer("fx", X, prompt="dog barking and growling"))
    assert chosen_models(plan) == {"dog_bark"} and 'no sound model for "growling"' in plan.warning


def test_a_crow_bar_is_a_hand_tool_no_bird(embedding_matcher):
    assert vocabulary.mentions("crow bar") == [vocabulary.Mention("crow bar", ("TOOLHand",))]
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(Layer("fx", X, prompt="crow bar"))
        assert chosen_models(plan) == {"impact_metal"} and plan.warning == "", matcher.scorer.name


def test_a_rooster_crowing_is_no_crows_caw_to_the_keywords():
    plan = Matcher(KeywordScorer()).plan(Layer("fx", X, prompt="rooster crowing"))
    assert "crow_caw" not in chosen_models(plan) and 'no sound model for "rooster"' in plan.warning


def test_the_new_models_cover_their_ucs_categories():
    covered = {c: vocabulary.coverage_of(c) for c in ("BIRDCrow", "DRWRWood", "DRWRMetl", "DRWRMisc", "VEGELeaf",
                                                      "LIQSuct", "LIQMisc")}
    assert {c: cov.status for c, cov in covered.items()} == dict.fromkeys(covered, "model")
    # a plastic drawer stands in with the wooden one's slide and knock
    assert vocabulary.coverage_of("DRWRPlas").model.name == "drawer"
