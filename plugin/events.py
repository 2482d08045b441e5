"""Reading the Generate stream, once for every front end (``foleyline generate``, the panel, the
Resolve run).

    for event in events_of(client.generate(shots, settings)):    # one JobEvent per message
        if event.kind == "progress": ...
    result = read_job(client.generate(shots, settings), on_event=show)   # all of it, folded

A GenerateEvent carries one of: ``accepted`` (the job id, its engine, warnings), ``progress``,
``notes_drafted``, ``take_ready`` (a take, as soon as it is stored), ``shot_failed`` (a failure
is an event, not a dead stream) and ``done``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from foleyline.protos.v1 import foley_pb2 as pb

__all__ = ["JobEvent", "JobResult", "events_of", "read_job"]


class JobEvent(NamedTuple):
    kind: str      # the name of the event's oneof: "accepted", "progress", "take_ready", ...
    payload: Any   # its message (pb.JobAccepted, pb.ShotProgress, pb.Take, ...)
    job_id: str


def events_of(call: Iterable[pb.GenerateEvent]) -> Iterator[JobEvent]:
    """Each GenerateEvent of a stream as a JobEvent."""
    for event in call:
        kind = event.WhichOneof("event")
        if kind is None:  # a newer server's event this client does not know: nothing to act on
            continue
        yield JobEvent(kind, getattr(event, kind), event.job_id)


@dataclass
class JobResult:
    """What a Generate stream said, folded: the takes of each shot in the order they came."""

    job_id: str = ""
    engine: str = ""
    warnings: list[str] = field(default_factory=list)   # the job's, then its layers' (LayerAudio.warnings)
    takes: dict[str, list[pb.Take]] = field(default_factory=dict)   # shot id -> takes
    failures: list[pb.ShotFailed] = field(default_factory=list)
    done: pb.JobDone | None = None

    def add(self, event: JobEvent) -> None:
        self.job_id = event.job_id or self.job_id
        if event.kind == "accepted":
            self.engine = event.payload.engine
            self.warnings.extend(event.payload.warnings)
        elif event.kind == "take_ready":
            self.takes.setdefault(event.payload.shot_id, []).append(event.payload)
            # The engine's word on a layer ("no sound model for ..."), once per text.
            self.warnings.extend(w for layer in event.payload.layers for w in layer.warnings if w not in self.warnings)
        elif event.kind == "shot_failed":
            self.failures.append(event.payload)
        elif event.kind == "done":
            self.done = event.payload

    def first_takes(self) -> dict[str, pb.Take]:
        """The first take of each shot that got one: the take a headless run places."""
        return {shot_id: takes[0] for shot_id, takes in self.takes.items() if takes}

    def failure_lines(self, shot_names: Mapping[str, str]) -> list[str]:
        """"NAME: reason" per failed shot, by shot name where ``shot_names`` (id -> name) knows it."""
        return [f"{shot_names.get(failure.shot_id, failure.shot_id)}: {failure.reason}" for failure in self.failures]


def read_job(call: Iterable[pb.GenerateEvent], on_event: Callable[[JobEvent], None] | None = None) -> JobResult:
    """Read a Generate stream to its end, calling ``on_event`` for each event as it comes. When
    reading stops early (Ctrl-C, or ``on_event`` raised), the call is cancelled so the server
    stops the job's stream too."""
    result = JobResult()
    try:
        for event in events_of(call):
            result.add(event)
            if on_event is not None:
                on_event(event)
    except BaseException:
        cancel = getattr(call, "cancel", None)
        if cancel is not None:
            cancel()
        raise
    return result
