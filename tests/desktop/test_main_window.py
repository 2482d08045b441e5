"""The whole panel against a stand-in client: open, select, draft notes, generate with progress,
cancel, audition, accept, regenerate a layer, edit by instruction, export."""

from __future__ import annotations

import threading

from PyQt6.QtCore import QPoint, Qt

from foleyline.desktop.state import Status
from foleyline.plugin.timeline import read_timeline

from .conftest import connect_and_wait, foley_clips_in, open_and_wait


def _draft(qtbot, window) -> str:
    shot_id = window.current_id
    window.draft_action.trigger()
    qtbot.waitUntil(lambda: window.store.get(shot_id).notes is not None)
    return shot_id


def _generate(qtbot, window, takes: int = 1) -> str:
    shot_id = window.current_id
    before = len(window.store.get(shot_id).takes)
    window.takes.count.setValue(takes)
    window.takes.generate_button.click()
    qtbot.waitUntil(lambda: len(window.store.get(shot_id).takes) == before + takes and window.store.get(shot_id).progress is None)
    return shot_id


def test_connecting_shows_a_green_light_and_the_engines_on_offer(qtbot, window):
    connect_and_wait(qtbot, window)
    assert window.light.state == "connected"
    assert window.server.light.state == "connected"
    lines = [window.server.engines.item(i).text() for i in range(window.server.engines.count())]
    assert lines[0].startswith("procedural — cpu, 48 kHz")
    assert "unavailable: weights missing" in lines[1]
    assert [window.server.engine.itemText(i) for i in range(window.server.engine.count())] == ["procedural"]
    assert not window.server.start_button.isEnabled()


def test_an_unreachable_server_shows_red_and_offers_a_local_one(qtbot, window, fake_client):
    fake_client.fail_connect = True
    with qtbot.waitSignal(window.session.connection_changed, check_params_cb=lambda state, _d: state == "error"):
        window.session.connect_to("127.0.0.1:1")
    assert window.light.state == "error"
    assert "cannot reach" in window.server.status.text()
    assert window.server.start_button.isEnabled()


def test_open_select_draft_generate_audition_accept(qtbot, window, timeline_path):
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    assert window.current_id == window.store.at(0).shot.id
    qtbot.waitUntil(lambda: window.viewer.still_image is not None)

    shot_id = _draft(qtbot, window)
    assert window.notes.reasoning.toPlainText().startswith("Drafted for sh001")
    assert [layer.label for layer in window.notes.layers.layers] == ["hits", "room"]
    assert window.store.get(shot_id).status is Status.NOTES

    _generate(qtbot, window, takes=2)
    state = window.store.get(shot_id)
    assert state.status_text() == "2 takes"
    assert window.takes.model.rowCount() == 2
    # The newest take is selected and heard: its waveform is under the picture.
    qtbot.waitUntil(lambda: window.waveform.audio is not None)
    assert window.takes.selected_take_id() == state.takes[-1].id
    assert window.waveform.audio.head == 0.5  # 12 frames at 24 fps
    # The notes that went with the request are the editor's.
    shots, settings = window.session.client.requests[-1]
    assert shots[0].has_notes and shots[0].notes.reasoning.startswith("Drafted")
    assert settings.num_takes == 2 and not settings.HasField("handle_frames")  # the server's default handles
    assert settings.project == "cut"  # the takes' iXML PROJECT: the timeline's name

    window.takes.select_take(state.takes[0].id)
    window.takes.accept_button.click()
    assert window.store.get(shot_id).accepted_take_id == state.takes[0].id
    assert window.shots.model.data(window.shots.model.index(0, 5)) == "accepted"
    assert window.exporter.export_button.isEnabled()


def test_progress_is_shown_per_shot_and_cancel_stops_the_stream_and_the_job(qtbot, window, timeline_path, fake_client):
    fake_client.gate = threading.Event()  # the stream stalls after its first two events
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    shot_id = window.current_id
    window.takes.generate_button.click()
    qtbot.waitUntil(lambda: window.store.get(shot_id).stage == "decode" and bool(window.session.generation.job_ids))
    assert window.shots.model.data(window.shots.model.index(0, 5)) == "generating 10 %"
    assert window.takes.progress.value() == 10 and window.takes.stage.text() == "decode"
    assert window.takes.cancel_button.isEnabled()
    window.takes.cancel_button.click()
    qtbot.waitUntil(lambda: window.store.get(shot_id).progress is None)
    qtbot.waitUntil(lambda: fake_client.cancelled_jobs == ["job-1"])
    assert fake_client.streams[-1].cancel_calls == 1
    assert window.store.get(shot_id).takes == []
    assert "cancelled" in window.status_text.text()


