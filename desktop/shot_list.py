"""The shot list: a table model over ``ShotStore``, a filter proxy and the widget that shows them.

Thumbnails load lazily: ``data()`` for a row Qt is painting asks for a thumbnail once, the
request goes to ``thumbnail_wanted``, and the image arrives later via ``set_thumbnail``. A
500-shot timeline therefore decodes only the frames on screen.
"""

from __future__ import annotations

from PyQt6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    pyqtSignal,
)
from PyQt6.QtGui import QBrush, QColor, QImage
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from foleyline.desktop.table_model import ColumnsModel
from foleyline.desktop import style, timefmt
from foleyline.desktop.state import ShotState, ShotStore, Status, in_panel_words, plural

SHOT_ROLE = Qt.ItemDataRole.UserRole + 1      # the ShotState of the row
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2    # the Status enum of the row
SHOT_ID_ROLE = Qt.ItemDataRole.UserRole + 3

COLUMNS = ("", "Shot", "Rec in", "Rec out", "Duration", "Status")
THUMB_COLUMN, NAME_COLUMN, IN_COLUMN, OUT_COLUMN, DURATION_COLUMN, STATUS_COLUMN = range(len(COLUMNS))


class ShotListModel(ColumnsModel):
    COLUMNS = COLUMNS
    thumbnail_wanted = pyqtSignal(str)  # shot id

    def __init__(self, store: ShotStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._thumbnails: dict[str, QImage] = {}
        self._requested: set[str] = set()
        store.reset.connect(self._on_reset)
        store.shot_changed.connect(self._on_shot_changed)

    # -- store -> rows

    def _on_reset(self) -> None:
        self.beginResetModel()
        self._thumbnails.clear()
        self._requested.clear()
        self.endResetModel()

    def _on_shot_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def set_thumbnail(self, shot_id: str, image: QImage) -> None:
        row = self._store.row_of(shot_id)
        if row is None:
            return
        self._thumbnails[shot_id] = image
        index = self.index(row, THUMB_COLUMN)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    # -- Qt model API

    def row_count(self) -> int:
        return len(self._store)

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._store)):
            return None
        state = self._store.at(index.row())
        column = index.column()
        if role == SHOT_ROLE:
            return state
        if role == STATUS_ROLE:
            return state.status
        if role == SHOT_ID_ROLE:
            return state.shot.id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(state, column)
        if role == Qt.ItemDataRole.DecorationRole and column == THUMB_COLUMN:
            return self._thumbnail(state)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(state)
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS_COLUMN:
            return QBrush(QColor(style.STATUS_COLOURS[state.status]))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (IN_COLUMN, OUT_COLUMN, DURATION_COLUMN):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, state: ShotState, column: int) -> str | None:
        shot = state.shot
        if column == NAME_COLUMN:
            return shot.name
        if column == IN_COLUMN:
            return timefmt.record_in(shot)
        if column == OUT_COLUMN:
            return timefmt.record_out(shot)
        if column == DURATION_COLUMN:
            return timefmt.duration_text(shot)
        if column == STATUS_COLUMN:
            return state.status_text()
        return None

    def _thumbnail(self, state: ShotState) -> QImage | None:
        shot_id = state.shot.id
        image = self._thumbnails.get(shot_id)
        if image is None and shot_id not in self._requested and state.shot.media_path is not None and not state.shot.missing_reason:
            self._requested.add(shot_id)
            # Queued: data() must not start work synchronously while a view paints.
            QTimer.singleShot(0, lambda: self.thumbnail_wanted.emit(shot_id))
        return image

    def _tooltip(self, state: ShotState) -> str:
        lines = [state.shot.name, f"V{state.shot.track_index}  {timefmt.record_in(state.shot)}  {timefmt.duration_tooltip(state.shot)}"]
        if state.shot.media_path is not None:
            lines.append(str(state.shot.media_path))
        if state.shot.missing_reason:
            lines.append(f"media: {in_panel_words(state.shot.missing_reason)}")
        if state.failure:
            lines.append(f"failed: {state.failure}")
        if state.stage:
            lines.append(f"stage: {state.stage}")
        return "\n".join(lines)


