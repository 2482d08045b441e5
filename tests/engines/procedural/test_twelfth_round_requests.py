"""A twelfth round of requests nobody had typed (w15-requests12), drawn from where real requests
are written, which no earlier round drew on: a supervising sound editor's spotting notes and cue
sheets (a timecode, a "BG:" or "PFX:" label, "sweetener", "walla", "ADD hard FX"), prompts that
name two sounds or a sequence ("reloads and fires", "door opens then closes") and prompts with
negations as video-to-audio models allow ("rain without thunder"), British spellings and English
as a second language ("tyre", "storey", "kerb", "lorry"), and mobile typing (no capitals, no
space after a comma, autocorrect's slips: "foot steps", "door slammed shit").

Written down, with what each should get, before the matcher saw them (the branch's first
commit; two rows are judged again below, each said where it stands). A prompt naming two
sounds a layer cannot play at once (two one-shots) expects a warning that says so, not the first
or the second alone.

Read once before any fix, it left 11 silent substitutes with the keyword matcher and 11 with the
embedding, 10 of each the prompts naming two sounds (one of the two played, the other dropped
unsaid, the two matchers often keeping a different one); 3 / 3 more rows were warned where a
model answers ("PFX:" read as an archived UCS category, a trip on the kerb). After the fixes,
1 / 1: "zip up the bag and throw it down", left (below). The classes are tested below."""

from __future__ import annotations

import pytest

from foleyline.notes import Layer, LayerKind
from foleyline.server.engines.procedural import vocabulary
from foleyline.server.engines.procedural.matcher import KeywordScorer, Matcher

from .conftest import WARN, both_matchers, chosen_models, fx, request_answer

F, X, B = LayerKind.FOLEY, LayerKind.FX, LayerKind.BG

