"""The fair queue: round-robin between clients, then between a client's jobs, one shot at a
time; it says where each waiting job stands."""

from __future__ import annotations

import threading
from collections import deque

from foleyline.server.scheduler import FairQueue


class Job:
    def __init__(self, job_id: str, client: str, shots: int) -> None:
        self.job_id, self.client = job_id, client
        self.shots = deque(f"{job_id}/{i}" for i in range(shots))

    def next_shot(self) -> str | None:
        return self.shots.popleft() if self.shots else None

    def pending_count(self) -> int:
        return len(self.shots)


def _order(queue: FairQueue, n: int) -> list[str]:
    return [queue.take()[1] for _ in range(n)]


def test_another_clients_single_shot_goes_next() -> None:
    queue = FairQueue()
    queue.add(Job("long", "alice", 500))
    assert _order(queue, 2) == ["long/0", "long/1"]
    queue.add(Job("regen", "bob", 1))
    assert _order(queue, 3) == ["regen/0", "long/2", "long/3"]


def test_a_clients_new_job_goes_before_its_long_one() -> None:
    queue = FairQueue()
    queue.add(Job("long", "alice", 500))
    assert _order(queue, 1) == ["long/0"]
    queue.add(Job("regen", "alice", 1))
    assert _order(queue, 2) == ["regen/0", "long/1"]


def test_clients_take_turns_and_so_do_a_clients_jobs() -> None:
    queue = FairQueue()
    for job in (Job("a1", "alice", 3), Job("a2", "alice", 3), Job("b1", "bob", 3)):
        queue.add(job)
    assert _order(queue, 9) == ["b1/0", "a2/0", "b1/1", "a1/0", "b1/2", "a2/1", "a1/1", "a2/2", "a1/2"]
    assert len(queue) == 0


def test_positions_count_the_shots_that_start_first() -> None:
    queue = FairQueue()
    for job in (Job("a1", "alice", 5), Job("b1", "bob", 1), Job("c1", "carol", 2)):
        queue.add(job)
    assert _order(queue, 1) == ["c1/0"]
    queue.add(Job("a2", "alice", 1))
    # bob, alice's new job, carol, then alice's first job on alice's next turn
    assert queue.positions() == {"b1": 0, "a2": 1, "c1": 2, "a1": 3}


def test_a_cancelled_job_leaves_the_queue() -> None:
    queue = FairQueue()
    long, other = Job("long", "alice", 5), Job("other", "bob", 2)
    queue.add(long)
    queue.add(other)
    queue.remove(long)
    assert _order(queue, 2) == ["other/0", "other/1"]
    assert queue.positions() == {}


def test_closing_wakes_the_waiting_workers() -> None:
    queue = FairQueue()
    results: list[object] = []
    worker = threading.Thread(target=lambda: results.append(queue.take(poll=0.05)))
    worker.start()
    queue.close()
    worker.join(30)
    assert results == [None]
