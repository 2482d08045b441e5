"""Takes: listed with seed, engine, time and loudness; A/B audition; accept; regenerate."""

from __future__ import annotations

from foleyline.desktop.state import ShotState
from foleyline.desktop.takes import CREATED, ENGINE, LOUDNESS, MARK, SEED, TakesPanel, created_text
from foleyline.notes.schema import Layer, LayerKind, Notes
from foleyline.plugin.timeline import find_shots, read_timeline
from foleyline.protos.v1 import foley_pb2 as pb


def _state(timeline_path) -> ShotState:
    shot = find_shots(read_timeline(timeline_path)).shots[0]
    takes = [pb.Take(id=f"t{i}", shot_id=shot.id, seed=40 + i, engine="procedural", loudness_lufs=-20.5 - i,
                     created_at="2026-01-02T03:04:05Z") for i in range(3)]
    notes = Notes(layers=(Layer(label="hits", kind=LayerKind.FX), Layer(label="room", kind=LayerKind.BG)))
    return ShotState(shot, notes=notes, takes=takes)


def test_the_list_shows_seed_engine_time_and_loudness(qtbot, qtmodeltester, timeline_path):
    panel = TakesPanel()
    qtbot.addWidget(panel)
    panel.set_state(_state(timeline_path))
    model = panel.model
    qtmodeltester.check(model)
    cell = lambda row, column: model.data(model.index(row, column))
    assert (cell(1, SEED), cell(1, ENGINE), cell(1, LOUDNESS)) == ("41", "procedural", "-21.5 LUFS")
    assert cell(1, CREATED) == created_text("2026-01-02T03:04:05Z")
    assert cell(0, MARK) == "A"  # the first take is ready in slot A


def test_a_b_audition_switches_between_two_takes(qtbot, timeline_path):
    panel = TakesPanel()
    qtbot.addWidget(panel)
    panel.set_state(_state(timeline_path))
    panel.select_take("t2")
    with qtbot.waitSignal(panel.audition_changed) as blocker:
        panel.set_b_button.click()
    assert blocker.args == ["t2"]
    assert panel.model.data(panel.model.index(2, MARK)) == "B"
    with qtbot.waitSignal(panel.audition_changed) as blocker:
        panel.a_button.click()
    assert blocker.args == ["t0"]
    assert panel.a_button.isChecked() and not panel.b_button.isChecked()


def test_accept_and_regenerate_requests(qtbot, timeline_path):
    panel = TakesPanel()
    qtbot.addWidget(panel)
    state = _state(timeline_path)
    panel.set_state(state)
    panel.select_take("t1")
    with qtbot.waitSignal(panel.accept_requested) as blocker:
        panel.accept_button.click()
    assert blocker.args == ["t1"]
    panel.count.setValue(3)
    with qtbot.waitSignal(panel.generate_requested) as blocker:
        panel.generate_button.click()
    assert blocker.args == [3]
    panel.layer_combo.setCurrentText("room")
    with qtbot.waitSignal(panel.regenerate_layer_requested) as blocker:
        panel.layer_button.click()
    assert blocker.args == ["room", 3]
    panel.instruction.setText("add a door slam at 2 s")
    with qtbot.waitSignal(panel.instruction_requested) as blocker:
        panel.instruction_button.click()
    assert blocker.args == ["add a door slam at 2 s"]


def test_progress_shows_while_generating_and_only_cancel_is_offered(qtbot, timeline_path):
    panel = TakesPanel()
    qtbot.addWidget(panel)
    state = _state(timeline_path)
    state.progress, state.stage = 0.25, "generate"
    panel.set_state(state)
    assert panel.progress.value() == 25 and panel.stage.text() == "generate"
    assert panel.cancel_button.isEnabled()
    assert not panel.generate_button.isEnabled() and not panel.layer_button.isEnabled()
    with qtbot.waitSignal(panel.cancel_requested):
        panel.cancel_button.click()
