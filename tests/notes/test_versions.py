"""Notes versions: notes that sound different are a new version, notes that sound the same keep
the version a take already recorded for them. One rule for the store, the panel and the editors."""

from __future__ import annotations

from dataclasses import replace

from foleyline.notes import Event, Layer, LayerKind, Notes
from foleyline.notes.versions import recorded_version, same_sound

A = Notes(reasoning="a slam", layers=(Layer("door", LayerKind.FX, prompt="door slam", events=(Event(1.0, 1.0),)),))
B = replace(A, reasoning="a softer slam", layers=(replace(A.layers[0], gain_db=-6.0),))


def test_a_shots_first_notes_are_version_one():
    assert recorded_version(replace(A, version=7), []).version == 1


def test_notes_that_sound_the_same_keep_their_version():
    assert recorded_version(replace(A, version=5, author="editor", shot_id="sh1"), [replace(A, version=1, author="analysis")]).version == 1
    assert same_sound(replace(A, author="vlm", shot_id="x", version=3), A)


def test_changed_notes_are_one_past_the_newest():
    assert recorded_version(B, [replace(A, version=1)]).version == 2
    assert not same_sound(A, B)


def test_going_back_to_earlier_notes_is_going_back_to_their_version():
    history = [replace(A, version=1), replace(B, version=2)]
    assert recorded_version(replace(A, version=2), history).version == 1
    assert recorded_version(replace(A, reasoning="new"), history).version == 3


def test_only_the_version_changes():
    result = recorded_version(replace(B, author="editor", shot_id="sh1"), [replace(A, version=4)])
    assert replace(result, version=0) == replace(B, author="editor", shot_id="sh1", version=0)
