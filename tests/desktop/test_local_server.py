"""Starting a local server from the panel: `foleyline serve` as a child process on a free
port; the panel connects to it once it listens, with the token it created."""

from __future__ import annotations

import sys

from foleyline.desktop.local_server import serve_command

from .conftest import SAFETY_MS


def test_the_command_runs_foleyline_serve_with_a_port_file_and_roots(tmp_path):
    command = serve_command("127.0.0.1:0", tmp_path / "port", [tmp_path / "media"])
    assert command[:4] == [sys.executable, "-m", "foleyline", "serve"]
    assert command[command.index("--address") + 1] == "127.0.0.1:0"
    assert command[command.index("--port-file") + 1] == str(tmp_path / "port")
    assert command[command.index("--allow-root") + 1] == str(tmp_path / "media")


def test_start_local_server_button_starts_one_and_connects(qtbot, timeline_path):
    from foleyline.desktop.main_window import MainWindow

    window = MainWindow(use_multimedia=False)
    qtbot.addWidget(window)
    window.show()
    try:
        with qtbot.waitSignal(window.session.timeline_loaded):
            window.open_timeline(timeline_path)
        window.server.set_connection("error", "nothing runs")
        assert window.server.start_button.isEnabled()
        window.server.start_button.click()
        assert not window.server.start_button.isEnabled()
        port_folder = window.local_server._port_file.parent
        qtbot.waitUntil(lambda: window.light.state == "connected", timeout=90000)
        assert window.local_server.running
        assert window.server.address.text().startswith("127.0.0.1:")
        assert window.session.server_info is not None
        assert any(engine.name == "procedural" for engine in window.session.server_info.engines)
        # The server was told it may read the timeline's media folder.
        roots = set(window.session.server_info.allowed_roots)
        media_folder = str(window.store.at(0).shot.media_path.parent)
        assert media_folder in roots
    finally:
        window.session.shutdown(SAFETY_MS)
        window.local_server.stop()
    assert not window.local_server.running
    assert not port_folder.exists()  # nothing of the server's left in the temp folder