TWELFTH_ROUND = [
    # spotting notes and cue sheets, as a supervising sound editor writes them
    (X, "01:02:10:05 - door slam off-screen", ("door",)),
    (B, "BG: city night, distant traffic", ("traffic",)),
    (F, "PFX: cloth on the hug", ("cloth",)),
    (X, "sweetener on the punch", ("impact_body",)),
    (B, "walla, restaurant", ("crowd",)),
    (X, "ADD hard FX: gun cock + shot", (WARN,)),
    (X, "need a whoosh on the swing", ("whoosh",)),
    (X, "10:04:22:13 glass smash, CU", ("glass_break",)),
    (B, "AMB: forest day, light wind", ("birds", "wind")),
    (F, "FS: heels on tile, interior", ("steps_concrete", WARN)),
    (X, "SFX - car horn honk x2", ("horn",)),
    (B, "RT: empty office, HVAC hum", ("room_tone", "hum")),
    (X, "HFX: body hits floor", ("body_fall",)),
    (X, "TC 00:14:03:20 phone rings", ("phone_ring",)),
    (F, "Foley: keys in hand, pocket", ("keys",)),
    (B, "BG - rain on window, int.", ("rain",)),
    (X, "add thunder clap at cut", ("thunder",)),
    (X, "spot a splash when she dives in", ("splash",)),
    (F, "PFX: paper shuffle on desk", ("paper",)),
    (X, "SFX: dog bark, off screen", ("dog_bark",)),
    (B, "walla: busy bar, no music", ("crowd",)),
    (X, "missing FX - punch + body fall", (WARN,)),
    (X, "sweeten explosion w/ debris", ("explosion",)),
    (F, "FOLEY cloth pass, leather jacket", ("cloth",)),
    (X, "Reel 3, 01:00:45:10 - gunshots, distant", ("gunshot",)),
    (B, "ext. night: crickets, light wind", ("insects", "wind")),
    (X, "SFX needed: fridge door close", ("door", WARN)),
    (X, "cue 12: car by, left to right", ("car_pass",)),
    # two sounds, or a sequence
    (X, "reloads and fires", (WARN,)),
    (X, "door opens then closes", ("door",)),
    (X, "glass breaks and shards scatter", ("glass_break",)),
    (X, "car pulls up and stops", ("engine", "car_pass")),
    (X, "knock on the door, then it opens", (WARN,)),
    (F, "footsteps then a door slam", (WARN,)),
    (X, "phone rings and he picks it up", ("phone_ring", WARN)),
    # judged again: warned. The first clause names the table's knock and plays; the break is
    # said not to (the glass's fall and its shatter are one sound, which the clauses do not tell)
    (X, "glass falls off the table and shatters", (WARN,)),
    (X, "match strike and flame", (WARN,)),
    (F, "sits down and sighs", (WARN,)),
    # judged again: left, silent, by this round; warned since the thirteenth (w16-requests13): two
    # actions in turn, the zip's texture playing and the throw said not to (the drafter's "crowd
    # of pedestrians walking, footsteps and murmur" lists what is heard at once, and stays)
    (X, "zip up the bag and throw it down", (WARN,)),
    (X, "gunshot then shell casing drops", (WARN,)),
    (B, "rain and thunder", ("storm", WARN)),
    (X, "door unlocks and creaks open", (WARN,)),
    (F, "picks up the cup and sips", (WARN,)),
    (X, "engine starts then revs", ("engine",)),
    # negations
    (F, "steps on wood, no music", ("steps_wood",)),
    (B, "rain without thunder", ("rain",)),
    (B, "crowd but no dialogue", ("crowd",)),
    (B, "forest ambience, no birds", ("wind", "insects", "room_tone", "water")),
    (X, "explosion, no debris", ("explosion",)),
    (B, "city street, no traffic", ("crowd", "room_tone", "wind")),
    (X, "punch without the whoosh", ("impact_body",)),
    (F, "cloth movement only, no footsteps", ("cloth",)),
    (B, "ocean waves, no gulls", ("surf",)),
    (X, "door close, not a slam", ("door",)),
    (B, "wind through trees, no birds", ("wind",)),
    # British spellings, English as a second language
    (X, "tyre screech", ("skid",)),
    (F, "footsteps on the parquet", ("steps_wood",)),
    (F, "steps in the snow slowly", ("steps_snow",)),
    (X, "he trips on the kerb", ("body_fall", "impact_body")),
    (X, "aluminium can crushed", ("impact_metal", WARN)),
    (X, "a fall from the second storey", ("body_fall",)),
    (X, "colour TV switched on", (WARN,)),
    (B, "neighbour's dog barking", ("dog_bark",)),
    (X, "metre-long metal pipe dropped", ("impact_metal",)),
    (F, "grey wool jumper rustling", ("cloth",)),
    (X, "lorry passing", ("car_pass", "engine", "traffic")),
    (X, "the lift doors open", ("door", WARN)),
    (X, "he knocks at the door two times", ("impact_wood", "door")),
    (X, "big boom from the explosion far", ("explosion",)),
    (F, "walking on the pavement with the heels", ("steps_concrete",)),
    (X, "torch clicks on", ("click",)),
    (X, "bin lid slams", ("impact_metal", "impact_soft", "door")),
    # mobile typing: no capitals, no space after a comma, autocorrect's slips
    (F, "foot steps on gravel", ("steps_gravel",)),
    (X, "door slammed shit", ("door",)),
    (X, "glass breaking,then silence", ("glass_break",)),
    (F, "fs wood,slow,heavy", ("steps_wood",)),
    (B, "rain on car roof,inside the car", ("rain",)),
    (X, "dog barking,far away", ("dog_bark",)),
    (X, "gun shot", ("gunshot",)),
    (X, "door nob rattle", ("click", "door", WARN)),
]


