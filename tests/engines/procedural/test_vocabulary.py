"""The engine's vocabulary in UCS terms, and the check set: common Foley and hard-effect requests
each get a model that makes that sound, or a warning that says what will play instead."""

from __future__ import annotations

import pytest

from foleyline.notes import Layer, LayerKind
from foleyline.server.engines.procedural import ucs, vocabulary
from foleyline.server.engines.procedural.matcher import KeywordScorer, Matcher
from foleyline.server.engines.procedural.synths import CATALOG

from .conftest import chosen_models

F, X, B = LayerKind.FOLEY, LayerKind.FX, LayerKind.BG
WARN = None  # no model makes it: the plan must carry a warning

# (layer kind, prompt, the model that must make it, or WARN)
REQUESTS = [
    (F, "footsteps on gravel", "steps_gravel"),
    (F, "footsteps on concrete", "steps_concrete"),
    (F, "footsteps on a wooden floor", "steps_wood"),
    (F, "boots crunching through snow", "steps_snow"),
    (F, "walking on grass", "steps_grass"),
    (X, "door slam", "door"),
    (X, "a creaking door opening", "creak"),
    (X, "knock on the door", "impact_wood"),
    (X, "glass shatter", "glass_break"),
    (X, "glasses clink", "impact_glass"),
    (X, "thunder", "thunder"),
    (X, "dog bark", "dog_bark"),
    (X, "gunshot", "gunshot"),
    (X, "explosion", "explosion"),
    (X, "car passing", "car_pass"),
    (B, "car engine idling", "engine"),
    (B, "rain on window", "rain"),
    (B, "wind howling", "wind"),
    (B, "fire crackling", "fire"),
    (X, "water splash", "splash"),
    (B, "pouring water into a glass", "pour"),
    (B, "a stream babbling over rocks", "water"),
    (F, "cloth rustle", "cloth"),
    (F, "paper rustling", "paper"),
    (F, "keys jingling", "keys"),
    (B, "crowd chatter", "crowd"),
    (B, "birds chirping", "birds"),
    (B, "electrical hum", "hum"),
    (X, "body fall", "body_fall"),
    (X, "punch", "impact_body"),
    (X, "sword swing", "whoosh"),
    (X, "metal clang", "impact_metal"),
    (X, "knife chopping vegetables", "impact_chop"),
    (B, "city traffic", "traffic"),
    (X, "a crate dragged across the floor", "scrape"),
    (B, "ocean waves", "surf"),
    (B, "a thunderstorm", "storm"),
    (X, "a cat meows", "cat_meow"),
    (B, "police siren", "siren"),
    (X, "a helicopter flying overhead", "helicopter"),
    (X, "a phone ringing", "phone_ring"),
    (X, "horse hooves galloping", "hooves"),
]


def test_the_check_set_is_forty_common_requests():
    assert len(REQUESTS) >= 40
    assert len({prompt for _k, prompt, _m in REQUESTS}) == len(REQUESTS)


@pytest.mark.parametrize(("kind", "prompt", "model"), REQUESTS, ids=[p for _k, p, _m in REQUESTS])
def test_each_request_gets_its_model_or_a_warning(kind, prompt, model):
    plan = Matcher(KeywordScorer()).plan(Layer("layer", kind, prompt=prompt))
    if model is WARN:
        assert plan.warning.startswith("layer 'layer': no sound model for")
        assert "it will sound like" in plan.warning
    else:
        assert model in chosen_models(plan)
        assert plan.warning == ""


def test_the_embedding_matcher_answers_the_check_set_too(embedding_matcher):
    wrong = []
    for kind, prompt, model in REQUESTS:
        plan = embedding_matcher.plan(Layer("layer", kind, prompt=prompt))
        if model is WARN and not plan.warning or model is not WARN and model not in chosen_models(plan):
            wrong.append((prompt, chosen_models(plan), plan.warning))
    assert wrong == []


def test_a_prompt_nothing_matches_says_what_plays_instead():
    plan = Matcher(KeywordScorer()).plan(Layer("sfx 3", LayerKind.FX, prompt="zorgle"))
    assert plan.warning == (
        "layer 'sfx 3': no sound model matches \"zorgle\"; "
        "it will sound like a short sharp knock or hit on wood (impact_wood)"
    )
    bg = Matcher(KeywordScorer()).plan(Layer("amb", LayerKind.BG, prompt="zorgle"))
    assert "quiet room tone (room_tone)" in bg.warning


def test_a_source_with_a_near_model_uses_it_and_says_so():
    plan = Matcher(KeywordScorer()).plan(Layer("sky", LayerKind.FX, prompt="fireworks"))
    assert plan.oneshot.name == "explosion" and plan.matched_by == "fallback"
    assert 'no sound model for "fireworks" (UCS FRWKComr)' in plan.warning
    assert "an explosion (explosion)" in plan.warning


