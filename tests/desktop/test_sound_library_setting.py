"""The panel's part in issue 17: the sound library is a setting in the server panel (saved in
the config file), and the notes editor shows what the server said about a shot's layers."""

from __future__ import annotations

from pathlib import Path

from foleyline import config
from foleyline.desktop.notes_editor import NotesEditor
from foleyline.desktop.server_panel import ServerPanel
from foleyline.desktop.state import ShotState
from foleyline.notes.convert import notes_to_proto
from foleyline.notes.schema import Layer, LayerKind, Notes
from foleyline.protos.v1 import foley_pb2 as pb

HELI = "layer 'heli': no sound model for \"helicopter\" (UCS AEROHeli); it will sound like a whoosh or swish (whoosh)"


def test_the_server_panel_saves_the_sound_library_in_the_config_file(qtbot, tmp_path: Path):
    panel = ServerPanel()
    qtbot.addWidget(panel)
    assert panel.library.text() == ""
    with qtbot.waitSignal(panel.library_chosen) as chosen:
        panel.set_library(str(tmp_path))
    assert chosen.args == [str(tmp_path)]
    assert config.sfx_library() == tmp_path and panel.library.text() == str(tmp_path)
    assert ServerPanel().library.text() == str(tmp_path)  # read back by the next panel
    panel.set_library("")
    assert config.sfx_library() is None and panel.library.text() == ""


def test_the_environment_override_is_shown(qtbot, tmp_path: Path, monkeypatch):
    monkeypatch.setenv(config.BY_KEY["sfx_library"].env, str(tmp_path))
    panel = ServerPanel()
    qtbot.addWidget(panel)
    assert panel.library.text() == str(tmp_path) and "overrides" in panel.library.toolTip()


def _state(prompt_now: str) -> ShotState:
    asked = Notes(layers=(Layer("heli", LayerKind.FX, prompt="a helicopter flying overhead"),), shot_id="s1")
    take = pb.Take(id="t1", shot_id="s1", notes=notes_to_proto(asked))
    take.layers.add(label="heli", warnings=[HELI])
    now = Notes(layers=(Layer("heli", LayerKind.FX, prompt=prompt_now),), shot_id="s1")
    return ShotState(shot=None, notes=now, takes=[take], draft_warnings=["VLM not used: no weights"])


def test_a_takes_layer_warnings_hold_while_the_prompt_is_the_same():
    assert _state("a helicopter flying overhead").notes_warnings() == ["VLM not used: no weights", HELI]
    assert _state("a gunshot").notes_warnings() == ["VLM not used: no weights"]
    drafted = _state("a helicopter flying overhead")
    drafted.takes, drafted.drafted = [], drafted.notes
    drafted.draft_warnings.append(HELI)
    assert drafted.notes_warnings() == ["VLM not used: no weights", HELI]
    drafted.notes = Notes(layers=(Layer("heli", LayerKind.FX, prompt="a gunshot"),))
    assert drafted.notes_warnings() == ["VLM not used: no weights"]


def test_the_notes_editor_shows_them_with_its_own_problems(qtbot):
    editor = NotesEditor()
    qtbot.addWidget(editor)
    notes = Notes(layers=(Layer("heli", LayerKind.FX, prompt="a helicopter flying overhead"),))
    editor.set_notes(notes, duration=3.0, warnings=[HELI])
    assert HELI in editor.warning.text() and editor.warning.isVisibleTo(editor)
    editor.set_notes(notes, warnings=[])  # the same notes again: only the warnings change
    assert editor.warning.text() == ""


def test_a_drafts_warnings_show_where_the_notes_are_edited(qtbot, window, fake_client, timeline_path):
    from foleyline.desktop.layer_table import PROMPT

    from .conftest import connect_and_wait, open_and_wait

    said = "layer 'hits': no sound model for \"zorgle\"; it will sound like a knock"
    real = fake_client.draft_notes

    def saying(shots, writer="auto", engine=""):
        stream = real(shots, writer, engine)
        for event in stream._events:
            event.warnings.append(said)
        return stream

    fake_client.draft_notes = saying
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    window.draft_action.trigger()
    qtbot.waitUntil(lambda: said in window.notes.warning.text())
    # The editor rewrites the prompt: the warning was about the old one.
    window.notes.layers.setData(window.notes.layers.index(0, PROMPT), "a gunshot")
    qtbot.waitUntil(lambda: said not in window.notes.warning.text())
