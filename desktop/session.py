"""The panel's working session: the open timeline, the server connection and every background
job. Widgets call its methods and listen to its signals; it never blocks the GUI thread.

The session keeps the timeline, the takes' review and the export here, and hands the rest to
one part per job: ``connection.py`` (connect, health), ``drafting.py`` (draft notes, edit them
by instruction) and ``generation.py`` (generate, cancel).

Jobs are generators (see ``jobs.py``); those that consume a gRPC stream register the stream with
``holder.track`` so Cancel ends the call at once, not at the next event.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Callable

from PyQt6.QtCore import QObject, QTimer, pyqtSignal

from foleyline.desktop import calls, export, kept_notes
from foleyline.desktop.calls import Audition, LoadedTimeline, TimelineChoice
from foleyline.desktop.connection import ClientFactory, Connection
from foleyline.desktop.drafting import Drafting
from foleyline.desktop.export import ExportResult
from foleyline.desktop.generation import Generation
from foleyline.desktop.jobs import Job, JobRunner
from foleyline.desktop.state import ShotStore, in_panel_words, plural
from foleyline.errors import FoleylineError, Unavailable
from foleyline.notes.convert import notes_from_proto
from foleyline.notes.schema import Notes
from foleyline.notes.text import from_text
from foleyline.plugin.timeline.relink import PathMap
from foleyline.plugin.timeline.resolve import connect_resolve
from foleyline.protos.v1 import foley_pb2 as pb

__all__ = ["Session", "Audition", "ExportResult", "LoadedTimeline", "TimelineChoice"]

log = logging.getLogger(__name__)

KEEP_DELAY_MS = 500  # write typed notes once typing pauses, not on every key


class Session(QObject):
    """Everything the panel does that is not drawing."""

    message = pyqtSignal(str, bool)                 # text, is_error
    busy_changed = pyqtSignal(bool)
    timeline_loading = pyqtSignal(str)              # progress text
    timeline_loaded = pyqtSignal(object)            # LoadedTimeline
    timeline_failed = pyqtSignal(str)
    timeline_choice = pyqtSignal(object)            # TimelineChoice: the file holds several timelines
    relink_failed = pyqtSignal(str)
    connection_changed = pyqtSignal(str, str)       # state (connected/connecting/disconnected/error/refused), detail
    server_info_changed = pyqtSignal(object)        # pb.ServerInfo | None
    audition_ready = pyqtSignal(object)             # Audition
    audition_failed = pyqtSignal(str, str)          # take id, message
    instruction_done = pyqtSignal(str, object)      # shot id, pb.EditNotesResponse
    exported = pyqtSignal(object)                   # ExportResult
    export_failed = pyqtSignal(str)

    def __init__(self, parent: QObject | None = None, *, client_factory: ClientFactory | None = None) -> None:
        super().__init__(parent)
        self.store = ShotStore(self)
        self.runner = JobRunner(self)
        self.engine = ""
        self.loaded: LoadedTimeline | None = None
        # The session's parts, one per job; each reports through the signals above.
        self.connection = Connection(self, client_factory)
        self.drafting = Drafting(self)
        self.generation = Generation(self)
        self._accepted_in_timeline: dict[str, str] = {}   # shot id -> take id, from clip metadata
        self._to_keep: dict[str, Notes] = {}              # shot id -> notes typed, not yet on disk
        self._keep_timer = QTimer(self, singleShot=True, interval=KEEP_DELAY_MS)
        self._keep_timer.timeout.connect(self.keep_notes)
        self.runner.busy_changed.connect(lambda count: self.busy_changed.emit(count > 0))

    @property
    def client(self) -> Any:
        return self.connection.client

    @property
    def server_info(self) -> pb.ServerInfo | None:
        return self.connection.server_info

    # -- timeline

    def open_timeline(self, path: Path | str, *, rate: float | None = None, timeline: str | int | None = None) -> Job:
        """Read ``path``; a file with several timelines and no ``timeline`` (name or 1-based
        number) picked emits ``timeline_choice``, answered by :meth:`choose_timeline`."""
        path = Path(path)
        job = self.runner.run("open timeline", calls.load_timeline_job, path, rate, timeline)
        job.yielded.connect(self.timeline_loading.emit)
        job.succeeded.connect(self._on_read)
        job.failed.connect(lambda exc: self._fail_timeline(path.name, exc))
        self.timeline_loading.emit(f"Reading {path.name}…")
        return job.start()

    def _on_read(self, result: LoadedTimeline | TimelineChoice) -> None:
        if isinstance(result, TimelineChoice):
            self.message.emit(f"{result.path.name} holds {len(result.timelines)} timelines: choose one", False)
            self.timeline_choice.emit(result)
        else:
            self._on_timeline(result)

    def choose_timeline(self, choice: TimelineChoice, number: int) -> Job:
        """Load timeline ``number`` (1-based, as listed) of a file already read."""
        timeline = choice.timelines[number - 1]
        job = self.runner.run("open timeline", calls.shots_job, choice.path, timeline)
        job.yielded.connect(self.timeline_loading.emit)
        job.succeeded.connect(self._on_timeline)
        job.failed.connect(lambda exc: self._fail_timeline(f"{timeline.name!r} of {choice.path.name}", exc))
        return job.start()

    def relink(self, folders: list[Path], maps: list[PathMap]) -> Job | None:
        """Look for the open timeline's missing media under ``folders`` and through ``maps``
        (as ``generate --relink DIR --map-path OLD=NEW``); the export then points at it."""
        base = self.loaded
        if base is None or base.bridge is not None:
            self.relink_failed.emit("Open a timeline file first: relinking points its clips at the media found")
            return None
        job = self.runner.run("relink", calls.relink_job, base, list(folders), list(maps))
        job.yielded.connect(lambda text: self.message.emit(text, False))
        job.succeeded.connect(lambda loaded: self._on_relinked(base, loaded))
        job.failed.connect(lambda exc: self.relink_failed.emit(f"Could not relink: {exc}"))
        return job.start()

    def _on_relinked(self, base: LoadedTimeline, loaded: LoadedTimeline) -> None:
        if self.loaded is not base:
            return  # another timeline was opened meanwhile
        self.loaded = loaded
        self.store.replace_shots(list(loaded.shots))
        self.timeline_loaded.emit(loaded)
        still = loaded.missing
        text = f"Relinked {len(loaded.relinked) - len(base.relinked)} clip(s)"
        text += f"; {len(still)} file(s) still missing" if still else "; every shot has its media"
        self.message.emit(text, bool(still))

    def open_from_resolve(self, connect: Callable[[], Any] | None = None) -> Job:
        """Take the shots from the timeline open in DaVinci Resolve (the live bridge); accepted
        takes then go back onto that timeline. ``connect`` returns Resolve's scripting object."""
        job = self.runner.run("open from resolve", calls.resolve_read_job, connect or connect_resolve)
        job.yielded.connect(self.timeline_loading.emit)
        job.succeeded.connect(self._on_timeline)
        job.failed.connect(lambda exc: self._fail_timeline("the Resolve timeline", exc))
        return job.start()

    def _on_timeline(self, loaded: LoadedTimeline) -> None:
        self.keep_notes()  # the shots going away: what was typed for them is on disk first
        self.loaded = loaded
        self.generation.forget()
        self.store.set_shots(list(loaded.shots))
        self._restore_kept_notes()
        self._restore_from_timeline(loaded)
        self.timeline_loaded.emit(loaded)
        text, serious = loaded_summary(loaded)
        self.message.emit(text, serious)

    def _restore_kept_notes(self) -> None:
        """The notes the editor typed for these shots in an earlier session: newer than what a
        take or the timeline's metadata recorded, so they come first."""
        restored = 0
        for state in list(self.store):
            notes = kept_notes.kept(state.shot.id)
            if notes is not None:
                self.store.update(state.shot.id, notes=notes)
                restored += 1
        if restored:
            log.info("restored the notes typed earlier for %d shot(s)", restored)

    def _restore_from_timeline(self, loaded: LoadedTimeline) -> None:
        """Shots a Foleyline write-back already covered carry their notes in clip metadata:
        show them, so reopening an exported timeline picks up where the editor left off."""
        self._accepted_in_timeline = {}
        for clip in loaded.timeline.find_clips():
            meta = clip.metadata.get("foleyline")
            if not meta or not hasattr(meta, "get"):
                continue
            shot_id, notes_text, take_id = meta.get("shot_id"), meta.get("notes"), meta.get("take_id")
            state = self.store.get(str(shot_id)) if shot_id else None
            if state is None:
                continue
            if take_id:
                self._accepted_in_timeline[state.shot.id] = str(take_id)
            if state.notes is not None or not notes_text:
                continue
            try:
                self.store.update(state.shot.id, notes=from_text(str(notes_text)))
            except FoleylineError:
                log.info("notes in the metadata of %s do not parse; ignoring them", clip.name)
        self.sync_takes()

    def sync_takes(self) -> Job | None:
        """Fetch the takes the server already holds for the open timeline's shots (after a
        reconnect, or for a timeline generated before), and mark those the timeline carries as
        accepted."""
        if self.client is None or self.loaded is None or not len(self.store):
            return None
        job = self.runner.run("list takes", calls.list_takes_job, self.client)
        job.succeeded.connect(self._on_takes_listed)
        job.failed.connect(lambda exc: self.message.emit(f"Could not list the server's takes: {exc}", True))
        return job.start()

    def _on_takes_listed(self, takes: list[pb.Take]) -> None:
        known = 0
        for take in sorted(takes, key=lambda t: t.created_at):
            state = self.store.get(take.shot_id)
            if state is None or state.take(take.id) is not None:
                continue
            self.store.add_take(take)
            known += 1
            if state.notes is None and take.HasField("notes"):
                # The notes the takes were made from are the shot's notes until edited.
                self.store.update(take.shot_id, notes=notes_from_proto(take.notes))
        for shot_id, take_id in self._accepted_in_timeline.items():
            state = self.store.get(shot_id)
            if state is not None and state.accepted_take_id is None and state.take(take_id) is not None:
                self.store.update(shot_id, accepted_take_id=take_id)
        if known:
            self.message.emit(f"{known} take(s) of these shots found on the server", False)

    def _fail_timeline(self, what: str, exc: object) -> None:
        text = f"Could not open {what}: {exc}"
        self.timeline_failed.emit(text)
        self.message.emit(text, True)

    # -- server (connection.py)

    def connect_to(self, address: str, token: str | None = None) -> Job:
        return self.connection.connect_to(address, token)

    def check_health(self) -> None:
        self.connection.check_health()

    # -- notes (drafting.py)

    def set_notes(self, shot_id: str, notes: Notes) -> None:
        """The editor's own edit: shown at once, and kept on disk once typing pauses."""
        if self.store.update(shot_id, notes=notes, failure=None) is not None:
            self.keep_later(shot_id, notes)

    def keep_later(self, shot_id: str, notes: Notes) -> None:
        """Notes the editor has made theirs (typed, drafted, edited by instruction): on disk
        once typing pauses, so a reopened shot shows them rather than an older take's."""
        self._to_keep[shot_id] = notes
        self._keep_timer.start()

    def keep_notes(self) -> None:
        """Write the notes typed since the last write (see ``kept_notes``)."""
        self._keep_timer.stop()
        pending, self._to_keep = self._to_keep, {}
        for shot_id, notes in pending.items():
            kept_notes.keep(shot_id, notes)

    def draft_notes(self, shot_ids: list[str], *, writer: str = "auto") -> Job | None:
        return self.drafting.draft_notes(shot_ids, writer=writer)

    def edit_by_instruction(self, shot_id: str, instruction: str, *, regenerate: bool = True) -> Job | None:
        return self.drafting.edit_by_instruction(shot_id, instruction, regenerate=regenerate)

    # -- generation (generation.py)

    def generate(self, shot_ids: list[str], *, num_takes: int = 1, only_layers: Iterable[str] = (),
                 base_take_id: str = "", seed: int = 0) -> Job | None:
        return self.generation.generate(shot_ids, num_takes=num_takes, only_layers=only_layers,
                                        base_take_id=base_take_id, seed=seed)

    def cancel(self, shot_ids: list[str] | None = None) -> None:
        self.generation.cancel(shot_ids)

    # -- takes

    def accept(self, shot_id: str, take_id: str) -> None:
        state = self.store.get(shot_id)
        if state is None or state.take(take_id) is None:
            self.message.emit(f"take {take_id} is not a take of this shot", True)
            return
        self.store.update(shot_id, accepted_take_id=take_id)

    def audition(self, shot_id: str, take_id: str) -> Job | None:
        state = self.store.get(shot_id)
        take = state.take(take_id) if state else None
        if state is None or take is None or self.client is None:
            return None
        job = self.runner.run("audition", calls.audition_job, self.client, take, float(state.shot.rate))
        job.succeeded.connect(self.audition_ready.emit)
        job.failed.connect(lambda exc: self.audition_failed.emit(take_id, str(exc)))
        return job.start()

    # -- export

    def export(self, out_path: Path | str, *, fmt: str | None = None, naming: export.Naming | None = None) -> Job | None:
        if self.loaded is None:
            self.export_failed.emit("Open a timeline first")
            return None
        try:
            client = self.connection.require_client()
        except Unavailable as exc:
            self.export_failed.emit(str(exc))
            return None
        accepted = [(state.shot, state.accepted_take) for state in self.store.accepted()]
        if not accepted:
            self.export_failed.emit("No accepted takes yet: accept a take for at least one shot")
            return None
        if fmt == export.RESOLVE and self.loaded.bridge is None:
            self.export_failed.emit("This timeline was not opened from Resolve: use “From Resolve” to work on Resolve's timeline live")
            return None
        job = self.runner.run("export", export.export_job, client, self.loaded.timeline, accepted, Path(out_path), fmt,
                              self.loaded.bridge if fmt == export.RESOLVE else None, naming)
        job.yielded.connect(lambda text: self.message.emit(text, False))
        job.succeeded.connect(self._on_exported)
        job.failed.connect(lambda exc: self.export_failed.emit(str(exc)))
        return job.start()

    def _on_exported(self, result: ExportResult) -> None:
        self.message.emit(f"Wrote {result.path} ({len(result.clips)} clips)", False)
        self.exported.emit(result)

    # -- shutdown

    def shutdown(self, msecs: int = 3000) -> None:
        """End every stream and wait for the workers. Server jobs are not cancelled: they run
        on and stay resumable, and their takes are listed when the timeline is opened again."""
        self.keep_notes()
        self.connection.stop_checking()
        self.runner.cancel_all()
        self.runner.wait(msecs)
        self.connection.close()


def loaded_summary(loaded: LoadedTimeline) -> tuple[str, bool]:
    """The one line said when a timeline opens, and whether it needs the editor: how many
    shots, which lack their media (and how to find it) and the first clip to check. A clip
    whose media is missing is still a shot in the list, so it is not counted as skipped."""
    missing = [shot for shot in loaded.shots if shot.missing_reason]
    text = f"{loaded.name}: {plural(len(loaded.shots), 'shot')}"
    if missing:
        text += f"; {len(missing)} without media: use Relink media… to find it"
    others = [p for p in loaded.problems if not any(shot.missing_reason in p for shot in missing)]
    if others:
        text += f"; {plural(len(others), 'clip')} to check: {in_panel_words(others[0])}"
    return text, bool(missing)
