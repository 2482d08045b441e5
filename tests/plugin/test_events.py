"""Reading the Generate stream: every event once, folded into what the job produced."""

from __future__ import annotations

import pytest

from foleyline.plugin.events import JobEvent, events_of, read_job
from foleyline.protos.v1 import foley_pb2 as pb


def _stream() -> list[pb.GenerateEvent]:
    take = lambda take_id, shot_id: pb.Take(id=take_id, shot_id=shot_id)  # noqa: E731
    return [
        pb.GenerateEvent(job_id="job-1", accepted=pb.JobAccepted(job_id="job-1", shot_count=3, engine="procedural",
                                                                 warnings=["mmaudio unavailable"])),
        pb.GenerateEvent(job_id="job-1", progress=pb.ShotProgress(shot_id="a", stage="generate", fraction=0.5)),
        pb.GenerateEvent(job_id="job-1", take_ready=take("take-a1", "a")),
        pb.GenerateEvent(job_id="job-1", take_ready=take("take-b1", "b")),
        pb.GenerateEvent(job_id="job-1", take_ready=take("take-a2", "a")),
        pb.GenerateEvent(job_id="job-1", shot_failed=pb.ShotFailed(shot_id="c", reason="no media", code="NOT_FOUND")),
        pb.GenerateEvent(job_id="job-1", done=pb.JobDone(shots_done=2, shots_failed=1)),
    ]


class _Call:
    def __init__(self, events, *, interrupt_after: int | None = None) -> None:
        self.events, self.interrupt_after, self.cancelled = list(events), interrupt_after, False

    def __iter__(self):
        for index, event in enumerate(self.events):
            if index == self.interrupt_after:
                raise KeyboardInterrupt
            yield event

    def cancel(self) -> None:
        self.cancelled = True


def test_each_event_is_its_kind_its_message_and_the_job() -> None:
    events = list(events_of(_stream()))
    assert [e.kind for e in events] == ["accepted", "progress", "take_ready", "take_ready", "take_ready",
                                        "shot_failed", "done"]
    assert events[1] == JobEvent("progress", _stream()[1].progress, "job-1")


def test_the_job_is_folded_into_takes_per_shot_in_order_failures_and_warnings() -> None:
    seen: list[str] = []
    job = read_job(_stream(), on_event=lambda event: seen.append(event.kind))
    assert len(seen) == 7
    assert (job.job_id, job.engine, job.warnings) == ("job-1", "procedural", ["mmaudio unavailable"])
    assert {shot: [t.id for t in takes] for shot, takes in job.takes.items()} == {"a": ["take-a1", "take-a2"], "b": ["take-b1"]}
    assert {shot: take.id for shot, take in job.first_takes().items()} == {"a": "take-a1", "b": "take-b1"}
    assert job.failure_lines({"c": "sh030"}) == ["sh030: no media"]
    assert job.failure_lines({}) == ["c: no media"]
    assert job.done.shots_failed == 1


def test_reading_stopped_early_cancels_the_call() -> None:
    call = _Call(_stream(), interrupt_after=3)
    with pytest.raises(KeyboardInterrupt):
        read_job(call)
    assert call.cancelled
    finished = _Call(_stream())
    read_job(finished)
    assert not finished.cancelled
