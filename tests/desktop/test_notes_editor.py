"""The notes editor: form and text edit the same notes; errors show inline on their line."""

from __future__ import annotations

from foleyline.desktop.layer_table import PROMPT
from foleyline.desktop.notes_editor import NotesEditor
from foleyline.notes.schema import Event, Layer, LayerKind, Notes, Region
from foleyline.notes.text import to_text

NOTES = Notes(
    reasoning="A stick hits a metal bar four times.",
    layers=(Layer(label="hits", kind=LayerKind.FX, prompt="stick on metal", events=(Event(0.5, 0.5, "hit"),)),),
    version=2,
    shot_id="s1",
)


def _editor(qtbot) -> NotesEditor:
    editor = NotesEditor()
    qtbot.addWidget(editor)
    editor.set_notes(NOTES, duration=3.0, title="sh001")
    return editor


def test_shows_reasoning_layers_and_the_text_form(qtbot):
    editor = _editor(qtbot)
    assert editor.reasoning.toPlainText() == NOTES.reasoning
    assert editor.layers.layers == NOTES.layers
    assert editor.text.toPlainText() == to_text(NOTES)
    assert editor.error_text == ""


def test_a_malformed_line_shows_its_number_inline_and_keeps_the_last_good_notes(qtbot):
    editor = _editor(qtbot)
    lines = to_text(NOTES).splitlines()
    bad_line = len(lines) + 1
    editor.text.setPlainText("\n".join(lines + ["gain: loud"]))
    assert not editor.apply_text()
    assert editor.error_text.startswith(f"Line {bad_line}: expected")
    assert editor.error.isVisibleTo(editor)
    marked = editor.text.extraSelections()
    assert len(marked) == 1 and marked[0].cursor.blockNumber() == bad_line - 1
    assert editor.notes == NOTES


def test_valid_text_updates_the_form_and_is_announced(qtbot):
    editor = _editor(qtbot)
    text = to_text(NOTES).replace("stick on metal", "drumstick on a door bar") + "\n[BG] room\nprompt: quiet kitchen\n"
    with qtbot.waitSignal(editor.notes_edited) as blocker:
        editor.text.setPlainText(text)  # parsed once typing pauses
    notes = blocker.args[0]
    assert [layer.label for layer in notes.layers] == ["hits", "room"]
    assert editor.layers.layers[0].prompt == "drumstick on a door bar"
    assert editor.error_text == ""


def test_a_table_edit_rewrites_the_text_form(qtbot):
    editor = _editor(qtbot)
    with qtbot.waitSignal(editor.notes_edited) as blocker:
        editor.layers.setData(editor.layers.index(0, PROMPT), "a spoon on a pot")
    assert blocker.args[0].layers[0].prompt == "a spoon on a pot"
    assert "prompt: a spoon on a pot" in editor.text.toPlainText()


def test_events_past_the_shot_end_are_flagged(qtbot):
    editor = _editor(qtbot)
    late = Notes(layers=(Layer(label="late", kind=LayerKind.FX, events=(Event(9.0, 9.0, "too late"),)),))
    editor.set_notes(late, duration=3.0)
    assert "after the shot's end" in editor.warning.text()


def test_a_region_drawn_on_the_picture_lands_in_the_selected_layer(qtbot):
    editor = _editor(qtbot)
    assert editor.current_layer_label() == "hits"
    with qtbot.waitSignal(editor.notes_edited) as blocker:
        editor.set_region("hits", Region(1.0, 0.1, 0.1, 0.5, 0.5))
    assert blocker.args[0].layers[0].region == Region(1.0, 0.1, 0.1, 0.5, 0.5)
    assert "region: 0.1 0.1 0.5 0.5 at 1 s" in editor.text.toPlainText()


def test_setting_the_same_notes_again_keeps_what_is_being_typed(qtbot):
    editor = _editor(qtbot)
    editor.text.setPlainText(to_text(NOTES) + "\n# typing…")
    editor.set_notes(NOTES)
    assert editor.text.toPlainText().endswith("# typing…")
