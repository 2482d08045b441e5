"""Compute threads: one budget per engine worker, set once per process, from the config."""

from __future__ import annotations

import cv2
import pytest
import torch
from threadpoolctl import threadpool_info

from foleyline import config
from foleyline.errors import InvalidInput
from foleyline.server import threads


@pytest.fixture
def fresh(monkeypatch):
    """A process whose thread pools have not been set yet; everything put back afterwards."""
    monkeypatch.setattr(threads, "_applied", None)
    for name in (*threads._ENV_VARS, "FOLEYLINE_COMPUTE_THREADS"):
        monkeypatch.delenv(name, raising=False)
    torch_before, cv_before = torch.get_num_threads(), cv2.getNumThreads()
    blas_before = [pool["num_threads"] for pool in threadpool_info()]
    yield
    torch.set_num_threads(torch_before)
    cv2.setNumThreads(cv_before)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=max(blas_before or [1]))


def test_the_cores_are_shared_out_between_the_engine_workers(fresh, monkeypatch):
    monkeypatch.setattr(threads, "usable_cores", lambda: 8)
    assert threads.default_threads() == 8
    assert threads.default_threads(workers=2) == 4
    assert threads.default_threads(workers=16) == 1


def test_an_omp_num_threads_in_the_environment_is_the_users_word(fresh, monkeypatch):
    monkeypatch.setattr(threads, "usable_cores", lambda: 8)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert threads.default_threads(workers=2) == 3


def test_the_config_sets_every_pool_once(fresh, monkeypatch):
    monkeypatch.setenv("FOLEYLINE_COMPUTE_THREADS", "1")
    assert threads.apply_compute_threads() == 1
    assert torch.get_num_threads() == 1
    assert cv2.getNumThreads() == 1
    assert all(pool["num_threads"] == 1 for pool in threadpool_info())
    # Libraries loaded later (torch in a fresh process, MKL) read the environment.
    assert all(threads.os.environ[name] == "1" for name in threads._ENV_VARS)
    # The first call decides: a later engine asking for more does not resize the pools.
    assert threads.apply_compute_threads(4) == 1
    assert torch.get_num_threads() == 1


def test_zero_means_automatic_and_nonsense_is_refused(monkeypatch):
    monkeypatch.setenv("FOLEYLINE_COMPUTE_THREADS", "0")
    assert config.compute_threads() is None
    for nonsense in ("many", "-2"):
        monkeypatch.setenv("FOLEYLINE_COMPUTE_THREADS", nonsense)
        with pytest.raises(InvalidInput, match="compute_threads"):
            config.compute_threads()
