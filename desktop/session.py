"""The panel's working session: the open timeline, the server connection and every background
job. Widgets call its methods and listen to its signals; it never blocks the GUI thread.

Jobs are generators (see ``jobs.py``); those that consume a gRPC stream register the stream with
``holder.track`` so Cancel ends the call at once, not at the next event.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Callable

from PyQt6.QtCore import QObject, QTimer, pyqtSignal

from foleyline.desktop import calls, export
from foleyline.desktop.calls import Audition, LoadedTimeline
from foleyline.desktop.export import ExportResult
from foleyline.desktop.jobs import Job, JobRunner
from foleyline.desktop.state import ShotState, ShotStore
from foleyline.errors import FoleylineError, Unavailable
from foleyline.notes.convert import notes_from_proto, notes_to_proto
from foleyline.notes.schema import Notes
from foleyline.plugin.shots import shot_to_proto
from foleyline.protos.v1 import foley_pb2 as pb

__all__ = ["Session", "Audition", "ExportResult", "LoadedTimeline"]

log = logging.getLogger(__name__)

HEALTH_INTERVAL_MS = 5000
LOADING_POLL_MS = 500


class Session(QObject):
    """Everything the panel does that is not drawing."""

    message = pyqtSignal(str, bool)                 # text, is_error
    busy_changed = pyqtSignal(bool)
    timeline_loading = pyqtSignal(str)              # progress text
    timeline_loaded = pyqtSignal(object)            # LoadedTimeline
    timeline_failed = pyqtSignal(str)
    connection_changed = pyqtSignal(str, str)       # state (connected/connecting/disconnected/error), detail
    server_info_changed = pyqtSignal(object)        # pb.ServerInfo | None
    audition_ready = pyqtSignal(object)             # Audition
    audition_failed = pyqtSignal(str, str)          # take id, message
    instruction_done = pyqtSignal(str, object)      # shot id, pb.EditNotesResponse
    exported = pyqtSignal(object)                   # ExportResult
    export_failed = pyqtSignal(str)

    def __init__(self, parent: QObject | None = None, *, client_factory: Callable[[str, str | None], Any] | None = None) -> None:
        super().__init__(parent)
        self.store = ShotStore(self)
        self.runner = JobRunner(self)
        self.client: Any = None
        self.server_info: pb.ServerInfo | None = None
        self.address = ""
        self.token: str | None = None
        self.engine = ""
        self.loaded: LoadedTimeline | None = None
        self._generation_jobs: dict[str, Job] = {}     # shot id -> job generating it
        self._job_ids: dict[Job, str] = {}             # job -> server job id
        self._expected: dict[str, int] = {}            # shot id -> takes still to come
        self._health = QTimer(self, interval=HEALTH_INTERVAL_MS)
        self._health.timeout.connect(self.check_health)
        self._health_job: Job | None = None
        self._client_factory = client_factory
        self._accepted_in_timeline: dict[str, str] = {}   # shot id -> take id, from clip metadata
        self.runner.busy_changed.connect(lambda count: self.busy_changed.emit(count > 0))

    # -- timeline

    def open_timeline(self, path: Path | str, *, rate: float | None = None) -> Job:
        path = Path(path)
        job = self.runner.run("open timeline", calls.load_timeline_job, path, rate)
        job.yielded.connect(self.timeline_loading.emit)
        job.succeeded.connect(self._on_timeline)
        job.failed.connect(lambda exc: self._fail_timeline(path.name, exc))
        self.timeline_loading.emit(f"Reading {path.name}…")
        return job.start()

    def open_from_resolve(self, connect: Callable[[], Any] | None = None) -> Job:
        """Take the shots from the timeline open in DaVinci Resolve (the live bridge); accepted
        takes then go back onto that timeline. ``connect`` returns Resolve's scripting object."""
        if connect is None:
            from foleyline.plugin.timeline.resolve import connect_resolve as connect
        job = self.runner.run("open from resolve", calls.resolve_read_job, connect)
        job.yielded.connect(self.timeline_loading.emit)
        job.succeeded.connect(self._on_timeline)
        job.failed.connect(lambda exc: self._fail_timeline("the Resolve timeline", exc))
        return job.start()

    def _on_timeline(self, loaded: LoadedTimeline) -> None:
        self.loaded = loaded
        self._generation_jobs.clear()
        self.store.set_shots(list(loaded.shots))
        self._restore_from_timeline(loaded)
        self.timeline_loaded.emit(loaded)
        usable = sum(1 for shot in loaded.shots if not shot.missing_reason)
        text = f"{loaded.name}: {len(loaded.shots)} shots ({usable} with media)"
        if loaded.problems:
            text += f"; {len(loaded.problems)} clips skipped"
        self.message.emit(text, False)

    def _restore_from_timeline(self, loaded: LoadedTimeline) -> None:
        """Shots a Foleyline write-back already covered carry their notes in clip metadata:
        show them, so reopening an exported timeline picks up where the editor left off."""
        from foleyline.notes.text import from_text

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

    # -- server

    def connect_to(self, address: str, token: str | None = None) -> Job:
        address = address.strip()
        self.address, self.token = address, (token or None)
        self.connection_changed.emit("connecting", f"Connecting to {address}…")
        factory = self._client_factory
        if factory is not None:
            job = self.runner.run("connect", calls.connect_with_factory_job, factory, address, self.token)
        else:
            job = self.runner.run("connect", calls.connect_job, address, self.token)
        job.succeeded.connect(self._on_connected)
        job.failed.connect(self._on_connect_failed)
        return job.start()

    def _on_connected(self, result: tuple[Any, pb.ServerInfo, str]) -> None:
        old = self.client
        self.client, self.server_info, status = result
        if old is not None and old is not self.client:
            calls.close_client(old)
        if not self.engine or not any(e.name == self.engine for e in self.server_info.engines):
            self.engine = self.server_info.default_engine
        self.server_info_changed.emit(self.server_info)
        self._on_health(status)
        self._health.start()
        self.sync_takes()

    def _on_connect_failed(self, exc: object) -> None:
        self.client = None
        self.server_info = None
        self._health.stop()
        self.connection_changed.emit("error", f"{self.address}: {exc}")
        self.server_info_changed.emit(None)

    def check_health(self) -> None:
        if self.client is None or self._health_job is not None:
            return
        job = self.runner.run("health", calls.health_job, self.client)
        job.failed.connect(lambda exc: self.connection_changed.emit("error", f"{self.address}: {exc}"))
        job.succeeded.connect(self._on_health)
        job.ended.connect(self._health_done)
        self._health_job = job
        job.start()

    def _on_health(self, status: str) -> None:
        if status == "SERVING":
            self._health.setInterval(HEALTH_INTERVAL_MS)
            self.connection_changed.emit("connected", self._connected_text())
        else:
            # Up but still loading its engine (health turns SERVING once loaded): look again soon.
            self._health.setInterval(LOADING_POLL_MS)
            self.connection_changed.emit("connecting", f"{self.address}: the server is up and loading its engine ({status})")

    def _connected_text(self) -> str:
        info = self.server_info
        return f"{self.address} · foleyline {info.version} · {info.device}" if info else self.address

    def _health_done(self) -> None:
        self._health_job = None

    def _require_client(self) -> Any:
        if self.client is None:
            raise Unavailable("not connected to a server; connect in the Server tab or start a local one")
        return self.client

    # -- notes

    def set_notes(self, shot_id: str, notes: Notes) -> None:
        self.store.update(shot_id, notes=notes, failure=None)

    def _versioned_notes(self, state: ShotState) -> Notes | None:
        """The shot's notes with a version no earlier take used for different notes: a take
        records the notes version it was made from, so an edited text is a new version. Bumped
        here, when the editor generates, not on every keystroke."""
        notes = state.notes
        if notes is None:
            return None
        notes = dataclasses.replace(notes, shot_id=state.shot.id)
        used = {take.notes_version: take for take in state.takes if take.HasField("notes")}
        earlier = used.get(notes.version)
        if earlier is not None and _same_notes(notes_from_proto(earlier.notes), notes):
            return notes
        if earlier is not None:
            notes = dataclasses.replace(notes, version=max(used) + 1)
            self.store.update(state.shot.id, notes=notes)
        return notes

    def _shot_message(self, state: ShotState, *, only_layers: Iterable[str] = (), base_take_id: str = "") -> pb.Shot:
        message = shot_to_proto(state.shot)
        notes = self._versioned_notes(state)
        if notes is not None:
            message.notes.CopyFrom(notes_to_proto(notes))
            message.has_notes = True
        message.only_layers.extend(only_layers)
        if base_take_id:
            message.base_take_id = base_take_id
        return message

    def draft_notes(self, shot_ids: list[str], *, writer: str = "auto") -> Job | None:
        try:
            client = self._require_client()
        except Unavailable as exc:
            self.message.emit(str(exc), True)
            return None
        states = [s for s in (self.store.get(i) for i in shot_ids) if s is not None and not s.shot.missing_reason]
        if not states:
            self.message.emit("Select shots with media to draft notes for", True)
            return None
        shots = [shot_to_proto(s.shot) for s in states]
        for state in states:
            self.store.update(state.shot.id, drafting=True, failure=None)
        job = self.runner.run("draft notes", calls.draft_job, client, shots, writer)
        job.yielded.connect(self._on_draft_event)
        ids = [s.shot.id for s in states]
        job.failed.connect(lambda exc: self._end_draft(ids, str(exc)))
        job.cancelled.connect(lambda: self._end_draft(ids, None))
        job.succeeded.connect(lambda _r: self._end_draft(ids, None))
        self.message.emit(f"Drafting notes for {len(states)} shot(s)…", False)
        return job.start()

    def _on_draft_event(self, event: pb.DraftNotesEvent) -> None:
        if event.WhichOneof("result") == "notes":
            drafted = notes_from_proto(event.notes)
            self.store.update(event.shot_id, notes=drafted, drafting=False, drafted=drafted,
                              draft_warnings=list(event.warnings))
        else:
            self.store.update(event.shot_id, failure=event.error or "drafting failed", drafting=False)
        for warning in event.warnings:
            self.message.emit(warning, False)
        over = [f"{count.layer_label} ({count.tokens}/{count.limit} tokens)" for count in event.token_counts if count.over_limit]
        if over:
            self.message.emit("Prompts longer than the engine reads, shorten them: " + ", ".join(over), True)

    def _end_draft(self, shot_ids: list[str], error: str | None) -> None:
        for shot_id in shot_ids:
            state = self.store.get(shot_id)
            if state is not None and state.drafting:
                self.store.update(shot_id, drafting=False, failure=error)
        if error:
            self.message.emit(f"Drafting notes failed: {error}", True)

    # -- generation

    def generate(self, shot_ids: list[str], *, num_takes: int = 1, only_layers: Iterable[str] = (),
                 base_take_id: str = "", seed: int = 0) -> Job | None:
        """Generate ``num_takes`` new takes for each shot, or regenerate only some layers of a
        take (``base_take_id``, else the accepted or newest one); the server keeps the other
        layers bit-identical."""
        only_layers = list(only_layers)
        try:
            client = self._require_client()
        except Unavailable as exc:
            self.message.emit(str(exc), True)
            return None
        messages, ids = [], []
        for shot_id in shot_ids:
            state = self.store.get(shot_id)
            if state is None or state.shot.missing_reason or state.progress is not None:
                continue
            if only_layers:
                base = base_take_id if state.take(base_take_id) else (state.accepted_take_id or (state.takes[-1].id if state.takes else ""))
                if not base:
                    self.message.emit(f"{state.shot.name}: no take to keep the other layers from; generate the shot first", True)
                    continue
                messages.append(self._shot_message(state, only_layers=only_layers, base_take_id=base))
            else:
                messages.append(self._shot_message(state))
            ids.append(shot_id)
        if not messages:
            self.message.emit("Nothing to generate: select shots with media that are not already generating", True)
            return None
        settings = pb.GenerateSettings(engine=self.engine, num_takes=max(1, num_takes), seed=seed)
        for shot_id in ids:
            self._expected[shot_id] = max(1, num_takes)
            self.store.update(shot_id, progress=0.0, stage="queued", failure=None)
        job = self.runner.run("generate", calls.generate_job, client, messages, settings)
        for shot_id in ids:
            self._generation_jobs[shot_id] = job
        job.yielded.connect(lambda event: self._on_generate_event(job, event))
        job.failed.connect(lambda exc: self._end_generation(job, ids, str(exc)))
        job.cancelled.connect(lambda: self._end_generation(job, ids, None, cancelled=True))
        job.succeeded.connect(lambda _r: self._end_generation(job, ids, None))
        what = f"{', '.join(only_layers)} of " if only_layers else ""
        self.message.emit(f"Generating {what}{len(ids)} shot(s), {max(1, num_takes)} take(s) each…", False)
        return job.start()

    def _on_generate_event(self, job: Job, event: pb.GenerateEvent) -> None:
        kind = event.WhichOneof("event")
        if kind == "accepted":
            self._job_ids[job] = event.job_id
            for warning in event.accepted.warnings:
                self.message.emit(warning, False)
        elif kind == "progress":
            progress = event.progress
            state = self.store.get(progress.shot_id)
            if state is not None and state.progress is not None:
                self.store.update(progress.shot_id, progress=min(1.0, max(0.0, progress.fraction)), stage=progress.stage, job_id=event.job_id)
        elif kind == "take_ready":
            take = event.take_ready
            self.store.add_take(take)
            left = self._expected.get(take.shot_id, 1) - 1
            self._expected[take.shot_id] = left
            if left <= 0:
                self.store.update(take.shot_id, progress=None, stage="")
        elif kind == "shot_failed":
            failed = event.shot_failed
            self.store.update(failed.shot_id, progress=None, stage="", failure=failed.reason)
            self.message.emit(f"Shot failed: {failed.reason}", True)
        elif kind == "notes_drafted":
            notes = event.notes_drafted
            state = self.store.get(notes.shot_id)
            if state is not None and state.notes is None:
                self.store.update(notes.shot_id, notes=notes_from_proto(notes))
        elif kind == "done":
            done = event.done
            text = f"Generation done: {done.shots_done} shot(s)" + (f", {done.shots_failed} failed" if done.shots_failed else "")
            self.message.emit(text + (" (cancelled)" if done.cancelled else ""), bool(done.shots_failed))

    def _end_generation(self, job: Job, shot_ids: list[str], error: str | None, *, cancelled: bool = False) -> None:
        for shot_id in shot_ids:
            if self._generation_jobs.get(shot_id) is job:
                del self._generation_jobs[shot_id]
            state = self.store.get(shot_id)
            if state is not None and state.progress is not None:
                self.store.update(shot_id, progress=None, stage="", failure=error)
        self._job_ids.pop(job, None)
        if error:
            self.message.emit(f"Generation failed: {error}", True)
        elif cancelled:
            self.message.emit("Generation cancelled", False)

    def cancel(self, shot_ids: list[str] | None = None) -> None:
        """Cancel the jobs generating these shots (all when None): end the stream here and ask
        the server to stop the job."""
        jobs = set(self._generation_jobs.values()) if shot_ids is None else {self._generation_jobs[i] for i in shot_ids if i in self._generation_jobs}
        for job in jobs:
            job_id = self._job_ids.get(job)
            job.cancel()
            if job_id and self.client is not None:
                cancel = self.runner.run("cancel job", calls.cancel_job, self.client, job_id)
                cancel.failed.connect(lambda exc: self.message.emit(f"The server could not cancel the job: {exc}", True))
                cancel.start()

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

    def edit_by_instruction(self, shot_id: str, instruction: str, *, regenerate: bool = True) -> Job | None:
        state = self.store.get(shot_id)
        try:
            client = self._require_client()
        except Unavailable as exc:
            self.message.emit(str(exc), True)
            return None
        if state is None or state.notes is None:
            self.message.emit("This shot has no notes to edit yet: draft or type them first", True)
            return None
        notes = notes_to_proto(dataclasses.replace(state.notes, shot_id=shot_id))
        duration = state.shot.record_range.duration.to_seconds()
        job = self.runner.run("edit notes", calls.edit_job, client, notes, instruction, duration)
        job.succeeded.connect(lambda response: self._on_edited(shot_id, response, regenerate))
        job.failed.connect(lambda exc: self.message.emit(f"The instruction could not be applied: {exc}", True))
        return job.start()

    def _on_edited(self, shot_id: str, response: pb.EditNotesResponse, regenerate: bool) -> None:
        state = self.store.update(shot_id, notes=notes_from_proto(response.notes))
        self.instruction_done.emit(shot_id, response)
        self.message.emit(response.summary or "Notes edited", False)
        if not regenerate or state is None:
            return
        # Only the layers the instruction touched, when there is a take to keep the rest from
        # (and the edit did not remove a layer that take has).
        affected = set(response.affected_layers)
        labels = {layer.label for layer in state.notes.layers} if state.notes else set()
        base = state.accepted_take or (state.takes[-1] if state.takes else None)
        if base is not None and affected and affected <= labels and {l.label for l in base.layers} <= labels:
            self.generate([shot_id], only_layers=sorted(affected), base_take_id=base.id)
        else:
            self.generate([shot_id])

    # -- export

    def export(self, out_path: Path | str, *, fmt: str | None = None) -> Job | None:
        if self.loaded is None:
            self.export_failed.emit("Open a timeline first")
            return None
        try:
            client = self._require_client()
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
                              self.loaded.bridge if fmt == export.RESOLVE else None)
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
        self._health.stop()
        self.runner.cancel_all()
        self.runner.wait(msecs)
        if self.client is not None:
            calls.close_client(self.client)
            self.client = None


def _same_notes(a: Notes, b: Notes) -> bool:
    """Equal in what drives the sound (who wrote them and their shot id aside)."""
    return dataclasses.replace(a, author="", shot_id="") == dataclasses.replace(b, author="", shot_id="")
