"""Export: write the accepted takes back onto the timeline, in any format the interchange
writes, with the take files and Foley tracks named as the editor chose (the configured
defaults first), and show what was written (the file, and each clip's track and record range)."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from foleyline import config
from foleyline.desktop.export import RESOLVE, Naming
from foleyline.errors import InvalidInput
from foleyline.plugin.take_files import FIELDS, check_template
from foleyline.plugin.timeline import FORMATS
from foleyline.plugin.timeline.track_names import PRESETS

SAME_AS_SOURCE = "Same as the source timeline"
RESOLVE_LABEL = "DaVinci Resolve (live: onto the open timeline)"


class ExportPanel(QWidget):
    export_requested = pyqtSignal(str, object, object)  # path, format name or None, Naming

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("No accepted takes")
        self.summary.setWordWrap(True)
        self.format = QComboBox()
        self.format.addItem(SAME_AS_SOURCE, None)
        for fmt in FORMATS.values():
            self.format.addItem(f"{fmt.label} ({fmt.suffix})", fmt.name)
        self.format.addItem(RESOLVE_LABEL, RESOLVE)
        self.path = QLineEdit(placeholderText="Where to write the timeline with Foley tracks")
        self.browse = QPushButton("Browse…")
        self.file_names = QLineEdit(config.take_file_template())
        self.file_names.setToolTip("How the take WAVs are named; fields: " + ", ".join("{" + f + "}" for f in FIELDS))
        self.track_names = QComboBox()
        for preset in PRESETS.values():
            self.track_names.addItem(preset.label, preset.name)
        configured = self.track_names.findData(config.track_names().strip().lower())
        self.track_names.setCurrentIndex(max(0, configured))
        self.export_button = QPushButton("Write accepted takes")
        self.result = QPlainTextEdit(readOnly=True)
        self.result.setPlaceholderText("What was written appears here")
        self.result.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)

        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.browse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("Format"))
        layout.addWidget(self.format)
        layout.addWidget(QLabel("Output"))
        layout.addLayout(path_row)
        layout.addWidget(QLabel("Take file names"))
        layout.addWidget(self.file_names)
        layout.addWidget(QLabel("Foley track names"))
        layout.addWidget(self.track_names)
        layout.addWidget(self.export_button)
        layout.addWidget(self.result, 1)

        self.browse.clicked.connect(self._browse)
        self.export_button.clicked.connect(self._export)

    def suggest(self, source: Path | None, live_name: str = "") -> None:
        """Propose where to write: ``<name>_foley<suffix>`` beside a source file (unless the
        editor typed a path), or for a live Resolve timeline the Resolve format and a WAV
        folder in Foleyline's data folder (Resolve links the files there)."""
        if source is None:
            self.format.setCurrentIndex(self.format.findData(RESOLVE))
            self.path.setText(str(config.data_dir() / "resolve" / (live_name or "timeline")))
            return
        if self.format.currentData() == RESOLVE:
            self.format.setCurrentIndex(0)
            self.path.clear()
        if not self.path.text().strip():
            self.path.setText(str(source.with_name(f"{source.stem}_foley{source.suffix}")))

    def set_accepted(self, count: int, total: int) -> None:
        self.summary.setText(f"{count} of {total} shots have an accepted take" if total else "No timeline open")
        self.export_button.setEnabled(count > 0)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Write timeline with Foley", self.path.text())
        if path:
            self.path.setText(path)

    def _export(self) -> None:
        text = self.path.text().strip()
        if not text:
            self.show_result("Choose where to write the timeline first", error=True)
            return
        template = self.file_names.text().strip()
        try:
            check_template(template)
        except InvalidInput as exc:
            self.show_result(str(exc), error=True)
            return
        self.export_requested.emit(text, self.format.currentData(), self.naming())

    def naming(self) -> Naming:
        return Naming(file_template=self.file_names.text().strip(), track_names=self.track_names.currentData())

    def show_result(self, text: str, *, error: bool = False) -> None:
        self.result.setPlainText(("Export failed: " if error else "") + text)