def test_the_twelfth_round_is_eighty_requests_no_earlier_round_holds():
    from .test_editor_requests import EDITOR_REQUESTS
    from .test_eighth_round_requests import EIGHTH_ROUND
    from .test_eleventh_round_requests import ELEVENTH_ROUND
    from .test_sixth_round_requests import SEVENTH_ROUND, SIXTH_ROUND
    from .test_tenth_round_requests import TENTH_ROUND
    from .test_third_round_requests import FIFTH_ROUND, FOURTH_ROUND, THIRD_ROUND
    from .test_unseen_requests import SECOND_ROUND, UNSEEN_REQUESTS

    prompts = {prompt for _k, prompt, _m in TWELFTH_ROUND}
    assert len(prompts) == len(TWELFTH_ROUND) == 80
    earlier = (EDITOR_REQUESTS + UNSEEN_REQUESTS + SECOND_ROUND + THIRD_ROUND + FOURTH_ROUND + FIFTH_ROUND
               + SIXTH_ROUND + SEVENTH_ROUND + EIGHTH_ROUND + TENTH_ROUND + ELEVENTH_ROUND)
    assert not {p.lower() for p in prompts} & {prompt.lower() for _k, prompt, _m in earlier}


@pytest.mark.parametrize(("kind", "prompt", "expected"), TWELFTH_ROUND, ids=[row[1] for row in TWELFTH_ROUND])
def test_the_keyword_matcher_answers_the_twelfth_round(kind, prompt, expected):
    assert request_answer(Matcher(KeywordScorer()), kind, prompt, expected) == ""


@pytest.mark.parametrize(("kind", "prompt", "expected"), TWELFTH_ROUND, ids=[row[1] for row in TWELFTH_ROUND])
def test_the_embedding_matcher_answers_the_twelfth_round(embedding_matcher, kind, prompt, expected):
    assert request_answer(embedding_matcher, kind, prompt, expected) == ""


@pytest.mark.parametrize(("prompt", "written"), [
    ("01:02:10:05 - door slam off-screen", "door slam offscreen"),
    ("TC 00:14:03:20 phone rings", "phone rings"),
    ("Reel 3, 01:00:45:10 - gunshots, distant", "gunshots, distant"),
    ("cue 12: car by", "car by"),
    ("PFX: cloth on the hug", "cloth on the hug"),
    ("ADD hard FX: gun cock", "gun cock"),
    ("SFX needed: fridge door close", "fridge door close"),
    ("missing FX - punch", "punch"),
])
def test_a_spotting_notes_marks_are_not_words_of_the_sound(prompt, written):
    assert vocabulary.spotting_marks_removed(prompt) == written


@pytest.mark.parametrize("prompt", ["FS: heels on wood", "walla: busy bar", "BG: rain", "door slam - heavy",
                                    "rain: heavy", "Hard: metal hit", "9mm pistol", "; run "])
def test_a_label_that_names_the_sound_or_says_a_bed_stays(prompt):
    # "FS" is footsteps and "walla" a crowd; a bed's label is read by the bed words
    assert vocabulary.spotting_marks_removed(prompt) == prompt


@pytest.mark.parametrize(("prompt", "model"), [("PFX: cloth on the hug", "cloth"),
                                               ("PFX: paper shuffle on desk", "paper"),
                                               ("01:02:10:05 - door slam off-screen", "door")])
def test_a_labelled_request_plays_its_sound_unwarned(embedding_matcher, prompt, model):
    # "PFX" (an archived UCS category) was warned about as a source no model makes
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(Layer("fx 1", LayerKind.FOLEY, prompt=prompt))
        assert chosen_models(plan) == {model} and plan.warning == "", (matcher.scorer.name, prompt)


@pytest.mark.parametrize(("prompt", "plays", "unplayed"), [
    ("ADD hard FX: gun cock + shot", "click", "shot"),
    ("missing FX - punch + body fall", "impact_body", "body fall"),
    ("footsteps then a door slam", "steps_concrete", "a door slam"),
    ("knock on the door, then it opens", "impact_wood", "it opens"),
    ("door unlocks and creaks open", "door", "creaks open"),
])
def test_two_sounds_on_one_layer_play_the_first_and_say_the_second_does_not(embedding_matcher, prompt, plays, unplayed):
    # each played one of the two unwarned, and the two matchers often a different one
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(fx(prompt, label="fx 1"))
        assert plan.oneshot.name == plays, (matcher.scorer.name, prompt)
        assert plan.warning.startswith(f"layer 'fx 1': no sound model for \"{unplayed}\" after "), \
            (matcher.scorer.name, prompt)
        assert "give it a layer of its own" in plan.warning


