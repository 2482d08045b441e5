"""A third round of fifty requests as editors type them, none in the earlier rounds, written down
before the matcher saw them (docs/evaluation.md, "Vocabulary, third round"). Each row names the
models that sound like the request (any one will do) or WARN where none does; WARN beside a
model accepts either that model, unwarned, or a warning. The first run found five silent
substitutes (a screen door's bang was a gunshot, "cannon fire" a campfire, footsteps on marble
gravel, a downpour a thunderstorm, songbirds a room tone); the tests below them pin each class.

One row was judged again after the first run, towards the engine: "office air conditioning"
was written expecting the room tone unwarned, but UCS files air conditioning apart (MACHHvac),
which no model makes, and the warning names it. "velcro rip" replaced a "zipper" that an
earlier round held (written and run once, after the fixes). "barefoot steps on a beach" was a
silent concrete step (no step model walks on sand): such a surface is now named in a warning.
One row is still wrong with the keyword matcher and is marked so: "pillow fight thumps" (the
fight's words outnumber the pillow's)."""

from __future__ import annotations

import pytest

from foleyline.notes import Layer, LayerKind
from foleyline.server.engines.procedural import vocabulary
from foleyline.server.engines.procedural.matcher import KeywordScorer, Matcher
from foleyline.server.engines.procedural.synths import CATALOG

from .conftest import WARN, chosen_models, fx, request_answer

F, X, B = LayerKind.FOLEY, LayerKind.FX, LayerKind.BG
STEP_MODELS = [m for m in CATALOG.values() if m.name.startswith("steps_")]

THIRD_ROUND = [
    (X, "front door slammed", "door"), (X, "screen door bang", "door"), (F, "footsteps on marble", "steps_concrete"),
    (F, "running on a wooden deck", "steps_wood"), (F, "crunching through gravel", ("steps_gravel", WARN)),
    (F, "barefoot steps on a beach", ("steps_gravel", WARN)), (X, "frying pan clang", "impact_metal"),
    (X, "brick dropped on concrete", "impact_stone"), (X, "slap across the face", "impact_body"),
    (X, "pillow fight thumps", "impact_soft"), (X, "bottle smash", "glass_break"),
    (X, "champagne glasses toast clink", "impact_glass"), (X, "revolver gunshot", "gunshot"),
    (X, "cannon fire", ("explosion", "gunshot")), (X, "car bomb explosion", "explosion"),
    (B, "rolling thunder in the distance", ("thunder_rolls", "thunder")), (B, "gentle breeze", "wind"),
    (B, "downpour on a car roof", "rain"), (B, "blizzard", ("wind", WARN)),
    (X, "dog barking in the distance", "dog_bark"), (X, "kitten mewing", "cat_meow"), (B, "songbirds at dawn", "birds"),
    (X, "rooster crowing", WARN), (X, "cow mooing", WARN), (B, "truck engine idling", "engine"),
    (X, "motorcycle drive by", ("car_pass", "engine")), (B, "ambulance siren approaching", "siren"),
    (X, "car horn honk", "horn"), (X, "diving into a swimming pool", "splash"), (B, "river flowing", "water"),
    (F, "filling a glass from a jug", "pour"), (B, "seaside waves crashing", "surf"), (B, "burning building fire", "fire"),
    (F, "coat rustling as he sits", "cloth"), (F, "turning book pages", "paper"), (F, "jingling car keys", "keys"),
    (X, "chair dragged across the floor", "scrape"), (X, "person falls to the ground", "body_fall"),
    (X, "sword whoosh", "whoosh"), (B, "neon sign buzz", "hum"), (B, "office air conditioning", WARN),
    (B, "busy cafe chatter", "crowd"), (B, "standing ovation", "applause"), (X, "clock ticking", "clock"),  # again (w16-models2)
    (X, "velcro rip", ("cloth", WARN)), (X, "laser gun zap", WARN), (X, "punch whoosh", ("whoosh", "impact_body")),
    (X, "creaky floorboard", ("creak", "steps_wood")), (X, "metal gate clanging shut", ("door", "impact_metal")),
    (B, "city street at night", "traffic"),
]
# None left: "pillow fight thumps" was a body's thump, the fight's and the thumps' shared words
# counting twice over the pillow; words many sources share now count as one together.
STILL_WRONG_WITH_KEYWORDS: set[str] = set()


