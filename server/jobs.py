"""The job queue: jobs are persisted first, then their shots run on each device's workers,
fairly between clients (``scheduler.FairQueue``).

Workers per device are configured (``ServerLimits.workers``). An engine that does not declare
itself safe on several threads (``Engine.thread_safe``) runs one shot at a time, while another
worker decodes or writes. A job waiting for its first shot hears where it stands in the queue
and a guess of when it starts (``ShotProgress`` "queued" with a position and an estimate).

A shot is run by ``Pipeline.process_shot`` (request in, takes out); this module records what
came of it and tells the followers. Cancellation is the run's ``threading.Event``: set by
CancelJob, by the server stopping, or when the last follower of a job leaves (unless
``ServerLimits.unfollowed_jobs`` is "continue"), never because one of several followers left.

After a crash the store still knows every job: jobs that were running are marked
'interrupted' at start-up, their finished shots stay finished, and ``resume(job_id)`` queues
the rest.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
import uuid
from dataclasses import replace
from datetime import datetime, timezone

from foleyline.capacity import ServerLimits
from foleyline.errors import Cancelled, FoleylineError, InvalidInput, Unavailable, status_code_name
from foleyline.server.engines.registry import EngineRegistry
from foleyline.server.pipeline import Pipeline, ShotRunner
from foleyline.server.records import (
    JobAccepted,
    JobDone,
    JobInfo,
    JobSettings,
    NotesDrafted,
    ShotFailed,
    ShotProgress,
    ShotRequest,
    TakeReady,
)
from foleyline.server.runs import JobRun
from foleyline.server.scheduler import FairQueue
from foleyline.server.store import Store

log = logging.getLogger(__name__)

# How long a resume waits for a cancelled run of the same job to stop.
RESUME_WAIT_S = 30.0
# Finished runs kept in memory (with their events) for streams that re-attach.
KEEP_FINISHED_RUNS = 32
# Weight of the latest shot in the running mean of shot durations (for queue estimates).
_MEAN_WEIGHT = 0.3
# The least change of a shot's progress within a stage that is told to its followers.
PROGRESS_STEP = 0.05


def take_ids_for(job_id: str, shot_index: int, count: int) -> list[str]:
    """The ids of a shot's takes, the same however often the shot runs: the idempotency keys
    that make a retried shot (on another replica, after a crash) store its takes once."""
    return [f"take-{hashlib.sha256(f'{job_id}/{shot_index}/{n}'.encode()).hexdigest()[:12]}" for n in range(count)]


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class JobManager:
    def __init__(self, store: Store, registry: EngineRegistry, pipeline: Pipeline,
                 limits: ServerLimits | None = None, *, shots: ShotRunner | None = None) -> None:
        self.store = store
        self.registry = registry
        self.pipeline = pipeline
        # Who runs a shot: the pipeline in this process, or a cluster's replicas (server/cluster).
        self.shots: ShotRunner = shots or pipeline
        self.limits = limits or ServerLimits()
        self._runs: dict[str, JobRun] = {}
        self._queues: dict[str, FairQueue] = {}
        self._workers: list[threading.Thread] = []
        self._engine_locks: dict[str, threading.Lock] = {}
        self._shot_seconds: dict[str, float] = {}
        self._lock = threading.Lock()
        self._resume_lock = threading.Lock()  # one resume at a time decides whether a job needs a new run
        self._request_lock = threading.Lock()  # one request id at a time is looked up and made a job
        self._stopping = threading.Event()
        self.interrupted_at_start = store.mark_interrupted()

    # ---- requests -------------------------------------------------------------------------

    def submit(self, shots: list[ShotRequest], settings: JobSettings, client: str = "", *, follow: bool = False,
               request: tuple[str, str] | None = None) -> JobRun:
        """Persist a job and queue its shots; ``follow``: the caller follows it (``detach`` when
        it stops). ``request``: (the client's request id, the request's fingerprint): a request
        id met before is the job it made, followed as a resume (its finished takes again, the
        rest run), never a second job; met with another fingerprint, InvalidInput."""
        if request is None or not request[0]:
            return self._submit(shots, settings, client, follow=follow)
        with self._request_lock:  # two copies of one request arriving together make one job
            known = self.store.job_for_request(request[0])
            if known is None:
                return self._submit(shots, settings, client, follow=follow, request=request)
        job_id, fingerprint = known
        if fingerprint != request[1]:
            raise InvalidInput(
                f"request_id: {request[0]!r} was sent before with other shots or settings (job {job_id}); "
                "give each new request an id of its own, and resend only an unchanged request with its id")
        log.info("request %s sent again: following its job %s", request[0][:80], job_id)
        return self.resume(job_id, client, follow=follow)

    def _submit(self, shots: list[ShotRequest], settings: JobSettings, client: str, *, follow: bool,
                request: tuple[str, str] | None = None) -> JobRun:
        if not shots:
            raise InvalidInput("the request has no shots; select at least one shot of the timeline")
        ids = [shot.id for shot in shots]
        if len(set(ids)) != len(ids):
            raise InvalidInput("the request names the same shot id more than once; send each shot once")
        engine_name, engine = self.registry.resolve(settings.engine)
        # A random seed is chosen now and stored, so a resumed job makes the same takes.
        seed = settings.seed or random.randrange(1, 2**31)
        settings = replace(settings, seed=seed, engine=engine_name)
        job_id = f"job-{uuid.uuid4().hex[:12]}"
        self.store.create_job(job_id, shots, settings, engine_name, utc_now(), request)
        run = JobRun(job_id, settings, list(enumerate(shots)), shot_count=len(shots), client=client,
                     engine_name=engine_name, engine=engine, device=engine.capabilities().device)
        run.emit(JobAccepted(job_id, len(shots), engine_name, ()))
        for shot in shots:
            run.emit(ShotProgress(job_id, shot.id, "queued", 0.0, 0, len(shots)))
        if follow:
            run.attach()
        self._start(run)
        return run

    def resume(self, job_id: str, client: str = "", *, follow: bool = False) -> JobRun:
        """Follow a job: the live run when this process is running it, else a new run that
        reports finished shots again and processes the unfinished ones. ``follow``: the caller
        follows it (``detach`` when it stops). Resumes of one job arriving together (a team's
        panels reconnecting after a restart) follow one run: the job's shots run once."""
        deadline = time.monotonic() + RESUME_WAIT_S
        while True:
            with self._resume_lock:
                with self._lock:
                    live = self._runs.get(job_id)
                if live is None or live.finished.is_set():
                    return self._resume_stored(job_id, client, follow)
                if not live.cancel_event.is_set():
                    if follow:
                        live.attach()
                    return live
            # Being cancelled: let the current shot stop, then start afresh from the store.
            if not live.finished.wait(max(0.0, deadline - time.monotonic())):
                raise Unavailable(f"job {job_id} is still stopping after a cancel; resume it again in a moment")

    def _resume_stored(self, job_id: str, client: str, follow: bool) -> JobRun:
        """A new run of a job from what the store says of it (under ``_resume_lock``: the run is
        registered before another resume looks)."""
        info = self.store.get_job(job_id)  # NotFound for an unknown id
        settings = self.store.job_settings(job_id)
        self.store.reset_failed_shots(job_id)
        shots = self.store.job_shots(job_id)
        engine_name, engine = self.registry.resolve(settings.engine)
        settings = replace(settings, engine=engine_name)
        pending = [(idx, shot) for idx, shot, state, _r, _c in shots if state != "done"]
        run = JobRun(job_id, settings, pending, shot_count=len(shots), done=len(shots) - len(pending),
                     client=client, engine_name=engine_name, engine=engine, device=engine.capabilities().device)
        run.emit(JobAccepted(job_id, len(shots), engine_name, ()))
        for take in self.store.list_takes(job_id=job_id):
            run.emit(TakeReady(job_id, take))
        if follow:
            run.attach()
        if not pending:
            self.store.set_job_state(job_id, "done")
            run.emit(JobDone(job_id, run.done, 0, False))
            return run
        log.info("resuming %s (%s): %d of %d shots to do", job_id, info.state, len(pending), len(shots))
        self.store.set_job_state(job_id, "queued")
        self._start(run)
        return run

    def cancel(self, job_id: str) -> str:
        with self._resume_lock:  # a resume of the job either came first (cancelled here) or comes after
            with self._lock:
                run = self._runs.get(job_id)
            if run is not None and not run.finished.is_set():
                self._cancel_run(run)
                return "cancelling"
            state = self.store.get_job(job_id).state
            if state in ("queued", "interrupted"):
                # Left unfinished by a server that stopped: cancelled now, as asked (still
                # resumable), so no panel offers to resume it again.
                self.store.set_job_state(job_id, "cancelled")
                return "cancelled"
            return state

    def detach(self, run: JobRun) -> None:
        """A stream stopped following the run: when it was the last one, the job is cancelled
        (it stays resumable), unless unfollowed jobs continue."""
        if run.detach() <= 0 and not run.finished.is_set() and self.limits.unfollowed_jobs == "cancel":
            log.info("the last follower of %s left; cancelling it", run.job_id)
            self._cancel_run(run)

    def list_jobs(self, unfinished_only: bool = False, *, after: str | None = None,
                  limit: int | None = None) -> list[JobInfo]:
        return self.store.list_jobs(unfinished_only, after=after, limit=limit)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the workers; jobs in progress stay resumable ('interrupted')."""
        self._stopping.set()
        with self._lock:
            runs = list(self._runs.values())
            queues = list(self._queues.values())
        for run in runs:
            if not run.finished.is_set():
                self._cancel_run(run)
        for queue in queues:
            queue.close()
        deadline = time.monotonic() + timeout
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))

    # ---- the queues -----------------------------------------------------------------------

    def _start(self, run: JobRun) -> None:
        with self._lock:
            self._runs[run.job_id] = run
            # Finished runs only serve late followers; the store keeps everything that matters.
            finished = [job_id for job_id, r in self._runs.items() if r.finished.is_set()]
            for job_id in finished[: max(0, len(finished) - KEEP_FINISHED_RUNS)]:
                del self._runs[job_id]
            queue = self._queues.get(run.device)
            if queue is None:
                queue = self._queues[run.device] = FairQueue()
                for n in range(self.limits.workers_for(run.device)):
                    worker = threading.Thread(target=self._work, args=(run.device, queue),
                                              name=f"foleyline-{run.device}-{n}", daemon=True)
                    self._workers.append(worker)
                    worker.start()
        queue.add(run)
        self._tell_positions(run.device)

    def _cancel_run(self, run: JobRun) -> None:
        with self._lock:
            queue = self._queues.get(run.device)
        if queue is not None:
            queue.remove(run)
        if run.cancel():
            self._finish(run)

    def _tell_positions(self, device: str) -> None:
        """Tell each job waiting for its first shot where it stands, when that changed."""
        with self._lock:
            queue = self._queues.get(device)
            runs = [r for r in self._runs.values() if r.device == device and not r.finished.is_set()]
        if queue is None:
            return
        positions = queue.positions()
        running = sum(r.running for r in runs)
        workers = self.limits.workers_for(device)
        mean = self._shot_seconds.get(device)
        for run in runs:
            position = positions.get(run.job_id)
            if position is None or run.started or position == run.last_position:
                continue
            run.last_position = position
            ahead = max(0, running + position - workers + 1)
            eta = -1.0 if mean is None else ahead * mean / workers
            run.emit(ShotProgress(run.job_id, run.next_shot_id(), "queued", 0.0, run.done, run.shot_count,
                                  queue_position=position, queue_eta_s=eta))

    # ---- the workers ----------------------------------------------------------------------

    def _work(self, device: str, queue: FairQueue) -> None:
        while not self._stopping.is_set():
            taken = queue.take()
            if taken is None:
                return
            run, (idx, shot) = taken
            self._tell_positions(device)
            try:
                self._run_shot(run, idx, shot)
            except Exception:  # the worker must survive anything one shot does
                log.exception("shot %s of %s failed outside the pipeline", shot.id, run.job_id)
            if run.shot_ended():
                self._finish(run)
            self._tell_positions(device)

    def _engine_lock(self, run: JobRun) -> threading.Lock | None:
        if run.engine is None or getattr(run.engine, "thread_safe", False):
            return None
        with self._lock:
            return self._engine_locks.setdefault(run.engine_name, threading.Lock())

    def _run_shot(self, run: JobRun, idx: int, shot: ShotRequest) -> None:
        job_id, count = run.job_id, run.shot_count
        if run.cancel_event.is_set():
            return
        if not run.recorded_running:
            run.recorded_running = True
            self.store.set_job_state(job_id, "running", durable=False)  # a restart marks it interrupted either way

        told = ["", -1.0]

        def progress(stage: str, fraction: float) -> None:
            # Every stage is told, and within one a step of at least PROGRESS_STEP: followers
            # of a long job are not flooded with one event per file written.
            fraction = float(min(1.0, max(0.0, fraction)))
            if stage == told[0] and fraction - told[1] < PROGRESS_STEP:
                return
            told[:] = [stage, fraction]
            run.emit(ShotProgress(job_id, shot.id, stage, fraction, run.done, count))

        started = time.monotonic()
        try:
            outcome = self.shots.process_shot(
                shot, run.settings, job_id=job_id, engine_name=run.engine_name, engine=run.engine,
                progress=progress, cancel=run.cancel_event, engine_lock=self._engine_lock(run),
                take_ids=take_ids_for(job_id, idx, max(1, run.settings.num_takes)),
            )
            recorded = self.store.complete_shot(job_id, idx, outcome.takes)
        except Cancelled:
            if run.cancel_event.is_set():
                return  # the shot stays pending: a resume does it
            self._fail(run, idx, shot, Cancelled("the engine stopped the shot"))
            return
        except FoleylineError as exc:
            self._fail(run, idx, shot, exc)
            return
        except Exception as exc:
            log.exception("shot %s of %s failed", shot.id, job_id)
            self._fail(run, idx, shot, exc)
            return
        run.done += 1
        if outcome.drafted_notes is not None:
            run.emit(NotesDrafted(job_id, outcome.drafted_notes))
        if not recorded:  # done already (by an earlier run): its takes were told then
            log.warning("shot %s of %s was done already; its takes are stored once", shot.id, job_id)
        for take in outcome.takes if recorded else ():
            run.emit(TakeReady(job_id, take))
        run.emit(ShotProgress(job_id, shot.id, "done", 1.0, run.done, count))
        seconds = time.monotonic() - started
        mean = self._shot_seconds.get(run.device)
        self._shot_seconds[run.device] = seconds if mean is None else mean + _MEAN_WEIGHT * (seconds - mean)

    def _fail(self, run: JobRun, idx: int, shot: ShotRequest, exc: Exception) -> None:
        code = status_code_name(exc)
        if isinstance(exc, FoleylineError):
            reason = str(exc)
        else:
            reason = f"internal error on shot {shot.name or shot.id} ({type(exc).__name__}); see the server log"
        run.failed += 1
        try:
            self.store.fail_shot(run.job_id, idx, reason, code)
        except FoleylineError as store_error:  # a full disk: the stream still says what happened
            log.warning("could not record the failure of %s: %s", shot.id, store_error)
        run.emit(ShotFailed(run.job_id, shot.id, reason, code))

    def _finish(self, run: JobRun) -> None:
        cancelled = run.cancel_event.is_set() and run.done + run.failed < run.shot_count
        if cancelled:
            state = "interrupted" if self._stopping.is_set() else "cancelled"
        else:
            state = "done"
        try:
            self.store.set_job_state(run.job_id, state)
        except Exception:  # the followers must hear the end even when the store cannot say it
            log.exception("could not record the end of %s", run.job_id)
        run.emit(JobDone(run.job_id, run.done, run.failed, cancelled, interrupted=state == "interrupted"))
