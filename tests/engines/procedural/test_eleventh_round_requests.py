"""An eleventh round of requests nobody had typed (w14-requests11): eighty of the most common
requests a sound editor or a picture editor types into a layer prompt, not genre curiosities
(footsteps on everyday surfaces and shoes, doors, drawers and cabinets, cloth and body moves, keys,
glass and cups, paper, punches and falls, guns and explosions, cars, weather and water, fire,
birds, dogs and cats, crowds, room tones, phones and UI, a kitchen, an office), phrased as people
type them: terse ("fs gravel", "door cls"), UCS-style ("DOOR Wood Close"), sentences from notes
("add a thud when he lands"), with adjectives and intensity, plurals, capitals and a few typos.
Written down, with what each should get, before the matcher saw them (the branch's first commit;
six rows are judged again below, each said where it stands).

Read once before any fix, it left 2 silent substitutes with the keyword matcher and 2 with the
embedding: "fs carpet soft" was a soft thud unwarned to both (the shorthand "fs" named no steps,
so no surface was missing), "sliding glass door opens" a hinge's creak to the keywords, and
"sneakers on hardwood" steps on concrete to the embedding. 8 / 5 more rows were warned where a
model answers ("fs gravel", "sneakers on hardwood", "big explosoin"...). The classes behind them
are tested below, with footsteps on metal, which earlier rounds could only warn about."""

from __future__ import annotations

import pytest

from foleyline.notes import Layer, LayerKind
from foleyline.server.engines.procedural import vocabulary
from foleyline.server.engines.procedural.matcher import KeywordScorer, Matcher

from .conftest import WARN, both_matchers, chosen_models, fx, request_answer

F, X, B = LayerKind.FOLEY, LayerKind.FX, LayerKind.BG

ELEVENTH_ROUND = [
    # footsteps, every everyday surface and shoe
    (F, "fs gravel", ("steps_gravel")),
    (F, "FEETHmn concrete", ("steps_concrete")),
    (F, "footsteps on tile", ("steps_concrete", WARN)),
    (F, "high heels on marble floor", ("steps_concrete", WARN)),
    (F, "sneakers on hardwood", ("steps_wood")),
    (F, "fs carpet soft", (WARN,)),
    (F, "fs dry leaves crunchy", ("steps_leaves")),   # judged again (w15-models): the leaves' model
    (F, "running footsteps on pavement", ("steps_concrete")),
    (F, "Footsteps Snow Crunch", ("steps_snow")),
    (F, "barefoot steps on a wood floor", ("steps_wood")),
    (F, "footsteps on metal stairs", ("steps_metal")),   # judged again: the round's model
    (F, "walking in mud", ("steps_mud")),   # judged again (w15-models): the mud's model
    # judged again: warned by the keywords (a letter left out is no slip: "cracking" is not "crackling")
    (F, "foosteps on grass", ("steps_grass", WARN)),
    (F, "boots on wooden deck", ("steps_wood")),
    # doors, drawers, cabinets, car doors
    (X, "door cls", ("door")),
    (X, "DOOR Wood Close", ("door")),
    (X, "door creaks open slowly", ("door", "creak")),
    (X, "car door close heavy", ("door", WARN)),
    (F, "drawer open and close", ("drawer")),   # judged again (w15-models): the drawer's model
    (X, "kitchen cabinet door shut", ("door", "impact_wood")),
    (X, "knocking on the front door", ("impact_wood", "door")),
    (X, "door handle rattle", ("click", "door", WARN)),
    (X, "sliding glass door opens", ("door", WARN)),
    (X, "DOOR SLAMM", ("door")),
    # cloth and body
    (F, "clothing rustles as she turns", ("cloth")),
    (F, "jacket movement", ("cloth")),
    (F, "leather jacket rustle", ("cloth")),
    (F, "he sits down on the couch", ("impact_soft", "cloth", WARN)),
    (X, "add a thud when he lands", ("body_fall", "impact_body", "impact_soft", WARN)),   # judged again: warned, a knock
    (X, "body fall on concrete", ("body_fall")),
    (X, "punch to the gut", ("impact_body")),
    (X, "Heavy punches", ("impact_body")),
    (X, "face slap", ("impact_body", "hand_clap", WARN)),
    # keys, glass and cups, paper
    (F, "keys jingling in pocket", ("keys")),
    (F, "puts his keys on the table", ("keys", "impact_wood")),
    (X, "glass set down on table", ("impact_glass")),
    (X, "two glasses clink, cheers", ("impact_glass", WARN)),   # judged again: the clink plays, a crowd's cheer is warned about
    (X, "coffee mug down", ("impact_glass", "impact_wood")),
    (X, "glas shatter", ("glass_break")),
    (F, "PAPER Rustle Newspaper", ("paper")),
    (F, "page turns", ("paper")),
    (F, "crumpling up paper", ("paper")),
    # guns and explosions
    (X, "gunshot distant", ("gunshot")),
    (X, "pistol shots x3", ("gunshot")),
    (X, "shotgun blasts x2", ("gunshot")),
    (X, "automatic rifle bursts", ("gunshot")),
    (X, "big explosoin", ("explosion")),
    (X, "EXPLOSION Large Debris", ("explosion")),
    # cars and engines
    (X, "car pass by fast", ("car_pass")),
    (X, "engine idle, old truck", ("engine")),
    (X, "motorbike rev", ("engine")),
    (X, "honk honk", ("horn")),
    (B, "distant traffic", ("traffic")),
    (X, "tires skid", ("skid")),   # judged again: a skid has a model (w14-skid)
    (X, "police siren passing", ("siren")),
    # rain, wind, thunder, water, fire
    (B, "rain against the window, muffled", ("rain")),
    (B, "heavy rain on a tin roof", ("rain")),
    (B, "wind gusts", ("wind")),
    (X, "THUNDER Crack Close", ("thunder")),
    (B, "muffled distant thunder", ("thunder", "thunder_rolls")),
    (X, "small splash in the water", ("splash")),
    (B, "stream babbling", ("water")),
    (B, "waves on the beach", ("surf")),
    (B, "crackling camp fire", ("fire")),
    # birds, dogs and cats
    (B, "dawn chorus birds", ("birds")),
    (X, "dog barking distant", ("dog_bark")),
    (X, "cat meows", ("cat_meow")),
    (X, "dog growls low", ("dog_growl")),   # judged again (w15-models): the growl's model
    (X, "crow caw", ("crow_caw")),   # judged again (w15-models): the caw's model
    # crowds and room tones
    (B, "crowd murmuring in a hall", ("crowd")),
    (B, "restaurant walla", ("crowd")),
    (B, "quiet office room tone", ("room_tone", "hum")),
    # phones and UI
    (X, "cell phone ringing", ("phone_ring")),
    (X, "text message notification", ("beep", WARN)),
    (X, "ui clicks", ("click")),
    # a kitchen
    (X, "chopping onions on a board", ("impact_chop")),
    (X, "frying pan sizzle", ("fire", WARN)),
    # judged again: a source whose own sound no model makes is named, as the eighth round's
    # "microwave beeps" and the fifth's "pen click" are, over the model playing
    (X, "microwave done beep", ("beep", WARN)),
    # an office
    (X, "typing on keyboard fast", ("typing")),
    (X, "clicks his pen", ("click", WARN)),
]