def _rows(still_wrong: set[str] = frozenset()):
    return [pytest.param(kind, prompt, expected, id=prompt,
                         marks=[pytest.mark.xfail(strict=True, reason="a known miss")] if prompt in still_wrong else [])
            for kind, prompt, expected in THIRD_ROUND]


def test_the_round_is_fifty_requests_no_earlier_round_holds():
    from .test_editor_requests import EDITOR_REQUESTS
    from .test_unseen_requests import SECOND_ROUND, UNSEEN_REQUESTS

    prompts = {prompt for _k, prompt, _m in THIRD_ROUND}
    assert len(prompts) == len(THIRD_ROUND) == 50
    assert not prompts & {prompt for _k, prompt, _m in EDITOR_REQUESTS + UNSEEN_REQUESTS + SECOND_ROUND}


@pytest.mark.parametrize(("kind", "prompt", "expected"), _rows(STILL_WRONG_WITH_KEYWORDS))
def test_the_keyword_matcher_answers_with_the_model_or_a_warning(kind, prompt, expected):
    assert request_answer(Matcher(KeywordScorer()), kind, prompt, expected) == ""


@pytest.mark.parametrize(("kind", "prompt", "expected"), _rows())
def test_the_embedding_matcher_answers_with_the_model_or_a_warning(embedding_matcher, kind, prompt, expected):
    assert request_answer(embedding_matcher, kind, prompt, expected) == ""


# The classes the first run found.

@pytest.mark.parametrize("word", ["footsteps", "steps", "boots", "heels"])
def test_a_word_is_one_hit_however_many_of_its_forms_a_list_holds(word):
    # The step models list "footsteps" and "footstep": one word, one hit (it was two, which
    # filled the embedding matcher's keyword bonus before the surface was read).
    scores = KeywordScorer().scores(word, STEP_MODELS)
    assert list(scores) == pytest.approx([1.0] * len(STEP_MODELS), abs=0.02)


@pytest.mark.parametrize(("prompt", "model"), [
    ("footsteps on marble", "steps_concrete"), ("boots on tiles", "steps_concrete"),
    ("steps on pavement", "steps_concrete"), ("footsteps on cobblestones", "steps_concrete"),
    ("steps on a hard floor", "steps_concrete"), ("boots on a deck", "steps_wood"), ("footsteps on powder", "steps_snow"),
    # where the description nearest the whole prompt is another surface's
    ("walking on marble", "steps_concrete"), ("boots on linoleum", "steps_concrete"),
    ("shoes on floorboards", "steps_wood"), ("running on cobbles", "steps_concrete"), ("boots on leaves", "steps_leaves"),
])
def test_the_surface_a_step_request_names_is_the_surface_it_gets(embedding_matcher, prompt, model):
    for matcher in (embedding_matcher, Matcher(KeywordScorer())):
        assert chosen_models(matcher.plan(Layer("f", F, prompt=prompt))) == {model}


def test_a_keyword_listed_as_written_beats_one_read_through_an_inflection():
    # The surf lists "waves"; the whoosh lists a hand's "wave".
    plan = Matcher(KeywordScorer()).plan(Layer("fx", X, prompt="waves"))
    assert chosen_models(plan) == {"surf"} and plan.warning == ""


@pytest.mark.parametrize("prompt", ["cannon fire", "rifle fire", "machine gun fire", "artillery fire", "they open fire"])
def test_a_weapons_fire_is_its_firing_not_flames(embedding_matcher, prompt):
    for matcher in (embedding_matcher, Matcher(KeywordScorer())):
        plan = matcher.plan(Layer("fx", X, prompt=prompt))
        assert chosen_models(plan) & {"gunshot", "explosion"} and "fire" not in chosen_models(plan), prompt


