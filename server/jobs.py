"""The job queue: jobs are persisted first, then processed shot by shot on one worker thread.

One worker, because engines hold one model on one device and are not assumed thread-safe; the
gRPC threads only enqueue and watch. Each job keeps an in-memory list of its events so any
number of streams (the Generate call, a ResumeJob after a reconnect) can follow it from the
start. Cancellation is a ``threading.Event`` per job; the servicer sets it from
``context.add_callback`` when the client goes away, and the pipeline checks it between stages
and the engine inside its loop.

After a crash the store still knows every job: jobs that were running are marked
'interrupted' at start-up, their finished shots stay finished, and ``resume(job_id)`` queues
the rest.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone

from foleyline.errors import Cancelled, FoleylineError, InvalidInput, Unavailable, status_code_name
from foleyline.server.engines.registry import EngineRegistry
from foleyline.server.pipeline import Pipeline
from foleyline.server.records import (
    JobAccepted,
    JobDone,
    JobEvent,
    JobInfo,
    JobSettings,
    NotesDrafted,
    ShotFailed,
    ShotProgress,
    ShotRequest,
    TakeReady,
)
from foleyline.server.store import Store

log = logging.getLogger(__name__)

# How long a resume waits for a cancelled run of the same job to stop.
RESUME_WAIT_S = 30.0
# Finished runs kept in memory (with their events) for streams that re-attach.
KEEP_FINISHED_RUNS = 32


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class JobRun:
    """A job being processed in this server process: its events, and its cancel switch."""

    def __init__(self, job_id: str, settings: JobSettings, shot_count: int) -> None:
        self.job_id = job_id
        self.settings = settings
        self.shot_count = shot_count
        self.cancel_event = threading.Event()
        self.finished = threading.Event()
        self._events: list[JobEvent] = []
        self._cond = threading.Condition()

    def emit(self, event: JobEvent) -> None:
        with self._cond:
            self._events.append(event)
            if isinstance(event, JobDone):
                self.finished.set()
            self._cond.notify_all()

    def cancel(self) -> None:
        self.cancel_event.set()

    def follow(self, stop: threading.Event | None = None, poll: float = 0.25) -> Iterator[JobEvent]:
        """Every event of the job from the first, then new ones as they come, until JobDone
        (or until ``stop`` is set: the watching stream has ended)."""
        index = 0
        while True:
            with self._cond:
                while index >= len(self._events):
                    if stop is not None and stop.is_set():
                        return
                    self._cond.wait(poll)
                batch = self._events[index:]
                index = len(self._events)
            for event in batch:
                yield event
                if isinstance(event, JobDone):
                    return


class JobManager:
    def __init__(self, store: Store, registry: EngineRegistry, pipeline: Pipeline) -> None:
        self.store = store
        self.registry = registry
        self.pipeline = pipeline
        self._runs: dict[str, JobRun] = {}
        self._queue: queue.Queue[JobRun | None] = queue.Queue()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.interrupted_at_start = store.mark_interrupted()
        self._worker = threading.Thread(target=self._work, name="foleyline-jobs", daemon=True)
        self._worker.start()

    # ---- requests -------------------------------------------------------------------------

    def submit(self, shots: list[ShotRequest], settings: JobSettings) -> JobRun:
        if not shots:
            raise InvalidInput("the request has no shots; select at least one shot of the timeline")
        ids = [shot.id for shot in shots]
        if len(set(ids)) != len(ids):
            raise InvalidInput("the request names the same shot id more than once; send each shot once")
        engine_name, _engine = self.registry.resolve(settings.engine)
        # A random seed is chosen now and stored, so a resumed job makes the same takes.
        seed = settings.seed or random.randrange(1, 2**31)
        settings = replace(settings, seed=seed, engine=engine_name)
        job_id = f"job-{uuid.uuid4().hex[:12]}"
        self.store.create_job(job_id, shots, settings, engine_name, utc_now())
        run = JobRun(job_id, settings, len(shots))
        run.emit(JobAccepted(job_id, len(shots), engine_name, ()))
        for shot in shots:
            run.emit(ShotProgress(job_id, shot.id, "queued", 0.0, 0, len(shots)))
        self._enqueue(run)
        return run

    def resume(self, job_id: str) -> JobRun:
        """Follow a job: the live run when this process is running it, else a new run that
        reports finished shots again and processes the unfinished ones."""
        with self._lock:
            live = self._runs.get(job_id)
        if live is not None and not live.finished.is_set():
            if not live.cancel_event.is_set():
                return live
            # Being cancelled: let the current shot stop, then start afresh from the store.
            live.finished.wait(RESUME_WAIT_S)
            if not live.finished.is_set():
                raise Unavailable(f"job {job_id} is still stopping after a cancel; resume it again in a moment")
        info = self.store.get_job(job_id)  # NotFound for an unknown id
        settings = self.store.job_settings(job_id)
        self.store.reset_failed_shots(job_id)
        shots = self.store.job_shots(job_id)
        engine_name, _engine = self.registry.resolve(settings.engine)
        settings = replace(settings, engine=engine_name)
        run = JobRun(job_id, settings, len(shots))
        run.emit(JobAccepted(job_id, len(shots), engine_name, ()))
        takes = self.store.list_takes(job_id=job_id)
        for take in takes:
            run.emit(TakeReady(job_id, take))
        pending = [shot for _idx, shot, state, _r, _c in shots if state != "done"]
        if not pending:
            done = sum(1 for s in shots if s[2] == "done")
            self.store.set_job_state(job_id, "done")
            run.emit(JobDone(job_id, done, 0, False))
            return run
        log.info("resuming %s (%s): %d of %d shots to do", job_id, info.state, len(pending), len(shots))
        self.store.set_job_state(job_id, "queued")
        self._enqueue(run)
        return run

    def cancel(self, job_id: str) -> str:
        with self._lock:
            run = self._runs.get(job_id)
        if run is not None and not run.finished.is_set():
            run.cancel()
            return "cancelling"
        return self.store.get_job(job_id).state

    def list_jobs(self, unfinished_only: bool = False) -> list[JobInfo]:
        return self.store.list_jobs(unfinished_only)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the worker; a job in progress stays resumable ('interrupted')."""
        self._stopping.set()
        with self._lock:
            runs = list(self._runs.values())
        for run in runs:
            run.cancel()
        self._queue.put(None)
        self._worker.join(timeout)

    def _enqueue(self, run: JobRun) -> None:
        with self._lock:
            self._runs[run.job_id] = run
            # Finished runs only serve late followers; the store keeps everything that matters.
            finished = [job_id for job_id, r in self._runs.items() if r.finished.is_set()]
            for job_id in finished[: max(0, len(finished) - KEEP_FINISHED_RUNS)]:
                del self._runs[job_id]
        self._queue.put(run)

    # ---- the worker -----------------------------------------------------------------------

    def _work(self) -> None:
        while not self._stopping.is_set():
            run = self._queue.get()
            if run is None:
                return
            try:
                self._process(run)
            except Exception:  # the worker must survive anything one job does
                log.exception("job %s failed outside any shot", run.job_id)
                self.store.set_job_state(run.job_id, "interrupted")
                run.emit(JobDone(run.job_id, 0, run.shot_count, False))

    def _process(self, run: JobRun) -> None:
        job_id = run.job_id
        shots = self.store.job_shots(job_id)
        count = len(shots)
        done = sum(1 for s in shots if s[2] == "done")
        failed = 0
        self.store.set_job_state(job_id, "running")
        engine_name, engine = self.registry.resolve(run.settings.engine)
        for idx, shot, state, _reason, _code in shots:
            if state == "done":
                continue
            if run.cancel_event.is_set():
                break

            def progress(stage: str, fraction: float, _shot: ShotRequest = shot, _done: int = done) -> None:
                run.emit(ShotProgress(job_id, _shot.id, stage, float(min(1.0, max(0.0, fraction))), _done, count))

            try:
                outcome = self.pipeline.process_shot(
                    shot, run.settings, job_id=job_id, engine_name=engine_name, engine=engine,
                    progress=progress, cancel=run.cancel_event,
                )
            except Cancelled:
                break
            except FoleylineError as exc:
                failed += 1
                self.store.fail_shot(job_id, idx, str(exc), status_code_name(exc))
                run.emit(ShotFailed(job_id, shot.id, str(exc), status_code_name(exc)))
                continue
            except Exception as exc:
                log.exception("shot %s of %s failed", shot.id, job_id)
                failed += 1
                reason = f"internal error on shot {shot.name or shot.id}: {type(exc).__name__}: {exc}; see the server log"
                self.store.fail_shot(job_id, idx, reason, status_code_name(exc))
                run.emit(ShotFailed(job_id, shot.id, reason, status_code_name(exc)))
                continue
            self.store.complete_shot(job_id, idx, outcome.takes)
            done += 1
            if outcome.drafted_notes is not None:
                run.emit(NotesDrafted(job_id, outcome.drafted_notes))
            for take in outcome.takes:
                run.emit(TakeReady(job_id, take))
            run.emit(ShotProgress(job_id, shot.id, "done", 1.0, done, count))
        cancelled = run.cancel_event.is_set() and done + failed < count
        if cancelled:
            state = "interrupted" if self._stopping.is_set() else "cancelled"
        else:
            state = "done"
        self.store.set_job_state(job_id, state)
        run.emit(JobDone(job_id, done, failed, cancelled))
