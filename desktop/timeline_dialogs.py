"""The two questions opening a timeline can raise: which of a file's several timelines to work
on (the chooser lists them as ``foleyline timelines FILE`` does), and where its missing media
went (the relink dialog: one line per missing file with the shots it affects, as the
preflight groups them; folders searched by file name then reel or clip name, and path-prefix
mappings, as ``generate --relink DIR --map-path OLD=NEW``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from PyQt6.QtCore import QObject, Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from foleyline.desktop import style
from foleyline.desktop.calls import LoadedTimeline, TimelineChoice
from foleyline.plugin.timeline.preflight import MissingFile
from foleyline.plugin.timeline.relink import PathMap
from foleyline.plugin.timeline.timelines import TimelineInfo

__all__ = ["TimelineChooser", "RelinkDialog", "TimelineDialogs"]

CHOOSER_COLUMNS = ("#", "Name", "Rate", "Start", "Duration", "Tracks", "Clips")


def _row(info: TimelineInfo) -> tuple[str, ...]:
    return (str(info.number), info.name or "(unnamed)", info.rate, info.start, info.duration,
            f"{info.video_tracks}V {info.audio_tracks}A", str(info.clips))


class TimelineChooser(QDialog):
    """One row per timeline of the file; Open (or a double click) loads the selected one."""

    def __init__(self, path: Path, infos: Sequence[TimelineInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Choose a timeline")
        heading = QLabel(f"{path.name} holds {len(infos)} timelines. Choose the one to work on:")
        heading.setObjectName("heading")
        self.table = QTableWidget(len(infos), len(CHOOSER_COLUMNS))
        self.table.setHorizontalHeaderLabels(CHOOSER_COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, info in enumerate(infos):
            for column, text in enumerate(_row(info)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnsToContents()
        self.table.selectRow(0)
        self.table.doubleClicked.connect(lambda _index: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(720, 120 + 30 * min(len(infos), 10))

    def number(self) -> int:
        """The chosen timeline's 1-based number."""
        return self.table.currentRow() + 1


