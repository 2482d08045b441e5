"""Where jobs, shots, notes and takes live: SQLite in WAL mode plus content-addressed WAV files.

Layout under the data dir::

    store.sqlite3            jobs, job_shots, job_requests, notes, takes, media (WAL journal beside it)
    server.lock              held by the server using the folder (``foleyline.server.data_lock``)
    audio/ab/abcdef...wav    a WAV named by the sha256 of its bytes
    media/ab/abcdef...<ext>  media uploaded by a remote client
    tmp/<pid>-<uuid>.<ext>   staging; files are fsynced, then renamed into place

Everything survives ``kill -9``: a WAV is visible under its hash only after its bytes are on
disk, and a take row is committed only after its WAVs are in place, in the same transaction that
marks its shot done. A crash in between leaves at worst an orphan WAV or a staged file, never a
take without audio; ``foleyline.server.housekeeping`` collects both.

Commits wait for the disk where a power cut must not lose them (a job made, a shot's takes, a
job's end); the bookkeeping on the way (a job started, notes, take numbers) does not: a power cut
loses at most the last of it, never behind a durable commit (WAL commits reach the disk in order).

The store is private to the user who runs the server: folders 0700, files 0600. A full disk is
``ResourceExhausted`` saying so, a store that cannot be written (a read-only folder, a file where
a folder belongs) ``StorageError`` (``storage_errors``).
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import BinaryIO

from foleyline.errors import InvalidInput, NotFound, PermissionDenied, ResourceExhausted, StorageError
from foleyline.fsutil import fsync_dir, sync_written
from foleyline.notes import Notes
from foleyline.notes.versions import recorded_version
from foleyline.server import codec
from foleyline.server.records import AudioFile, JobInfo, JobSettings, ShotRequest, Take
from foleyline.server.store_schema import SCHEMA

log = logging.getLogger(__name__)

UNFINISHED_STATES = ("queued", "running", "interrupted", "cancelled")
# The store's files and folders: the user who runs the server only.
FILE_MODE = 0o600
FOLDER_MODE = 0o700
# Takes read in one go by the listing (a page of a client's listing is smaller).
_BATCH = 500
_HASH = re.compile(r"[0-9a-f]{64}")


# What a store folder that cannot be written raises: read-only (or not the server user's), a
# file where a folder belongs (ENOTDIR; EEXIST from making the folder), a folder removed under a
# running server.
_UNWRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EEXIST, errno.EISDIR, errno.ENOENT)
# SQLite's words for the same.
_UNWRITABLE_DB = ("readonly", "unable to open", "disk i/o error")


def _disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc)


def _unwritable(exc: BaseException) -> str | None:
    """Why the store cannot be written, in a few words without a path, or None."""
    if isinstance(exc, OSError) and exc.errno in _UNWRITABLE:
        return exc.strerror or errno.errorcode.get(exc.errno, "")
    if isinstance(exc, sqlite3.OperationalError) and any(word in str(exc).lower() for word in _UNWRITABLE_DB):
        return str(exc)
    return None


@contextmanager
def storage_errors(what: str) -> Iterator[None]:
    """A full disk (or quota) while doing ``what``, as ResourceExhausted, and a store that cannot
    be written, as StorageError, each saying what to do; anything else as it is."""
    try:
        yield
    except (OSError, sqlite3.OperationalError) as exc:
        if _disk_full(exc):
            raise ResourceExhausted(
                f"the server's disk is full ({what}); free space on the server (`foleyline store gc` collects "
                "orphan files), then send the request again or resume the job"
            ) from None
        why = _unwritable(exc)
        if why is None:
            raise
        raise StorageError(
            f"the server cannot write its store ({what}: {why}); its administrator must make the server's data "
            "folder and the folders in it writable by the server (folders, not files), then send the request "
            "again or resume the job"
        ) from None


def remove_quietly(path: Path) -> None:
    """Remove a file a failed write leaves; one that cannot be removed (its folder unusable, the
    failure itself) is left to the sweep and said in the log, so that the error that stopped the
    writer is the one its caller is told."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("left %s for the sweep: %s", path.name, exc.strerror)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Store:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.audio_dir = self.root / "audio"
        self.media_dir = self.root / "media"
        self.tmp_dir = self.root / "tmp"
        for folder in (self.root, self.audio_dir, self.media_dir, self.tmp_dir):
            try:
                folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
                os.chmod(folder, FOLDER_MODE)
            except OSError as exc:
                # A read-only home folder (a service account, a CI runner) is a setting away.
                raise PermissionDenied(
                    f"cannot make the store's folder {folder} ({exc.strerror}); set data_dir to a folder "
                    "you can write (FOLEYLINE_DATA_DIR, or data_dir in foleyline.toml)") from None
        database = self.root / "store.sqlite3"
        # SQLite gives its journal files the database's mode: make the database private first.
        os.close(os.open(database, os.O_RDWR | os.O_CREAT, FILE_MODE))
        for path in (database, database.with_name("store.sqlite3-wal"), database.with_name("store.sqlite3-shm")):
            if path.exists():
                os.chmod(path, FILE_MODE)
        # One writing connection guarded by a lock: the server's threads write rarely (once per
        # shot), so serialising them is simpler than a pool and never sees "database is
        # locked". Reads go through a second connection: in WAL mode they never wait for a
        # write's fsync, so listings and cancels answer while shots are being recorded.
        self._lock = threading.RLock()
        self._db = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)
        self._read_lock = threading.Lock()
        self._reader = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
        # Staged paths this process is writing: the sweeper leaves them alone.
        self._live: set[Path] = set()
        self._live_lock = threading.Lock()

    def close(self) -> None:
        with self._lock, self._read_lock:
            self._db.close()
            self._reader.close()

    @contextmanager
    def _transaction(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction; ``durable=False``: its commit does not wait for the disk (see
        the module docstring for which commits may)."""
        with self._lock, storage_errors("writing the store's database"):
            if not durable:
                self._db.execute("PRAGMA synchronous=NORMAL")
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            finally:
                if not durable:
                    self._db.execute("PRAGMA synchronous=FULL")

    @property
    def schema_version(self) -> int:
        return int(self._query("PRAGMA user_version")[0][0])

    def set_schema_version(self, version: int) -> None:
        with self._lock:
            self._db.execute(f"PRAGMA user_version = {int(version)}")

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        with self._read_lock:
            return self._reader.execute(sql, tuple(params)).fetchall()

    # ---- files ----------------------------------------------------------------------------

    def staging_path(self, suffix: str = ".wav") -> Path:
        """A fresh path in the store's staging folder (same file system as the store, so the
        final rename is atomic), named by this process so that a sweep knows whose it is.
        Adopting the file, or ``release_staged``, ends its life as staged."""
        path = self.tmp_dir / f"{os.getpid()}-{uuid.uuid4().hex}{suffix}"
        with self._live_lock:
            self._live.add(path)
        return path

    def release_staged(self, path: Path) -> None:
        with self._live_lock:
            self._live.discard(path)

    def discard_staged(self, path: Path) -> None:
        """Remove a staged file (its writer failed or was cancelled) and end its life as staged."""
        remove_quietly(path)
        self.release_staged(path)

    def live_staged(self) -> set[Path]:
        """The staged paths this process is still writing."""
        with self._live_lock:
            return set(self._live)

    def adopt_audio(self, staged: Path, created: list[Path] | None = None, *, durable: bool = True) -> tuple[str, int]:
        """Move a finished WAV from staging to its content address; returns (sha256, size).
        ``created``: gets the path when the file is new to the store. ``durable=False``: the
        caller makes a batch durable at once (``sync_audio``)."""
        return self._adopt(staged, self.audio_dir, ".wav", created, durable=durable)

    def sync_audio(self, sha256s: Iterable[str]) -> None:
        """Make WAVs adopted with ``durable=False`` durable, together (one take: one flush)."""
        sync_written(self.audio_path(sha) for sha in sha256s)

    def _adopt(self, staged: Path, folder: Path, suffix: str, created: list[Path] | None = None, *,
               durable: bool = True) -> tuple[str, int]:
        try:
            if durable:
                with open(staged, "rb+") as handle:
                    os.fsync(handle.fileno())
            os.chmod(staged, FILE_MODE)
            sha = sha256_of(staged)
            size = staged.stat().st_size
            final = folder / sha[:2] / f"{sha}{suffix}"
            if final.exists() and final.stat().st_size == size:
                staged.unlink()
                # Fresh again: the orphan collector leaves young files alone.
                os.utime(final)
            else:
                final.parent.mkdir(mode=FOLDER_MODE, exist_ok=True)
                os.replace(staged, final)
                if durable:
                    fsync_dir(final.parent)
                if created is not None:
                    created.append(final)
        finally:
            self.release_staged(staged)
        return sha, size

    def audio_path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise InvalidInput(f"{sha256!r} is not a sha256 hash of a take's audio; take it from a Take's layers or mix")
        path = self.audio_dir / sha256[:2] / f"{sha256}.wav"
        if not path.is_file():
            raise NotFound(f"no audio with hash {sha256} in the store; list the takes to see what exists")
        return path

    def open_audio(self, sha256: str) -> BinaryIO:
        """A stored WAV, open for reading: once open, a collection that removes it meanwhile
        leaves the reader its bytes. One removed between the lookup and the open is NotFound."""
        path = self.audio_path(sha256)
        try:
            return open(path, "rb")
        except FileNotFoundError:
            raise NotFound(f"the audio {sha256} left the store as it was asked for (no take names it, so "
                           "housekeeping collected it); list the takes to see what exists") from None

    def adopt_media(self, staged: Path, suffix: str) -> tuple[str, Path, bool]:
        """Keep an uploaded media file under its hash; returns (sha256, path, already_present)."""
        sha = sha256_of(staged)
        known = self.media_path(sha)
        if known is not None:
            staged.unlink()
            self.release_staged(staged)
            return sha, known, True
        sha, size = self._adopt(staged, self.media_dir, suffix)
        path = self.media_dir / sha[:2] / f"{sha}{suffix}"
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO media (sha256, path, size) VALUES (?, ?, ?)", (sha, str(path), size))
        return sha, path, False

    def media_path(self, sha256: str) -> Path | None:
        rows = self._query("SELECT path FROM media WHERE sha256 = ?", (sha256,))
        if rows and Path(rows[0][0]).is_file():
            return Path(rows[0][0])
        return None

    # ---- jobs -----------------------------------------------------------------------------

    def create_job(self, job_id: str, shots: list[ShotRequest], settings: JobSettings, engine: str, created_at: str,
                   request: tuple[str, str] | None = None) -> None:
        """``request``: (the client's request id, the request's fingerprint), recorded with the
        job (``job_for_request``)."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO jobs (id, state, engine, settings, created_at) VALUES (?, 'queued', ?, ?, ?)",
                (job_id, engine, codec.settings_to_json(settings), created_at),
            )
            if request is not None:
                db.execute("INSERT INTO job_requests (request_id, job_id, fingerprint) VALUES (?, ?, ?)",
                           (request[0], job_id, request[1]))
            db.executemany(
                "INSERT INTO job_shots (job_id, idx, shot_id, shot, state) VALUES (?, ?, ?, ?, 'pending')",
                [(job_id, idx, shot.id, codec.shot_to_json(shot)) for idx, shot in enumerate(shots)],
            )

    def job_for_request(self, request_id: str) -> tuple[str, str] | None:
        """(job id, fingerprint) of the job a request id made, or None."""
        rows = self._query("SELECT job_id, fingerprint FROM job_requests WHERE request_id = ?", (request_id,))
        return (rows[0][0], rows[0][1]) if rows else None

    def set_job_state(self, job_id: str, state: str, *, durable: bool = True) -> None:
        """``durable=False`` for a state a power cut may forget (a job started: a restart marks
        it interrupted anyway)."""
        with self._transaction(durable) as db:
            db.execute("UPDATE jobs SET state = ? WHERE id = ?", (state, job_id))

    def job_settings(self, job_id: str) -> JobSettings:
        rows = self._query("SELECT settings FROM jobs WHERE id = ?", (job_id,))
        if not rows:
            raise NotFound(f"no job {job_id!r} on this server; list the jobs to see what exists")
        return codec.settings_from_json(rows[0][0])

    def job_shots(self, job_id: str) -> list[tuple[int, ShotRequest, str, str, str]]:
        """(index, shot, state, reason, code) for each shot of a job, in order."""
        rows = self._query(
            "SELECT idx, shot, state, reason, code FROM job_shots WHERE job_id = ? ORDER BY idx", (job_id,)
        )
        return [(idx, codec.shot_from_json(shot), state, reason, code) for idx, shot, state, reason, code in rows]

    def fail_shot(self, job_id: str, idx: int, reason: str, code: str) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE job_shots SET state = 'failed', reason = ?, code = ? WHERE job_id = ? AND idx = ?",
                (reason, code, job_id, idx),
            )

    def reset_failed_shots(self, job_id: str) -> None:
        """A resumed job tries its failed shots again (the editor may have fixed the cause)."""
        with self._transaction() as db:
            db.execute("UPDATE job_shots SET state = 'pending', reason = '', code = '' WHERE job_id = ? AND state = 'failed'", (job_id,))

    def complete_shot(self, job_id: str, idx: int, takes: list[Take]) -> bool:
        """Record a shot's takes and mark it done, atomically, once: False (nothing recorded) when
        the shot is done already, so a shot run twice (a replica that died after answering, a
        retry) never stores its takes twice. The takes' WAVs must already be adopted into the
        store."""
        with self._transaction() as db:
            state = db.execute("SELECT state FROM job_shots WHERE job_id = ? AND idx = ?", (job_id, idx)).fetchone()
            if state is not None and state[0] == "done":
                return False
            for take in takes:
                db.execute(
                    "INSERT INTO takes (id, shot_id, job_id, created_at, take) VALUES (?, ?, ?, ?, ?)",
                    (take.id, take.shot_id, take.job_id, take.created_at, codec.take_to_json(take)),
                )
            db.execute("UPDATE job_shots SET state = 'done' WHERE job_id = ? AND idx = ?", (job_id, idx))
        return True

    def get_job(self, job_id: str) -> JobInfo:
        jobs = self._jobs("WHERE j.id = ?", (job_id,))
        if not jobs:
            raise NotFound(f"no job {job_id!r} on this server; list the jobs to see what exists")
        return jobs[0]

    def list_jobs(self, unfinished_only: bool = False, *, after: str | None = None,
                  limit: int | None = None) -> list[JobInfo]:
        """Jobs in the order the store recorded them (not by ``created_at``: a wall clock stepped
        back must not list a new job first, nor hide it from a pager); ``after`` (a job id) and
        ``limit`` page."""
        clauses: list[str] = []
        params: list[object] = []
        if unfinished_only:
            clauses.append(f"j.state IN ({','.join('?' for _ in UNFINISHED_STATES)})")
            params.extend(UNFINISHED_STATES)
        if after is not None:
            clauses.append("j.rowid > (SELECT rowid FROM jobs WHERE id = ?)")
            params.append(after)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return self._jobs(where, params, limit)

    def _jobs(self, where: str, params: Iterable[object], limit: int | None = None) -> list[JobInfo]:
        # The page is chosen before its shots are counted: counting every job's shots to keep
        # a hundred made each page of a 10 000-job store cost as much as the whole listing.
        rows = self._query(
            f"""SELECT j.id, j.state, j.created_at, j.engine,
                       COUNT(s.idx),
                       SUM(CASE WHEN s.state = 'done' THEN 1 ELSE 0 END),
                       SUM(CASE WHEN s.state = 'failed' THEN 1 ELSE 0 END)
                FROM (SELECT j.rowid AS seq, j.id, j.state, j.created_at, j.engine FROM jobs j {where}
                      ORDER BY j.rowid{'' if limit is None else f' LIMIT {int(limit)}'}) j
                LEFT JOIN job_shots s ON s.job_id = j.id
                GROUP BY j.seq ORDER BY j.seq""",
            params,
        )
        return [
            JobInfo(id=r[0], state=r[1], created_at=r[2], engine=r[3], shot_count=r[4] or 0, shots_done=r[5] or 0, shots_failed=r[6] or 0)
            for r in rows
        ]

    def mark_interrupted(self) -> list[str]:
        """At start-up: jobs a previous server was running when it died become 'interrupted'
        (their pending shots wait for ResumeJob). Returns their ids."""
        with self._transaction() as db:
            ids = [row[0] for row in db.execute("SELECT id FROM jobs WHERE state IN ('queued', 'running')")]
            db.execute("UPDATE jobs SET state = 'interrupted' WHERE state IN ('queued', 'running')")
        return ids

    # ---- notes and takes ------------------------------------------------------------------

    def record_notes(self, shot_id: str, notes: Notes) -> Notes:
        """Store notes as a version of a shot's notes (``foleyline.notes.versions``): notes that
        sound like a recorded version are that version. Returns the notes as recorded.
        (Committed without waiting for the disk: the shot's takes, recorded later, are.)"""
        with self._transaction(durable=False) as db:
            rows = db.execute("SELECT notes FROM notes WHERE shot_id = ? ORDER BY version", (shot_id,)).fetchall()
            recorded = {n.version: n for n in (codec.notes_from_dict(json.loads(row[0])) for row in rows)}
            stored = recorded_version(replace(notes, shot_id=shot_id), recorded.values())
            if stored.version in recorded:
                return recorded[stored.version]
            db.execute(
                "INSERT INTO notes (shot_id, version, notes) VALUES (?, ?, ?)",
                (shot_id, stored.version, json.dumps(codec.notes_to_dict(stored))),
            )
        return stored

    def list_takes(self, shot_id: str = "", job_id: str = "") -> list[Take]:
        """Every take (of a shot, of a job), oldest first."""
        takes: list[Take] = []
        after = None
        while batch := self.take_rows(shot_id, job_id, after=after, limit=_BATCH):
            takes.extend(codec.take_from_json(row) for _id, row in batch)
            after = batch[-1][0]
        return takes

    def take_rows(self, shot_id: str = "", job_id: str = "", *, after: str | None = None,
                  limit: int = _BATCH) -> list[tuple[str, str]]:
        """(id, stored JSON) of takes in the order the store recorded them (as
        ``list_jobs``: not by a wall clock), after the take ``after`` (an id)."""
        clauses, params = [], []
        if shot_id:
            clauses.append("shot_id = ?")
            params.append(shot_id)
        if job_id:
            clauses.append("job_id = ?")
            params.append(job_id)
        if after is not None:
            clauses.append("rowid > (SELECT rowid FROM takes WHERE id = ?)")
            params.append(after)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return self._query(f"SELECT id, take FROM takes {where} ORDER BY rowid LIMIT {int(limit)}", params)

    def quarantine_take(self, take_id: str, reason: str) -> None:
        """Move a stored take that cannot be sent back out of the listings, keeping its row."""
        with self._transaction() as db:
            db.execute("INSERT INTO quarantine (kind, key, row, reason) SELECT 'take', id, take, ? FROM takes WHERE id = ?",
                       (reason, take_id))
            db.execute("DELETE FROM accepted WHERE take_id = ?", (take_id,))
            db.execute("INSERT INTO quarantine (kind, key, row, reason) SELECT 'circled', take_id, circled, ? "
                       "FROM circled_audio WHERE take_id = ?", (reason, take_id))
            db.execute("DELETE FROM circled_audio WHERE take_id = ?", (take_id,))
            db.execute("DELETE FROM takes WHERE id = ?", (take_id,))

    def job_shot_rows(self) -> list[tuple[str, int, str]]:
        """(job id, index, stored JSON) of every job's shots."""
        return self._query("SELECT job_id, idx, shot FROM job_shots ORDER BY job_id, idx")

    def quarantine_job_shot(self, job_id: str, idx: int, reason: str) -> None:
        """Take a stored shot that cannot be read back out of its job, keeping its row."""
        with self._transaction() as db:
            db.execute("INSERT INTO quarantine (kind, key, row, reason) SELECT 'job_shot', job_id || '/' || idx, shot, ? "
                       "FROM job_shots WHERE job_id = ? AND idx = ?", (reason, job_id, idx))
            db.execute("DELETE FROM job_shots WHERE job_id = ? AND idx = ?", (job_id, idx))

    def audio_in_use(self) -> set[str]:
        """The hashes of every WAV a take (listed or quarantined) or a circled copy refers to."""
        # Every hash-shaped string of a row counts: a row too damaged to parse still keeps its
        # files, and a stray match only keeps a file longer.
        used: set[str] = set()
        for (text,) in self._query("SELECT take FROM takes UNION ALL SELECT circled FROM circled_audio "
                                   "UNION ALL SELECT row FROM quarantine WHERE kind IN ('take', 'circled')"):
            used.update(_HASH.findall(text))
        return used

    def reserve_take_numbers(self, shot_id: str, count: int) -> list[int]:
        """The next ``count`` take numbers of a shot (1, 2, 3... in the order takes are made),
        given out once: two jobs on one shot never get the same number. A shot whose job failed
        after its numbers were given leaves a gap, as a take not printed does on set.
        (Committed without waiting for the disk: a number a power cut forgets was on no take
        recorded, as the takes' commit waits for the disk and brings this one with it.)"""
        with self._transaction(durable=False) as db:
            row = db.execute("SELECT last FROM take_numbers WHERE shot_id = ?", (shot_id,)).fetchone()
            # a store from before take numbers: the shot's takes so far count
            last = row[0] if row else db.execute("SELECT COUNT(*) FROM takes WHERE shot_id = ?", (shot_id,)).fetchone()[0]
            db.execute("INSERT OR REPLACE INTO take_numbers (shot_id, last) VALUES (?, ?)", (shot_id, last + count))
        return list(range(last + 1, last + count + 1))

    def accept_take(self, take_id: str, circled: dict[str, AudioFile] | None = None) -> Take:
        """Circle ``take_id``: the take its shot places (one per shot, the last accepted wins).
        ``circled``: its WAVs' circled copies (already adopted), by the hash of each WAV as
        generated; recorded in the same transaction."""
        take = self.get_take(take_id)
        with self._transaction() as db:
            for sha, audio in (circled or {}).items():
                db.execute("INSERT OR REPLACE INTO circled_audio (take_id, sha256, circled) VALUES (?, ?, ?)",
                           (take.id, sha, json.dumps(asdict(audio))))
            db.execute("INSERT OR REPLACE INTO accepted (shot_id, take_id) VALUES (?, ?)", (take.shot_id, take.id))
        return take

    def accepted_take_ids(self) -> set[str]:
        return {row[0] for row in self._query("SELECT take_id FROM accepted")}

    def circled_files(self, take_id: str) -> dict[str, AudioFile]:
        """The circled copies of a take's WAVs, by the hash of each WAV as generated."""
        rows = self._query("SELECT sha256, circled FROM circled_audio WHERE take_id = ?", (take_id,))
        return {sha: AudioFile(**json.loads(audio)) for sha, audio in rows}

    def get_take(self, take_id: str) -> Take:
        rows = self._query("SELECT take FROM takes WHERE id = ?", (take_id,))
        if not rows:
            raise NotFound(f"no take {take_id!r} in the store; list the takes of the shot to see what exists")
        return codec.take_from_json(rows[0][0])
