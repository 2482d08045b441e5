"""What one engine replica does: run the shots it is handed through the server's own
``Pipeline`` and give back the takes with their WAVs. Ray Serve makes the replicas (one per
GPU), restarts them and routes shots to them (``deploy``); nothing here knows about Ray.

A replica has a store of its own, a scratch folder on its node (``ScratchStore``): the pipeline
stages and adopts WAVs there as on a single server, uploaded media arrive there by content hash,
and the base take of a partial regenerate is put there by the head. The WAVs a shot made leave
with its result and are removed: the head's store is the one that keeps takes.

``run_shot`` is an async generator: the shot runs on a thread while its progress streams back,
and when the head cancels the request (Ray Serve cancels the call's task) the shot's cancel
switch is set, so it stops at its next check and leaves no file.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import shutil
import socket
import tempfile
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from foleyline.errors import FoleylineError, NotFound, status_code_name
from foleyline.fsutil import lock_now
from foleyline.server import codec
from foleyline.server.cluster.loopback import keep_replica_servers_on_loopback
from foleyline.server.cluster.work import ReplicaStarted, ShotError, ShotResult, ShotWork, StageProgress
from foleyline.server.engines.registry import EngineRegistry
from foleyline.server.pipeline import Pipeline
from foleyline.server.records import Take
from foleyline.server.store import Store

log = logging.getLogger(__name__)

Update = ReplicaStarted | StageProgress | ShotResult | ShotError

SCRATCH_PREFIX = "foleyline-replica-"
_LOCK = ".lock"
# A folder without its lock may be a sibling replica's between making it and locking it; only
# one that old is taken for left over.
_UNLOCKED_AGE_S = 3600.0


def claim_scratch(parent: str | None = None) -> tuple[Path, int]:
    """A scratch folder of this replica's own, locked (``fsutil.lock_now``) while the replica lives, and
    the lock's descriptor. Ray stops replicas without running their finalisers (``serve.shutdown``,
    a node lost, a process killed), so each start removes the folders whose replica is gone:
    their lock is free."""
    folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=parent))
    held = os.open(folder / _LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    lock_now(held)  # a folder of its own: no one else waits on it
    for other in folder.parent.glob(SCRATCH_PREFIX + "*"):
        if other == folder or not other.is_dir():
            continue
        try:
            probe = os.open(other / _LOCK, os.O_RDWR)
        except FileNotFoundError:
            try:
                stale = time.time() - other.stat().st_mtime > _UNLOCKED_AGE_S
            except OSError:
                continue
            if stale:
                shutil.rmtree(other, ignore_errors=True)
            continue
        except OSError:
            continue  # another user's, or gone meanwhile
        try:
            lock_now(probe)
        except OSError:
            continue  # its replica lives
        else:
            shutil.rmtree(other, ignore_errors=True)
        finally:
            os.close(probe)
    return folder, held


class ScratchStore(Store):
    """A replica's own store: the pipeline's staging and WAVs, media fetched by hash, and the
    base takes the head lends it. Never the record of takes (the head keeps those)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self._lent: dict[str, Take] = {}

    def lend_take(self, take: Take, audio: dict[str, bytes]) -> None:
        for data in audio.values():
            self.put_audio(data)
        self._lent[take.id] = take

    def get_take(self, take_id: str) -> Take:
        lent = self._lent.get(take_id)
        if lent is not None:
            return lent
        raise NotFound(f"take {take_id} was not handed to this replica with its shot")

    def put_audio(self, data: bytes) -> str:
        staged = self.staging_path(".wav")
        staged.write_bytes(data)
        return self.adopt_audio(staged)[0]

    def put_media(self, sha256: str, suffix: str, data: bytes) -> None:
        if self.media_path(sha256) is not None:
            return
        staged = self.staging_path(suffix)
        staged.write_bytes(data)
        stored, _path, _present = self.adopt_media(staged, suffix)
        if stored != sha256:
            raise RuntimeError(f"media {sha256} arrived damaged (its bytes hash to {stored})")

    def hand_over(self, takes: list[Take]) -> dict[str, bytes]:
        """The WAVs the takes made (reused layers left out), read and removed from here."""
        audio: dict[str, bytes] = {}
        for take in takes:
            for file in (take.mix, *(layer.audio for layer in take.layers if not layer.reused)):
                if file.sha256 not in audio:
                    path = self.audio_path(file.sha256)
                    audio[file.sha256] = path.read_bytes()
                    path.unlink()
        return audio


class ShotReplica:
    """One replica: its engines (the default one loaded before it takes a shot, so Ray Serve
    counts it ready only once weights are in memory), a pipeline, a scratch store."""

    def __init__(self, default_engine: str, allowed_roots: list[str], scratch_dir: str | None = None) -> None:
        keep_replica_servers_on_loopback()
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.scratch, self._scratch_lock = claim_scratch(scratch_dir)
        self.store = ScratchStore(self.scratch)
        self.registry = EngineRegistry(default=default_engine)
        self.registry.get(default_engine)
        self.pipeline = Pipeline(self.store, [Path(root) for root in allowed_roots])
        # One shot at a time per replica (max_ongoing_requests=1); a spare thread lets a
        # cancelled shot finish stopping while the next one starts.
        self._pool = ThreadPoolExecutor(2, thread_name_prefix="foleyline-replica")
        log.info("replica %s ready with %s (scratch %s)", self.name, default_engine, self.scratch)

    async def run_shot(self, work: ShotWork) -> AsyncIterator[Update]:
        yield ReplicaStarted(self.name, os.getpid())
        loop = asyncio.get_running_loop()
        updates: asyncio.Queue[StageProgress] = asyncio.Queue()
        cancel = threading.Event()

        def progress(stage: str, fraction: float) -> None:
            loop.call_soon_threadsafe(updates.put_nowait, StageProgress(stage, fraction))

        media = None
        if work.media is not None:
            sha, suffix, ref = work.media
            if self.store.media_path(sha) is None:
                media = (sha, suffix, await ref)  # type: ignore[misc]  # a Ray ObjectRef is awaitable
        shot = loop.run_in_executor(self._pool, self._process, work, media, progress, cancel)
        try:
            while True:
                waiting = asyncio.ensure_future(updates.get())
                done, _ = await asyncio.wait({waiting, shot}, return_when=asyncio.FIRST_COMPLETED)
                if waiting in done:
                    yield waiting.result()
                    continue
                waiting.cancel()
                while not updates.empty():
                    yield updates.get_nowait()
                yield shot.result()
                return
        finally:
            # Done, or the head cancelled the call: either way the shot must stop.
            cancel.set()

    def _process(self, work: ShotWork, media: tuple[str, str, bytes] | None, progress, cancel: threading.Event):
        try:
            if media is not None:
                self.store.put_media(*media)
            base = work.base_take
            if base is not None:
                self.store.lend_take(base, work.base_audio)
            engine = self.registry.get(work.engine_name)
            outcome = self.pipeline.process_shot(
                work.shot, work.settings, job_id=work.job_id, engine_name=work.engine_name, engine=engine,
                progress=progress, cancel=cancel, take_ids=work.take_ids, take_numbers=work.take_numbers,
            )
            return ShotResult([codec.take_to_json(take) for take in outcome.takes], outcome.drafted_notes is not None,
                              self.store.hand_over(outcome.takes))
        except FoleylineError as exc:
            return ShotError(status_code_name(exc), str(exc))

    def __del__(self) -> None:
        shutil.rmtree(getattr(self, "scratch", ""), ignore_errors=True)


__all__ = ["ScratchStore", "ShotReplica", "claim_scratch"]
