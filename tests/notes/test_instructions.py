"""The rule-based instruction reader: an editor's sentence becomes a change of notes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from foleyline.errors import InvalidInput
from foleyline.notes import Event, Layer, LayerKind, Notes, from_text
from foleyline.notes.instructions import apply_instruction, find_layer, guess_kind

NOTES = from_text("""\
version: 3
shot: sh010
reasoning: a man walks to his car in the wind; the door slams
[BG] wind
prompt: gusty wind in an open car park
[FOLEY] footsteps
prompt: light boots on gravel
events:
  0.5 s: left
  1 s: right
  1.5 s: left
[FX] door slam
prompt: car door slam
events:
  3 s
[BG] dialogue
prompt: distant voices talking
""")
DURATION = 4.0


def layer(notes: Notes, label: str) -> Layer:
    return notes.layer(label)


def labels(notes: Notes) -> list[str]:
    return [item.label for item in notes.layers]


# (instruction, the layers to regenerate, a check of the new notes)
CASES: list[tuple[str, tuple[str, ...], Callable[[Notes], bool]]] = [
    ("add thunder at 3 s", ("thunder",),
     lambda n: layer(n, "thunder").kind is LayerKind.FX and layer(n, "thunder").events == (Event(3.0, 3.0, "thunder"),)),
    ("Add a gunshot at 2.5s.", ("gunshot",), lambda n: layer(n, "gunshot").events[0].start == 2.5),
    ("add rain from 1 to 3.5 seconds", ("rain",),
     lambda n: layer(n, "rain").kind is LayerKind.BG and layer(n, "rain").events == (Event(1.0, 3.5, "rain"),)),
    ("add birds", ("birds",), lambda n: layer(n, "birds").events == (Event(0.0, DURATION, "birds"),)),
    ("add a footstep at 2 s", ("footsteps",),
     lambda n: [e.start for e in layer(n, "footsteps").events] == [0.5, 1.0, 1.5, 2.0]),
    ("please add a door slam at 0:01.5", ("door slam",),
     lambda n: [e.start for e in layer(n, "door slam").events] == [1.5, 3.0]),
    ("add cloth rustle between 2 and 3 s", ("cloth rustle",),
     lambda n: layer(n, "cloth rustle").kind is LayerKind.FOLEY),
    ("add a whoosh at the end", ("whoosh",), lambda n: layer(n, "whoosh").events[0].start == DURATION),
    ("remove the voices", (), lambda n: "dialogue" not in labels(n)),
    ("delete the door slam", (), lambda n: "door slam" not in labels(n)),
    ("remove the footstep at 1 s", ("footsteps",),
     lambda n: [e.start for e in layer(n, "footsteps").events] == [0.5, 1.5]),
    ("remove the sirens", ("wind", "footsteps", "door slam", "dialogue"),
     lambda n: all("sirens" in item.negative_prompt for item in n.layers)),
    ("no music", ("wind", "footsteps", "door slam", "dialogue"),
     lambda n: all(item.negative_prompt == "music" for item in n.layers)),
    ("without traffic", ("wind", "footsteps", "door slam", "dialogue"),
     lambda n: all(item.negative_prompt == "traffic" for item in n.layers)),
    ("heavier footsteps", ("footsteps",),
     lambda n: layer(n, "footsteps").prompt == "heavy boots on gravel" and layer(n, "footsteps").energy_scale > 1),
    ("make the footsteps lighter", ("footsteps",), lambda n: layer(n, "footsteps").energy_scale < 1),
    ("quieter wind", ("wind",), lambda n: layer(n, "wind").gain_db == -3.0),
    ("much quieter wind", ("wind",), lambda n: layer(n, "wind").gain_db == -6.0),
    ("louder door slam by 4.5 dB", ("door slam",), lambda n: layer(n, "door slam").gain_db == 4.5),
    ("turn the wind down", ("wind",), lambda n: layer(n, "wind").gain_db == -3.0),
    ("turn up the dialogue", ("dialogue",), lambda n: layer(n, "dialogue").gain_db == 3.0),
    ("make the wind softer", ("wind",), lambda n: layer(n, "wind").prompt.startswith("soft ")),
    ("wetter footsteps", ("footsteps",), lambda n: layer(n, "footsteps").prompt.startswith("wet ")),
    ("mute the voices", ("dialogue",), lambda n: layer(n, "dialogue").mute),
    ("move the door slam to 3.5 s", ("door slam",), lambda n: layer(n, "door slam").events[0].start == 3.5),
    ("replace the wind with light rain on a car roof", ("wind",),
     lambda n: layer(n, "wind").prompt == "light rain on a car roof"),
    ("can you make the steps crunchier", ("footsteps",), lambda n: "crunchy" in layer(n, "footsteps").prompt),
    ("move the footsteps 0.1 s later", ("footsteps",),
     lambda n: [e.start for e in layer(n, "footsteps").events] == [0.6, 1.1, 1.6]),
    ("shift the door slam earlier by 0.25 seconds", ("door slam",), lambda n: layer(n, "door slam").events[0].start == 2.75),
    ("the footsteps are too loud", ("footsteps",), lambda n: layer(n, "footsteps").gain_db == -3.0),
    ("the wind is way too heavy", ("wind",), lambda n: layer(n, "wind").prompt.startswith("light ")),
    ("add more wind", ("wind",), lambda n: layer(n, "wind").gain_db == 3.0),
    ("put a thunderclap at 2 s", ("thunderclap",), lambda n: layer(n, "thunderclap").events[0].start == 2.0),
]


@pytest.mark.parametrize(("instruction", "affected", "check"), CASES, ids=[c[0] for c in CASES])
def test_instruction(instruction: str, affected: tuple[str, ...], check: Callable[[Notes], bool]) -> None:
    result = apply_instruction(NOTES, instruction, DURATION)
    assert check(result.notes), result.diff
    assert result.affected_layers == affected
    assert result.notes.version == NOTES.version + 1
    assert result.diff.startswith("--- notes v3\n+++ notes v4\n")
    assert result.summary
    # layers the instruction is not about stay exactly as they were
    for old in NOTES.layers:
        if old.label not in affected and old.label in labels(result.notes):
            assert layer(result.notes, old.label) == old


def test_there_are_at_least_twenty_instructions() -> None:
    assert len(CASES) >= 20


def test_unmute_undoes_mute() -> None:
    muted = apply_instruction(NOTES, "mute the wind", DURATION).notes
    assert not apply_instruction(muted, "unmute the wind", DURATION).notes.layer("wind").mute


def test_heavier_replaces_the_opposite_quality() -> None:
    result = apply_instruction(NOTES, "heavier footsteps", DURATION)
    assert "light" not in result.notes.layer("footsteps").prompt


@pytest.mark.parametrize(("instruction", "message"), [
    ("", "empty"),
    ("sing a song", "could not read"),
    ("add thunder at 9 s", "after the end of the shot"),
    ("add rain from 3 to 1 s", "ends before it starts"),
    ("quieter helicopter", "no layer matches 'helicopter'"),
    ("remove the hit at 2.2 s", "event near 2.2 s"),
    ("move the footsteps 1 s earlier", "before the shot starts"),
    ("move the door slam 2 s later", "after the end of the shot"),
    ("mute the wind", None),
])
def test_instructions_that_cannot_apply_say_why(instruction: str, message: str | None) -> None:
    if message is None:  # a valid one, applied twice, changes nothing the second time
        once = apply_instruction(NOTES, instruction, DURATION).notes
        with pytest.raises(InvalidInput, match="changes nothing"):
            apply_instruction(once, instruction, DURATION)
        return
    with pytest.raises(InvalidInput, match=message):
        apply_instruction(NOTES, instruction, DURATION)


def test_layers_are_found_by_label_prompt_and_synonym() -> None:
    assert find_layer(NOTES, "the steps").label == "footsteps"
    assert find_layer(NOTES, "speech").label == "dialogue"
    assert find_layer(NOTES, "car door").label == "door slam"
    assert find_layer(NOTES, "helicopter") is None


@pytest.mark.parametrize(("phrase", "kind"), [
    ("room tone", LayerKind.BG), ("rain", LayerKind.BG), ("footsteps on snow", LayerKind.FOLEY),
    ("keys jingling", LayerKind.FOLEY), ("explosion", LayerKind.FX), ("thunder", LayerKind.FX),
])
def test_new_layer_kinds_are_guessed_from_words(phrase: str, kind: LayerKind) -> None:
    assert guess_kind(phrase) is kind
