"""The label set: rows of the UCS list a camera can see, each naming the kind of layer it fits."""

from __future__ import annotations

import pytest

from foleyline.server.engines.procedural import ucs
from foleyline.server.notes.sound_labels import (PLACE_ROLES, SOURCE_ROLES, SURFACE_ROLES, labels_for,
                                                 parse_sound_labels, sound_labels)


def test_every_label_is_a_ucs_category_and_every_role_has_labels() -> None:
    labels = sound_labels()
    assert all(ucs.lookup(label.cat_id) is not None and label.category for label in labels)
    for role in (*PLACE_ROLES, *SOURCE_ROLES, *SURFACE_ROLES):
        assert labels_for(role), role
    assert {label.role for label in labels} == {*PLACE_ROLES, *SOURCE_ROLES, *SURFACE_ROLES}


def test_within_a_question_captions_and_sounds_are_distinct_and_sounds_are_short() -> None:
    for roles in (PLACE_ROLES, SOURCE_ROLES, SURFACE_ROLES):
        asked = labels_for(*roles)
        assert len({label.caption for label in asked}) == len(asked), roles
        assert len({label.sound for label in asked}) == len(asked), roles
    # a layer's name and prompt: a few words, so ThinkSound's 77 tokens go to the events
    assert max(len(label.sound.split()) for label in sound_labels()) <= 4


def test_the_sources_a_foley_editor_names_first_are_in_the_set() -> None:
    sounds = {label.sound for label in labels_for(*SOURCE_ROLES)}
    assert {"dog barking", "car engine", "footsteps", "pistol gunshots", "knife chopping"} <= sounds
    places = {label.sound for label in labels_for(*PLACE_ROLES)}
    assert {"rain", "crowd walla", "city street ambience", "wind"} <= places
    assert "gravel" in {label.sound for label in labels_for(*SURFACE_ROLES)}


@pytest.mark.parametrize(("line", "problem"), [
    ("DOGBark\tcalls\ta dog\tbark", "not a UCS CatID"),
    ("ANMLDog\tbarks\ta dog\tbark", "role 'barks'"),
    ("ANMLDog\tcalls\ta dog", "expected CatID, role, caption, sound"),
])
def test_a_bad_row_is_reported_with_its_line(line: str, problem: str) -> None:
    with pytest.raises(ValueError, match=f"sound_labels.tsv:3: .*{problem}"):
        parse_sound_labels("# comment\nCatID\trole\tcaption\tsound\n" + line + "\n")