class RelinkDialog(QDialog):
    """What is missing, and where to look for it."""

    relink_requested = pyqtSignal(list, list)  # folders (list[Path]), path maps (list[PathMap])

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Relink media")
        self.summary = QLabel()
        self.summary.setObjectName("heading")
        self.missing = QTreeWidget()
        self.missing.setHeaderLabels(["Missing file / shot", "Shots"])
        self.missing.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.missing.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # the file name is what an editor looks for
        self.folders = QListWidget()
        add_folder, remove_folder = QPushButton("Add folder…"), QPushButton("Remove")
        add_folder.clicked.connect(self._choose_folder)
        remove_folder.clicked.connect(lambda: self.folders.takeItem(self.folders.currentRow()))
        self.maps = QTableWidget(0, 2)
        self.maps.setHorizontalHeaderLabels(["Path in the export (old prefix)", "Path here (new prefix)"])
        self.maps.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.maps.verticalHeader().setVisible(False)
        add_map, remove_map = QPushButton("Add mapping"), QPushButton("Remove")
        add_map.clicked.connect(lambda: self.add_mapping(self._common_folder(), ""))
        remove_map.clicked.connect(lambda: self.maps.removeRow(self.maps.currentRow()))
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.relink_button = QPushButton("Relink")
        self.relink_button.setDefault(True)
        self.relink_button.clicked.connect(self.request)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.missing, 2)
        layout.addWidget(self._group("Search these folders (by file name, then reel or clip name)",
                                     self.folders, add_folder, remove_folder), 1)
        layout.addWidget(self._group("Map path prefixes (e.g. D:/media → /mnt/media, //server/share → /Volumes/share)",
                                     self.maps, add_map, remove_map), 1)
        layout.addWidget(self.result)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.relink_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self._paths: list[str] = []
        self.resize(760, 560)

    @staticmethod
    def _group(title: str, body: QWidget, *buttons: QPushButton) -> QGroupBox:
        group = QGroupBox(title)
        column = QVBoxLayout()
        for button in buttons:
            column.addWidget(button)
        column.addStretch(1)
        row = QHBoxLayout(group)
        row.addWidget(body, 1)
        row.addLayout(column)
        return group

    def set_missing(self, missing: Sequence[MissingFile], relinked: Sequence[tuple[str, str, Path]] = ()) -> None:
        self.missing.clear()
        self._paths = [m.path for m in missing if not m.path.startswith("(no media)")]
        for entry in missing:
            item = QTreeWidgetItem([entry.path, str(len(entry.shots))])
            item.setToolTip(0, entry.describe())
            for shot in entry.shots:
                item.addChild(QTreeWidgetItem([f"{shot.name} at {shot.record_timecode()}", ""]))
            self.missing.addTopLevelItem(item)
        shots = sum(len(m.shots) for m in missing)
        self.summary.setText(f"{len(missing)} missing file(s), {shots} shot(s) without picture" if missing
                             else "Every shot has its media")
        self.relink_button.setEnabled(bool(missing))
        if relinked:
            self.show_result(f"{len(relinked)} clip(s) relinked so far; the written timeline points at them", error=False)

    def add_folder(self, folder: Path) -> None:
        self.folders.addItem(str(folder))

    def add_mapping(self, old: str, new: str) -> None:
        row = self.maps.rowCount()
        self.maps.insertRow(row)
        self.maps.setItem(row, 0, QTableWidgetItem(old))
        self.maps.setItem(row, 1, QTableWidgetItem(new))

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A folder holding the media")
        if folder:
            self.add_folder(Path(folder))

    def _common_folder(self) -> str:
        """The folder all the missing files share, as the export writes it (the usual OLD)."""
        folders = [p.replace("\\", "/").rsplit("/", 1)[0] for p in self._paths if "/" in p.replace("\\", "/")]
        return os.path.commonprefix(folders).rstrip("/") if folders else ""

    def mappings(self) -> list[PathMap]:
        """The filled rows; a row with one side empty is an error (ValueError naming it)."""
        maps = []
        for row in range(self.maps.rowCount()):
            old, new = ((self.maps.item(row, c).text().strip() if self.maps.item(row, c) else "") for c in (0, 1))
            if not old and not new:
                continue
            if not old or not new:
                raise ValueError(f"mapping {row + 1}: give both the path in the export and the path here")
            maps.append(PathMap(old, new))
        return maps

    def request(self) -> None:
        folders = [Path(self.folders.item(i).text()) for i in range(self.folders.count())]
        try:
            maps = self.mappings()
        except ValueError as exc:
            self.show_result(str(exc).capitalize(), error=True)
            return
        if not folders and not maps:
            self.show_result("Add a folder to search or a path mapping first", error=True)
            return
        self.show_result("Looking for the media…", error=False)
        self.relink_requested.emit(folders, maps)

    def show_result(self, text: str, *, error: bool) -> None:
        self.result.setText(text)
        self.result.setStyleSheet(f"color: {style.ERROR if error else style.TEXT}")


class TimelineDialogs(QObject):
    """Asks the chooser's and the relink dialog's questions for ``session`` over ``window``:
    the chooser when a file holds several timelines, the relink dialog when a timeline opens
    with media missing (and on demand)."""

    def __init__(self, session, window: QWidget) -> None:
        super().__init__(window)
        self.session, self.window = session, window
        self.chooser: TimelineChooser | None = None
        self.relink = RelinkDialog(window)
        self.relink.relink_requested.connect(session.relink)
        session.timeline_choice.connect(self.choose)
        session.timeline_loaded.connect(self._loaded)
        session.relink_failed.connect(lambda text: self.relink.show_result(text, error=True))

    def choose(self, choice: TimelineChoice) -> None:
        self.chooser = TimelineChooser(choice.path, choice.infos, self.window)
        chooser = self.chooser
        chooser.accepted.connect(lambda: self.session.choose_timeline(choice, chooser.number()))
        chooser.open()

    def _loaded(self, loaded: LoadedTimeline) -> None:
        self.relink.set_missing(loaded.missing, loaded.relinked)
        if loaded.missing and loaded.bridge is None and not self.relink.isVisible():
            self.relink.open()

    def show_relink(self) -> None:
        loaded = self.session.loaded
        if loaded is None:
            self.session.message.emit("Open a timeline first", True)
            return
        self.relink.set_missing(loaded.missing, loaded.relinked)
        self.relink.open()
