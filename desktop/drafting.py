"""Notes written by the server for the panel: drafts for shots that have none, and edits of a
shot's notes by an instruction ("add a door slam at 2 s"), regenerating what the edit touched.
Part of the session (``session.py``)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from foleyline.desktop import calls
from foleyline.desktop.jobs import Job
from foleyline.errors import Unavailable
from foleyline.notes.convert import notes_from_proto, notes_to_proto
from foleyline.plugin.requests import shot_request
from foleyline.protos.v1 import foley_pb2 as pb

if TYPE_CHECKING:  # the session owns this part; only its type is needed here
    from foleyline.desktop.session import Session

__all__ = ["Drafting"]


class Drafting:
    def __init__(self, session: Session) -> None:
        self._session = session

    def draft_notes(self, shot_ids: list[str], *, writer: str = "auto") -> Job | None:
        session, store = self._session, self._session.store
        try:
            client = session.connection.require_client()
        except Unavailable as exc:
            session.message.emit(str(exc), True)
            return None
        states = [s for s in (store.get(i) for i in shot_ids) if s is not None and not s.shot.missing_reason]
        if not states:
            session.message.emit("Select shots with media to draft notes for", True)
            return None
        shots = [shot_request(s.shot) for s in states]
        for state in states:
            store.update(state.shot.id, drafting=True, failure=None)
        job = session.runner.run("draft notes", calls.draft_job, client, shots, writer)
        job.yielded.connect(self._on_draft_event)
        ids = [s.shot.id for s in states]
        job.failed.connect(lambda exc: self._end_draft(ids, str(exc)))
        job.cancelled.connect(lambda: self._end_draft(ids, None))
        job.succeeded.connect(lambda _r: self._end_draft(ids, None))
        session.message.emit(f"Drafting notes for {len(states)} shot(s)…", False)
        return job.start()

    def _on_draft_event(self, event: pb.DraftNotesEvent) -> None:
        session, store = self._session, self._session.store
        if event.WhichOneof("result") == "notes":
            drafted = notes_from_proto(event.notes)
            if store.update(event.shot_id, notes=drafted, drafting=False, drafted=drafted,
                            draft_warnings=list(event.warnings)) is not None:
                session.keep_later(event.shot_id, drafted)
        else:
            store.update(event.shot_id, failure=event.error or "drafting failed", drafting=False)
        for warning in event.warnings:
            session.message.emit(warning, False)
        over = [f"{count.layer_label} ({count.tokens}/{count.limit} tokens)" for count in event.token_counts if count.over_limit]
        if over:
            session.message.emit("Prompts longer than the engine reads, shorten them: " + ", ".join(over), True)

    def _end_draft(self, shot_ids: list[str], error: str | None) -> None:
        store = self._session.store
        for shot_id in shot_ids:
            state = store.get(shot_id)
            if state is not None and state.drafting:
                store.update(shot_id, drafting=False, failure=error)
        if error:
            self._session.message.emit(f"Drafting notes failed: {error}", True)

    def edit_by_instruction(self, shot_id: str, instruction: str, *, regenerate: bool = True) -> Job | None:
        session = self._session
        state = session.store.get(shot_id)
        try:
            client = session.connection.require_client()
        except Unavailable as exc:
            session.message.emit(str(exc), True)
            return None
        if state is None or state.notes is None:
            session.message.emit("This shot has no notes to edit yet: draft or type them first", True)
            return None
        notes = notes_to_proto(dataclasses.replace(state.notes, shot_id=shot_id))
        duration = state.shot.record_range.duration.to_seconds()
        job = session.runner.run("edit notes", calls.edit_job, client, notes, instruction, duration)
        job.succeeded.connect(lambda response: self._on_edited(shot_id, response, regenerate))
        job.failed.connect(lambda exc: session.message.emit(f"The instruction could not be applied: {exc}", True))
        return job.start()

    def _on_edited(self, shot_id: str, response: pb.EditNotesResponse, regenerate: bool) -> None:
        session = self._session
        state = session.store.update(shot_id, notes=notes_from_proto(response.notes))
        if state is not None:
            session.keep_later(shot_id, state.notes)
        session.instruction_done.emit(shot_id, response)
        session.message.emit(response.summary or "Notes edited", False)
        if not regenerate or state is None:
            return
        # Only the layers the instruction touched, when there is a take to keep the rest from
        # (and the edit did not remove a layer that take has).
        affected = set(response.affected_layers)
        labels = {layer.label for layer in state.notes.layers} if state.notes else set()
        base = state.accepted_take or (state.takes[-1] if state.takes else None)
        if base is not None and affected and affected <= labels and {l.label for l in base.layers} <= labels:
            session.generate([shot_id], only_layers=sorted(affected), base_take_id=base.id)
        else:
            session.generate([shot_id])
