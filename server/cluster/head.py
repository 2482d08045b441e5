"""The head's side of a shot on the cluster: ``RayShots`` runs a shot on a replica for the jobs
layer (it is the ``ShotRunner`` the ``JobManager`` calls instead of the local pipeline).

    JobManager worker --ShotWork--> deployment handle (stream) --> a replica's run_shot
         ^ progress, takes <-- StageProgress ... ShotResult(takes, WAV bytes) <--'

- Spreading: the head runs as many shots at once as there can be replicas; Serve's router
  gives each to a free replica and queues the rest (max_ongoing_requests=1).
- A replica that dies mid-shot (its process killed, its node gone) ends the call with a Ray
  error; the shot is sent again, and Serve routes it to a live replica (or to the one it
  restarts). A take is stored once: its id is the idempotency key (``jobs.take_ids_for``), and
  the store records a shot's takes only while the shot is not done.
- Cancel: the job's cancel switch cancels the call; Serve cancels the replica's task, which
  stops the shot.
- Takes land in the head's store: the replica returns the WAVs' bytes, the head adopts them
  (checking each hash) and records the notes, so a replica on another node needs no access
  to the store. Uploaded media go the other way, by content hash through Ray's object store.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

# ray: the cluster extra; this module is imported only by `serve --ray`.
import ray
from ray.exceptions import ActorUnavailableError, RayActorError, WorkerCrashedError
from ray.serve.exceptions import ReplicaUnavailableError, RequestCancelledError

from foleyline.capacity import ClusterOptions
from foleyline.errors import Cancelled, Unavailable
from foleyline.server.cluster.deploy import Deployment, deploy
from foleyline.server.cluster.work import ReplicaStarted, ShotError, ShotResult, ShotWork, StageProgress
from foleyline.server.engines.base import Engine
from foleyline.server.pipeline import ProgressFn
from foleyline.server.records import JobSettings, ShotOutcome, ShotRequest, Take
from foleyline.server.store import Store, storage_errors

log = logging.getLogger(__name__)

# A shot is sent this many times at most when replicas die under it.
MAX_ATTEMPTS = 4
# Uploaded media kept in Ray's object store for replicas to fetch (the most recent ones).
MEDIA_REFS = 16
# Where shots ran (job, shot, replica), the latest kept: the log and the tests read it.
PLACEMENTS = 10_000
_CRASHES = (RayActorError, ActorUnavailableError, WorkerCrashedError, ReplicaUnavailableError)


class RayShots:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.deployment: Deployment | None = None
        self.ready = threading.Event()
        self._stopping = threading.Event()
        self._owner: threading.Thread | None = None
        self.placements: deque[tuple[str, str, str]] = deque(maxlen=PLACEMENTS)
        self.running: dict[tuple[str, str], tuple[str, int]] = {}   # (job, shot) -> (replica, pid)
        self.retries = 0
        self._media: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, options: ClusterOptions, *, default_engine: str, allowed_roots: list[Path]) -> None:
        """Deploy the replicas and wait until they are ready (or raise why not). Ray is started
        and stopped on a thread of its own that lives as long as the cluster: Ray ties its
        processes' lives to the thread that started them (a parent-death signal), so a
        short-lived thread starting it would take Ray down when it ends."""
        over = threading.Event()
        failed: list[BaseException] = []

        def own() -> None:
            try:
                deployment = deploy(options, default_engine=default_engine, allowed_roots=allowed_roots)
            except BaseException as exc:  # told to the caller, who says it once
                failed.append(exc)
                over.set()
                return
            self.deployment = deployment
            self.ready.set()
            over.set()
            self._stopping.wait()
            deployment.stop()

        self._owner = threading.Thread(target=own, name="foleyline-ray", daemon=True)
        self._owner.start()
        over.wait()
        if failed:
            raise failed[0]

    def stop(self, timeout: float = 60.0) -> None:
        self.ready.clear()
        self._stopping.set()
        if self._owner is not None:
            self._owner.join(timeout)

    # ---- one shot (the ShotRunner the jobs layer calls) ------------------------------------

    def process_shot(self, shot: ShotRequest, settings: JobSettings, *, job_id: str, engine_name: str,
                     engine: Engine, progress: ProgressFn, cancel: threading.Event,
                     engine_lock: threading.Lock | None = None, take_ids: Sequence[str] = ()) -> ShotOutcome:
        while not self.ready.wait(0.2):
            if cancel.is_set():
                raise Cancelled(f"job {job_id} was cancelled")
        work = self._work(shot, settings, job_id, engine_name, take_ids)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                result = self._attempt(work, shot.id, progress, cancel)
            except _CRASHES as exc:
                if cancel.is_set():
                    raise Cancelled(f"job {job_id} was cancelled") from None
                if attempt == MAX_ATTEMPTS:
                    raise Unavailable(f"shot {shot.name or shot.id} was lost with {MAX_ATTEMPTS} replicas in a row "
                                      "(each died while generating it); see the Ray logs, then resume the job") from None
                with self._lock:
                    self.retries += 1
                log.warning("the replica running shot %s of %s died (%s); sending it again", shot.id, job_id,
                            type(exc).__name__)
                continue
            except (RequestCancelledError, ray.exceptions.TaskCancelledError):
                raise Cancelled(f"job {job_id} was cancelled") from None
            if isinstance(result, ShotError):
                raise result.exception()
            return self._keep(shot, result)
        raise AssertionError("unreachable")

    def _attempt(self, work: ShotWork, shot_id: str, progress: ProgressFn,
                 cancel: threading.Event) -> ShotResult | ShotError:
        assert self.deployment is not None
        key = (work.job_id, shot_id)
        stream = self.deployment.handle.options(stream=True).run_shot.remote(work)
        over = threading.Event()

        def watch() -> None:  # the job's cancel switch reaches the replica
            while not over.wait(0.1):
                if cancel.is_set():
                    stream.cancel()
                    return

        watcher = threading.Thread(target=watch, name="foleyline-ray-cancel", daemon=True)
        watcher.start()
        try:
            for update in stream:
                if isinstance(update, StageProgress):
                    progress(update.stage, update.fraction)
                elif isinstance(update, ReplicaStarted):
                    with self._lock:
                        self.running[key] = (update.replica, update.pid)
                        self.placements.append((work.job_id, shot_id, update.replica))
                    log.debug("shot %s of %s runs on %s", shot_id, work.job_id, update.replica)
                else:
                    return update
            raise WorkerCrashedError()  # the stream ended without an answer
        finally:
            over.set()
            with self._lock:
                self.running.pop(key, None)

    # ---- what crosses ---------------------------------------------------------------------

    def _work(self, shot: ShotRequest, settings: JobSettings, job_id: str, engine_name: str,
              take_ids: Sequence[str]) -> ShotWork:
        media = None
        if shot.media_hash:
            path = self.store.media_path(shot.media_hash)
            if path is not None:
                media = (shot.media_hash, path.suffix, self._media_ref(shot.media_hash, path))
        base, base_audio = None, {}
        if shot.only_layers and shot.base_take_id:
            base = self.store.get_take(shot.base_take_id)
            base_audio = {layer.audio.sha256: self.store.audio_path(layer.audio.sha256).read_bytes()
                          for layer in base.layers}
        # Numbered here, once: a shot sent again after its replica died keeps its take numbers.
        numbers = tuple(self.store.reserve_take_numbers(shot.id, len(take_ids))) if take_ids else ()
        return ShotWork.of(shot, settings, job_id, engine_name, tuple(take_ids), media, base, base_audio, numbers)

    def _media_ref(self, sha256: str, path) -> object:
        with self._lock:
            ref = self._media.get(sha256)
            if ref is not None:
                self._media.move_to_end(sha256)
                return ref
        ref = ray.put(path.read_bytes())
        with self._lock:
            self._media[sha256] = ref
            while len(self._media) > MEDIA_REFS:
                self._media.popitem(last=False)
        return ref

    def _keep(self, shot: ShotRequest, result: ShotResult) -> ShotOutcome:
        """The replica's takes in the head's store: WAVs adopted (each hash checked), notes
        recorded as a version of the shot's notes here."""
        for sha, data in result.audio.items():
            staged = self.store.staging_path(".wav")
            with storage_errors("storing a take's WAV from a replica"):
                staged.write_bytes(data)
                stored, _size = self.store.adopt_audio(staged)
            if stored != sha:
                raise Unavailable(f"a WAV of shot {shot.name or shot.id} arrived damaged from its replica; "
                                  "resume the job to make it again")
        takes: list[Take] = []
        notes = None
        for take in result.takes:
            notes = notes or self.store.record_notes(shot.id, take.notes)
            takes.append(replace(take, notes=notes))
        drafted = notes if result.drafted else None
        return ShotOutcome(takes=takes, drafted_notes=drafted)


__all__ = ["RayShots"]
