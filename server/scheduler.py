"""Which shot a device's worker takes next: round-robin between clients, then between each
client's jobs, one shot at a time.

    clients:   alice -> bob -> carol -> alice ...      (a client: one editor's connection)
    alice:     job-1 (500 shots) -> job-4 (1 shot) -> job-1 ...

A client or job that arrives goes to the front of its ring: it has had no turn yet. So one
editor's 500-shot job holds back another editor's single-shot regenerate by no more than the
shots already running. A job is in the queue while it has shots waiting; the queue also says
where each waiting job stands (``positions``: how many shots start before its next one).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from typing import Generic, Protocol, TypeVar

Item = TypeVar("Item")
# Steps of the round-robin simulated to place waiting jobs; beyond it a job is "far back".
_MAX_STEPS = 100_000


class QueuedJob(Protocol[Item]):
    job_id: str
    client: str

    def next_shot(self) -> Item | None:
        """Hand out the next waiting shot (the job counts it as running), or None."""

    def pending_count(self) -> int:
        """Shots still waiting to be handed out."""


class FairQueue(Generic[Item]):
    def __init__(self) -> None:
        self._clients: OrderedDict[str, deque[QueuedJob[Item]]] = OrderedDict()
        self._cond = threading.Condition()
        self._closed = False

    def add(self, job: QueuedJob[Item]) -> None:
        with self._cond:
            if job.client not in self._clients:
                self._clients[job.client] = deque()
                self._clients.move_to_end(job.client, last=False)
            ring = self._clients[job.client]
            if job not in ring:
                ring.appendleft(job)
            self._cond.notify_all()

    def remove(self, job: QueuedJob[Item]) -> None:
        with self._cond:
            ring = self._clients.get(job.client)
            if ring is not None and job in ring:
                ring.remove(job)
                if not ring:
                    del self._clients[job.client]

    def close(self) -> None:
        """Wake every worker waiting in ``take``; they get None from now on."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def take(self, poll: float = 0.5) -> tuple[QueuedJob[Item], Item] | None:
        """The next (job, shot) by the round-robin, waiting for one; None once closed."""
        with self._cond:
            while not self._closed:
                picked = self._pick()
                if picked is not None:
                    return picked
                self._cond.wait(poll)
            return None

    def _pick(self) -> tuple[QueuedJob[Item], Item] | None:
        for client in list(self._clients):
            ring = self._clients[client]
            while ring:
                job = ring.popleft()
                item = job.next_shot()
                if item is None:  # finished or cancelled meanwhile: out of the ring
                    continue
                if job.pending_count():
                    ring.append(job)  # its next shot waits for the other jobs' turns
                if ring:
                    self._clients.move_to_end(client)
                else:
                    del self._clients[client]
                return job, item
            del self._clients[client]
        return None

    def positions(self) -> dict[str, int]:
        """For each job in the queue: how many shots start before its next one."""
        with self._cond:
            ring = [(client, deque([job, job.pending_count()] for job in jobs)) for client, jobs in self._clients.items()]
        wanted = sum(len(jobs) for _client, jobs in ring)
        found: dict[str, int] = {}
        steps = 0
        clients = deque(ring)
        while clients and len(found) < wanted and steps < _MAX_STEPS:
            client, jobs = clients.popleft()
            entry = jobs.popleft()
            found.setdefault(entry[0].job_id, steps)
            steps += 1
            entry[1] -= 1
            if entry[1] > 0:
                jobs.append(entry)
            if jobs:
                clients.append((client, jobs))
        return found

    def __len__(self) -> int:
        with self._cond:
            return sum(len(jobs) for jobs in self._clients.values())


__all__ = ["FairQueue", "QueuedJob"]