@pytest.mark.parametrize("prompt", ["fire crackling", "a fire in the fireplace", "house on fire", "fire"])
def test_fire_with_no_weapon_before_it_is_still_flames(embedding_matcher, prompt):
    for matcher in (embedding_matcher, Matcher(KeywordScorer())):
        assert "fire" in chosen_models(matcher.plan(Layer("bg", B, prompt=prompt))), prompt


@pytest.mark.parametrize(("prompt", "model"), [
    ("screen door bang", "door"), ("a loud bang", "gunshot"), ("big boom", "explosion"), ("body thump", "impact_body"),
    ("rumble of a passing truck", "car_pass"), ("distant thunder rumble", "thunder"), ("a low rumble", "thunder"),
])
def test_a_source_named_beside_a_sound_many_sources_make_decides(prompt, model):
    plan = Matcher(KeywordScorer()).plan(Layer("fx", X, prompt=prompt))
    assert chosen_models(plan) == {model} and plan.warning == ""


@pytest.mark.parametrize(("prompt", "model"), [
    ("downpour on a car roof", "rain"), ("a heavy downpour", "rain"), ("thunderstorm with a downpour", "storm"),
    ("songbirds at dawn", "birds"), ("the dawn chorus", "birds"),
])
def test_words_the_lists_lacked(prompt, model):
    # A downpour is heavy rain, not thunder; a songbird and the dawn chorus are birds.
    plan = Matcher(KeywordScorer()).plan(Layer("bg", B, prompt=prompt))
    assert chosen_models(plan) == {model} and plan.warning == ""


@pytest.mark.parametrize(("prompt", "surface"), [
    ("footsteps on sand", "on sand"), ("barefoot steps on a beach", "on a beach"),
    ("walking through puddles", "through puddles"), ("walking through a marsh", "through a marsh"),
    ("running on the carpet", "on the carpet"), ("walking on rubble", "on rubble"),
])
def test_a_surface_no_step_model_walks_on_is_named_in_a_warning(embedding_matcher, prompt, surface):
    for matcher in (embedding_matcher, Matcher(KeywordScorer())):
        plan = matcher.plan(Layer("steps", F, prompt=prompt))
        assert plan.warning.startswith(f'layer \'steps\': no sound model for "{surface}"'), plan.warning
        assert plan.warning.endswith(f"it will sound like {plan.sounds_like}")


@pytest.mark.parametrize("prompt", ["waves on the sand", "rain on a metal roof", "a cup set down on the carpet"])
def test_those_words_where_no_feet_land_name_no_surface(prompt):
    assert vocabulary.mentions(prompt) == []


@pytest.mark.parametrize("prompt", ["footsteps on ice", "walking through dry leaves", "boots on gravel"])
def test_a_surface_a_step_model_walks_on_is_not_warned_about(prompt):
    plan = Matcher(KeywordScorer()).plan(Layer("steps", F, prompt=prompt))
    assert plan.warning == "" and chosen_models(plan) < {m.name for m in STEP_MODELS}


@pytest.mark.parametrize(("prompt", "word"), [
    ("bottle opening", "opening"), ("opening a wine bottle", "opening"), ("jar lid unscrewing", "unscrewing"),
])
def test_a_bottle_or_jar_opened_is_warned_about_not_played_as_a_clink_or_a_pour(embedding_matcher, prompt, word):
    # Found in a fourth round of fifty everyday requests (docs/evaluation.md): the one silent substitute.
    for matcher in (embedding_matcher, Matcher(KeywordScorer())):
        assert f'no sound model for "{word}"' in matcher.plan(Layer("fx", X, prompt=prompt)).warning


@pytest.mark.parametrize(("prompt", "model"), [
    ("bottle smash", "glass_break"), ("glass bottle clink", "impact_glass"), ("beer bottles clinking", "impact_glass"),
    ("door opening", "creak"),
])
def test_a_bottle_or_a_door_that_sounds_as_modelled_is_not(prompt, model):
    plan = Matcher(KeywordScorer()).plan(Layer("fx", X, prompt=prompt))
    assert chosen_models(plan) == {model} and plan.warning == ""