# Status filter choices: label -> statuses shown.
STATUS_FILTERS: dict[str, frozenset[Status] | None] = {
    "All shots": None,
    "Needs notes": frozenset({Status.NO_NOTES}),
    "Has notes": frozenset({Status.NOTES}),
    "In progress": frozenset({Status.GENERATING, Status.DRAFTING}),
    "Has takes": frozenset({Status.TAKES}),
    "Accepted": frozenset({Status.ACCEPTED}),
    "Not accepted": frozenset(set(Status) - {Status.ACCEPTED}),
    "Problems": frozenset({Status.FAILED, Status.MISSING}),
}


class ShotFilterModel(QSortFilterProxyModel):
    """Filters by text (shot name or media file name) and by status."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._statuses: frozenset[Status] | None = None

    def set_text(self, text: str) -> None:
        self._text = text.strip().casefold()
        self.invalidateRowsFilter()

    def set_statuses(self, statuses: frozenset[Status] | None) -> None:
        self._statuses = statuses
        self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        source = self.sourceModel()
        index = source.index(source_row, 0, source_parent)
        state: ShotState | None = source.data(index, SHOT_ROLE)
        if state is None:
            return False
        if self._statuses is not None and state.status not in self._statuses:
            return False
        if self._text:
            media = state.shot.media_path.name if state.shot.media_path is not None else ""
            return self._text in state.shot.name.casefold() or self._text in media.casefold()
        return True


class ShotListView(QWidget):
    """Filters above a table of shots. ``selection_changed`` carries the selected shot ids in
    timeline order; ``current_changed`` the one the viewer and editors show."""

    selection_changed = pyqtSignal(list)
    current_changed = pyqtSignal(str)

    def __init__(self, store: ShotStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.model = ShotListModel(store, self)
        self.proxy = ShotFilterModel(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit(placeholderText="Filter shots by name or media…")
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.addItems(list(STATUS_FILTERS))
        self.count_label = QLabel()
        self.count_label.setObjectName("dim")

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(style.THUMB_HEIGHT + 6)
        self.table.setIconSize(style.thumb_size())
        self.table.setWordWrap(False)
        # Fixed widths from sample text: sizing columns to contents would ask every row for its
        # data (and its thumbnail), which a 500-shot timeline must not do.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        metrics = self.table.fontMetrics()
        widths = {
            THUMB_COLUMN: style.THUMB_WIDTH + 8,
            IN_COLUMN: metrics.horizontalAdvance("00:00:00:00") + 16,
            OUT_COLUMN: metrics.horizontalAdvance("00:00:00:00") + 16,
            DURATION_COLUMN: metrics.horizontalAdvance("000.00 s") + 16,
            STATUS_COLUMN: metrics.horizontalAdvance("generating 100 %") + 16,
        }
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.status_filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

        self.search.textChanged.connect(self.proxy.set_text)
        self.status_filter.currentTextChanged.connect(lambda label: self.proxy.set_statuses(STATUS_FILTERS[label]))
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset, self.proxy.layoutChanged):
            signal.connect(self._update_count)
        self._update_count()

    def _update_count(self, *_args: object) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(f"{shown} of {plural(total, 'shot')}" if shown != total else plural(total, "shot"))

    def selected_ids(self) -> list[str]:
        rows = sorted({self.proxy.mapToSource(index).row() for index in self.table.selectionModel().selectedRows()})
        return [self.store.at(row).shot.id for row in rows]

    def current_id(self) -> str | None:
        index = self.table.selectionModel().currentIndex()
        if not index.isValid():
            return None
        return self.proxy.data(index, SHOT_ID_ROLE)

    def select_ids(self, shot_ids: list[str]) -> None:
        """Select these shots (those the filter hides are skipped); the first becomes current."""
        selection = self.table.selectionModel()
        wanted = QItemSelection()
        first = None
        for shot_id in shot_ids:
            row = self.store.row_of(shot_id)
            if row is None:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if not index.isValid():
                continue
            first = first or index
            wanted.select(index, index)
        # One change, so listeners see one selection_changed with every shot.
        flags = QItemSelectionModel.SelectionFlag
        selection.select(wanted, flags.ClearAndSelect | flags.Rows)
        if first is not None:
            selection.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(first)

    def _on_selection(self, *_args: object) -> None:
        self.selection_changed.emit(self.selected_ids())

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.current_changed.emit(self.proxy.data(current, SHOT_ID_ROLE))
