"""The notes' layers as an editable table: kind, label, prompt, negative prompt, events, gain,
mute and region. Cells that do not parse are refused with a message (``edit_error``)."""

from __future__ import annotations

import dataclasses

from PyQt6.QtCore import QModelIndex, QObject, Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor

from foleyline.desktop.table_model import ColumnsModel
from foleyline.desktop import style
from foleyline.errors import InvalidInput
from foleyline.notes.schema import Event, Layer, LayerKind
from foleyline.notes.text import format_number, from_text

COLUMNS = ("Kind", "Label", "Prompt", "Negative", "Events", "Gain dB", "Mute", "ROI")
KIND, LABEL, PROMPT, NEGATIVE, EVENTS, GAIN, MUTE, ROI = range(len(COLUMNS))
LAYER_ROLE = Qt.ItemDataRole.UserRole + 1


def events_to_cell(events: tuple[Event, ...]) -> str:
    """Events in the notes' own event syntax, one per ';': ``0.5 s: left foot; 1-1.5 s: scrape``."""
    parts = []
    for event in events:
        times = format_number(event.start) if event.end == event.start else f"{format_number(event.start)}-{format_number(event.end)}"
        parts.append(f"{times} s" + (f": {event.description}" if event.description else ""))
    return "; ".join(parts)


def events_from_cell(text: str) -> tuple[Event, ...]:
    """Parse a cell with the notes text reader, so the table accepts exactly what the text form
    accepts and reports the same messages."""
    lines = [part.strip() for part in text.split(";") if part.strip()]
    if not lines:
        return ()
    document = "[FX] cell\nevents:\n" + "".join(f"  {line}\n" for line in lines)
    try:
        notes = from_text(document)
    except InvalidInput as exc:
        line = getattr(exc, "line", None)
        expected = getattr(exc, "expected", str(exc))
        which = f"event {line - 2}: " if isinstance(line, int) and line > 2 else ""
        raise InvalidInput(f"{which}expected {expected}") from None
    return notes.layers[0].events


def region_text(layer: Layer) -> str:
    region = layer.region
    if region is None:
        return "—"
    return f"{region.x:.2f},{region.y:.2f} {region.width:.2f}×{region.height:.2f} @{region.time:.2f}s"


class LayerTableModel(ColumnsModel):
    COLUMNS = COLUMNS
    layers_edited = pyqtSignal()      # by the editor, through the table
    edit_error = pyqtSignal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._layers: list[Layer] = []

    @property
    def layers(self) -> tuple[Layer, ...]:
        return tuple(self._layers)

    def set_layers(self, layers: tuple[Layer, ...]) -> None:
        self.beginResetModel()
        self._layers = list(layers)
        self.endResetModel()

    def replace(self, row: int, layer: Layer) -> None:
        self._layers[row] = layer
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        self.layers_edited.emit()

    def add_layer(self, kind: LayerKind = LayerKind.FX) -> int:
        taken = {layer.label for layer in self._layers}
        number = len(self._layers) + 1
        while f"layer {number}" in taken:
            number += 1
        row = len(self._layers)
        self.beginInsertRows(QModelIndex(), row, row)
        self._layers.append(Layer(label=f"layer {number}", kind=kind))
        self.endInsertRows()
        self.layers_edited.emit()
        return row

    def remove_layer(self, row: int) -> None:
        if not 0 <= row < len(self._layers):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._layers[row]
        self.endRemoveRows()
        self.layers_edited.emit()

    # -- Qt model API

    def row_count(self) -> int:
        return len(self._layers)

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == MUTE:
            return flags | Qt.ItemFlag.ItemIsUserCheckable
        if index.column() != ROI:
            return flags | Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._layers):
            return None
        layer = self._layers[index.row()]
        column = index.column()
        if role == LAYER_ROLE:
            return layer
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._cell(layer, column, role == Qt.ItemDataRole.EditRole)
        if role == Qt.ItemDataRole.CheckStateRole and column == MUTE:
            return Qt.CheckState.Checked if layer.mute else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole and column == KIND:
            return QBrush(QColor(style.KIND_COLOURS[layer.kind.value]))
        if role == Qt.ItemDataRole.ToolTipRole and column == EVENTS:
            return "Events as 'START s: description' or 'START-END s: description', separated by ';'"
        return None

    @staticmethod
    def _cell(layer: Layer, column: int, editing: bool):
        if column == KIND:
            return layer.kind.value
        if column == LABEL:
            return layer.label
        if column == PROMPT:
            return layer.prompt
        if column == NEGATIVE:
            return layer.negative_prompt
        if column == EVENTS:
            return events_to_cell(layer.events)
        if column == GAIN:
            return format_number(layer.gain_db) if editing else f"{layer.gain_db:+.1f}"
        if column == ROI:
            return region_text(layer)
        return None

    def setData(self, index: QModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not 0 <= index.row() < len(self._layers):
            return False
        row, column = index.row(), index.column()
        layer = self._layers[row]
        try:
            if column == MUTE and role == Qt.ItemDataRole.CheckStateRole:
                changed = dataclasses.replace(layer, mute=Qt.CheckState(value) == Qt.CheckState.Checked)
            elif role == Qt.ItemDataRole.EditRole:
                changed = self._parse(layer, row, column, str(value))
            else:
                return False
        except InvalidInput as exc:
            self.edit_error.emit(f"Layer {layer.label!r}, {COLUMNS[column]}: {exc}")
            return False
        if changed != layer:
            self.replace(row, changed)
        return True

    def _parse(self, layer: Layer, row: int, column: int, text: str) -> Layer:
        if column == KIND:
            try:
                return dataclasses.replace(layer, kind=LayerKind[text.strip().upper()])
            except KeyError:
                raise InvalidInput(f"{text!r} is not a layer kind; use BG, FX or FOLEY") from None
        if column == LABEL:
            label = text.strip()
            if not label:
                raise InvalidInput("a layer needs a label")
            if any(other.label == label for i, other in enumerate(self._layers) if i != row):
                raise InvalidInput(f"another layer is already called {label!r}; labels are unique")
            return dataclasses.replace(layer, label=label)
        if column == PROMPT:
            return dataclasses.replace(layer, prompt=text.strip())
        if column == NEGATIVE:
            return dataclasses.replace(layer, negative_prompt=text.strip())
        if column == EVENTS:
            return dataclasses.replace(layer, events=events_from_cell(text))
        if column == GAIN:
            try:
                gain = float(text.strip().lower().removesuffix("db").strip())
            except ValueError:
                raise InvalidInput(f"{text!r} is not a gain; type a number of dB such as -6") from None
            if not -60.0 <= gain <= 24.0:
                raise InvalidInput(f"a gain of {gain} dB is out of range; use -60 to +24 dB")
            return dataclasses.replace(layer, gain_db=gain)
        raise InvalidInput(f"the {COLUMNS[column]} column cannot be typed in")
