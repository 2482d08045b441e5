"""The store: SQLite in WAL mode plus content-addressed WAVs that survive a crash."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from foleyline.errors import InvalidInput, NotFound, PermissionDenied
from foleyline.notes import Layer, LayerKind, Notes
from foleyline.server.records import JobSettings
from foleyline.server.store import Store
from serverkit import shot_record, take_record


def test_a_store_that_cannot_be_made_names_the_setting_to_change(tmp_path: Path) -> None:
    # A file where its folder should be: unwritable even for root, as a read-only home is for a user.
    (tmp_path / "home").write_text("", encoding="utf-8")
    with pytest.raises(PermissionDenied, match="cannot make the store's folder .*FOLEYLINE_DATA_DIR"):
        Store(tmp_path / "home" / "foleyline")


def test_the_database_is_in_wal_mode(tmp_path: Path) -> None:
    Store(tmp_path).close()
    mode = sqlite3.connect(tmp_path / "store.sqlite3").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_audio_is_stored_under_its_hash_and_staging_is_emptied(tmp_path: Path) -> None:
    store = Store(tmp_path)
    staged = store.staging_path()
    staged.write_bytes(b"RIFF-not-really-a-wav")
    sha, size = store.adopt_audio(staged)
    assert sha == hashlib.sha256(b"RIFF-not-really-a-wav").hexdigest()
    assert size == 21
    assert store.audio_path(sha).read_bytes() == b"RIFF-not-really-a-wav"
    assert not staged.exists()
    # the same bytes again: one file, same address
    again = store.staging_path()
    again.write_bytes(b"RIFF-not-really-a-wav")
    assert store.adopt_audio(again) == (sha, size)
    assert list(store.tmp_dir.iterdir()) == []


def test_unknown_or_malformed_audio_hashes_are_refused(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with pytest.raises(NotFound, match="no audio with hash"):
        store.audio_path("ab" * 32)
    with pytest.raises(InvalidInput, match="not a sha256"):
        store.audio_path("../../etc/passwd")


def test_jobs_takes_and_notes_survive_reopening(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.create_job("job-1", [shot_record("a"), shot_record("b")], JobSettings(seed=5), "fake", "2026-01-01T00:00:00Z")
    take = take_record(store, "take-1", "a", "job-1", b"audio-a")
    store.complete_shot("job-1", 0, [take])
    store.close()

    reopened = Store(tmp_path)
    shots = reopened.job_shots("job-1")
    assert [(s[1].id, s[2]) for s in shots] == [("a", "done"), ("b", "pending")]
    assert shots[0][1] == shot_record("a")  # the request comes back field for field
    assert reopened.list_takes(job_id="job-1") == [take]
    assert reopened.get_take("take-1") == take
    assert reopened.job_settings("job-1").seed == 5


def test_jobs_running_at_a_crash_become_interrupted(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.create_job("job-1", [shot_record("a")], JobSettings(), "fake", "t1")
    store.create_job("job-2", [shot_record("b")], JobSettings(), "fake", "t2")
    store.set_job_state("job-1", "running")
    store.set_job_state("job-2", "done")
    assert store.mark_interrupted() == ["job-1"]
    states = {job.id: job.state for job in store.list_jobs()}
    assert states == {"job-1": "interrupted", "job-2": "done"}
    assert [job.id for job in store.list_jobs(unfinished_only=True)] == ["job-1"]


def test_failed_shots_are_counted_and_reset_for_a_resume(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.create_job("job-1", [shot_record("a"), shot_record("b")], JobSettings(), "fake", "t")
    store.fail_shot("job-1", 1, "media missing", "FAILED_PRECONDITION")
    info = store.get_job("job-1")
    assert (info.shot_count, info.shots_done, info.shots_failed) == (2, 0, 1)
    store.reset_failed_shots("job-1")
    assert [s[2] for s in store.job_shots("job-1")] == ["pending", "pending"]


def test_notes_get_a_new_version_only_when_they_change(tmp_path: Path) -> None:
    store = Store(tmp_path)
    first = store.record_notes("a", Notes(reasoning="one", layers=(Layer("hit", LayerKind.FX),)))
    same = store.record_notes("a", Notes(reasoning="one", layers=(Layer("hit", LayerKind.FX),), version=9))
    changed = store.record_notes("a", Notes(reasoning="two", layers=(Layer("hit", LayerKind.FX),)))
    assert (first.version, same.version, changed.version) == (1, 1, 2)
    assert changed.shot_id == "a"


def test_notes_that_sound_like_an_earlier_version_are_that_version(tmp_path: Path) -> None:
    store = Store(tmp_path)
    one = Notes(reasoning="one", layers=(Layer("hit", LayerKind.FX),))
    store.record_notes("a", one)
    store.record_notes("a", Notes(reasoning="two", layers=(Layer("hit", LayerKind.FX),)))
    back = store.record_notes("a", replace(one, author="analysis"))
    assert back.version == 1 and back.author == "editor"  # as recorded the first time


def test_unknown_jobs_and_takes_say_so(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with pytest.raises(NotFound, match="no job 'job-x'"):
        store.get_job("job-x")
    with pytest.raises(NotFound, match="no take 'take-x'"):
        store.get_take("take-x")


def test_one_accepted_take_per_shot_survives_reopening(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.create_job("job-1", [shot_record("a")], JobSettings(seed=5), "fake", "2026-01-01T00:00:00Z")
    store.complete_shot("job-1", 0, [take_record(store, "take-1", "a", "job-1", b"1"), take_record(store, "take-2", "a", "job-1", b"2")])
    store.accept_take("take-1")
    store.accept_take("take-2")  # the last accepted wins
    store.close()
    assert Store(tmp_path).accepted_take_ids() == {"take-2"}
    with pytest.raises(NotFound):
        Store(tmp_path).accept_take("take-9")



def test_jobs_and_takes_list_in_the_order_recorded_whatever_the_wall_clock_said(tmp_path: Path) -> None:
    # A clock stepped back (NTP, a VM resumed): the job recorded last still lists last, and a
    # pager that read the first page before it was recorded still finds it on the next.
    store = Store(tmp_path)
    for n in range(3):
        store.create_job(f"job-{n}", [shot_record("a")], JobSettings(), "fake", f"2026-05-01T10:00:0{n}.000+00:00")
    first_page = store.list_jobs(limit=2)
    store.create_job("job-late", [shot_record("a")], JobSettings(), "fake", "2026-05-01T09:00:00.000+00:00")
    assert [job.id for job in store.list_jobs(after=first_page[-1].id)] == ["job-2", "job-late"]
    assert [job.id for job in store.list_jobs()][-1] == "job-late"

    early = take_record(store, "take-b", "a", "job-0", b"b", created_at="2026-05-01T09:00:00.000+00:00")
    store.complete_shot("job-0", 0, [take_record(store, "take-a", "a", "job-0", b"a")])
    store.complete_shot("job-1", 0, [replace(early, job_id="job-1")])
    assert [take.id for take in store.list_takes(shot_id="a")] == ["take-a", "take-b"]
    assert [row[0] for row in store.take_rows(after="take-a")] == ["take-b"]


def test_a_page_of_jobs_counts_the_shots_of_its_own_jobs(tmp_path: Path) -> None:
    store = Store(tmp_path)
    for n in range(5):
        store.create_job(f"job-{n}", [shot_record(f"s{i}") for i in range(n + 1)], JobSettings(), "fake", "t")
    store.fail_shot("job-3", 2, "media missing", "FAILED_PRECONDITION")
    page = store.list_jobs(after="job-1", limit=2)
    assert [(job.id, job.shot_count, job.shots_failed) for job in page] == [("job-2", 3, 0), ("job-3", 4, 1)]