def test_the_eleventh_round_is_eighty_requests_no_earlier_round_holds():
    from .test_editor_requests import EDITOR_REQUESTS
    from .test_eighth_round_requests import EIGHTH_ROUND
    from .test_sixth_round_requests import SEVENTH_ROUND, SIXTH_ROUND
    from .test_tenth_round_requests import TENTH_ROUND
    from .test_third_round_requests import FIFTH_ROUND, FOURTH_ROUND, THIRD_ROUND
    from .test_unseen_requests import SECOND_ROUND, UNSEEN_REQUESTS

    prompts = {prompt for _k, prompt, _m in ELEVENTH_ROUND}
    assert len(prompts) == len(ELEVENTH_ROUND) == 80
    earlier = (EDITOR_REQUESTS + UNSEEN_REQUESTS + SECOND_ROUND + THIRD_ROUND + FOURTH_ROUND + FIFTH_ROUND
               + SIXTH_ROUND + SEVENTH_ROUND + EIGHTH_ROUND + TENTH_ROUND)
    assert not {p.lower() for p in prompts} & {prompt.lower() for _k, prompt, _m in earlier}


@pytest.mark.parametrize(("kind", "prompt", "expected"), ELEVENTH_ROUND, ids=[row[1] for row in ELEVENTH_ROUND])
def test_the_keyword_matcher_answers_the_eleventh_round(kind, prompt, expected):
    assert request_answer(Matcher(KeywordScorer()), kind, prompt, expected) == ""


@pytest.mark.parametrize(("kind", "prompt", "expected"), ELEVENTH_ROUND, ids=[row[1] for row in ELEVENTH_ROUND])
def test_the_embedding_matcher_answers_the_eleventh_round(embedding_matcher, kind, prompt, expected):
    assert request_answer(embedding_matcher, kind, prompt, expected) == ""


def feet(prompt: str) -> Layer:
    return Layer("feet", LayerKind.FOLEY, prompt=prompt)


@pytest.mark.parametrize(("prompt", "model"), [
    ("fs gravel", "steps_gravel"), ("FS wood", "steps_wood"), ("door cls", "door"), ("hvy door opn", "door"),
])
def test_an_editors_shorthand_is_read_as_the_word_it_stands_for(embedding_matcher, prompt, model):
    # "fs gravel" was a soft thud to the keywords and a warned guess to the embedding
    assert vocabulary.shorthand_spelled_out("FS gravel, door cls") == "footsteps gravel, door close"
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(feet(prompt))
        assert chosen_models(plan) == {model} and plan.warning == "", (matcher.scorer.name, prompt)


