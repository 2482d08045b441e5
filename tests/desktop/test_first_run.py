"""The panel's first run: with no server configured and none answering at the local port it
starts one on loopback; while none answers, the actions that need one are off and say why."""

from __future__ import annotations

from .conftest import connect_and_wait


def _server_actions(window):
    return [window.draft_action, window.generate_action, window.cancel_action]


def test_before_any_server_answers_the_actions_that_need_one_are_off_and_say_why(window):
    assert not any(action.isEnabled() for action in _server_actions(window))
    assert all("server" in action.toolTip().lower() for action in _server_actions(window))
    assert not window.takes.generate_button.isEnabled() and "server" in window.takes.generate_button.toolTip().lower()
    assert not window.exporter.export_button.isEnabled()


def test_once_connected_they_are_on_and_off_again_when_it_stops_answering(qtbot, window):
    connect_and_wait(qtbot, window)
    assert all(action.isEnabled() for action in _server_actions(window))
    assert window.generate_action.toolTip() == "Generate takes for the selected shots (Ctrl+G)"
    window.session.connection_changed.emit("error", "127.0.0.1:50551: cannot reach the Foleyline server")
    assert not window.generate_action.isEnabled()
    assert "cannot reach" in window.generate_action.toolTip() and "Start local server" in window.generate_action.toolTip()
    assert "cannot reach" in window.status_text.text()


def test_with_nothing_configured_and_nothing_answering_the_first_connect_starts_a_local_server(qtbot, window, fake_client, monkeypatch):
    started = []
    monkeypatch.setattr(window, "start_local_server", lambda: started.append(True))
    fake_client.fail_connect = True
    window.connect_default()
    qtbot.waitUntil(lambda: started == [True])


def test_a_named_or_configured_server_that_does_not_answer_is_shown_not_replaced(qtbot, window, fake_client, monkeypatch):
    started = []
    monkeypatch.setattr(window, "start_local_server", lambda: started.append(True))
    fake_client.fail_connect = True
    for connect in (lambda: window.connect_default(named=True),
                    lambda: (monkeypatch.setenv("FOLEYLINE_SERVER", "gpu.lan:50551"), window.connect_default())):
        with qtbot.waitSignal(window.session.connection_changed, check_params_cb=lambda state, _d: state == "error"):
            connect()
        assert window.light.state == "error" and started == []
