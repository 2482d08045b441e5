"""The notes editor: the reasoning and a layer table (the form), or the plain-text form. Both
edit one ``Notes`` value; errors show inline, under the text and on the offending line."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from PyQt6.QtCore import QTimer, pyqtSignal
from PyQt6.QtGui import QColor, QTextCursor, QTextFormat
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from foleyline.desktop import style
from foleyline.desktop.elided import ElidedLabel
from foleyline.desktop.layer_table import LAYER_ROLE, PROMPT, LayerTableModel
from foleyline.errors import InvalidInput
from foleyline.notes.schema import Layer, Notes, Region
from foleyline.notes.text import NotesSyntaxError, from_text, to_text
from foleyline.notes.validate import problems

PARSE_DELAY_MS = 250  # parse the text form once typing pauses, not on every key


class NotesEditor(QWidget):
    notes_edited = pyqtSignal(object)          # Notes, after an edit by the editor
    current_layer_changed = pyqtSignal(str)    # label ('' when none)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._notes: Notes | None = None
        self._duration: float | None = None
        self._server_warnings: list[str] = []
        self._loading = False

        self.heading = ElidedLabel("No shot selected")
        self.heading.setObjectName("heading")
        self.reasoning = QPlainTextEdit(placeholderText="What is seen, what should be heard, in what order, and why…")
        self.layers = LayerTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.layers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(PROMPT, 200)
        self.add_button = QPushButton("Add layer")
        self.remove_button = QPushButton("Remove layer")

        form = QWidget()
        form_layout = QVBoxLayout(form)
        form_layout.setContentsMargins(0, 4, 0, 0)
        form_layout.addWidget(QLabel("Reasoning"))
        form_layout.addWidget(self.reasoning, 2)
        form_layout.addWidget(QLabel("Layers"))
        form_layout.addWidget(self.table, 3)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        form_layout.addLayout(buttons)

        self.text = QPlainTextEdit()
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = self.text.font()
        font.setFamily("monospace")
        self.text.setFont(font)

        self.tabs = QTabWidget()
        self.tabs.addTab(form, "Form")
        self.tabs.addTab(self.text, "Text")

        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setStyleSheet(f"color: {style.WARN}")
        self.warning.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.warning)

        self._parse_timer = QTimer(self, singleShot=True, interval=PARSE_DELAY_MS)
        self._parse_timer.timeout.connect(self.apply_text)
        self.text.textChanged.connect(self._on_text_typed)
        self.reasoning.textChanged.connect(self._on_reasoning_typed)
        self.layers.layers_edited.connect(self._on_layers_edited)
        self.layers.edit_error.connect(self._show_error)
        self.add_button.clicked.connect(self._add_layer)
        self.remove_button.clicked.connect(self._remove_layer)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.current_layer_changed.emit(self.current_layer_label()))
        self.set_notes(None)

    # -- public API

    @property
    def notes(self) -> Notes | None:
        return self._notes

    @property
    def error_text(self) -> str:
        return self.error.text()

    def set_notes(self, notes: Notes | None, *, duration: float | None = None, title: str = "",
                  warnings: Sequence[str] = ()) -> None:
        """Show ``notes`` (None: the shot has none yet) and what the server said about them
        (``warnings``: a draft's, and the engine's word on each layer, e.g. a prompt no sound
        model makes). Does nothing more when the notes are what is already shown, so a store
        update echoing the editor's own edit keeps the cursor."""
        if title:
            self.heading.setText(title)
        if duration is not None:
            self._duration = duration
        self._server_warnings = list(warnings)
        if notes == self._notes and notes is not None:
            self._show_warnings()
            return
        self._notes = notes
        self._loading = True
        try:
            label = self.current_layer_label()
            self.reasoning.setPlainText(notes.reasoning if notes else "")
            self.layers.set_layers(notes.layers if notes else ())
            self.text.setPlainText(to_text(notes) if notes else "")
            self._select_layer(label)
        finally:
            self._loading = False
        self._show_error("")
        self._mark_line(None)
        self._show_warnings()
        self.setEnabled(True)

    def current_layer_label(self) -> str:
        index = self.table.selectionModel().currentIndex() if self.table.selectionModel() else None
        if index is None or not index.isValid():
            return ""
        layer: Layer = self.layers.data(index, LAYER_ROLE)
        return layer.label if layer else ""

    def set_region(self, label: str, region: Region | None) -> None:
        """Set a layer's region of interest (from a box drawn on the picture)."""
        if self._notes is None:
            return
        for row, layer in enumerate(self._notes.layers):
            if layer.label == label:
                self.layers.replace(row, dataclasses.replace(layer, region=region))
                return

    # -- edits

    def _emit(self, notes: Notes) -> None:
        # An edited text is a new version of the notes; the server records which one a take used.
        if self._notes is not None and notes != self._notes:
            notes = dataclasses.replace(notes, version=max(notes.version, self._notes.version))
        self._notes = notes
        self._show_warnings()
        self.notes_edited.emit(notes)

    def _base(self) -> Notes:
        return self._notes if self._notes is not None else Notes(author="editor")

    def _on_reasoning_typed(self) -> None:
        if self._loading:
            return
        notes = dataclasses.replace(self._base(), reasoning=self.reasoning.toPlainText(), author="editor")
        self._sync_text(notes)
        self._emit(notes)

    def _on_layers_edited(self) -> None:
        if self._loading:
            return
        self._show_error("")
        notes = dataclasses.replace(self._base(), layers=self.layers.layers, author="editor")
        self._sync_text(notes)
        self._emit(notes)

    def _sync_text(self, notes: Notes) -> None:
        self._loading = True
        try:
            self.text.setPlainText(to_text(notes))
        finally:
            self._loading = False

    def _on_text_typed(self) -> None:
        if not self._loading:
            self._parse_timer.start()

    def apply_text(self) -> bool:
        """Parse the text form now. On an error, show it and mark the line; keep the last good
        notes (a half-typed line must not wipe the layers). Returns whether it parsed."""
        self._parse_timer.stop()
        text = self.text.toPlainText()
        if not text.strip():
            self._show_error("")
            self._mark_line(None)
            return True
        try:
            notes = from_text(text)
        except NotesSyntaxError as exc:
            self._show_error(f"Line {exc.line}: expected {exc.expected}" + (f" (found {exc.got.strip()[:40]!r})" if exc.got.strip() else ""))
            self._mark_line(exc.line)
            return False
        except InvalidInput as exc:
            self._show_error(str(exc))
            self._mark_line(None)
            return False
        self._show_error("")
        self._mark_line(None)
        if notes != self._notes:
            self._loading = True
            try:
                label = self.current_layer_label()
                self.reasoning.setPlainText(notes.reasoning)
                self.layers.set_layers(notes.layers)
                self._select_layer(label)
            finally:
                self._loading = False
            self._emit(notes)
        return True

    def _add_layer(self) -> None:
        row = self.layers.add_layer()
        self.table.selectRow(row)

    def _remove_layer(self) -> None:
        index = self.table.selectionModel().currentIndex()
        if index.isValid():
            self.layers.remove_layer(index.row())

    def _select_layer(self, label: str) -> None:
        for row, layer in enumerate(self.layers.layers):
            if layer.label == label:
                self.table.selectRow(row)
                return
        if self.layers.rowCount():
            self.table.selectRow(0)

    # -- feedback

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def _show_warnings(self) -> None:
        found = problems(self._notes, self._duration) if self._notes is not None else []
        found += [w for w in self._server_warnings if w not in found]
        self.warning.setText("\n".join(found))
        self.warning.setVisible(bool(found))

    def _mark_line(self, line: int | None) -> None:
        if line is None:
            self.text.setExtraSelections([])
            return
        block = self.text.document().findBlockByLineNumber(line - 1)
        selection = QTextEdit.ExtraSelection()
        selection.format.setBackground(QColor(style.ERROR).darker(250))
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        cursor = QTextCursor(block)
        selection.cursor = cursor
        self.text.setExtraSelections([selection])
