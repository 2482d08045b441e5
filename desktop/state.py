"""What the panel knows about each shot, as plain data plus one QObject that announces changes.

Widgets never hold their own copy of a shot's notes or takes: they read ``ShotStore`` and redraw
on its signals (the qutebrowser pattern: a domain manager emits, models only turn that into rows).
"""

from __future__ import annotations

import enum
import dataclasses
from dataclasses import dataclass, field

from PyQt6.QtCore import QObject, pyqtSignal

from foleyline.notes.schema import Notes
from foleyline.plugin.shots import Shot
from foleyline.plugin.timeline.clipinfo import RELINK_OPTIONS
from foleyline.protos.v1 import foley_pb2 as pb


class Status(enum.Enum):
    """The stage a shot is at, in the order an editor moves through them (the filter uses it)."""

    MISSING = "missing media"
    FAILED = "failed"
    NO_NOTES = "no notes"
    NOTES = "notes"
    DRAFTING = "drafting notes"
    GENERATING = "generating"
    TAKES = "takes"
    ACCEPTED = "accepted"


@dataclass
class ShotState:
    shot: Shot
    notes: Notes | None = None
    takes: list[pb.Take] = field(default_factory=list)
    accepted_take_id: str | None = None
    # Set while a job works on the shot: 0..1 and the server's stage name.
    progress: float | None = None
    stage: str = ""
    drafting: bool = False
    failure: str | None = None
    job_id: str | None = None
    draft_warnings: list[str] = field(default_factory=list)  # what the server said with the draft
    drafted: Notes | None = None                              # the notes it said it about

    @property
    def status(self) -> Status:
        if self.progress is not None:
            return Status.GENERATING
        if self.drafting:
            return Status.DRAFTING
        if self.accepted_take_id:
            return Status.ACCEPTED
        if self.takes:
            return Status.TAKES
        if self.failure:
            return Status.FAILED
        if self.shot.missing_reason:
            return Status.MISSING
        return Status.NOTES if self.notes is not None else Status.NO_NOTES

    def status_text(self) -> str:
        status = self.status
        if status is Status.GENERATING:
            return f"generating {round(100 * (self.progress or 0.0))} %"
        if status is Status.TAKES:
            return plural(len(self.takes), "take")
        return status.value

    def take(self, take_id: str) -> pb.Take | None:
        for take in self.takes:
            if take.id == take_id:
                return take
        return None

    @property
    def accepted_take(self) -> pb.Take | None:
        return self.take(self.accepted_take_id) if self.accepted_take_id else None

    def notes_warnings(self) -> list[str]:
        """What the server said about these notes: the draft's warnings, and the engine's word
        on each layer of the newest take (e.g. "no sound model for ..."). A warning about a layer
        holds while that layer's prompt is still the one it was said about."""
        said = _still_true(self.draft_warnings, self.drafted, self.notes)
        if self.takes:
            take = self.takes[-1]
            about_layers = [w for layer in take.layers for w in layer.warnings]
            said += [w for w in _still_true(about_layers, take.notes, self.notes) if w not in said]
        return said


class ShotStore(QObject):
    """The shots of the open timeline, in timeline order, with their notes, takes and progress."""

    reset = pyqtSignal()
    shot_changed = pyqtSignal(int)  # row

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._states: list[ShotState] = []
        self._rows: dict[str, int] = {}

    def set_shots(self, shots: list[Shot]) -> None:
        self._states = [ShotState(shot) for shot in shots]
        self._rows = {state.shot.id: row for row, state in enumerate(self._states)}
        self.reset.emit()

    def replace_shots(self, shots: list[Shot]) -> None:
        """The same edit's shots again (after a relink): a shot whose id is unchanged keeps its
        notes, takes and acceptance; the others start afresh."""
        before = {state.shot.id: state for state in self._states}
        self._states = [dataclasses.replace(before[shot.id], shot=shot) if shot.id in before else ShotState(shot)
                        for shot in shots]
        self._rows = {state.shot.id: row for row, state in enumerate(self._states)}
        self.reset.emit()

    def __len__(self) -> int:
        return len(self._states)

    def __iter__(self):
        return iter(self._states)

    def at(self, row: int) -> ShotState:
        return self._states[row]

    def row_of(self, shot_id: str) -> int | None:
        return self._rows.get(shot_id)

    def get(self, shot_id: str) -> ShotState | None:
        row = self._rows.get(shot_id)
        return None if row is None else self._states[row]

    def update(self, shot_id: str, **changes: object) -> ShotState | None:
        """Change fields of one shot and announce it. Unknown shots are ignored: a stream may
        report a shot of a timeline the editor has since closed."""
        row = self._rows.get(shot_id)
        if row is None:
            return None
        state = self._states[row]
        for name, value in changes.items():
            if not hasattr(state, name):
                raise AttributeError(f"ShotState has no field {name!r}")
            setattr(state, name, value)
        self.shot_changed.emit(row)
        return state

    def add_take(self, take: pb.Take) -> ShotState | None:
        state = self.get(take.shot_id)
        if state is None:
            return None
        if state.take(take.id) is None:
            state.takes.append(take)
        self.shot_changed.emit(self._rows[take.shot_id])
        return state

    def accepted(self) -> list[ShotState]:
        return [state for state in self._states if state.accepted_take is not None]


def _still_true(warnings: list[str], about, now: Notes | None) -> list[str]:
    """``warnings`` said about the notes ``about`` (a Notes or a pb.Notes), less those about a
    layer whose prompt has changed since (or that is gone)."""
    if about is None:
        return list(warnings)
    current = {layer.label: layer.prompt for layer in now.layers} if now is not None else {}
    kept = []
    for warning in warnings:
        named = [layer for layer in about.layers if warning.startswith(f"layer {layer.label!r}:")]
        if not named or current.get(named[0].label) == named[0].prompt:
            kept.append(warning)
    return kept


def in_panel_words(text: str) -> str:
    """A message the timeline readers write for the command line, with the panel's way to do
    the same (its Relink media… action, not ``--relink``)."""
    return text.replace(RELINK_OPTIONS, "with Relink media… in the toolbar")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