def test_an_ambience_of_one_shots_is_scattered_not_a_texture():
    plan = Matcher(KeywordScorer()).plan(Layer("dogs", LayerKind.BG, prompt="dogs barking in the distance"))
    assert plan.oneshot.name == "dog_bark" and plan.texture is None and plan.scattered
    assert plan.params.distance > CATALOG["dog_bark"].defaults.distance


def test_covered_sources_do_not_warn_when_another_model_plays():
    # The dog is the walker here: the sound asked for is its steps.
    plan = Matcher(KeywordScorer()).plan(Layer("dog", LayerKind.FOLEY, prompt="a dog walking on gravel"))
    assert plan.oneshot.name == "steps_gravel" and plan.warning == ""


def test_the_ucs_list_is_the_public_category_list():
    entries = ucs.entries()
    assert len(ucs.categories()) == 82
    assert len(entries) > 600
    for cat_id, category, sub in [("DOORWood", "DOORS", "WOOD"), ("GUNPis", "GUNS", "PISTOL"), ("EXPLReal", "EXPLOSIONS", "REAL"),
                                  ("THUN", "WEATHER", "THUNDER"), ("ANMLDog", "ANIMALS", "DOG"), ("WATRSurf", "WATER", "SURF"),
                                  ("FIRECrkl", "FIRE", "CRACKLE"), ("FEETHmn", "FOOTSTEPS", "HUMAN"), ("GLASBrk", "GLASS", "BREAK")]:
        assert entries[cat_id] == ucs.UcsEntry(cat_id, category, sub)


def test_ucs_file_names_and_newer_cat_ids():
    name = ucs.parse_file_name("GUNPis_Glock-Single Shot_JD_FPS")
    assert (name.entry.cat_id, name.fx_name, name.creator, name.source) == ("GUNPis", "Glock Single Shot", "JD", "FPS")
    assert ucs.parse_file_name("FOLEY_Footstep-Concrete_03") is None  # not a CatID
    assert ucs.parse_file_name("rockHit2") is None
    newer = ucs.lookup("AMBAlpn")  # a CatID from a later UCS release: its category still known
    assert newer is not None and newer.category == "AMBIENCE"
    assert ucs.lookup("XYZAbc") is None


def test_every_model_and_fallback_names_real_categories():
    entries = ucs.entries()
    for model in CATALOG.values():
        assert model.ucs, f"{model.name} names no UCS category"
        assert set(model.ucs) <= set(entries), model.name
    for cat_id, name in vocabulary.FALLBACKS.items():
        assert cat_id in entries and name in CATALOG
        assert vocabulary.coverage_of(cat_id).status == "fallback", f"{cat_id} has a model and a fallback"
    for phrase, cat_ids in vocabulary.ALIASES.items():
        assert set(cat_ids) <= set(entries), phrase


def test_coverage_of_the_common_families():
    table = {c.entry.cat_id: c for c in vocabulary.coverage()}
    assert len(table) == len(ucs.entries())
    for cat_id in ("DOORWood", "FEETHmn", "METLImpt", "GLASBrk", "GUNPis", "EXPLReal", "THUN", "STORM", "ANMLDog", "VEHCar",
                   "WATRSurf", "WATRSplsh", "WATRPour", "FIRECrkl", "CLOTHMvmt", "PAPRHndl", "OBJKey", "CRWDWalla",
                   "BIRDSong", "RAIN", "WIND", "ELECBuzz", "FGHTBf", "FGHTImpt", "WHSH", "AMBRoom", "AMBTraf", "ALRMSirn", "TRNMisc"):
        assert table[cat_id].status == "model", cat_id
    assert table["GUNSupr"].status == "fallback" and table["GUNSupr"].model.name == "gunshot"
    assert table["TRNSteam"].status == "none" and table["TRNSteam"].model is None


def test_mentions_find_sources_not_places():
    assert [m.phrase for m in vocabulary.mentions("a helicopter over the basketball court")] == ["helicopter"]
    assert [m.cat_ids for m in vocabulary.mentions("GUNPis close")] == [("GUNPis",)]
    assert [m.phrase for m in vocabulary.mentions("a car horn honks twice")] == ["car horn", "honks"]
    assert vocabulary.unrendered("birds singing in the trees") == []


def test_foleyline_engines_vocabulary_reports_the_coverage(capsys):
    from foleyline.cli import main

    assert main(["engines", "vocabulary"]) == 0
    lines = capsys.readouterr().out.splitlines()
    weather = next(line for line in lines if line.startswith("WEATHER "))
    assert "thunder" in weather and "storm" in weather
    assert lines[-1].startswith(f"{len(ucs.entries())} UCS categories: ")
    assert main(["engines", "vocabulary", "--all"]) == 0
    every = capsys.readouterr().out
    assert "AEROHeli     AIRCRAFT-HELICOPTER" in every and "GUNSupr" in every and "falls back to gunshot" in every
