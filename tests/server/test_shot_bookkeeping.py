"""A shot's fixed costs outside the engine: its drafting is planned once, and the store's
bookkeeping on the way (notes, take numbers, a job started) commits without waiting for the
disk, while what must survive a power cut (a job made, a shot's takes, a job's end) does wait."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from foleyline.server.notes import drafting
from foleyline.server.pipeline import Pipeline
from foleyline.server.records import JobSettings
from foleyline.server.service import shot_from_proto
from foleyline.server.store import Store
from serverkit import FakeEngine, make_shot, shot_record, take_record, write_clip

FULL, NORMAL = 2, 1  # PRAGMA synchronous


def test_a_drafted_shot_is_planned_once(tmp_path: Path, monkeypatch) -> None:
    clip = write_clip(tmp_path / "fall.mp4")
    plans = []
    real_plan = drafting.plan
    monkeypatch.setattr(drafting, "plan", lambda *a, **k: plans.append(a) or real_plan(*a, **k))
    store = Store(tmp_path / "store")
    try:
        outcome = Pipeline(store, [tmp_path]).process_shot(
            shot_from_proto(make_shot(clip)), JobSettings(seed=1), job_id="job", engine_name="fake",
            engine=FakeEngine(), progress=lambda stage, fraction: None, cancel=threading.Event())
    finally:
        store.close()
    assert outcome.takes and outcome.takes[0].layers
    assert len(plans) == 1  # the streams decoded and the draft follow the one plan


def test_a_plan_made_for_another_writer_is_refused() -> None:
    with pytest.raises(ValueError, match="writer"):
        drafting.draft(object(), "analysis", chosen=drafting.drafting_plan("auto"))  # type: ignore[arg-type]


@pytest.fixture
def traced(tmp_path: Path):
    store = Store(tmp_path)
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)
    yield store, statements
    store.close()


def _synchronous_at_commit(statements: list[str]) -> list[str]:
    """Per COMMIT, the synchronous setting it ran under."""
    level, out = "FULL", []
    for statement in statements:
        if statement.startswith("PRAGMA synchronous="):
            level = statement.split("=")[1]
        elif statement == "COMMIT":
            out.append(level)
    return out


def test_the_bookkeeping_commits_without_waiting_and_the_takes_wait(traced, tmp_path: Path) -> None:
    store, statements = traced
    store.create_job("job", [shot_record("shot-1")], JobSettings(), "fake", "2026-01-01T00:00:00Z")
    assert _synchronous_at_commit(statements) == ["FULL"]
    statements.clear()
    store.set_job_state("job", "running", durable=False)
    store.reserve_take_numbers("shot-1", 2)
    assert _synchronous_at_commit(statements) == ["NORMAL", "NORMAL"]
    statements.clear()
    store.complete_shot("job", 0, [take_record(store, "take-1", "shot-1", "job", b"RIFF")])
    store.set_job_state("job", "done")
    assert _synchronous_at_commit(statements) == ["FULL", "FULL"]
    # Each light commit puts the setting back: the connection is left waiting for the disk.
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == FULL
    store.close()
    reopened = Store(tmp_path)
    try:
        assert reopened.reserve_take_numbers("shot-1", 1) == [3]
        assert reopened.get_job("job").state == "done"
    finally:
        reopened.close()


def test_a_light_commit_that_fails_leaves_the_connection_durable(traced) -> None:
    store, _ = traced
    with pytest.raises(sqlite3.Error):
        with store._transaction(durable=False) as db:
            db.execute("SELECT * FROM no_such_table")
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == FULL