# A fourth round: everyday requests as an editor types them (plain, no traps), written down
# before the matcher saw them, after the third round's fixes: fifty, of which the five an earlier
# round held are left out here. The first run: all but one right or warned with both matchers;
# "bottle opening" was a glass clink (keywords) or a pour (embedding), silently (the test above).
FOURTH_ROUND = [
    (X, "door opening", ("door", "creak", WARN)), (X, "door closing", "door"),
    (X, "door knock", ("impact_wood", "door")), (X, "drawer opening", "drawer"),
    (F, "cup set down on a table", ("impact_glass", "impact_wood")), (F, "bottle opening", WARN),
    (F, "pouring coffee", "pour"), (F, "eating crunchy chips", WARN), (F, "chewing", WARN),
    (F, "cutlery clinking", ("impact_metal", "impact_glass")), (F, "plate set on a counter", ("impact_glass",)),
    (F, "phone vibrating", WARN), (F, "mouse click", "click"), (F, "light switch click", "click"),
    (F, "handbag rustle", ("cloth",)), (F, "putting on a coat", ("cloth",)),
    (F, "sitting down on a sofa", ("impact_soft", "cloth")),
    (F, "hand on shoulder", ("cloth", "impact_soft", WARN)), (F, "body fall on the floor", "body_fall"),
    (X, "punch to the face", "impact_body"), (X, "slap", "impact_body"), (X, "glass breaking", "glass_break"),
    (X, "bottle breaking", "glass_break"), (X, "car door slam", "door"), (X, "car engine start", ("engine", WARN)),
    (B, "car driving by", ("car_pass", "traffic", "engine")), (X, "horse galloping", "hooves"),
    (X, "dog barking", "dog_bark"), (X, "cat meow", "cat_meow"), (B, "birds chirping", "birds"),
    (B, "wind blowing", "wind"), (B, "heavy rain", "rain"), (B, "crackling fire", "fire"),
    (X, "gunshot", "gunshot"), (X, "explosion", "explosion"), (X, "whoosh", "whoosh"),
    (F, "footsteps on wood", "steps_wood"), (F, "running footsteps on concrete", "steps_concrete"),
    (F, "footsteps on stairs", "steps_wood"), (B, "crowd chatter", "crowd"), (B, "applause", "applause"),
    (X, "typing on a laptop", "typing"), (X, "paper crumpling", "paper"), (F, "keys jingling", "keys"),
    (X, "box dropped on the floor", ("impact_soft", "impact_wood")),
]


def test_the_fourth_round_is_forty_five_requests_no_earlier_round_holds():
    from .test_editor_requests import EDITOR_REQUESTS
    from .test_unseen_requests import SECOND_ROUND, UNSEEN_REQUESTS

    prompts = {prompt for _k, prompt, _m in FOURTH_ROUND}
    assert len(prompts) == len(FOURTH_ROUND) == 45
    assert not prompts & {prompt for _k, prompt, _m in EDITOR_REQUESTS + UNSEEN_REQUESTS + SECOND_ROUND + THIRD_ROUND}


@pytest.mark.parametrize(("kind", "prompt", "expected"), [pytest.param(*row, id=row[1]) for row in FOURTH_ROUND])
def test_everyday_requests_get_their_model_or_a_warning(embedding_matcher, kind, prompt, expected):
    for matcher in (embedding_matcher, Matcher(KeywordScorer())):
        assert request_answer(matcher, kind, prompt, expected) == "", matcher.scorer.name


@pytest.mark.parametrize("prompt", ["opening the window", "window"])
def test_a_window_is_no_break_unless_it_breaks(embedding_matcher, prompt):
    # "window" was a keyword of the glass's break: a window opened, or seen, shattered silently.
    for matcher in (embedding_matcher, Matcher(KeywordScorer())):
        plan = matcher.plan(Layer("fx", X, prompt=prompt))
        assert "glass_break" not in chosen_models(plan) or plan.warning, (matcher.scorer.name, plan.warning)


