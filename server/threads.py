"""How many threads the numeric libraries of an engine worker use, set once per process.

Torch, the BLAS under numpy and OpenCV each start a pool as large as the machine by default;
several pools spinning at once (and other processes on a shared machine) oversubscribe the
cores, which costs far more than it gains: a 30 s generate took 32.5 s with the default pools
under load, 11.5 s with one thread each. So every engine worker gets its own group of cores:
``cores // workers`` threads (``workers``: the server's CPU engine workers, a setting), or what
the ``compute_threads`` setting says (foleyline.toml or FOLEYLINE_COMPUTE_THREADS). An
``OMP_NUM_THREADS`` given in the environment is the user's word and stands when the setting
says nothing.

Libraries loaded later read the environment variables set here (torch is imported only by
the engines that need it); those already loaded are told directly.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

import cv2
from threadpoolctl import threadpool_limits

from foleyline import config

log = logging.getLogger(__name__)

# The variables the OpenMP, OpenBLAS and MKL runtimes read when they start.
_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

_lock = threading.Lock()
_applied: int | None = None


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask, e.g. a container's CPU set)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def default_threads(workers: int = 1) -> int:
    """Threads per engine worker: the user's OMP_NUM_THREADS, else an equal share of the cores."""
    given = os.environ.get("OMP_NUM_THREADS", "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    return max(1, usable_cores() // max(1, workers))


def apply_compute_threads(threads: int | None = None, *, workers: int = 1) -> int:
    """Set the thread pools of torch, BLAS and OpenCV for this process; returns the count.

    ``threads``: None reads the config, then ``default_threads(workers)``. The first call
    decides; later calls with another count are refused with a log line, since torch fixes its
    inter-op pool at first use and a pool resized under a running engine helps nobody.
    """
    global _applied
    with _lock:
        wanted = threads or config.compute_threads() or default_threads(workers)
        if _applied is not None:
            if wanted != _applied:
                log.info("compute threads already set to %d for this process; %d ignored", _applied, wanted)
            return _applied
        for name in _ENV_VARS:
            os.environ[name] = str(wanted)
        threadpool_limits(limits=wanted)  # BLAS and OpenMP pools loaded already (numpy's)
        cv2.setNumThreads(wanted)
        torch = sys.modules.get("torch")  # never imported here: only the engines that need it do
        if torch is not None:
            torch.set_num_threads(wanted)
        _applied = wanted
        log.debug("compute threads: %d", wanted)
        return wanted


__all__ = ["apply_compute_threads", "default_threads", "usable_cores"]
