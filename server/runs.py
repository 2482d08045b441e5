"""A job being processed in this server process: its waiting shots, its events, its followers
and its cancel switch. ``JobManager`` (``jobs.py``) drives it; any number of streams follow it.

Events are kept in order from the first, so a stream that attaches late (ResumeJob after a
reconnect) sees the whole job. A follower reads ``events_since`` and is woken by a listener (a
callable run on the emitting thread; the servicer's hands the wake-up to its event loop).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence

from foleyline.server.engines.base import Engine
from foleyline.server.records import JobDone, JobEvent, JobSettings, ShotRequest

Listener = Callable[[], None]


class JobRun:
    def __init__(
        self,
        job_id: str,
        settings: JobSettings,
        shots: Sequence[tuple[int, ShotRequest]],
        *,
        shot_count: int,
        done: int = 0,
        client: str = "",
        engine_name: str = "",
        engine: Engine | None = None,
        device: str = "cpu",
    ) -> None:
        self.job_id = job_id
        self.settings = settings
        self.shot_count = shot_count
        self.client = client
        self.engine_name = engine_name
        self.engine = engine
        self.device = device
        self.cancel_event = threading.Event()
        self.finished = threading.Event()
        self.done = done                  # shots done, those of earlier runs included
        self.failed = 0
        self.started = False              # a shot of this run has been handed to a worker
        self.recorded_running = False     # the store says 'running'
        self.last_position: int | None = None
        self._pending: deque[tuple[int, ShotRequest]] = deque(shots)
        self._running = 0
        self._closed = False
        self._followers = 0
        self._events: list[JobEvent] = []
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    # ---- shots (the scheduler's side) ----------------------------------------------------

    def next_shot(self) -> tuple[int, ShotRequest] | None:
        with self._lock:
            if self.cancel_event.is_set() or not self._pending:
                return None
            self._running += 1
            self.started = True
            return self._pending.popleft()

    def pending_count(self) -> int:
        with self._lock:
            return 0 if self.cancel_event.is_set() else len(self._pending)

    def next_shot_id(self) -> str:
        with self._lock:
            return self._pending[0][1].id if self._pending else ""

    @property
    def running(self) -> int:
        with self._lock:
            return self._running

    def shot_ended(self) -> bool:
        """A handed-out shot ended (done, failed or cancelled). True when the run is over and
        this caller must close it."""
        with self._lock:
            self._running -= 1
            return self._close_if_over()

    def cancel(self) -> bool:
        """Set the cancel switch. True when nothing is running, so the caller must close it."""
        self.cancel_event.set()
        with self._lock:
            return self._close_if_over()

    def _close_if_over(self) -> bool:
        over = self._running == 0 and (not self._pending or self.cancel_event.is_set())
        if over and not self._closed:
            self._closed = True
            return True
        return False

    # ---- followers ------------------------------------------------------------------------

    def attach(self) -> None:
        with self._lock:
            self._followers += 1

    def detach(self) -> int:
        """A follower left; returns how many are left."""
        with self._lock:
            self._followers -= 1
            return self._followers

    # ---- events ---------------------------------------------------------------------------

    def emit(self, event: JobEvent) -> None:
        with self._lock:
            self._events.append(event)
            if isinstance(event, JobDone):
                self.finished.set()
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def events_since(self, index: int) -> list[JobEvent]:
        with self._lock:
            return self._events[index:]

    def add_listener(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)


__all__ = ["JobRun", "Listener"]