@pytest.mark.parametrize("prompt", ["window smash", "a window shatters", "smashing a window"])
def test_a_window_that_breaks_still_breaks(embedding_matcher, prompt):
    for matcher in (embedding_matcher, Matcher(KeywordScorer())):
        plan = matcher.plan(Layer("fx", X, prompt=prompt))
        assert chosen_models(plan) == {"glass_break"} and plan.warning == ""


# Classes found by planning every label the zero-shot labeller can write (server/notes/sound_labels.tsv)
# as the layer its role drafts.

@pytest.mark.parametrize(("prompt", "model"), [("engine running", "engine"), ("running tap", "water"),
                                               ("running footsteps", "steps_concrete"), ("running on gravel", "steps_gravel")])
def test_running_is_an_engines_or_a_taps_beside_them_and_feet_otherwise(prompt, model):
    plan = Matcher(KeywordScorer()).plan(Layer("x", F, prompt=prompt))
    assert chosen_models(plan) == {model} and plan.warning == ""


@pytest.mark.parametrize("prompt", ["glass door", "a glass door slams"])
def test_a_door_made_of_glass_is_a_door_to_the_embedding_too(embedding_matcher, prompt):
    # Read whole, "glass door" is nearest the glass's break; its glass says what the door is made of.
    assert chosen_models(embedding_matcher.plan(Layer("x", X, prompt=prompt))) == {"door"}


@pytest.mark.parametrize(("prompt", "named"), [("mouse squeaks", "mouse"), ("voice singing", "voice")])
def test_the_labellers_animals_and_voices_no_model_makes_are_warned_about(embedding_matcher, prompt, named):
    # "squeaks" was a hinge and "singing" birdsong, silently ("big cat roar", a cat's meow, has the
    # roar's model since w16-models2: test_calls_and_clock.py).
    for matcher in (embedding_matcher, Matcher(KeywordScorer())):
        assert f'no sound model for "{named}"' in matcher.plan(Layer("calls", X, prompt=prompt)).warning


@pytest.mark.parametrize(("prompt", "model"), [
    ("hand clap", "hand_clap"), ("a single clap", "hand_clap"), ("he claps once", "hand_clap"), ("slow clap", "hand_clap"),
    ("applause", "applause"), ("audience clapping", "applause"), ("thunder clap", "thunder"),
])
def test_one_persons_clap_is_a_clap_and_an_audiences_is_applause(embedding_matcher, prompt, model):
    # A clap was the applause bed: a one-hit "hand clap" layer looped a crowd's applause (w11-sfxlib).
    for matcher in (embedding_matcher, Matcher(KeywordScorer())):
        plan = matcher.plan(Layer("fx", X, prompt=prompt))
        assert chosen_models(plan) == {model} and plan.warning == "", matcher.scorer.name


