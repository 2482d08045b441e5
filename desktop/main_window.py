"""The panel's window: shot list on the left, picture + waveform + takes in the middle, notes /
server / export on the right. It only lays widgets out and wires their signals to the session.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PyQt6.QtCore import QSize, Qt, pyqtSignal
from PyQt6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolBar,
    QWidget,
)

from foleyline import config
from foleyline.desktop import style, timefmt
from foleyline.desktop.elided import ElidedLabel
from foleyline.desktop.export_panel import ExportPanel
from foleyline.desktop.local_server import LocalServer
from foleyline.desktop.notes_editor import NotesEditor
from foleyline.desktop.roi import Box
from foleyline.desktop.server_panel import ServerPanel, StatusLight
from foleyline.desktop.session import Audition, ExportResult, LoadedTimeline, Session
from foleyline.desktop.shot_list import ShotListView
from foleyline.desktop.state import ShotState
from foleyline.desktop.takes import TakesPanel
from foleyline.desktop.thumbnails import ThumbnailLoader
from foleyline.desktop.timeline_dialogs import TimelineDialogs
from foleyline.desktop.viewer import Viewer
from foleyline.desktop.waveform import WaveformWidget
from foleyline.notes.schema import Region
from foleyline.plugin.timeline.formats import detect_format
from foleyline.plugin.timeline.video import VIDEO_SUFFIXES

log = logging.getLogger(__name__)

TIMELINE_FILTER = (
    "Timelines (*.otio *.otioz *.xml *.fcpxml *.edl *.aaf *.kdenlive);;"
    f"Movies, one shot per cut ({' '.join('*' + suffix for suffix in VIDEO_SUFFIXES)});;All files (*)"
)
EDL_RATES = ["23.976", "24", "25", "29.97", "30", "50", "59.94", "60"]


def fit_screen(width: int, height: int) -> QSize:
    """The window's first size: ``width`` x ``height``, less where the screen has less room (a
    1366x768 laptop would otherwise get a window whose edges and status line are off screen)."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return QSize(width, height)
    room = screen.availableGeometry()
    return QSize(min(width, room.width()), min(height, room.height()))


def with_key(text: str, action: QAction) -> str:
    """A tooltip that names the action's key, as menus do (a toolbar's tooltip does not)."""
    key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return f"{text} ({key})" if key else text


