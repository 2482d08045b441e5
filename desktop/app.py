"""Starting the panel, and rendering it to a PNG without a screen (for docs and checks)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import QCoreApplication, QEventLoop, QTimer
from PyQt6.QtWidgets import QApplication

from foleyline.desktop.main_window import MainWindow
from foleyline.errors import FoleylineError, InvalidInput
from foleyline.fsutil import atomic_path


def application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or [sys.argv[0]])
        app.setApplicationName("Foleyline")
        app.setOrganizationName("Foleyline")
    return app  # type: ignore[return-value]


def wait_until(predicate: Callable[[], bool], timeout: float, *, step_ms: int = 20) -> bool:
    """Run the event loop until ``predicate()`` holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        QTimer.singleShot(step_ms, loop.quit)
        loop.exec()
    return True


def run_panel(timeline: Path | None, *, rate: float | None = None, address: str | None = None, connect: bool = True) -> int:
    app = application()
    window = MainWindow()
    if address:
        window.server.address.setText(address)
    window.show()
    if connect:
        window.connect_default(named=bool(address))
    if timeline is not None:
        window.open_timeline(timeline, rate=rate)
    return app.exec()


def render_screenshot(png: Path, timeline: Path | None, *, rate: float | None = None, address: str | None = None,
                      connect: bool = True, size: tuple[int, int] = (1680, 980), timeout: float = 60.0) -> Path:
    """Open the panel offscreen, load ``timeline``, select its first shot, wait for its picture
    (and, when a server answers, its notes and takes) and save the window to ``png``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # read when the QApplication starts, below
    app = application()  # keep a reference: an unreferenced QApplication is collected at once
    assert app is not None
    window = MainWindow()
    window.resize(*size)
    if address:
        window.server.address.setText(address)
    window.show()
    # Again once the first layout has run: it sizes the window to the whole toolbar's length
    # (858 px), so --size 800x600 came out wider than asked.
    QCoreApplication.processEvents()
    window.resize(*size)
    session = window.session
    deadline = time.monotonic() + timeout
    if connect:
        window.connect_default(named=bool(address))
        # A server that is up but still loading its engine shows amber; give it a moment.
        wait_until(lambda: window.light.state in ("connected", "error"), min(30.0, timeout / 2))
    if timeline is not None:
        failed: list[str] = []
        session.timeline_failed.connect(failed.append)
        window.open_timeline(Path(timeline), rate=rate)
        if not wait_until(lambda: session.loaded is not None or bool(failed), max(1.0, deadline - time.monotonic())):
            raise FoleylineError(f"the timeline {timeline} did not load within {timeout:.0f} s")
        if failed:
            raise InvalidInput(failed[0])
        # The first shot's picture, the thumbnails on screen and any takes the server holds.
        wait_until(lambda: window.viewer.multimedia or window.current is None or window.viewer.still_image is not None, min(15.0, max(1.0, deadline - time.monotonic())))
        # Painting is what asks for thumbnails: paint once, then wait for the work it started.
        window.grab()
        wait_until(lambda: not _busy(window), min(20.0, max(1.0, deadline - time.monotonic())))
    png = Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    image = window.grab().toImage()
    with atomic_path(png) as tmp:
        if not image.save(str(tmp), "PNG"):
            raise FoleylineError(f"could not write {png}; check the folder is writable")
    window.close()
    QCoreApplication.processEvents()
    return png


def _busy(window) -> bool:
    """Whether work the screenshot should wait for is still running (health polls excluded)."""
    return any(job.name not in ("health", "connect") for job in window.session.runner.running)