# A fifth round: fifty Foley-stage props and actions ("camera shutter click", "chair creak", "bag
# of groceries set down", "coins dropping on a table"), written down before the matcher saw them,
# after the rounds above; the three an earlier round held are left out here. The first run,
# keyword / embedding matcher: 14 / 12 silent substitutes; now 1 / 2 (marked). Three rows were
# judged again towards the engine: a book closing is the soft impact's thud; a rope's creak and a
# firecracker warn rightly (UCS ROPEMisc and FRWKComr have no model of their own, and the warning
# names what plays). A row here passes with its model,
# unwarned, or with any warning: the check ("a matching model or a warning").
FIFTH_ROUND = [
    (F, "umbrella opening", WARN), (F, "camera shutter click", "click"), (F, "soda can opening", WARN),
    (F, "ice cubes in a glass", ("impact_glass",)), (F, "stapler", WARN),
    (F, "scissors cutting paper", ("paper", WARN)), (F, "pen click", WARN), (F, "tape ripping", WARN),
    (F, "book closing", ("impact_wood", "paper", "impact_soft", WARN)), (F, "chair creak", ("creak",)),
    (F, "bed springs creak", ("creak", WARN)), (F, "floorboard creak", ("creak",)),
    (F, "rope creaking", ("creak", WARN)), (F, "chain rattle", ("keys", WARN)),
    (F, "coins dropping on a table", ("keys",)),
    (F, "ring set on a table", ("impact_metal", "impact_glass", "keys")), (F, "backpack rustle", ("cloth",)),
    (F, "leather creak", ("creak", "cloth")), (F, "zipping a jacket", "zipper"),
    (F, "shuffling cards", ("paper", WARN)), (F, "turning a key in a lock", ("click", "keys")),
    (F, "knife sharpening", ("impact_metal", "scrape", WARN)), (F, "pouring cereal", WARN),
    (F, "frying bacon", ("fire",)), (F, "kettle boiling", ("water",)), (F, "microwave beep", WARN),
    (F, "fridge hum", ("hum", WARN)), (X, "car alarm", WARN), (X, "doorbell", WARN),
    (X, "glass of water set down", ("impact_glass",)), (X, "bottle cap pop", WARN), (X, "cork pop", WARN),
    (X, "balloon pop", WARN), (X, "firecracker", ("explosion", "gunshot", WARN)),
    (X, "hammering a nail", ("impact_metal",)), (X, "sawing wood", WARN), (X, "drilling", WARN),
    (X, "bag of groceries set down", ("impact_soft", "paper")), (X, "dropping a bag of flour", ("impact_soft",)),
    (X, "slamming a laptop shut", ("impact_soft", "door", "impact_wood")), (X, "throwing a ball", ("whoosh",)),
    (X, "catching a ball", ("impact_soft", "impact_body")),
    (X, "tennis ball hit", ("ball_bounce",)), (X, "basketball dribble", ("ball_bounce",)),
    (X, "punching bag", ("impact_body",)), (X, "kick drum", WARN), (X, "cymbal crash", ("impact_metal", WARN)),
]
# None left: "ring set on a table" played the table's knock unwarned; a thing set down that no
# model, source or sound knows is now named in the warning (``vocabulary._placed_unknown``).
STILL_SILENT: dict[str, set[str]] = {"keywords": set(), "embedding": set()}


def _model_or_warning(matcher: Matcher, kind: LayerKind, prompt: str, expected) -> str:
    plan = matcher.plan(Layer("fx 1", kind, prompt=prompt))
    wanted = set(expected) if isinstance(expected, tuple) else {expected}
    warned = plan.warning.startswith("layer 'fx 1': no sound model") and "; it will sound like " in plan.warning
    return "" if warned or (plan.warning == "" and wanted & chosen_models(plan)) else f"{sorted(chosen_models(plan))}"


def _fifth(scorer: str):
    return [pytest.param(*row, id=row[1], marks=[pytest.mark.xfail(strict=True, reason="a silent substitute left")]
                         if row[1] in STILL_SILENT[scorer] else []) for row in FIFTH_ROUND]


def test_the_fifth_round_is_forty_seven_requests_no_earlier_round_holds():
    from .test_editor_requests import EDITOR_REQUESTS
    from .test_unseen_requests import SECOND_ROUND, UNSEEN_REQUESTS

    prompts = {prompt for _k, prompt, _m in FIFTH_ROUND}
    assert len(prompts) == len(FIFTH_ROUND) == 47
    earlier = EDITOR_REQUESTS + UNSEEN_REQUESTS + SECOND_ROUND + THIRD_ROUND + FOURTH_ROUND
    assert not prompts & {prompt for _k, prompt, _m in earlier}


@pytest.mark.parametrize(("kind", "prompt", "expected"), _fifth("keywords"))
def test_props_get_their_model_or_a_warning_from_the_keywords(kind, prompt, expected):
    assert _model_or_warning(Matcher(KeywordScorer()), kind, prompt, expected) == ""


