"""An eleventh round of requests nobody had typed (w14-requests11): eighty of the most common
requests a sound editor or a picture editor types into a layer prompt, not genre curiosities
(footsteps on everyday surfaces and shoes, doors, drawers and cabinets, cloth and body moves, keys,
glass and cups, paper, punches and falls, guns and explosions, cars, weather and water, fire,
birds, dogs and cats, crowds, room tones, phones and UI, a kitchen, an office), phrased as people
type them: terse ("fs gravel", "door cls"), UCS-style ("DOOR Wood Close"), sentences from notes
("add a thud when he lands"), with adjectives and intensity, plurals, capitals and a few typos.
Written down, with what each should get, before the matcher saw them."""

from __future__ import annotations

import pytest

from foleyline.notes import LayerKind
from foleyline.server.engines.procedural.matcher import KeywordScorer, Matcher

from .conftest import WARN, request_answer

F, X, B = LayerKind.FOLEY, LayerKind.FX, LayerKind.BG

ELEVENTH_ROUND = [
    # footsteps, every everyday surface and shoe
    (F, "fs gravel", ("steps_gravel")),
    (F, "FEETHmn concrete", ("steps_concrete")),
    (F, "footsteps on tile", ("steps_concrete", WARN)),
    (F, "high heels on marble floor", ("steps_concrete", WARN)),
    (F, "sneakers on hardwood", ("steps_wood")),
    (F, "fs carpet soft", (WARN,)),
    (F, "fs dry leaves crunchy", ("steps_grass", WARN)),
    (F, "running footsteps on pavement", ("steps_concrete")),
    (F, "Footsteps Snow Crunch", ("steps_snow")),
    (F, "barefoot steps on a wood floor", ("steps_wood")),
    (F, "footsteps on metal stairs", (WARN,)),
    (F, "walking in mud", (WARN,)),
    (F, "foosteps on grass", ("steps_grass")),
    (F, "boots on wooden deck", ("steps_wood")),
    # doors, drawers, cabinets, car doors
    (X, "door cls", ("door")),
    (X, "DOOR Wood Close", ("door")),
    (X, "door creaks open slowly", ("door", "creak")),
    (X, "car door close heavy", ("door", WARN)),
    (F, "drawer open and close", ("door", "scrape", WARN)),
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
    (X, "add a thud when he lands", ("body_fall", "impact_body", "impact_soft")),
    (X, "body fall on concrete", ("body_fall")),
    (X, "punch to the gut", ("impact_body")),
    (X, "Heavy punches", ("impact_body")),
    (X, "face slap", ("impact_body", "hand_clap", WARN)),
    # keys, glass and cups, paper
    (F, "keys jingling in pocket", ("keys")),
    (F, "puts his keys on the table", ("keys", "impact_wood")),
    (X, "glass set down on table", ("impact_glass")),
    (X, "two glasses clink, cheers", ("impact_glass")),
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
    (X, "tires skid", (WARN,)),
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
    (X, "dog growls low", (WARN,)),
    (X, "crow caw", (WARN,)),
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
    (X, "microwave done beep", ("beep")),
    # an office
    (X, "typing on keyboard fast", ("typing")),
    (X, "clicks his pen", ("click")),
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