@pytest.mark.parametrize(("prompt", "model"), [
    ("door opens then closes", "door"), ("glass breaks and shards scatter", "glass_break"),
    ("engine starts then revs", "engine"), ("rock and roll drums", None), ("heel and toe", None),
])
def test_one_sound_said_twice_or_a_word_many_sources_share_is_no_second_sound(prompt, model):
    # "closes" is the door's, but the door's and the book's and the lid's: it names no second source
    plan = Matcher(KeywordScorer()).plan(fx(prompt))
    assert "after" not in plan.warning
    if model is not None:
        assert chosen_models(plan) == {model} and plan.warning == ""


def test_a_bed_plays_what_it_names_at_once():
    # a bed lays its sounds together: no sound named after another is dropped from it
    plan = Matcher(KeywordScorer()).plan(Layer("bg", B, prompt="rain and thunder"))
    assert "after" not in plan.warning


def test_a_comma_qualifies_and_lists_no_second_sound():
    for prompt in ("engine idle, old truck", "9mm pistol, double tap", "footsteps gravel, door close"):
        assert "after" not in Matcher(KeywordScorer()).plan(fx(prompt)).warning, prompt


@pytest.mark.parametrize("prompt", ["reloads and fires", "cocks and fires the shotgun"])
def test_fires_after_a_guns_action_is_the_shot(embedding_matcher, prompt):
    # "reloads and fires" was the fire's crackle to the embedding, unwarned
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(fx(prompt))
        assert "fire" not in chosen_models(plan) and "(gunshot)" not in plan.warning, (matcher.scorer.name, prompt)
        assert 'no sound model for "shoots' in plan.warning, (matcher.scorer.name, prompt)
    assert chosen_models(Matcher(KeywordScorer()).plan(fx("the fire crackles and spreads"))) == {"fire"}


@pytest.mark.parametrize(("prompt", "said"), [("gunshot then shell casing drops", "shell casing"),
                                              ("match strike and flame", "match strike"),
                                              ("he strikes a match", "strikes a match")])
def test_a_spent_shell_and_a_struck_match_are_named_sources(embedding_matcher, prompt, said):
    # each played the shot or the flames unwarned, the casing's tinkle or the match's strike dropped
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(fx(prompt))
        assert plan.warning.startswith(f"layer 'fx': no sound model for \"{said}\" (UCS "), \
            (matcher.scorer.name, prompt)


@pytest.mark.parametrize("prompt", ["HFX: body hits floor", "he hits the ground hard", "he trips on the kerb",
                                    "she tripped over the cable"])
def test_a_body_landing_on_the_floor_or_tripping_is_a_body_fall(embedding_matcher, prompt):
    # "body hits floor" was a punch's body blow to the keywords; a trip was warned about
    for matcher in both_matchers(embedding_matcher):
        plan = matcher.plan(fx(prompt))
        assert chosen_models(plan) == {"body_fall"} and plan.warning == "", (matcher.scorer.name, prompt)
    assert Matcher(KeywordScorer()).plan(fx("a punch to the body")).oneshot.name == "impact_body"


@pytest.mark.parametrize("prompt", ["car pulls up and stops", "the truck stops at the light"])
def test_a_car_stopping_is_no_skid_unless_a_skid_or_hard_braking_is_said(embedding_matcher, prompt):
    # "car pulls up and stops" read nearest the skid's "brakes hard to a stop" to the embedding
    for matcher in both_matchers(embedding_matcher):
        assert "skid" not in chosen_models(matcher.plan(fx(prompt))), (matcher.scorer.name, prompt)
    for matcher in both_matchers(embedding_matcher):
        assert chosen_models(matcher.plan(fx("the car screeches to a stop"))) == {"skid"}, matcher.scorer.name