@pytest.mark.parametrize(("kind", "prompt", "expected"), _fifth("embedding"))
def test_props_get_their_model_or_a_warning_from_the_embedding(embedding_matcher, kind, prompt, expected):
    assert _model_or_warning(embedding_matcher, kind, prompt, expected) == ""


@pytest.mark.parametrize(("prompt", "model"), [
    ("chair creak", "creak"), ("bed springs creak", "creak"), ("coins dropping on a table", "keys"),
    ("rain on glass", "rain"), ("dropping a bag of flour", "impact_soft"), ("punching bag", "impact_body"),
    ("book closing", "impact_soft"), ("door closing", "door"),
])
def test_the_fifth_rounds_classes(prompt, model):
    # A sound's own word over the thing that makes it; where it lands below what sounds; a bag is a
    # soft thud unless it is punched; closing is a door's only where nothing else closes.
    plan = Matcher(KeywordScorer()).plan(Layer("x", F if "creak" in prompt else X, prompt=prompt))
    assert chosen_models(plan) == {model} and plan.warning == ""


@pytest.mark.parametrize(("prompt", "named"), [
    ("sawing wood", "sawing"), ("knife sharpening", "sharpening"),
    ("scissors cutting paper", "scissors"), ("soda can opening", "opening"), ("bottle cap pop", "pop"),
    ("pouring cereal", "pouring"), ("pouring rice into a pan", "pouring"),
])
def test_the_fifth_rounds_unmade_sounds_warn(embedding_matcher, prompt, named):
    for matcher in (embedding_matcher, Matcher(KeywordScorer())):
        assert f'"{named}"' in matcher.plan(Layer("x", F, prompt=prompt)).warning, matcher.scorer.name


# The sixth look (stop 32): what the fifth round's last misses belong to.

@pytest.mark.parametrize("prompt", ["glass set down", "mug placed on a desk", "glass tapping", "glass", "wine glass"])
def test_a_glass_nothing_breaks_is_its_clink_not_its_shatter(embedding_matcher, prompt):
    for matcher in (Matcher(KeywordScorer()), embedding_matcher):
        assert chosen_models(matcher.plan(fx(prompt))) == {"impact_glass"}, (matcher.scorer.name, prompt)


@pytest.mark.parametrize("prompt", ["broken glass", "window shatters", "dishes crashing", "plate smashing"])
def test_a_glass_that_breaks_still_shatters(embedding_matcher, prompt):
    for matcher in (Matcher(KeywordScorer()), embedding_matcher):
        assert chosen_models(matcher.plan(fx(prompt))) == {"glass_break"}, (matcher.scorer.name, prompt)


@pytest.mark.parametrize("prompt", ["kettle boiling", "soup simmering", "pasta water boiling", "water bubbling"])
def test_a_boil_is_the_waters_whatever_holds_it(embedding_matcher, prompt):
    for matcher in (Matcher(KeywordScorer()), embedding_matcher):
        plan = matcher.plan(fx(prompt))
        assert chosen_models(plan) == {"water"} and plan.warning == "", (matcher.scorer.name, prompt, plan.warning)


def test_a_word_only_required_names_no_source_a_material_could_make():
    # "crash" says a break happens; no model's keywords list it, so the glass before it is
    # the glass that sounds, not what a crash is made of.
    assert chosen_models(Matcher(KeywordScorer()).plan(fx("glass crash"))) & {"impact_glass", "glass_break"}


@pytest.mark.parametrize(("prompt", "model"), [
    ("glass of water set down", "impact_glass"), ("a cup of coffee set down", "impact_glass"),
    ("pouring a glass of water", "pour"), ("a splash of water", "splash"), ("a pot of boiling water", "water"),
])
def test_a_container_is_what_sounds_not_what_it_holds(embedding_matcher, prompt, model):
    for matcher in (Matcher(KeywordScorer()), embedding_matcher):
        assert chosen_models(matcher.plan(fx(prompt))) == {model}, (matcher.scorer.name, prompt)
