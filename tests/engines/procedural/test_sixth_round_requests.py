"""A sixth round of requests nobody had typed (stop 32): a hundred common Foley and hard-effect
requests from a spotting list (weapons, vehicles, the home and office, sports, kitchens, animals,
weather, paper, costume Foley, backgrounds), written down before the matcher saw them; the 19 an
earlier round already held are left to it, 81 are here. Each gets a model that sounds like it,
or a warning naming the layer and what it will sound like.

Of the 81, the first run left 11 silent substitutes with the keyword matcher and 7 with the embedding (a
sword drawn was a swing, a car skidding a pass-by, wind chimes the wind, frying eggs the pan's
clang, a dog panting and a wolf howling barks, drinking a clink, "a can of soda opening" the
can's clang, "pouring wine" a clink, "flipping through a book" its thud, "diving" a pour); the
classes behind them are tested below."""

from __future__ import annotations

import pytest

from foleyline.notes import Layer, LayerKind
from foleyline.server.engines.procedural import vocabulary
from foleyline.server.engines.procedural.matcher import KeywordScorer, Matcher

from .conftest import WARN, chosen_models, fx, request_answer

F, X, B = LayerKind.FOLEY, LayerKind.FX, LayerKind.BG

SIXTH_ROUND = [
    (X, "sword unsheathed", (WARN,)),
    (X, "arrow whizzing past", (WARN,)),
    (X, "arrow hitting a wooden target", (WARN,)),
    (X, "bow string release", (WARN,)),
    (X, "shotgun pump", (WARN,)),
    (X, "bullet ricochet", (WARN,)),
    (X, "shell casings hitting the floor", (WARN,)),
    (X, "grenade explosion", ("explosion",)),
    (X, "distant artillery", ("explosion",)),
    (X, "jet flyby", ("flyover",)),
    (X, "motorcycle revving", ("engine",)),
    (X, "car skidding to a stop", ("skid",)),
    (X, "truck reversing beep", ("beep",)),
    (X, "bicycle bell", (WARN,)),
    (X, "skateboard rolling", (WARN,)),
    (X, "elevator ding", (WARN,)),
    (X, "cash register", (WARN,)),
    (X, "phone vibrating on a table", (WARN,)),
    (X, "church bells", ("impact_metal", WARN,)),
    (X, "wind chimes", (WARN,)),
    (X, "basketball dribbling", ("ball_bounce",)),
    (X, "baseball bat crack", (WARN,)),
    (X, "golf swing", ("whoosh",)),
    (X, "soccer ball kick", ("impact_body",)),
    (X, "bowling strike", (WARN,)),
    (X, "swimming pool splash", ("splash",)),
    (X, "diving into water", ("splash",)),
    (X, "rowing oars in water", ("water",)),
    (X, "can of soda opening", (WARN,)),
    (X, "chopping vegetables", ("impact_chop",)),
    (X, "frying eggs in a pan", ("fire",)),
    (X, "knife on a cutting board", ("impact_chop",)),
    (X, "plates stacking", ("impact_glass",)),
    (X, "silverware drawer", ("drawer", "drawer_metal")),   # judged again (w15-models): a drawer has a model
    (X, "dog panting", ("breathing",)),
    (X, "horse neighing", ("horse_whinny",)),   # judged again (w16-models2): a whinny has a model
    (X, "owl hooting", ("owl_hoot",)),   # judged again (w16-models2): an owl's hoot has a model
    (X, "crow cawing", ("crow_caw")),   # judged again (w15-models): a crow's caw has a model
    (X, "wolf howling", ("wolf_howl",)),   # judged again (w16-models2): a wolf's howl has a model
    (X, "bees buzzing", (WARN,)),
    (X, "mosquito buzz", (WARN,)),
    (X, "frog croaking", (WARN,)),
    (X, "thunder rumble in the distance", ("thunder", "thunder_rolls",)),
    (X, "lightning strike", ("thunder",)),
    (X, "hail on a car roof", (WARN,)),
    (X, "waterfall", (WARN,)),
    (X, "campfire crackling", ("fire",)),
    (X, "fireworks", (WARN,)),
    (X, "balloon inflating", (WARN,)),
    (X, "tearing paper", ("paper",)),
    (X, "flipping through a book", ("paper",)),
    (X, "writing with a pencil", (WARN,)),
    (X, "marker on a whiteboard", (WARN,)),
    (F, "clothes rustle as he turns", ("cloth",)),
    (F, "leather jacket movement", ("cloth",)),
    (F, "high heels on a wooden floor", ("steps_wood",)),
    (F, "footsteps in the snow", ("steps_snow",)),
    (F, "running on gravel", ("steps_gravel",)),
    (F, "punch to the stomach", ("impact_body",)),
    (F, "hand grabbing a railing", (WARN,)),
    (F, "keys jingling in a pocket", ("keys",)),
    (F, "coffee cup placed on a saucer", ("impact_glass",)),
    (F, "pouring wine", ("pour",)),
    (F, "drinking from a glass", (WARN,)),
    (F, "chewing food", (WARN,)),
    (F, "eating an apple", (WARN,)),
    (F, "a kiss", (WARN,)),
    (F, "heavy breathing", ("breathing",)),
    (F, "armor clanking", ("impact_metal",)),
    (F, "chain mail movement", ("cloth",)),
    (F, "rope tightening", (WARN,)),
    (F, "duct tape pulled", (WARN,)),
    (F, "velcro ripping", (WARN,)),
    (B, "busy restaurant", ("crowd",)),
    (B, "hospital corridor", ("room_tone",)),
    (B, "rainforest", ("birds",)),
    (B, "underwater ambience", (WARN,)),
    (B, "spaceship engine room", ("hum",)),
    (B, "seagulls at the harbour", ("gull_cry",)),   # judged again (w16-models2): a gull's cry has a model
    (B, "light rain on leaves", ("rain",)),
    (B, "blizzard wind", ("wind",)),
]


