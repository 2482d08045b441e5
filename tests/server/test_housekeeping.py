"""The store keeps tidy and private: staged files of dead writers and orphan WAVs collected (at
start, periodically, and by ``foleyline store gc``), rows that cannot be sent back quarantined,
folders 0700 and files 0600; uploads over the limit and a full disk answered RESOURCE_EXHAUSTED,
a store folder that cannot be written FAILED_PRECONDITION."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from foleyline import cli
from foleyline.capacity import ServerLimits
from foleyline.errors import FoleylineError, NotFound, ResourceExhausted, StorageError
from foleyline.plugin.client import FoleyClient
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.server import housekeeping
from foleyline.server.records import JobSettings
from foleyline.server.store import Store, storage_errors
from serverkit import TOKEN, collect, make_shot, shot_record, take_record, two_layer_notes

DAY = 86400.0


def _dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _staged(store: Store, name: str, age_s: float = 0.0) -> Path:
    path = store.tmp_dir / name
    path.write_bytes(b"half a file")
    when = time.time() - age_s
    os.utime(path, (when, when))
    return path


def test_staged_files_of_dead_or_finished_writers_are_swept(tmp_path: Path) -> None:
    store = Store(tmp_path)
    mine = store.staging_path()
    mine.write_bytes(b"being written")
    released = store.staging_path()
    released.write_bytes(b"left behind")
    store.release_staged(released)
    dead = _staged(store, f"{_dead_pid()}-{'a' * 32}.mov")
    atomic_temp = _staged(store, f".{_dead_pid()}-{'b' * 32}.wav.x1y2.tmp.wav")
    other_live = _staged(store, f"1-{'c' * 32}.wav")  # pid 1 lives as long as the machine
    other_stale = _staged(store, f"1-{'d' * 32}.wav", age_s=2 * DAY)
    unowned_old = _staged(store, f"{'e' * 32}.wav", age_s=2 * 3600)
    unowned_new = _staged(store, f"{'f' * 32}.wav")
    freed = housekeeping.sweep_staged(store)
    assert set(freed.paths) == {released, dead, atomic_temp, other_stale, unowned_old}
    assert freed.bytes == 4 * len(b"half a file") + len(b"left behind")
    assert mine.exists() and other_live.exists() and unowned_new.exists()


def test_orphan_wavs_are_collected_after_a_grace_period(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.create_job("job-1", [shot_record("a")], JobSettings(), "fake", "t")
    kept = take_record(store, "take-1", "a", "job-1", b"kept audio")
    store.complete_shot("job-1", 0, [kept])
    staged = store.staging_path()
    staged.write_bytes(b"orphan audio")
    orphan, _size = store.adopt_audio(staged)
    staged = store.staging_path()
    staged.write_bytes(b"young orphan")
    young, _size = store.adopt_audio(staged)
    old = time.time() - 2 * housekeeping.ORPHAN_GRACE_S
    os.utime(store.audio_path(orphan), (old, old))
    os.utime(store.audio_path(kept.mix.sha256), (old, old))
    assert housekeeping.collect_orphans(store, dry_run=True).files == 1
    freed = housekeeping.collect_orphans(store)
    assert freed.paths == [store.audio_dir / orphan[:2] / f"{orphan}.wav"] and freed.bytes == len(b"orphan audio")
    assert store.audio_path(kept.mix.sha256).exists() and store.audio_path(young).exists()


def test_store_gc_says_what_it_freed(tmp_path: Path, capsys) -> None:
    store = Store(tmp_path)
    staged = store.staging_path()
    staged.write_bytes(b"x" * 4096)
    store.adopt_audio(staged)
    _staged(store, f"{_dead_pid()}-{'a' * 32}.mov").write_bytes(b"y" * 2048)
    store.close()
    assert cli.main(["store", "gc", "--data-dir", str(tmp_path), "--dry-run", "--min-age", "0"]) == 0
    assert "would free" in capsys.readouterr().out
    assert cli.main(["store", "gc", "--data-dir", str(tmp_path), "--min-age", "0"]) == 0
    out = capsys.readouterr().out
    assert "freed 0.0 MiB: 1 orphan WAV(s) (0.0 MiB), 1 staged file(s) (0.0 MiB)" in out
    assert not list(Store(tmp_path).audio_dir.rglob("*.wav"))
    assert cli.main(["store", "gc", "--data-dir", str(tmp_path / "nowhere")]) == 2


def test_a_running_server_sweeps_periodically(start, tmp_path: Path) -> None:
    server = start(ServerLimits(sweep_interval_s=0.2))
    left = _staged(server.store, f"{_dead_pid()}-{'a' * 32}.mp4")
    deadline = time.monotonic() + 60  # a safety net: the sweep is what ends the wait
    while left.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left.exists()


def test_the_store_is_private_to_the_servers_user(tmp_path: Path) -> None:
    os.umask(0o022)
    store = Store(tmp_path / "store")
    take = take_record(store, "take-1", "a", "job-1", b"audio")
    for folder in (store.root, store.audio_dir, store.media_dir, store.tmp_dir, store.audio_path(take.mix.sha256).parent):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    for path in (store.root / "store.sqlite3", store.audio_path(take.mix.sha256)):
        assert path.stat().st_mode & 0o777 == 0o600, path


def test_rows_that_cannot_be_sent_back_are_quarantined_once(tmp_path: Path, start, clip_path: Path) -> None:
    store = Store(tmp_path / "store")
    store.create_job("job-1", [shot_record("a"), shot_record("b" * 300)], JobSettings(), "fake", "t")
    good = take_record(store, "take-good", "a", "job-1", b"good")
    poisoned = take_record(store, "take-seed", "a", "job-1", b"seed", seed=2**63)  # what seed 2^63-1 + 1 made
    long_id = take_record(store, "take-long", "x" * (7 << 20), "job-1", b"long")
    store.complete_shot("job-1", 0, [good, poisoned, long_id])
    store.set_schema_version(1)  # as an older server left it
    store.close()

    server = start()
    with FoleyClient(server.address, TOKEN) as client:
        assert [t.id for t in client.list_takes()] == ["take-good"]
        (job,) = client.list_jobs()
        assert job.shot_count == 1
    quarantined = server.store._query("SELECT kind, key FROM quarantine ORDER BY key")
    assert [(kind, key[:12]) for kind, key in quarantined] == [("job_shot", "job-1/1"), ("take", "take-long"), ("take", "take-seed")]
    # their WAVs are not orphans
    assert housekeeping.collect_orphans(server.store, grace_s=0, dry_run=True).files == 0


def test_an_upload_over_the_limit_is_refused_and_leaves_nothing(start, tmp_path: Path, clip_path: Path) -> None:
    server = start(ServerLimits(max_upload_bytes=1000))
    with FoleyClient(server.address, TOKEN) as client:
        with pytest.raises(ResourceExhausted, match="larger than this server takes"):
            client.upload_media(clip_path)
    assert not list(server.store.tmp_dir.iterdir()) and not list(server.store.media_dir.rglob("*.*"))


def test_a_take_being_fetched_arrives_whole_while_housekeeping_collects(server, client, clip_path: Path, tmp_path: Path) -> None:
    take = collect(client.generate([make_shot(clip_path)]))["take_ready"][0]
    call = client._stub.FetchAudio(pb.FetchAudioRequest(sha256=take.mix.sha256, chunk_size=1024),
                                   metadata=client._metadata)
    first = next(call)
    housekeeping.gc(server.store, grace_s=0)  # a take's WAVs are never orphans
    assert len(first.data) + sum(len(chunk.data) for chunk in call) == first.total_size
    assert client.fetch_audio(take.mix.sha256, tmp_path / "after.wav").stat().st_size == first.total_size


def test_an_orphan_collected_as_it_is_asked_for_is_not_found_saying_so_not_internal(
        server, client, tmp_path: Path, monkeypatch) -> None:
    staged = server.store.staging_path()
    staged.write_bytes(b"RIFF" + bytes(4000))
    sha, _size = server.store.adopt_audio(staged)
    looked_up = Store.audio_path

    def collected_meanwhile(store: Store, sha256: str) -> Path:
        path = looked_up(store, sha256)
        path.unlink()  # housekeeping, between the lookup and the open
        return path

    monkeypatch.setattr(Store, "audio_path", collected_meanwhile)
    with pytest.raises(NotFound, match="housekeeping collected it"):
        client.fetch_audio(sha, tmp_path / "orphan.wav")


def test_a_full_disk_is_resource_exhausted_saying_so(server, client, clip_path: Path, monkeypatch) -> None:
    from foleyline.server import pipeline

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pipeline, "write_take", full)
    shot = make_shot(clip_path)
    shot.notes.CopyFrom(two_layer_notes())
    shot.has_notes = True
    (failure,) = collect(client.generate([shot]))["shot_failed"]
    assert failure.code == "RESOURCE_EXHAUSTED" and "disk is full" in failure.reason
    monkeypatch.setattr(Store, "adopt_media", full)
    with pytest.raises(ResourceExhausted, match="disk is full"):
        client.upload_media(clip_path)
    assert not list(server.store.tmp_dir.iterdir())


def test_a_store_folder_that_cannot_be_written_fails_the_call_saying_so_not_internal(server, client, clip_path: Path) -> None:
    # A file where the staging folder belongs (what a read-only folder is to a server run as
    # root): every writer says the store cannot be written, FAILED_PRECONDITION, and what to do.
    shot = make_shot(clip_path)
    shot.notes.CopyFrom(two_layer_notes())
    shot.has_notes = True
    (take,) = collect(client.generate([shot]))["take_ready"]
    tmp = server.store.tmp_dir
    tmp.rename(tmp.with_name("tmp.aside"))
    tmp.write_text("not a folder")
    try:
        (failure,) = collect(client.generate([shot]))["shot_failed"]
        assert failure.code == "FAILED_PRECONDITION" and "cannot write its store" in failure.reason
        for call in (lambda: client.upload_media(clip_path), lambda: client.accept_take(take.id)):
            with pytest.raises(FoleylineError, match="cannot write its store"):  # the client's error of its code
                call()
    finally:
        tmp.unlink()
        tmp.with_name("tmp.aside").rename(tmp)
    assert client.accept_take(take.id).accepted  # fixed by its administrator: works again


@pytest.mark.parametrize("error, expected", [
    (OSError(errno.ENOSPC, "No space left on device"), ResourceExhausted),
    (OSError(errno.EROFS, "Read-only file system"), StorageError),
    (OSError(errno.EACCES, "Permission denied"), StorageError),
    (sqlite3.OperationalError("attempt to write a readonly database"), StorageError),
    (sqlite3.OperationalError("database or disk is full"), ResourceExhausted),
])
def test_store_write_failures_are_told_by_what_the_administrator_does(error: Exception, expected: type) -> None:
    with pytest.raises(expected) as caught:
        with storage_errors("writing a test file"):
            raise error
    assert "writing a test file" in str(caught.value)


def test_other_failures_of_a_store_write_are_left_as_they_are() -> None:
    with pytest.raises(OSError) as caught:
        with storage_errors("writing a test file"):
            raise OSError(errno.EIO, "Input/output error")
    assert caught.value.errno == errno.EIO


def test_a_server_stopped_within_its_first_seconds_swept_its_staged_files_but_collected_nothing(
        monkeypatch, tmp_path: Path) -> None:
    # A server started for one short command: a killed writer's files go (a listing of tmp/),
    # the orphan WAVs wait (a read of every take), so its shot gets the cores.
    collected = []
    monkeypatch.setattr(housekeeping, "gc", lambda store: collected.append(store))
    store = Store(tmp_path)
    left = _staged(store, f"{_dead_pid()}-{'a' * 32}.mov")
    keeper = housekeeping.Housekeeper(store, interval_s=600).start()
    deadline = time.monotonic() + 60  # a safety net: the sweep is what ends the wait
    while left.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    keeper.stop()
    assert not left.exists()
    assert collected == []
