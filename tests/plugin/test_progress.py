"""The terminal progress of a job: shot name, record timecode, stage and an estimate of the time left."""

from __future__ import annotations

import io

from foleyline.plugin.events import JobEvent
from foleyline.plugin.progress import ProgressBar
from foleyline.protos.v1 import foley_pb2 as pb


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def job_events() -> list[JobEvent]:
    events = [JobEvent("accepted", pb.JobAccepted(shot_count=2, engine="procedural"), "job-1")]
    for done, shot in enumerate(("id-a", "id-b")):
        for stage, fraction in (("decode", 0.1), ("generate", 0.5), ("post", 0.9), ("done", 1.0)):
            progress = pb.ShotProgress(shot_id=shot, stage=stage, fraction=fraction, shots_done=done, shot_count=2)
            events.append(JobEvent("progress", progress, "job-1"))
    events.append(JobEvent("done", pb.JobDone(shots_done=2, shots_failed=0), "job-1"))
    return events


def run_bar(stream) -> str:
    bar = ProgressBar(stream)
    bar.name_shots({"id-a": ("SH010", "01:00:00:00"), "id-b": ("SH020", "01:00:04:12")})
    for event in job_events():
        bar(event)
    return stream.getvalue()


def test_a_log_gets_one_line_per_shot_and_stage_with_names_and_timecodes():
    lines = run_bar(io.StringIO()).splitlines()
    assert lines[0] == "job job-1: 2 shot(s) on procedural"
    assert lines[1].startswith("[0.1/2 shots] SH010 @ 01:00:00:00 decode")
    assert [line.split("] ")[1].split(",")[0] for line in lines[1:-1]] == [
        f"{name} {stage}" for name in ("SH010 @ 01:00:00:00", "SH020 @ 01:00:04:12") for stage in ("decode", "generate", "post")
    ][: len(lines) - 2]
    assert any("left" in line for line in lines[2:-1])
    assert lines[-1] == "done: 2 shot(s) generated, 0 failed"
    assert "id-a" not in "".join(lines)


def test_a_terminal_gets_a_tqdm_bar_with_the_shot_stage_and_time_left():
    text = run_bar(Terminal())
    assert "SH020 @ 01:00:04:12 post" in text and "shots [" in text and "<" in text
    assert text.rstrip().endswith("done: 2 shot(s) generated, 0 failed")
