"""Keeping a store tidy: staged files a dead writer left, WAVs no take refers to, and rows an
older server stored that cannot be sent back.

    sweep_staged      tmp/<pid>-*: removed when their process is gone (a kill -9, a crash), when
                      this process no longer writes them, or when a day old (pid reused)
    collect_orphans   audio/: WAVs no take (listed or quarantined) names, older than a grace
                      period (a shot being stored names its WAVs a moment after they land)
    repair            once per store: takes whose row cannot be sent back, and job shots that
                      cannot be read, move to the quarantine table (kept, out of the way)

``Housekeeper`` sweeps at start, collects 30 s later, and does both every
``ServerLimits.sweep_interval_s``;
``foleyline store gc`` does it on demand and says what it freed.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from foleyline.server import codec
from foleyline.server.messages import take_to_proto
from foleyline.server.store import Store
from foleyline.server.validation import MAX_ID_CHARS

log = logging.getLogger(__name__)

# A staged file of a live process is left this long (its process id may have been reused).
STALE_STAGED_S = 86400.0
# Staged files named before they carried a process id: gone after this long.
UNOWNED_STAGED_S = 3600.0
# An orphan WAV younger than this stays: a shot may be about to record it.
ORPHAN_GRACE_S = 3600.0
# The store's layout after ``repair``.
REPAIRED_SCHEMA = 2

_STAGED = re.compile(r"^\.?(\d+)-([0-9a-f]{32})")


@dataclass
class Freed:
    files: int = 0
    bytes: int = 0
    paths: list[Path] = field(default_factory=list)

    def remove(self, path: Path) -> None:
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            return
        self.files += 1
        self.bytes += size
        self.paths.append(path)


@dataclass
class GcReport:
    staged: Freed
    orphans: Freed

    def __str__(self) -> str:
        mib = (self.staged.bytes + self.orphans.bytes) / 2**20
        return (f"freed {mib:.1f} MiB: {self.orphans.files} orphan WAV(s) ({self.orphans.bytes / 2**20:.1f} MiB), "
                f"{self.staged.files} staged file(s) ({self.staged.bytes / 2**20:.1f} MiB)")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def sweep_staged(store: Store, now: float | None = None) -> Freed:
    """Remove staged files no live writer is writing."""
    now = time.time() if now is None else now
    freed = Freed()
    live = {path.name.split("-", 1)[1][:32] for path in list(store.live_staged())}
    for path in store.tmp_dir.iterdir():
        try:
            age = now - path.stat().st_mtime
        except FileNotFoundError:
            continue
        match = _STAGED.match(path.name)
        if match is None:
            stale = age > UNOWNED_STAGED_S
        elif int(match.group(1)) == os.getpid():
            stale = match.group(2) not in live
        else:
            stale = not _alive(int(match.group(1))) or age > STALE_STAGED_S
        if stale and path.is_file():
            freed.remove(path)
    return freed


def collect_orphans(store: Store, grace_s: float = ORPHAN_GRACE_S, *, dry_run: bool = False,
                    now: float | None = None) -> Freed:
    """Remove WAVs no take refers to (older than ``grace_s``); ``dry_run``: only count them."""
    now = time.time() if now is None else now
    used = store.audio_in_use()
    freed = Freed()
    for path in store.audio_dir.glob("*/*.wav"):
        if path.stem in used:
            continue
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        if now - stat.st_mtime < grace_s:
            continue
        if dry_run:
            freed.files += 1
            freed.bytes += stat.st_size
            freed.paths.append(path)
        else:
            freed.remove(path)
    return freed


def gc(store: Store, grace_s: float = ORPHAN_GRACE_S, *, dry_run: bool = False) -> GcReport:
    staged = Freed() if dry_run else sweep_staged(store)
    return GcReport(staged, collect_orphans(store, grace_s, dry_run=dry_run))


def _take_problem(stored: str) -> str | None:
    try:
        take = codec.take_from_json(stored)
        if max(len(take.id), len(take.shot_id), len(take.job_id), len(take.shot_name)) > MAX_ID_CHARS:
            return f"an id or name longer than {MAX_ID_CHARS} characters"
        take_to_proto(take).ByteSize()
    except Exception as exc:  # anything that stops a listing
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    return None


def _shot_problem(stored: str) -> str | None:
    try:
        shot = codec.shot_from_json(stored)
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    if max(len(shot.id), len(shot.name)) > MAX_ID_CHARS:
        return f"an id or name longer than {MAX_ID_CHARS} characters"
    return None


def repair(store: Store) -> int:
    """Quarantine what an older server stored that cannot be sent back (once per store).
    Returns how many rows moved."""
    if store.schema_version >= REPAIRED_SCHEMA:
        return 0
    moved = 0
    after = None
    while batch := store.take_rows(after=after):
        after = batch[-1][0]
        for take_id, stored in batch:
            problem = _take_problem(stored)
            if problem is not None:
                log.warning("take %s cannot be sent back (%s); moved to the quarantine table", take_id[:80], problem)
                store.quarantine_take(take_id, problem)
                moved += 1
    for job_id, idx, stored in store.job_shot_rows():
        problem = _shot_problem(stored)
        if problem is not None:
            log.warning("shot %d of %s cannot be read (%s); moved to the quarantine table", idx, job_id[:80], problem)
            store.quarantine_job_shot(job_id, idx, problem)
            moved += 1
    store.set_schema_version(REPAIRED_SCHEMA)
    return moved


# Orphan WAVs are first collected this long after start (or after the interval, if shorter).
# Collecting reads every take row and lists every WAV (80 ms of CPU for a store of 1 000 takes,
# growing with it), and a server started for one `foleyline generate` would pay it beside its
# first shot on the same cores; a run that short leaves them to the next one that lasts, or to
# `foleyline store gc`. Staged files are swept at start: that lists only tmp/.
FIRST_COLLECTION_S = 30.0


class Housekeeper:
    """Sweeps staged files at start, collects orphan WAVs soon after, and both every
    ``interval_s``, on a thread."""

    def __init__(self, store: Store, interval_s: float) -> None:
        self.store = store
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="foleyline-housekeeping", daemon=True)

    def start(self) -> Housekeeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5.0)

    def _run(self) -> None:
        self._tidy(lambda: GcReport(sweep_staged(self.store), Freed()))  # what a killed writer left
        if self._stop.wait(min(FIRST_COLLECTION_S, self.interval_s)):
            return
        while True:
            self._tidy(lambda: gc(self.store))
            if self._stop.wait(self.interval_s):
                return

    @staticmethod
    def _tidy(work) -> None:
        try:
            report = work()
            if report.staged.files or report.orphans.files:
                log.info("housekeeping: %s", report)
        except Exception:  # housekeeping must never take the server down
            log.exception("housekeeping failed; trying again later")