class MainWindow(QMainWindow):
    timeline_ready = pyqtSignal()

    def __init__(self, session: Session | None = None, *, use_multimedia: bool | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Foleyline")
        self.setStyleSheet(style.STYLE_SHEET)
        self.session = session or Session(self)
        if self.session.parent() is None:
            self.session.setParent(self)
        self.store = self.session.store
        self.current_id: str | None = None
        self._audition_take: str | None = None

        self.shots = ShotListView(self.store)
        self.viewer = Viewer(self.session.runner, use_multimedia=use_multimedia)
        self.waveform = WaveformWidget()
        self.takes = TakesPanel()
        self.notes = NotesEditor()
        self.server = ServerPanel()
        self.exporter = ExportPanel()
        self.local_server = LocalServer(self)
        self.thumbnails = ThumbnailLoader(self.session.runner, self)

        middle = QSplitter(Qt.Orientation.Vertical)
        middle.addWidget(self.viewer)
        middle.addWidget(self.waveform)
        middle.addWidget(self.takes)
        middle.setStretchFactor(0, 5)
        middle.setStretchFactor(1, 1)
        middle.setStretchFactor(2, 3)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.notes, "Notes")
        self.tabs.addTab(self.server, "Server")
        self.tabs.addTab(self.exporter, "Export")
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(self.shots)
        main.addWidget(middle)
        main.addWidget(self.tabs)
        main.setStretchFactor(0, 3)
        main.setStretchFactor(1, 4)
        main.setStretchFactor(2, 3)
        main.setSizes([600, 620, 460])
        self.setCentralWidget(main)

        self._build_toolbar()
        self.status_text = ElidedLabel()
        self.statusBar().addWidget(self.status_text, 1)
        self.busy = QLabel()
        self.busy.setObjectName("dim")
        self.statusBar().addPermanentWidget(self.busy)
        # what needs a server, with what each does (its tooltip while one answers)
        self._server_actions = ((self.draft_action, "Draft notes for the selected shots"),
                                (self.generate_action, "Generate takes for the selected shots"),
                                (self.cancel_action, "Cancel every job in progress"))
        self._first_run_pending = False  # set by connect_default: start a local server if none answers
        self._wire()
        self._set_server_actions("disconnected", "")
        self._show_shot(None)
        self.resize(fit_screen(1680, 980))

    # -- construction

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.open_action = QAction("Open timeline…", self, shortcut=QKeySequence.StandardKey.Open)
        self.resolve_action = QAction("From Resolve", self)
        self.resolve_action.setToolTip("Take the shots of the timeline open in DaVinci Resolve (within its in/out marks)")
        self.relink_action = QAction("Relink media…", self)
        self.relink_action.setToolTip("Point the timeline's clips at media that moved: search folders, map path prefixes")
        # Keys for what an editor does shot after shot (the README lists them).
        self.draft_action = QAction("Draft notes", self, shortcut=QKeySequence("Ctrl+D"))
        self.generate_action = QAction("Generate selected", self, shortcut=QKeySequence("Ctrl+G"))
        self.cancel_action = QAction("Cancel all", self)
        self.export_action = QAction("Export…", self, shortcut=QKeySequence("Ctrl+E"))
        self.export_action.setToolTip(with_key("Write the accepted takes into a timeline", self.export_action))
        self.open_action.setToolTip(with_key("Open an exported timeline or a movie", self.open_action))
        for action in (self.open_action, self.resolve_action, self.relink_action, self.draft_action, self.generate_action, self.cancel_action, self.export_action):
            bar.addAction(action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.light = StatusLight()
        self.light_label = QLabel("Not connected")
        self.light_label.setObjectName("dim")
        bar.addWidget(self.light)
        bar.addWidget(self.light_label)

    def _shortcuts(self) -> None:
        """Review keys. Text fields keep their keys: Qt lets a focused editor claim a printable
        key before a shortcut fires."""
        for key, slot in (("Space", lambda: self.viewer.set_playing(not self.viewer.play_button.isChecked())),
                          ("A", lambda: self.takes.listen("A")),
                          ("B", lambda: self.takes.listen("B"))):
            QShortcut(QKeySequence(key), self, activated=slot)

    def _wire(self) -> None:
        s = self.session
        self._shortcuts()
        self.open_action.triggered.connect(self.choose_timeline)
        self.timeline_dialogs = TimelineDialogs(s, self)  # the timeline chooser, the relink dialog
        self.relink_action.triggered.connect(self.timeline_dialogs.show_relink)
        self.resolve_action.triggered.connect(lambda: s.open_from_resolve())
        self.draft_action.triggered.connect(lambda: s.draft_notes(self.target_ids()))
        self.generate_action.triggered.connect(lambda: s.generate(self.target_ids(), num_takes=self.takes.count.value()))
        self.cancel_action.triggered.connect(lambda: s.cancel(None))
        self.export_action.triggered.connect(lambda: self.tabs.setCurrentWidget(self.exporter))

        s.message.connect(self.show_message)
        s.busy_changed.connect(lambda busy: self.busy.setText("working…" if busy else ""))
        s.timeline_loading.connect(lambda text: self.show_message(text, False))
        s.timeline_loaded.connect(self._on_timeline)
        s.connection_changed.connect(self._on_connection)
        s.server_info_changed.connect(lambda info: self.server.set_server_info(info, s.engine))
        s.audition_ready.connect(self._on_audition)
        s.audition_failed.connect(self._on_audition_failed)
        s.instruction_done.connect(self._on_instruction)
        s.exported.connect(self._on_exported)
        s.export_failed.connect(lambda text: self.exporter.show_result(text, error=True))

        self.store.shot_changed.connect(self._on_store_row)
        self.store.reset.connect(self._update_export_summary)
        self.shots.current_changed.connect(self._show_shot)
        self.shots.model.thumbnail_wanted.connect(self._want_thumbnail)
        self.thumbnails.ready.connect(self.shots.model.set_thumbnail)

        self.notes.notes_edited.connect(lambda notes: self.current_id and s.set_notes(self.current_id, notes))
        self.notes.current_layer_changed.connect(lambda _label: self._update_regions())
        self.viewer.region_drawn.connect(self._on_region)
        self.viewer.position_changed.connect(self.waveform.set_position)
        self.waveform.seek_requested.connect(self.viewer.seek)

        self.takes.audition_changed.connect(self._audition)
        self.takes.accept_requested.connect(lambda take_id: self.current_id and s.accept(self.current_id, take_id))
        self.takes.generate_requested.connect(lambda n: self.current_id and s.generate([self.current_id], num_takes=n))
        self.takes.regenerate_layer_requested.connect(
            lambda label, n: self.current_id and s.generate([self.current_id], num_takes=n, only_layers=[label],
                                                            base_take_id=self.takes.selected_take_id() or ""))
        self.takes.instruction_requested.connect(lambda text: self.current_id and s.edit_by_instruction(self.current_id, text))
        self.takes.cancel_requested.connect(lambda: self.current_id and s.cancel([self.current_id]))

        self.server.connect_requested.connect(self._connect_as_asked)
        self.server.start_local_requested.connect(self.start_local_server)
        self.server.engine_chosen.connect(self._choose_engine)
        self.server.library_chosen.connect(self._on_library_chosen)
        self.local_server.output.connect(self.server.append_log)
        self.local_server.ready.connect(self._on_local_ready)
        self.local_server.failed.connect(lambda text: (self.server.set_connection("error", text), self.show_message(text, True)))

        self.exporter.export_requested.connect(lambda path, fmt, naming: s.export(path, fmt=fmt, naming=naming))

    # -- timeline

    def target_ids(self) -> list[str]:
        """The shots a toolbar action applies to: the selection, else the current shot."""
        ids = self.shots.selected_ids()
        return ids or ([self.current_id] if self.current_id else [])

    def choose_timeline(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open timeline", "", TIMELINE_FILTER)
        if path:
            self.open_timeline(Path(path))

    def open_timeline(self, path: Path, *, rate: float | None = None) -> None:
        try:
            is_edl = detect_format(Path(path)).name == "edl"
        except Exception:  # unknown suffix: let the reader give the editor its message
            is_edl = False
        if is_edl and rate is None:
            text, ok = QInputDialog.getItem(self, "EDL frame rate", "An EDL does not record its frame rate. Frame rate:", EDL_RATES, 1, False)
            if not ok:
                return
            rate = float(text)
        self.session.open_timeline(path, rate=rate)

    def _on_timeline(self, loaded: LoadedTimeline) -> None:
        self.thumbnails.clear()
        self.setWindowTitle(f"Foleyline — {loaded.name}")
        self.exporter.suggest(loaded.path, loaded.timeline.name if loaded.bridge is not None else "")
        self._update_export_summary()
        first = next((shot.id for shot in loaded.shots if not shot.missing_reason), loaded.shots[0].id if loaded.shots else None)
        if first:
            self.shots.select_ids([first])
        else:
            self._show_shot(None)
        self.timeline_ready.emit()

    def _want_thumbnail(self, shot_id: str) -> None:
        state = self.store.get(shot_id)
        if state is None or state.shot.media_path is None:
            return
        span = timefmt.media_span(state.shot)
        self.thumbnails.request(shot_id, state.shot.media_path, span.start + span.duration / 2)

    # -- the current shot

    @property
    def current(self) -> ShotState | None:
        return self.store.get(self.current_id) if self.current_id else None

    def _show_shot(self, shot_id: str | None) -> None:
        changed = shot_id != self.current_id
        self.current_id = shot_id
        state = self.current
        if changed:
            self._audition_take = None
            self.viewer.set_shot(state.shot if state else None)
            self.viewer.set_take_audio(None)
            self.waveform.set_audio(None, "No take yet: generate the shot" if state else "No shot selected")
        duration = state.shot.record_range.duration.to_seconds() if state else 0.0
        self.waveform.set_shot_duration(duration)
        self.waveform.set_notes(state.notes if state else None)
        title = f"{state.shot.name} — {state.status_text()}" if state else "No shot selected"
        self.notes.set_notes(state.notes if state else None, duration=duration, title=title,
                             warnings=state.notes_warnings() if state else ())
        self.takes.set_state(state)
        self._update_regions()

    def _on_store_row(self, row: int) -> None:
        state = self.store.at(row)
        if state.shot.id == self.current_id:
            self._show_shot(self.current_id)
        self._update_export_summary()

    def _update_regions(self) -> None:
        state = self.current
        boxes = []
        if state is not None and state.notes is not None:
            for layer in state.notes.layers:
                if layer.region is not None:
                    r = layer.region
                    boxes.append((layer.label, Box(r.x, r.y, r.width, r.height), style.KIND_COLOURS[layer.kind.value]))
        self.viewer.set_regions(boxes)

    def _on_region(self, box: Box, seconds: float) -> None:
        label = self.notes.current_layer_label()
        if not label:
            self.show_message("Select a layer in the notes first: the box sets that layer's region of interest", True)
            return
        self.notes.set_region(label, Region(seconds, box.x, box.y, box.width, box.height))
        self.show_message(f"Region of {label!r} set at {seconds:.2f} s", False)

    # -- takes

    def _audition(self, take_id: str) -> None:
        if not self.current_id or not take_id:
            return
        self._audition_take = take_id
        self.waveform.set_audio(self.waveform.audio, "Fetching the take…")
        self.session.audition(self.current_id, take_id)

    def _on_audition(self, audition: Audition) -> None:
        if audition.shot_id != self.current_id or audition.take_id != self._audition_take:
            return  # the editor moved on while it was fetched
        self.viewer.set_take_audio(audition.path, audition.head_seconds)
        self.waveform.set_audio(audition.audio)

    def _on_audition_failed(self, take_id: str, text: str) -> None:
        if take_id == self._audition_take:
            self.waveform.set_audio(None, f"Cannot play the take: {text}")
            self.show_message(text, True)

    def _on_instruction(self, shot_id: str, response) -> None:
        if shot_id == self.current_id:
            self.takes.show_message(response.summary or "Notes edited")
            self.takes.instruction.clear()

    # -- server

    def connect_default(self, *, named: bool = False) -> None:
        """Connect to the address in the Server tab. With nothing ``named`` (no --server) and no
        server configured, a failure starts a local server instead (the first run)."""
        self._first_run_pending = not named and not config.configured_server()
        self.session.connect_to(self.server.address.text(), self.server.token.text() or None)

    def _on_connection(self, state: str, detail: str) -> None:
        self._set_server_actions(state, detail)
        if state == "connected":
            self._first_run_pending = False
        if state == "error" and self._first_run_pending:
            # First run, nothing configured and nothing at the local port: start a server here
            # on loopback, as `foleyline generate` does, and connect to it when it listens.
            self._first_run_pending = False
            self.start_local_server()
            return
        self.server.set_connection(state, detail)
        self.light.set_state(state)
        self.light_label.setText({"connected": "Server connected", "connecting": "Connecting…",
                                  "error": "Server not reachable", "refused": "Token refused",
                                  "disconnected": "Not connected"}.get(state, state))
        self.light_label.setToolTip(detail)
        if self.local_server.running:
            self.server.start_button.setEnabled(False)

    def _connect_as_asked(self, address: str, token: str) -> None:
        self._first_run_pending = False  # the editor chose a server: a failure is theirs to see
        self.session.connect_to(address, token or None)

    def _set_server_actions(self, state: str, detail: str) -> None:
        """The actions that need a server are on only while one answers; otherwise each says why."""
        reason = "" if state == "connected" else {
            "connecting": f"Waiting for the server: {detail}",
            "error": f"No server: {detail}. Start one in the Server tab (Start local server) or connect to one.",
            "refused": f"{detail}. Enter the server's token in the Server tab (Token) and press Connect.",
        }.get(state, "Not connected to a server: connect in the Server tab or start a local one.")
        for action, what in self._server_actions:
            action.setEnabled(not reason)
            action.setToolTip(reason or with_key(what, action))
        self.exporter.export_button.setEnabled(not reason)
        self.exporter.export_button.setToolTip(reason)
        self.takes.set_server_reason(reason, error=state != "connecting")
        if reason and state != "connecting":
            self.show_message(reason, True)

    def _choose_engine(self, name: str) -> None:
        self.session.engine = name

    def _on_library_chosen(self, folder: str) -> None:
        what = f"Sound library: {folder}" if folder else "No sound library: every sound is synthesized"
        later = "; restart the local server to use it" if self.local_server.running else ""
        self.show_message(what + later + " (servers started from now on read it from the config file)", False)

    def start_local_server(self) -> None:
        roots = set()
        for state in self.store:
            if state.shot.media_path is not None:
                roots.add(state.shot.media_path.parent)
        self.server.set_connection("connecting", "Starting a local server…")
        self.server.start_button.setEnabled(False)
        self.local_server.start(sorted(roots))

    def _on_local_ready(self, address: str) -> None:
        self.server.address.setText(address)
        token = config.read_token() or ""
        self.server.token.setText(token)
        self.session.connect_to(address, token or None)

    # -- export

    def _update_export_summary(self, *_args: object) -> None:
        total = len(self.store)
        self.exporter.set_accepted(len(self.store.accepted()), total)

    def _on_exported(self, result: ExportResult) -> None:
        self.exporter.show_result(result.describe())
        self.tabs.setCurrentWidget(self.exporter)

    # -- misc

    def show_message(self, text: str, error: bool = False) -> None:
        self.status_text.setText(text)
        self.status_text.setStyleSheet(f"color: {style.ERROR if error else style.TEXT}")
        if error:
            log.info("%s", text)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.session.shutdown()
        self.local_server.stop()
        super().closeEvent(event)
