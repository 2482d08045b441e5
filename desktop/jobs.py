"""Background work for the panel: every gRPC call and every file parse runs here, off the GUI
thread.

A job is a generator run by superqt's ``GeneratorWorker``; each ``yield`` reaches the GUI thread
as a queued signal. A generator can be stopped between yields (``quit()``), but one blocked
inside a gRPC stream only wakes when the call ends, so the job also cancels the call it is
consuming: the generator registers it with :meth:`CallHolder.track`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Generator
from typing import Any

from PyQt6.QtCore import QObject, QThreadPool, pyqtSignal
from superqt.utils import GeneratorWorker

from foleyline.errors import Cancelled

log = logging.getLogger(__name__)

MIN_THREADS = 16


class CallHolder:
    """The cancellable call (a gRPC stream iterator or future) a worker is waiting on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[Any] = []
        self._cancelled = False

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def track(self, call: Any) -> Any:
        """Remember ``call`` so :meth:`cancel` can end it; returns it for chaining. A call that
        starts after the job was cancelled is cancelled at once."""
        with self._lock:
            self._calls.append(call)
            cancelled = self._cancelled
        if cancelled:
            _cancel_call(call)
        return call

    def check(self) -> None:
        """Raise Cancelled between steps of a job the editor cancelled."""
        if self._cancelled:
            raise Cancelled("cancelled")

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            calls = list(self._calls)
        for call in calls:
            _cancel_call(call)


def _cancel_call(call: Any) -> None:
    cancel = getattr(call, "cancel", None)
    if cancel is None:
        return
    try:
        cancel()
    except Exception:  # a call that already ended may refuse; nothing is left to stop
        log.debug("cancelling a finished call", exc_info=True)


JobFunction = Callable[..., Generator[Any, None, Any]]


class JobCrashed(Exception):
    """A job's code raised RuntimeError. superqt reads a RuntimeError as "the worker object was
    deleted" and ends the worker without a signal, so the job re-raises it as this instead."""


def _guarded(function: JobFunction, holder: CallHolder, *args: Any, **kwargs: Any):
    try:
        result = yield from function(holder, *args, **kwargs)
    except RuntimeError as exc:
        raise JobCrashed(f"{type(exc).__name__}: {exc}") from exc
    return result


class Job(QObject):
    """One background task. Signals arrive on the GUI thread.

    ``yielded(item)`` per step, then exactly one of ``succeeded(result)``, ``failed(exc)`` or
    ``cancelled()``, then ``ended()``.
    """

    yielded = pyqtSignal(object)
    succeeded = pyqtSignal(object)
    failed = pyqtSignal(object)
    cancelled = pyqtSignal()
    ended = pyqtSignal()

    def __init__(self, name: str, function: JobFunction, *args: Any, parent: QObject | None = None, **kwargs: Any) -> None:
        super().__init__(parent)
        self.name = name
        self.holder = CallHolder()
        self._outcome_sent = False
        self.worker = GeneratorWorker(_guarded, function, self.holder, *args, **kwargs)
        self.worker.yielded.connect(self._on_yielded)
        self.worker.returned.connect(self._on_returned)
        self.worker.errored.connect(self._on_errored)
        self.worker.finished.connect(self._on_finished)

    def start(self) -> "Job":
        self.worker.start()
        return self

    def cancel(self) -> None:
        """Stop the job: ask the generator to quit and end the call it is blocked on."""
        self.worker.quit()
        self.holder.cancel()

    @property
    def is_cancelled(self) -> bool:
        return self.holder.cancelled

    def _on_yielded(self, item: object) -> None:
        if not self.holder.cancelled:
            self.yielded.emit(item)

    def _on_returned(self, result: object) -> None:
        if self.holder.cancelled:
            return
        self._outcome_sent = True
        self.succeeded.emit(result)

    def _on_errored(self, exc: object) -> None:
        self._outcome_sent = True
        if self.holder.cancelled or isinstance(exc, Cancelled):
            self.cancelled.emit()
        else:
            log.info("job %s failed: %s", self.name, exc)
            self.failed.emit(exc)

    def _on_finished(self) -> None:
        if not self._outcome_sent:
            # quit() between two yields: the worker stops without returning or raising.
            self._outcome_sent = True
            self.cancelled.emit()
        self.ended.emit()


class JobRunner(QObject):
    """Starts jobs and keeps them alive until they end; cancels all of them on shutdown."""

    busy_changed = pyqtSignal(int)  # number of running jobs

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: set[Job] = set()
        # superqt runs workers on the global pool, sized to the CPU count by default. Jobs here
        # mostly wait on the network (a generation stream can last minutes), so a 2-core
        # machine would let two streams starve thumbnails, auditions and health checks.
        pool = QThreadPool.globalInstance()
        if pool.maxThreadCount() < MIN_THREADS:
            pool.setMaxThreadCount(MIN_THREADS)

    def run(self, name: str, function: JobFunction, *args: Any, **kwargs: Any) -> Job:
        """Create a job; connect to its signals, then call ``start()`` (signals connected after
        the start could miss early events)."""
        job = Job(name, function, *args, parent=self, **kwargs)
        self._jobs.add(job)
        job.ended.connect(lambda: self._forget(job))
        return job

    def _forget(self, job: Job) -> None:
        self._jobs.discard(job)
        self.busy_changed.emit(len(self._jobs))
        job.deleteLater()

    @property
    def running(self) -> list[Job]:
        return list(self._jobs)

    def cancel_all(self) -> None:
        for job in list(self._jobs):
            job.cancel()

    def wait(self, msecs: int = 3000) -> None:
        GeneratorWorker.await_workers(msecs)