def test_the_sixth_round_is_eighty_one_requests_no_earlier_round_holds():
    from .test_editor_requests import EDITOR_REQUESTS
    from .test_third_round_requests import FIFTH_ROUND, FOURTH_ROUND, THIRD_ROUND
    from .test_unseen_requests import SECOND_ROUND, UNSEEN_REQUESTS

    prompts = {prompt for _k, prompt, _m in SIXTH_ROUND}
    assert len(prompts) == len(SIXTH_ROUND) == 81
    earlier = EDITOR_REQUESTS + UNSEEN_REQUESTS + SECOND_ROUND + THIRD_ROUND + FOURTH_ROUND + FIFTH_ROUND
    assert not prompts & {prompt for _k, prompt, _m in earlier}


@pytest.mark.parametrize(("kind", "prompt", "expected"), SIXTH_ROUND, ids=[row[1] for row in SIXTH_ROUND])
def test_the_keyword_matcher_answers_with_the_model_or_a_warning(kind, prompt, expected):
    assert request_answer(Matcher(KeywordScorer()), kind, prompt, expected) == ""


@pytest.mark.parametrize(("kind", "prompt", "expected"), SIXTH_ROUND, ids=[row[1] for row in SIXTH_ROUND])
def test_the_embedding_matcher_answers_with_the_model_or_a_warning(embedding_matcher, kind, prompt, expected):
    assert request_answer(embedding_matcher, kind, prompt, expected) == ""


# The classes the first run found.

@pytest.mark.parametrize(("written", "named"), [
    ("car skidding to a stop", "skidding"), ("tires skidded", "skidded"), ("a jet zapped", "zapped"),
])
def test_a_source_written_as_a_verbs_inflection_is_named(written, named):
    assert named in {m.phrase for m in vocabulary.mentions(written)}


@pytest.mark.parametrize(("written", "named"), [("a can of soda opening", "can of soda"),
                                                 ("opening a can of beer", "can of beer")])
def test_a_container_named_before_its_contents_is_the_container(written, named):
    mention = next(m for m in vocabulary.mentions(written) if m.phrase == named)
    assert mention.cat_ids == vocabulary.ALIASES[named.split(" of ")[1] + " " + named.split(" of ")[0]]


@pytest.mark.parametrize(("prompt", "named"), [
    ("drinking from a glass", "drinking"), ("gulping water", "gulping"), ("sword unsheathed", "unsheathed"),
    ("wind chimes", "wind chimes"),
])
def test_sounds_no_model_makes_are_named_in_the_warning(embedding_matcher, prompt, named):
    for matcher in (Matcher(KeywordScorer()), embedding_matcher):
        assert f'"{named}"' in matcher.plan(fx(prompt)).warning, (matcher.scorer.name, prompt)


