"""Server connection: address and token, a status light, the engines and models on offer, a
button that starts a local server when none runs, and the editor's own sound library (saved
in the config file, used by every server started from then on)."""

from __future__ import annotations

import os

from PyQt6.QtCore import QSize, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QPainter, QPaintEvent
from PyQt6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from foleyline import config
from foleyline.desktop import style
from foleyline.desktop.local_server import default_address
from foleyline.errors import InvalidInput
from foleyline.protos.v1 import foley_pb2 as pb


class StatusLight(QWidget):
    """A coloured dot: green connected, amber connecting, grey not connected, red error."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = "disconnected"
        self.setFixedSize(14, 14)

    def set_state(self, state: str) -> None:
        self.state = state if state in style.LIGHT_COLOURS else "error"
        self.setToolTip(self.state)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(14, 14)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(style.LIGHT_COLOURS[self.state]))
        painter.drawEllipse(1, 1, 12, 12)
        painter.end()


def engine_line(engine: pb.EngineInfo) -> str:
    model = f" · {engine.model}" if engine.model and engine.model != engine.name else ""
    if not engine.available:
        return f"{engine.name}{model} — unavailable: {engine.unavailable_reason or 'no reason given'}"
    features = [name for name, on in (("text", engine.supports_text), ("notes", engine.supports_cot),
                                      ("ROI", engine.supports_roi), ("edit", engine.supports_edit)) if on]
    window = f", ≤{engine.max_window_seconds:g} s windows" if engine.max_window_seconds else ""
    return f"{engine.name}{model} — {engine.device or 'cpu'}, {engine.sample_rate // 1000} kHz{window}; {', '.join(features) or 'video only'}"


class ServerPanel(QWidget):
    connect_requested = pyqtSignal(str, str)   # address, token
    start_local_requested = pyqtSignal()
    engine_chosen = pyqtSignal(str)
    library_chosen = pyqtSignal(str)           # the folder, "" when cleared

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.light = StatusLight()
        self.status = QLabel("Not connected")
        self.status.setWordWrap(True)
        self.address = QLineEdit(default_address())
        self.token = QLineEdit(config.read_token() or "")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("from the server's token file")
        self.connect_button = QPushButton("Connect")
        self.start_button = QPushButton("Start local server")
        self.engine = QComboBox()
        self.engines = QListWidget()
        self.engines.setWordWrap(True)
        self.library = QLineEdit(readOnly=True)
        self.library.setPlaceholderText("none: every sound is synthesized")
        self.library_button = QPushButton("Choose…")
        self.library_clear = QPushButton("Clear")
        self._show_library()
        self.log = QPlainTextEdit(readOnly=True)
        self.log.setMaximumBlockCount(300)
        self.log.setPlaceholderText("Output of a server started from the panel")

        top = QHBoxLayout()
        top.addWidget(self.light)
        top.addWidget(self.status, 1)
        form = QFormLayout()
        form.addRow("Address", self.address)
        form.addRow("Token", self.token)
        library_row = QHBoxLayout()
        library_row.addWidget(self.library, 1)
        library_row.addWidget(self.library_button)
        library_row.addWidget(self.library_clear)
        form.addRow("Sound library", library_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.connect_button)
        buttons.addWidget(self.start_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("Engine for new takes"))
        layout.addWidget(self.engine)
        layout.addWidget(QLabel("Engines and models on offer"))
        layout.addWidget(self.engines, 2)
        layout.addWidget(QLabel("Local server log"))
        layout.addWidget(self.log, 1)

        self.connect_button.clicked.connect(lambda: self.connect_requested.emit(self.address.text(), self.token.text()))
        self.start_button.clicked.connect(self.start_local_requested.emit)
        self.engine.currentTextChanged.connect(lambda text: text and self.engine_chosen.emit(text))
        self.library_button.clicked.connect(self.choose_library)
        self.library_clear.clicked.connect(lambda: self.set_library(""))

    def set_connection(self, state: str, detail: str) -> None:
        self.light.set_state(state)
        self.status.setText(detail)
        # Offer to start one when nothing answers (and none is starting).
        self.start_button.setEnabled(state in ("error", "disconnected"))

    def set_server_info(self, info: pb.ServerInfo | None, current_engine: str = "") -> None:
        self.engines.clear()
        self.engine.blockSignals(True)
        self.engine.clear()
        if info is not None:
            for engine in info.engines:
                item = QListWidgetItem(engine_line(engine))
                item.setForeground(QColor(style.TEXT if engine.available else style.DIM))
                self.engines.addItem(item)
                if engine.available:
                    self.engine.addItem(engine.name)
            self.engine.setCurrentText(current_engine or info.default_engine)
        self.engine.blockSignals(False)

    def append_log(self, line: str) -> None:
        self.log.appendPlainText(line)

    # -- the sound library

    def choose_library(self) -> None:
        start = self.library.text() or os.path.expanduser("~")
        folder = QFileDialog.getExistingDirectory(self, "Your sound effects library", start)
        if folder:
            self.set_library(folder)

    def set_library(self, folder: str) -> None:
        """Save the library folder ("" for none) in the config file and show it."""
        try:
            config.save_setting("sfx_library", folder or None)
        except (InvalidInput, OSError) as exc:
            self.library.setToolTip(f"not saved: {exc}")
            return
        self._show_library()
        self.library_chosen.emit(folder)

    def _show_library(self) -> None:
        try:
            folder = config.sfx_library()
        except InvalidInput as exc:  # a malformed config file: say so where the setting is
            self.library.setText("")
            self.library.setToolTip(str(exc))
            return
        self.library.setText(str(folder) if folder else "")
        env = config.BY_KEY["sfx_library"].env
        self.library.setToolTip(
            f"{env} is set and overrides the config file" if os.environ.get(env)
            else f"saved in {config.config_file()}; servers started from now on use it"
        )