def test_regenerate_one_layer_keeps_the_others_from_the_current_take(qtbot, window, timeline_path, fake_client):
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    _draft(qtbot, window)
    shot_id = _generate(qtbot, window)
    base = window.store.get(shot_id).takes[0].id
    window.takes.layer_combo.setCurrentText("room")
    window.takes.layer_button.click()
    qtbot.waitUntil(lambda: len(window.store.get(shot_id).takes) == 2 and window.store.get(shot_id).progress is None)
    request = fake_client.requests[-1][0][0]
    assert list(request.only_layers) == ["room"] and request.base_take_id == base
    assert [layer.reused for layer in window.store.get(shot_id).takes[-1].layers] == [True, False]


def test_edit_by_instruction_changes_the_notes_and_regenerates_the_affected_layer(qtbot, window, timeline_path, fake_client):
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    _draft(qtbot, window)
    shot_id = _generate(qtbot, window)
    window.takes.instruction.setText("add a door slam at 1 s")
    window.takes.instruction_button.click()
    qtbot.waitUntil(lambda: len(window.store.get(shot_id).takes) == 2 and window.store.get(shot_id).progress is None)
    assert [layer.label for layer in window.store.get(shot_id).notes.layers] == ["hits", "room", "door"]
    assert "door" in window.notes.text.toPlainText()
    assert list(fake_client.requests[-1][0][0].only_layers) == ["door"]
    assert window.takes.message.text().startswith("added a door")