def test_shorthand_is_only_ever_the_whole_word():
    assert vocabulary.shorthand_spelled_out("offs clsx amber") == "offs clsx amber"


@pytest.mark.parametrize(("prompt", "surface"), [("fs carpet soft", "carpet"), ("carpet footsteps", "carpet"),
                                                 ("fs sand", "sand")])
def test_steps_beside_a_surface_no_model_walks_on_warn_without_an_on(embedding_matcher, prompt, surface):
    # "fs carpet soft" played a soft thud unwarned to both matchers
    for matcher in both_matchers(embedding_matcher):
        assert f'no sound model for "{surface}"' in matcher.plan(feet(prompt)).warning, (matcher.scorer.name, prompt)


def test_running_water_is_no_step_on_water():
    # only steps named as a noun make a surface beside them where the feet land
    plan = Matcher(KeywordScorer()).plan(fx("running water"))
    assert chosen_models(plan) == {"water"} and plan.warning == ""


@pytest.mark.parametrize(("prompt", "model"), [("sneakers on hardwood", "steps_wood"), ("sneakers on the pavement", "steps_concrete")])
def test_sneakers_are_feet_and_hardwood_is_wood(embedding_matcher, prompt, model):
    # "sneakers on hardwood" was steps on concrete to the embedding, unwarned
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(feet(prompt))
        assert chosen_models(plan) == {model} and plan.warning == "", (matcher.scorer.name, prompt)


@pytest.mark.parametrize(("prompt", "model"), [("big explosoin", "explosion"), ("gunshto", "gunshot"), ("clnag", None)])
def test_two_letters_swapped_in_a_long_word_are_a_slip(prompt, model):
    # six letters or more: a shorter word swapped too often makes another ("trail", "trial")
    plan = Matcher(KeywordScorer()).plan(fx(prompt))
    if model is None:
        assert plan.warning.startswith("layer 'fx': no sound model matches \"clnag\"")
    else:
        assert chosen_models(plan) == {model} and plan.warning == ""


@pytest.mark.parametrize("prompt", ["sliding glass door opens", "the sliding doors open"])
def test_a_sliding_door_slides_and_does_not_creak_on_a_hinge(embedding_matcher, prompt):
    # the keywords read "opens" as the hinge's creak
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(feet(prompt))
        assert plan.oneshot.name == "door" and plan.warning == "", (matcher.scorer.name, prompt)
    assert Matcher(KeywordScorer()).plan(fx("door creaks open")).oneshot.name == "creak"


@pytest.mark.parametrize("prompt", ["footsteps on metal stairs", "heels on a metal catwalk", "walking on a steel grate"])
def test_steps_on_metal_have_a_model_of_their_own(embedding_matcher, prompt):
    # warned about by every earlier round; "metal stairs" are the metal's, not the wood's stairs
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(feet(prompt))
        assert chosen_models(plan) == {"steps_metal"} and plan.warning == "", (matcher.scorer.name, prompt)
    assert Matcher(KeywordScorer()).plan(fx("metal clang")).oneshot.name == "impact_metal"
    assert Matcher(KeywordScorer()).plan(feet("footsteps on the stairs")).oneshot.name == "steps_wood"


@pytest.mark.parametrize("prompt", ["tires skid", "tyre squeal", "car skids to a stop", "the truck skids on the wet road"])
def test_a_tyres_skid_is_the_skid_model(embedding_matcher, prompt):
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(fx(prompt))
        assert chosen_models(plan) == {"skid"} and plan.warning == "", (matcher.scorer.name, prompt)


@pytest.mark.parametrize(("prompt", "sound"), [("a hawk screeches", "screeches"), ("a pig squeals", "squeals"),
                                               ("a kid skids on the floor", "skids")])
def test_a_screech_or_a_skid_with_no_tyre_named_stays_warned(embedding_matcher, prompt, sound):
    # a bird's screech, an animal's squeal or a foot's skid: the skid plays only beside what has tyres
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(fx(prompt))
        assert "skid" not in chosen_models(plan), (matcher.scorer.name, prompt)
        assert plan.warning.startswith("layer 'fx': no sound model for ") and f'"{sound}"' in plan.warning, \
            (matcher.scorer.name, prompt)


def test_a_skid_under_a_bed_it_does_not_play_in_is_warned_about():
    # the engine's bed wins a car's ambience; the skid named is missed, and said so
    plan = Matcher(KeywordScorer()).plan(Layer("bg", B, prompt="car skidding to a stop"))
    assert "skid" not in chosen_models(plan) and 'no sound model for "skidding"' in plan.warning
