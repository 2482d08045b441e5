"""The panel driven through its own buttons against a real in-process server (procedural
engine, real store, real gRPC on a loopback port): open a timeline, select, draft notes,
generate, audition A/B, accept, regenerate a layer, export."""

from __future__ import annotations

import pytest
import soundfile

from foleyline.plugin.timeline import read_timeline

from .conftest import SAFETY_MS, foley_clips_in, write_timeline

TOKEN = "panel-test-token"


@pytest.fixture
def server(tmp_path, media_dir):
    from foleyline.server.app import ServerConfig, start_server

    running = start_server(ServerConfig(address="127.0.0.1:0", data_dir=tmp_path / "store",
                                        allowed_roots=[media_dir], token=TOKEN))
    assert running.ready.wait(60), "the server's default engine did not load"
    yield running
    running.stop(grace=0.5)


@pytest.fixture
def panel(qtbot):
    from foleyline.desktop.main_window import MainWindow

    window = MainWindow(use_multimedia=False)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.session.shutdown(SAFETY_MS)


def test_open_select_draft_generate_audition_accept_export(qtbot, server, panel, tmp_path, media_dir):
    timeline = write_timeline(tmp_path / "cut.otio", media_dir, 3, length=48)
    state = lambda: panel.store.get(shot_id)

    # Connect with the address and token typed in the Server tab.
    panel.server.address.setText(server.address)
    panel.server.token.setText(TOKEN)
    panel.server.connect_button.click()
    qtbot.waitUntil(lambda: panel.light.state == "connected")
    assert panel.server.engine.currentText() == "procedural"

    # Open and select the second shot (it has room for a head handle on the timeline).
    with qtbot.waitSignal(panel.session.timeline_loaded):
        panel.open_timeline(timeline)
    assert panel.shots.model.rowCount() == 3
    shot_id = panel.store.at(1).shot.id
    panel.shots.select_ids([shot_id])
    assert panel.current_id == shot_id

    # Draft notes on the server.
    panel.draft_action.trigger()
    qtbot.waitUntil(lambda: state().notes is not None and not state().drafting)
    assert state().failure is None
    assert panel.notes.layers.rowCount() >= 1
    assert panel.notes.reasoning.toPlainText().strip()

    # Two takes of the shot, with progress on the way.
    stages: list[str] = []
    panel.store.shot_changed.connect(lambda _row: state().stage and stages.append(state().stage))
    panel.takes.count.setValue(2)
    panel.takes.generate_button.click()
    qtbot.waitUntil(lambda: (len(state().takes) == 2 or state().failure is not None) and state().progress is None, timeout=60000)
    assert state().failure is None, state().failure
    assert "generate" in stages
    take_a, take_b = state().takes
    assert take_a.seed != take_b.seed

    # Audition: the selected take's waveform is under the picture; A/B switches it.
    qtbot.waitUntil(lambda: panel.waveform.audio is not None)
    panel.takes.select_take(take_a.id)
    panel.takes.set_a_button.click()
    qtbot.waitUntil(lambda: panel.waveform.audio is not None and panel.waveform.audio.path.name == f"{take_a.mix.sha256}.wav")
    panel.takes.select_take(take_b.id)
    panel.takes.set_b_button.click()
    qtbot.waitUntil(lambda: panel.waveform.audio.path.name == f"{take_b.mix.sha256}.wav")
    panel.takes.a_button.click()
    qtbot.waitUntil(lambda: panel.waveform.audio.path.name == f"{take_a.mix.sha256}.wav")
    assert panel.waveform.audio.sample_rate == 48000
    assert panel.waveform.audio.head == pytest.approx(take_a.handle_head_frames / 24)

    # Accept A.
    panel.takes.select_take(take_a.id)
    panel.takes.accept_button.click()
    assert state().accepted_take_id == take_a.id

    # Export: the timeline with Foley tracks, and the WAVs beside it.
    out = tmp_path / "export" / "cut_foley.otio"
    out.parent.mkdir()
    panel.tabs.setCurrentWidget(panel.exporter)
    panel.exporter.path.setText(str(out))
    with qtbot.waitSignal(panel.session.exported) as blocker:
        panel.exporter.export_button.click()
    result = blocker.args[0]
    assert result.path == out
    assert panel.exporter.result.toPlainText().startswith(f"Wrote {out}")
    assert len(result.clips) == len(take_a.layers)
    for clip in result.clips:
        assert clip.wav_path.exists() and soundfile.info(str(clip.wav_path)).samplerate == 48000
    # The file holds what the panel showed, each clip under the shot (01:00:02:00-01:00:04:00).
    assert {(c.track, c.record_in, c.record_out) for c in result.clips} == foley_clips_in(read_timeline(out))
    assert all(c.record_in <= "01:00:02:00" and c.record_out >= "01:00:04:00" for c in result.clips)


def test_regenerate_one_layer_and_cancel_against_the_server(qtbot, server, panel, tmp_path, media_dir, monkeypatch):
    timeline = write_timeline(tmp_path / "cut.otio", media_dir, 2, length=48)
    panel.session.connect_to(server.address, TOKEN)
    qtbot.waitUntil(lambda: panel.light.state == "connected")
    with qtbot.waitSignal(panel.session.timeline_loaded):
        panel.open_timeline(timeline)
    shot_id = panel.current_id
    state = lambda: panel.store.get(shot_id)
    panel.takes.generate_button.click()
    qtbot.waitUntil(lambda: (len(state().takes) == 1 or state().failure is not None) and state().progress is None, timeout=60000)
    assert state().failure is None, state().failure
    assert state().notes is not None  # drafted by the server on the way
    labels = [layer.label for layer in state().takes[0].layers]

    panel.takes.layer_combo.setCurrentText(labels[0])
    panel.takes.layer_button.click()
    qtbot.waitUntil(lambda: (len(state().takes) == 2 or state().failure is not None) and state().progress is None, timeout=60000)
    assert state().failure is None, state().failure
    reused = {layer.label: layer.reused for layer in state().takes[1].layers}
    assert reused[labels[0]] is False
    assert all(reused[label] for label in labels[1:])

    # Cancel while generating: the stream ends and the shot is no longer generating. The
    # engine holds the shot until the cancel reaches it (left to run, it could finish first).
    from foleyline.server.engines.procedural.engine import ProceduralEngine

    render = ProceduralEngine.generate

    def held(self, shot, layer, seeds, settings, *, progress=None, cancel=None):
        cancel.wait(SAFETY_MS / 1000)
        return render(self, shot, layer, seeds, settings, progress=progress, cancel=cancel)

    monkeypatch.setattr(ProceduralEngine, "generate", held)
    panel.takes.count.setValue(4)
    panel.takes.generate_button.click()
    qtbot.waitUntil(lambda: state().progress is not None)
    panel.takes.cancel_button.click()
    qtbot.waitUntil(lambda: state().progress is None)
    assert len(state().takes) == 2


def test_a_wrong_token_is_said_as_a_token_to_fix_not_a_server_to_start(qtbot, server, panel):
    panel.server.address.setText(server.address)
    panel.server.token.setText("not-" + TOKEN)
    panel.server.connect_button.click()
    qtbot.waitUntil(lambda: panel.light_label.text() == "Token refused")
    said = panel.takes.message.text()
    assert "refused the token" in said and "Server tab (Token)" in said
    assert "Start local server" not in said                 # a server is there: the token is the cure
    assert not panel.server.start_button.isEnabled()
    assert not panel.generate_action.isEnabled()