@pytest.mark.parametrize(("prompt", "model"), [
    ("frying eggs in a pan", "fire"), ("pouring wine", "pour"), ("flipping through a book", "paper"),
    ("diving into water", "splash"), ("wine glasses clinking", "impact_glass"),
])
def test_the_sound_named_beats_the_thing_it_happens_in(embedding_matcher, prompt, model):
    for matcher in (Matcher(KeywordScorer()), embedding_matcher):
        plan = matcher.plan(fx(prompt))
        assert chosen_models(plan) == {model} and plan.warning == "", (matcher.scorer.name, prompt, plan.warning)


def test_a_texture_under_the_sounds_own_hit_stays(embedding_matcher):
    # The jacket's cloth under the creak is a Foley layering, not a source yielding to a sound.
    plan = embedding_matcher.plan(Layer("foley", F, prompt="leather jacket creak"))
    assert chosen_models(plan) == {"creak", "cloth"}


# A seventh round (stop 32): fifty requests as sound editors write them in a spotting session:
# jargon (a cloth pass, walla, RT, int/ext), whole sentences, counts, negatives. Silent
# substitutes before its fixes, keyword / embedding: 10 / 5; after: 0 / 0.

SEVENTH_ROUND = [
    (F, "cloth pass", ("cloth",)),
    (F, "feet", ("steps_concrete",)),
    (F, "specifics for the cup", ("impact_glass",)),
    (F, "props on the table", ("impact_wood",)),
    (X, "hard fx door slam", ("door",)),
    (X, "sfx whoosh by", ("whoosh",)),
    (B, "walla", ("crowd",)),
    (B, "RT", (WARN,)),
    (B, "room tone, quiet office", ("room_tone",)),
    (B, "amb forest day", ("birds",)),
    (B, "ext city night", ("traffic",)),
    (B, "int car driving", ("engine",)),
    # judged again (twelfth round): two sounds one after the other on one layer, which fires one
    # at its contacts: the first plays and the second is warned about
    (X, "the door slowly creaks open and then slams shut", (WARN,)),
    (X, "three gunshots in the distance", ("gunshot",)),
    (X, "he drops the keys on the counter", ("keys",)),
    (X, "she sets the wine glass down gently", ("impact_glass",)),
    (X, "a heavy wooden chest is dragged across the floor", ("impact_wood", "scrape",)),
    (X, "the car pulls away with a screech", ("skid",)),
    (X, "glass shatters as the window breaks", ("glass_break",)),
    # judged again (twelfth round): two sounds one after the other on one layer, which fires one
    # at its contacts: the first plays and the second is warned about
    (X, "a punch lands, then he hits the floor", (WARN,)),
    (F, "she walks across the kitchen in high heels", ("steps_concrete",)),
    (F, "he paces back and forth on the creaky floorboards", ("steps_wood",)),
    (F, "kid running barefoot on grass", ("steps_grass",)),
    (F, "soldiers marching on a dirt road", ("steps_concrete", "steps_gravel",)),
    (F, "horse trotting on cobblestones", ("hooves",)),
    (X, "low rumble under the whole scene", ("thunder_rolls", "engine")),
    (X, "subtle whoosh as the camera pans", ("whoosh",)),
    (X, "sword swipes through the air", ("whoosh",)),
    (X, "ball bounces twice on the court", ("ball_bounce",)),
    (X, "water dripping from a tap", (WARN,)),
    (X, "rain hitting a tin roof", ("rain",)),
    (X, "thunder cracks overhead", ("thunder",)),
    (X, "the fire crackles in the hearth", ("fire",)),
    (X, "wind howling through the trees", ("wind",)),
    (X, "a dog barks twice outside", ("dog_bark",)),
    (X, "birds chirping in the morning", ("birds",)),
    (X, "engine idling, then revs", ("engine",)),
    (X, "door knock, three times", ("impact_wood",)),
    (X, "typing and mouse clicks", ("typing", "click")),
    (X, "crowd cheering in a stadium", (WARN,)),
    (F, "body movement, no footsteps", ("cloth", "impact_body",)),
    (X, "impacts, no metal", (WARN,)),
    (B, "traffic but no horns", ("traffic",)),
    (X, "UI beep", ("beep",)),
    (X, "heartbeat thumping", ("heartbeat",)),
    (X, "a stone thrown into a pond", ("splash",)),
    (X, "paper being torn in half", ("paper",)),
    (X, "crumpling a plastic bag", ("paper",)),
    (X, "zipper on a backpack", ("zipper",)),
    (X, "velcro strap", (WARN,)),
]
# None left: "int car driving" on a BG layer was pass-bys scattered through the shot, and a car's
# interior is now a place (``places.tsv``): its engine, the road under it.
STILL_WRONG: set[str] = set()