def test_a_box_drawn_on_the_picture_sets_the_selected_layers_region(qtbot, window, timeline_path):
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    shot_id = _draft(qtbot, window)
    window.notes.table.selectRow(0)
    overlay = window.viewer.area.overlay
    qtbot.waitUntil(lambda: window.viewer.still_image is not None)
    rect = overlay.picture()
    start = QPoint(int(rect.x() + rect.width() * 0.2), int(rect.y() + rect.height() * 0.2))
    end = QPoint(int(rect.x() + rect.width() * 0.6), int(rect.y() + rect.height() * 0.7))
    qtbot.mousePress(overlay, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(overlay, end)
    qtbot.mouseRelease(overlay, Qt.MouseButton.LeftButton, pos=end)
    region = window.store.get(shot_id).notes.layers[0].region
    assert region is not None
    assert abs(region.x - 0.2) < 0.01 and abs(region.y - 0.2) < 0.01
    assert abs(region.width - 0.4) < 0.01 and abs(region.height - 0.5) < 0.01


def test_export_writes_the_accepted_takes_and_shows_what_was_written(qtbot, window, timeline_path, tmp_path):
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    window.shots.select_ids([window.store.at(1).shot.id])  # at 01:00:03:00, room for a head handle
    _draft(qtbot, window)
    shot_id = _generate(qtbot, window)
    window.session.accept(shot_id, window.store.get(shot_id).takes[0].id)
    out = tmp_path / "out" / "cut_foley.otio"
    out.parent.mkdir()
    window.exporter.path.setText(str(out))
    with qtbot.waitSignal(window.session.exported) as blocker:
        window.exporter.export_button.click()
    result = blocker.args[0]
    assert result.path == out and out.exists()
    text = window.exporter.result.toPlainText()
    assert text.startswith(f"Wrote {out}")
    # What the panel shows is what the file holds: one clip per layer, under the shot
    # (01:00:03:00-01:00:06:00, handles in the media or on the track as the write-back decides).
    written = read_timeline(out)
    shown = {(clip.track, clip.record_in, clip.record_out) for clip in result.clips}
    assert shown == foley_clips_in(written) and len(result.clips) == 2
    for clip in result.clips:
        assert f"{clip.record_in} – {clip.record_out}" in text
        assert clip.record_in <= "01:00:03:00" and clip.record_out >= "01:00:06:00"
    clips = [clip for track in written.audio_tracks() if track.name.startswith("Foley") for clip in track.find_clips()]
    assert all(clip.media_reference.target_url.endswith(".wav") for clip in clips)
    # Reopening the written timeline brings back the notes, the server's takes and the choice.
    accepted = window.store.get(shot_id).accepted_take_id
    open_and_wait(qtbot, window, out)
    assert window.store.get(shot_id).notes.reasoning.startswith("Drafted")
    qtbot.waitUntil(lambda: window.store.get(shot_id).accepted_take_id == accepted)
    assert [take.id for take in window.store.get(shot_id).takes] == [accepted]


def test_notes_edited_after_a_take_go_out_as_a_new_version(qtbot, window, timeline_path, fake_client):
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    _draft(qtbot, window)
    shot_id = _generate(qtbot, window)
    assert fake_client.requests[-1][0][0].notes.version == 1
    # Generating again from the same notes keeps the version...
    _generate(qtbot, window)
    assert fake_client.requests[-1][0][0].notes.version == 1
    # ...an edit makes the next request a new version, and the takes say which they used.
    window.notes.reasoning.setPlainText("Louder hits, no room tone.")
    _generate(qtbot, window)
    assert fake_client.requests[-1][0][0].notes.version == 2
    assert [take.notes_version for take in window.store.get(shot_id).takes] == [1, 1, 2]
    assert window.store.get(shot_id).notes.version == 2


def test_a_server_still_loading_its_engine_shows_amber_until_it_serves(qtbot, window, fake_client, monkeypatch):
    statuses = iter(["NOT_SERVING", "NOT_SERVING", "SERVING"])
    monkeypatch.setattr(fake_client, "health", lambda **_: next(statuses, "SERVING"))
    with qtbot.waitSignal(window.session.server_info_changed):
        window.session.connect_to("fake:1")
    assert window.light.state == "connecting"
    assert "loading its engine" in window.server.status.text()
    qtbot.waitUntil(lambda: window.light.state == "connected")


def test_review_keys_play_and_switch_a_b_but_not_while_typing(qtbot, window, timeline_path):
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    shot_id = _generate(qtbot, window, takes=2)
    takes = window.store.get(shot_id).takes
    window.takes.assign("A", takes[0].id)
    window.takes.assign("B", takes[1].id)
    window.shots.table.setFocus()
    with qtbot.waitSignal(window.takes.audition_changed) as blocker:
        qtbot.keyClick(window.shots.table, Qt.Key.Key_A)
    assert blocker.args == [takes[0].id]
    qtbot.keyClick(window.shots.table, Qt.Key.Key_Space)
    assert window.viewer.play_button.text() == "Pause"
    qtbot.keyClick(window.shots.table, Qt.Key.Key_Space)
    assert window.viewer.play_button.text() == "Play"
    window.takes.instruction.setFocus()
    qtbot.keyClicks(window.takes.instruction, "a b")
    assert window.takes.instruction.text() == "a b"


def test_generating_several_shots_reports_each_and_a_failure_stays_on_its_shot(qtbot, window, timeline_path, fake_client):
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    ids = [window.store.at(row).shot.id for row in range(3)]
    fake_client.failing = {window.store.at(1).shot.name}
    window.shots.select_ids(ids)
    window.generate_action.trigger()
    qtbot.waitUntil(lambda: all(window.store.get(i).progress is None for i in ids) and "Generation done" in window.status_text.text())
    statuses = [window.shots.model.data(window.shots.model.index(row, 5)) for row in range(3)]
    assert statuses == ["1 take", "failed", "1 take"]
    assert "relink it" in window.shots.model.data(window.shots.model.index(1, 1), Qt.ItemDataRole.ToolTipRole)
    assert window.status_text.text() == "Generation done: 2 shot(s), 1 failed"
    assert len(fake_client.requests) == 1 and len(fake_client.requests[0][0]) == 3  # one job for the selection


def test_prompts_over_the_engines_text_limit_are_pointed_out(qtbot, window, timeline_path):
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    messages = []
    window.session.message.connect(lambda text, error: messages.append((text, error)))
    _draft(qtbot, window)
    qtbot.waitUntil(lambda: any("room (90/77 tokens)" in text for text, _ in messages))
