"""Takes of the current shot: the list (seed, engine, time, loudness), A/B audition, accept,
regenerate (the shot, one layer, N new takes), edit by instruction, progress and cancel."""

from __future__ import annotations

from datetime import datetime

from PyQt6.QtCore import QModelIndex, QObject, Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from foleyline.desktop.table_model import ColumnsModel
from foleyline.desktop import style
from foleyline.desktop.elided import ElidedLabel
from foleyline.desktop.state import ShotState
from foleyline.protos.v1 import foley_pb2 as pb

COLUMNS = ("", "Seed", "Engine", "Created", "Loudness", "Layers")
MARK, SEED, ENGINE, CREATED, LOUDNESS, LAYERS = range(len(COLUMNS))
TAKE_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def created_text(iso: str) -> str:
    """ISO 8601 UTC from the server, shown in local time (HH:MM:SS, the date when not today)."""
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return iso
    today = datetime.now().astimezone().date()
    return when.strftime("%H:%M:%S" if when.date() == today else "%Y-%m-%d %H:%M")


class TakesModel(ColumnsModel):
    COLUMNS = COLUMNS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._takes: list[pb.Take] = []
        self._accepted = ""
        self._slots: dict[str, str] = {}  # take id -> "A" / "B"

    def set_state(self, state: ShotState | None) -> None:
        takes = list(state.takes) if state else []
        accepted = (state.accepted_take_id or "") if state else ""
        if [t.id for t in takes] == [t.id for t in self._takes]:
            # Same rows: only markers may have changed; keep the selection.
            self._takes, self._accepted = takes, accepted
            if takes:
                self.dataChanged.emit(self.index(0, 0), self.index(len(takes) - 1, len(COLUMNS) - 1))
            return
        self.beginResetModel()
        self._takes, self._accepted = takes, accepted
        self._slots = {take_id: slot for take_id, slot in self._slots.items() if any(t.id == take_id for t in takes)}
        self.endResetModel()

    def set_slots(self, a: str | None, b: str | None) -> None:
        self._slots = {take_id: slot for take_id, slot in ((a, "A"), (b, "B")) if take_id}
        if self._takes:
            self.dataChanged.emit(self.index(0, MARK), self.index(len(self._takes) - 1, MARK))

    def row_of(self, take_id: str) -> int | None:
        for row, take in enumerate(self._takes):
            if take.id == take_id:
                return row
        return None

    def row_count(self) -> int:
        return len(self._takes)

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._takes):
            return None
        take = self._takes[index.row()]
        column = index.column()
        if role == TAKE_ID_ROLE:
            return take.id
        if role == Qt.ItemDataRole.DisplayRole:
            if column == MARK:
                marks = [self._slots.get(take.id, "")]
                if take.id == self._accepted:
                    marks.append("✓")
                return " ".join(m for m in marks if m)
            if column == SEED:
                return str(take.seed)
            if column == ENGINE:
                return f"{take.engine} {take.model}".strip() if take.model and take.model != take.engine else take.engine
            if column == CREATED:
                return created_text(take.created_at)
            if column == LOUDNESS:
                return f"{take.loudness_lufs:.1f} LUFS"
            if column == LAYERS:
                return ", ".join(layer.label + (" (kept)" if layer.reused else "") for layer in take.layers)
        if role == Qt.ItemDataRole.ForegroundRole and column == MARK and take.id == self._accepted:
            return QBrush(QColor(style.OK))
        if role == Qt.ItemDataRole.ToolTipRole:
            number = f"take {take.number} of its shot ({take.id})" if take.number else f"take {take.id}"
            return f"{number}\nnotes version {take.notes_version}\njob {take.job_id}"
        return None