def _seventh():
    return [pytest.param(*row, id=row[1], marks=[pytest.mark.xfail(strict=True, reason="a silent substitute left")]
                         if row[1] in STILL_WRONG else []) for row in SEVENTH_ROUND]


def test_the_seventh_round_is_fifty_requests_no_earlier_round_holds():
    from .test_editor_requests import EDITOR_REQUESTS
    from .test_third_round_requests import FIFTH_ROUND, FOURTH_ROUND, THIRD_ROUND
    from .test_unseen_requests import SECOND_ROUND, UNSEEN_REQUESTS

    prompts = {prompt for _k, prompt, _m in SEVENTH_ROUND}
    assert len(prompts) == len(SEVENTH_ROUND) == 50
    earlier = EDITOR_REQUESTS + UNSEEN_REQUESTS + SECOND_ROUND + THIRD_ROUND + FOURTH_ROUND + FIFTH_ROUND + SIXTH_ROUND
    assert not prompts & {prompt for _k, prompt, _m in earlier}


@pytest.mark.parametrize(("kind", "prompt", "expected"), _seventh())
def test_a_spotting_sessions_requests_get_their_model_or_a_warning_from_the_keywords(kind, prompt, expected):
    assert request_answer(Matcher(KeywordScorer()), kind, prompt, expected) == ""


@pytest.mark.parametrize(("kind", "prompt", "expected"), _seventh())
def test_a_spotting_sessions_requests_get_their_model_or_a_warning_from_the_embedding(embedding_matcher, kind,
                                                                                     prompt, expected):
    assert request_answer(embedding_matcher, kind, prompt, expected) == ""


@pytest.mark.parametrize(("prompt", "model"), [
    ("a stone thrown into a pond", "splash"), ("a rock falls into the water", "splash"),
])
def test_a_keyword_of_three_words_is_a_hit(prompt, model):
    # "into the water" was listed and never counted: only two-word phrases were looked for.
    assert chosen_models(Matcher(KeywordScorer()).plan(fx(prompt))) == {model}


@pytest.mark.parametrize("prompt", ["he paces on the floorboards", "soldiers marching on gravel",
                                    "she tiptoes across the deck", "limping on the stairs"])
def test_pacing_marching_and_tiptoeing_are_walking(prompt):
    assert {m for m in chosen_models(Matcher(KeywordScorer()).plan(Layer("feet", F, prompt=prompt)))
            if m.startswith("steps_")}


@pytest.mark.parametrize(("prompt", "model"), [
    ("rain hitting a tin roof", "rain"), ("he drops the keys on the counter", "keys"),
    ("crumpling a plastic bag", "paper"), ("cloth pass", "cloth"),
])
def test_what_sounds_beats_what_it_hits_drops_on_or_happens_to(embedding_matcher, prompt, model):
    for matcher in (Matcher(KeywordScorer()), embedding_matcher):
        assert chosen_models(matcher.plan(Layer("fx", F, prompt=prompt))) == {model}, (matcher.scorer.name, prompt)


@pytest.mark.parametrize(("prompt", "model"), [
    ("steady rumble", "thunder_rolls"), ("low rumble under the whole scene", "thunder_rolls"), ("a low drone", "engine"),
])
def test_a_sound_said_to_last_is_the_texture_the_words_name(embedding_matcher, prompt, model):
    for matcher in (Matcher(KeywordScorer()), embedding_matcher):
        assert chosen_models(matcher.plan(fx(prompt))) == {model}, (matcher.scorer.name, prompt)


@pytest.mark.parametrize(("prompt", "model"), [("constant gunfire", "gunshot"), ("continuous hammering", "impact_metal")])
def test_a_lasting_run_of_hits_no_texture_is_named_for_stays_hits(embedding_matcher, prompt, model):
    for matcher in (Matcher(KeywordScorer()), embedding_matcher):
        assert chosen_models(matcher.plan(fx(prompt))) == {model}, (matcher.scorer.name, prompt)
