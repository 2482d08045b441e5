"""Start a local ``foleyline serve`` from the panel when none runs.

It runs as a child process (``python -m foleyline serve``), never inside the panel: the panel
talks gRPC only, and a crash or a long model load in the server must not take the panel down.
The server writes the port it bound to a file, so "port 0" (any free port) works too.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from PyQt6.QtCore import QObject, QProcess, QTimer, pyqtSignal

from foleyline import config

POLL_MS = 250
START_TIMEOUT_MS = 120_000  # a first start may build caches or load weights
LOG_LINES = 200


def serve_command(address: str, port_file: Path, allowed_roots: list[Path]) -> list[str]:
    command = [sys.executable, "-m", "foleyline", "serve", "--address", address, "--port-file", str(port_file)]
    for root in allowed_roots:
        command += ["--allow-root", str(root)]
    return command


class LocalServer(QObject):
    """One child server process. ``ready(address)`` once it listens; ``failed(message)`` if it
    exits or does not come up in time."""

    ready = pyqtSignal(str)
    failed = pyqtSignal(str)
    output = pyqtSignal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process: QProcess | None = None
        self._port_file: Path | None = None
        self._host = "127.0.0.1"
        self._waited = 0
        self._log: list[str] = []
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._check_port)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning

    @property
    def log(self) -> str:
        return "\n".join(self._log)

    def start(self, allowed_roots: list[Path], *, host: str = "127.0.0.1", port: int = 0) -> None:
        if self.running:
            return
        self._host = host
        folder = Path(tempfile.mkdtemp(prefix="foleyline-panel-"))
        self._port_file = folder / "port"
        # Home stays allowed (the serve default) besides the folders of the open timeline's media.
        roots = sorted({str(Path.home()), *(str(r) for r in allowed_roots)})
        command = serve_command(f"{host}:{port}", self._port_file, [Path(r) for r in roots])
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        process.readyReadStandardOutput.connect(self._read_output)
        process.finished.connect(self._on_finished)
        process.errorOccurred.connect(lambda error: self.failed.emit(f"could not start the server ({error.name}): {' '.join(command)}"))
        self.process = process
        self._waited = 0
        self._log.clear()
        process.start(command[0], command[1:])
        self._poll.start()

    def _read_output(self) -> None:
        if self.process is None:
            return
        text = bytes(self.process.readAllStandardOutput()).decode("utf-8", "replace")
        for line in text.splitlines():
            self._log.append(line)
            self.output.emit(line)
        del self._log[:-LOG_LINES]

    def _check_port(self) -> None:
        self._waited += POLL_MS
        if self._port_file is not None and self._port_file.exists():
            text = self._port_file.read_text(encoding="utf-8").strip()
            if text.isdigit():
                self._poll.stop()
                self.ready.emit(f"{self._host}:{text}")
                return
        if self._waited >= START_TIMEOUT_MS:
            self._poll.stop()
            self.failed.emit(f"the local server did not start within {START_TIMEOUT_MS // 1000} s; its log:\n{self.log[-2000:]}")
            self.stop()

    def _on_finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        was_polling = self._poll.isActive()
        self._poll.stop()
        self._remove_port_file()
        if was_polling:
            self.failed.emit(f"the local server exited with code {code} before it was ready; its log:\n{self.log[-2000:]}")

    def stop(self, msecs: int = 5000) -> None:
        """Stop the child we started: SIGTERM (it shuts down gracefully), then kill."""
        self._poll.stop()
        process = self.process
        if process is not None and process.state() != QProcess.ProcessState.NotRunning:
            process.finished.disconnect(self._on_finished)
            process.terminate()
            if not process.waitForFinished(msecs):
                process.kill()
                process.waitForFinished(1000)
        self._remove_port_file()

    def _remove_port_file(self) -> None:
        """The port file's folder goes with its server: every panel start made one in the temp folder."""
        if self._port_file is not None:
            shutil.rmtree(self._port_file.parent, ignore_errors=True)
            self._port_file = None


def default_address() -> str:
    return config.configured_server() or f"127.0.0.1:{config.DEFAULT_PORT}"
