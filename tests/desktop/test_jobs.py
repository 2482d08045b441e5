"""Background jobs: each yield arrives on the GUI thread; cancel ends a call the worker is
blocked in; a job's own RuntimeError is a failure, not a silent stop."""

from __future__ import annotations

import threading

from PyQt6.QtCore import QThread

from foleyline.desktop.jobs import JobCrashed, JobRunner
from foleyline.errors import Cancelled, NotFound

from .fakes import FakeStream


def test_yields_arrive_in_order_on_the_gui_thread_then_the_result(qtbot):
    runner = JobRunner()
    worker_threads: list[object] = []

    def count(holder, n):
        for i in range(n):
            worker_threads.append(QThread.currentThread())
            yield i
        return "done"

    job = runner.run("count", count, 3)
    seen: list[tuple[int, object]] = []
    job.yielded.connect(lambda item: seen.append((item, QThread.currentThread())))
    with qtbot.waitSignal(job.succeeded) as blocker:
        job.start()
    assert blocker.args == ["done"]
    assert [item for item, _ in seen] == [0, 1, 2]
    gui = QThread.currentThread()
    assert all(thread is gui for _, thread in seen)
    assert all(thread is not gui for thread in worker_threads)


def test_cancel_ends_the_stream_the_worker_is_blocked_on(qtbot):
    runner = JobRunner()
    gate = threading.Event()  # never set: the stream blocks after its first events
    stream = FakeStream(["a", "b", "c", "d"], gate, free=1)

    def consume(holder):
        for event in holder.track(stream):
            yield event

    job = runner.run("stream", consume)
    got: list[str] = []
    job.yielded.connect(got.append)
    job.start()
    qtbot.waitUntil(lambda: got == ["a"])
    with qtbot.waitSignal(job.cancelled):
        job.cancel()
    assert stream.cancel_calls == 1
    assert job.is_cancelled
    qtbot.waitUntil(lambda: not runner.running)


def test_a_call_started_after_cancel_is_cancelled_at_once(qtbot):
    runner = JobRunner()
    late = FakeStream(["x"])

    def slow_start(holder):
        yield "first"
        holder.track(late)
        return "finished"

    job = runner.run("late", slow_start)
    job.cancel()
    job.start()
    qtbot.waitUntil(lambda: not runner.running)
    assert late.cancel_calls in (0, 1)  # quit() may stop it before the call starts
    assert job.is_cancelled


def test_errors_arrive_as_failed_with_the_exception(qtbot):
    runner = JobRunner()

    def missing(holder):
        raise NotFound("take t1 not found; list the takes again")
        yield

    def broken(holder):
        raise RuntimeError("boom")
        yield

    for function, kind in ((missing, NotFound), (broken, JobCrashed)):
        job = runner.run("x", function)
        with qtbot.waitSignal(job.failed) as blocker:
            job.start()
        assert isinstance(blocker.args[0], kind)


def test_cancelled_from_the_server_side_is_reported_as_cancelled(qtbot):
    runner = JobRunner()

    def refused(holder):
        raise Cancelled("the job was cancelled")
        yield

    job = runner.run("x", refused)
    with qtbot.waitSignal(job.cancelled):
        job.start()


def test_long_streams_do_not_starve_short_jobs(qtbot):
    """Two generation streams blocked on the network still leave room for quick jobs (a
    thumbnail, an audition) on any machine, however few cores it has."""
    runner = JobRunner()
    gates = [threading.Event(), threading.Event()]
    streams = [FakeStream(["a", "b"], gate, free=0) for gate in gates]

    def consume(holder, stream):
        for event in holder.track(stream):
            yield event

    def quick(holder):
        return "thumbnail"
        yield

    long_jobs = [runner.run("stream", consume, stream).start() for stream in streams]
    short = [runner.run("quick", quick) for _ in range(4)]
    for job in short:
        with qtbot.waitSignal(job.succeeded):
            job.start()
    for job in long_jobs:
        job.cancel()
    qtbot.waitUntil(lambda: not runner.running)