class TakesPanel(QWidget):
    audition_changed = pyqtSignal(str)               # take id heard now ('' for none)
    accept_requested = pyqtSignal(str)               # take id
    generate_requested = pyqtSignal(int)             # new takes of the whole shot
    regenerate_layer_requested = pyqtSignal(str, int)  # layer label, takes
    instruction_requested = pyqtSignal(str)
    cancel_requested = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TakesModel(self)
        self._state: ShotState | None = None
        self.server_reason = ""  # why the actions that need a server are off; "" when one answers
        self.slot_a: str | None = None
        self.slot_b: str | None = None

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        self.a_button = QPushButton("A")
        self.b_button = QPushButton("B")
        for button in (self.a_button, self.b_button):
            button.setCheckable(True)
            button.setFixedWidth(36)
        self.ab_group = QButtonGroup(self)
        self.ab_group.addButton(self.a_button)
        self.ab_group.addButton(self.b_button)
        self.ab_group.setExclusive(True)
        self.set_a_button = QPushButton("Set A")
        self.set_b_button = QPushButton("Set B")
        self.accept_button = QPushButton("Accept")

        self.count = QSpinBox(minimum=1, maximum=16, value=1)
        self.count.setSuffix(" take(s)")
        self.generate_button = QPushButton("Generate shot")
        self.layer_combo = QComboBox()
        self.layer_combo.setMinimumWidth(110)
        self.layer_button = QPushButton("Regenerate layer")
        self.cancel_button = QPushButton("Cancel")
        self.instruction = QLineEdit(placeholderText="Edit by instruction, e.g. “add a door slam at 3 s, softer wind”")
        self.instruction_button = QPushButton("Apply")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.stage = ElidedLabel()
        self.stage.setObjectName("dim")
        self.message = QLabel()
        self.message.setWordWrap(True)

        audition = QHBoxLayout()
        audition.addWidget(QLabel("Audition"))
        audition.addWidget(self.a_button)
        audition.addWidget(self.b_button)
        audition.addWidget(self.set_a_button)
        audition.addWidget(self.set_b_button)
        audition.addStretch(1)
        audition.addWidget(self.accept_button)
        # The shot and one layer on rows of their own: on one row the panel could not be
        # narrower than 537 px, which with the list and the notes kept the window over 800 px.
        generate = QHBoxLayout()
        generate.addWidget(self.count)
        generate.addWidget(self.generate_button)
        generate.addStretch(1)
        generate.addWidget(self.cancel_button)
        layer = QHBoxLayout()
        layer.addWidget(self.layer_combo)
        layer.addWidget(self.layer_button)
        layer.addStretch(1)
        instruct = QHBoxLayout()
        instruct.addWidget(self.instruction, 1)
        instruct.addWidget(self.instruction_button)
        progress = QHBoxLayout()
        progress.addWidget(self.progress, 1)
        progress.addWidget(self.stage, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(audition)
        layout.addLayout(generate)
        layout.addLayout(layer)
        layout.addLayout(instruct)
        layout.addLayout(progress)
        layout.addWidget(self.message)

        self.table.selectionModel().currentRowChanged.connect(self._on_current_take)
        self.set_a_button.clicked.connect(lambda: self.assign("A", self.selected_take_id()))
        self.set_b_button.clicked.connect(lambda: self.assign("B", self.selected_take_id()))
        self.a_button.clicked.connect(lambda: self.listen("A"))
        self.b_button.clicked.connect(lambda: self.listen("B"))
        self.accept_button.clicked.connect(self._accept)
        self.generate_button.clicked.connect(lambda: self.generate_requested.emit(self.count.value()))
        self.layer_button.clicked.connect(self._regenerate_layer)
        self.cancel_button.clicked.connect(self.cancel_requested.emit)
        self.instruction_button.clicked.connect(self._instruct)
        self.instruction.returnPressed.connect(self._instruct)
        self.set_state(None)

    # -- state

    def set_state(self, state: ShotState | None) -> None:
        shot_changed = (state.shot.id if state else None) != (self._state.shot.id if self._state else None)
        self._state = state
        if shot_changed:
            self.slot_a = self.slot_b = None
        previous = self.selected_take_id()
        self.model.set_state(state)
        if state is not None and state.takes:
            # The newest take is the one to hear after a generation; otherwise keep the choice.
            if self.slot_a is None:
                self.slot_a = state.accepted_take_id or state.takes[0].id
            if previous is None or self.model.row_of(previous) is None:
                self.select_take(state.accepted_take_id or state.takes[-1].id)
        self.model.set_slots(self.slot_a, self.slot_b)
        self._update_layers(state)
        self._update_progress(state)
        has_shot = state is not None and not state.shot.missing_reason
        busy = state is not None and state.progress is not None
        serving = not self.server_reason
        for widget in (self.generate_button, self.layer_button, self.instruction_button, self.instruction, self.count):
            widget.setEnabled(has_shot and not busy and serving)
            widget.setToolTip(self.server_reason)
        self.layer_button.setEnabled(has_shot and not busy and serving and bool(state and state.takes)
                                     and self.layer_combo.count() > 0)
        self.cancel_button.setEnabled(busy)
        self.accept_button.setEnabled(self.selected_take_id() is not None)
        self.a_button.setEnabled(self.slot_a is not None)
        self.b_button.setEnabled(self.slot_b is not None)
        if shot_changed and self.slot_a:
            self.a_button.setChecked(True)

    def _update_layers(self, state: ShotState | None) -> None:
        labels = [layer.label for layer in state.notes.layers] if state and state.notes else []
        current = self.layer_combo.currentText()
        if labels != [self.layer_combo.itemText(i) for i in range(self.layer_combo.count())]:
            self.layer_combo.clear()
            self.layer_combo.addItems(labels)
            if current in labels:
                self.layer_combo.setCurrentText(current)

    def _update_progress(self, state: ShotState | None) -> None:
        if state is None or state.progress is None:
            self.progress.setValue(100 if state and state.takes else 0)
            self.progress.setFormat("done" if state and state.takes else "idle")
            self.stage.setText(state.failure if state and state.failure else "")
            self.stage.setVisible(bool(self.stage.text()))  # the bar takes the row when there is nothing to say
            return
        self.progress.setValue(round(100 * state.progress))
        self.progress.setFormat("%p %")
        self.stage.setText(state.stage)
        self.stage.setVisible(bool(state.stage))

    def set_server_reason(self, reason: str, *, error: bool = True) -> None:
        """Turn the actions that need a server off, saying why (``reason``; ``error`` False
        while one is only on its way), or on ("")."""
        if reason != self.server_reason:
            # Said here too, beside the buttons it turns off: the status bar's one line is
            # taken by the next message (a timeline loading), and a tooltip is found only by
            # hovering over a disabled button.
            if reason:
                self.show_message(reason, error=error)
            elif self.message.text() == self.server_reason:
                self.show_message("")
            self.server_reason = reason
            self.set_state(self._state)

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {style.ERROR if error else style.DIM}")

    # -- selection and audition

    def selected_take_id(self) -> str | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.data(index, TAKE_ID_ROLE) if index.isValid() else None

    def select_take(self, take_id: str) -> None:
        row = self.model.row_of(take_id)
        if row is not None:
            self.table.selectRow(row)

    def assign(self, slot: str, take_id: str | None) -> None:
        if take_id is None:
            return
        if slot == "A":
            self.slot_a = take_id
        else:
            self.slot_b = take_id
        self.model.set_slots(self.slot_a, self.slot_b)
        self.a_button.setEnabled(self.slot_a is not None)
        self.b_button.setEnabled(self.slot_b is not None)
        self.listen(slot)

    def listen(self, slot: str) -> None:
        """Switch what is heard to slot A or B (the viewer keeps its position: a true A/B)."""
        take_id = self.slot_a if slot == "A" else self.slot_b
        if take_id is None:
            return
        (self.a_button if slot == "A" else self.b_button).setChecked(True)
        self.audition_changed.emit(take_id)

    def _on_current_take(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.accept_button.setEnabled(current.isValid())
        if current.isValid():
            self.audition_changed.emit(self.model.data(current, TAKE_ID_ROLE))

    def _accept(self) -> None:
        take_id = self.selected_take_id()
        if take_id:
            self.accept_requested.emit(take_id)

    def _regenerate_layer(self) -> None:
        label = self.layer_combo.currentText()
        if label:
            self.regenerate_layer_requested.emit(label, self.count.value())

    def _instruct(self) -> None:
        text = self.instruction.text().strip()
        if text:
            self.instruction_requested.emit(text)
