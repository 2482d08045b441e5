"""A twelfth round of requests nobody had typed (w15-requests12), drawn from where real requests
are written, which no earlier round drew on: a supervising sound editor's spotting notes and cue
sheets (a timecode, a "BG:" or "PFX:" label, "sweetener", "walla", "ADD hard FX"), prompts that
name two sounds or a sequence ("reloads and fires", "door opens then closes") and prompts with
negations as video-to-audio models allow ("rain without thunder"), British spellings and English
as a second language ("tyre", "storey", "kerb", "lorry"), and mobile typing (no capitals, no
space after a comma, autocorrect's slips: "foot steps", "door slammed shit").

Written down, with what each should get, before the matcher saw them (the branch's first
commit). A prompt naming two sounds a layer cannot play at once (two one-shots) expects a
warning that says so, not the first or the second alone; two it can play (a one-shot and a
texture) expect both (``together``)."""

from __future__ import annotations

import pytest

from foleyline.notes import LayerKind
from foleyline.server.engines.procedural.matcher import KeywordScorer, Matcher

from .conftest import WARN, request_answer, together

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
    (X, "glass falls off the table and shatters", ("glass_break",)),
    (X, "match strike and flame", (WARN,)),
    (F, "sits down and sighs", (WARN,)),
    (X, "zip up the bag and throw it down", (together("zipper", "impact_soft"), WARN)),
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
