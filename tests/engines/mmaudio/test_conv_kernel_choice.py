"""How a CPU convolution picks its kernel at first use: by what each kernel costs this process."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
import torch

from foleyline.server.engines.mmdit import layers
from foleyline.server.engines.mmdit.layers import ChannelLastConv1d


def _scripted_clock(conv_s: float, matmul_s: float):
    """A clock under which each conv run takes ``conv_s`` and each matmul run ``matmul_s``
    (``_measure`` alternates conv, matmul, reading the clock before and after each)."""
    ticks = itertools.accumulate(itertools.cycle([0.0, conv_s, 0.0, matmul_s]))
    return lambda: next(ticks)


@pytest.fixture
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _chosen_kernel(monkeypatch, *, wall: tuple[float, float], cpu: tuple[float, float]) -> str:
    """The kernel a new convolution picks when each (conv, matmul) run takes ``wall`` seconds of
    wall time and ``cpu`` seconds of this thread's CPU time."""
    monkeypatch.setattr(layers, "time", SimpleNamespace(perf_counter=_scripted_clock(*wall),
                                                        thread_time=_scripted_clock(*cpu)))
    monkeypatch.setattr(layers, "_CPU_KERNELS", {})
    ChannelLastConv1d(6, 5, 3, padding=1, bias=False)(torch.randn(1, 9, 6))
    (kernel,) = layers._CPU_KERNELS.values()
    return kernel


def test_with_one_thread_the_kernel_is_chosen_by_cpu_time_not_wall_time(one_thread, monkeypatch):
    # other processes held the core during the conv runs: wall time says matmul, CPU time conv
    assert _chosen_kernel(monkeypatch, wall=(2.0, 1.0), cpu=(1.0, 1.5)) == "conv"


def test_a_clearly_faster_matmul_is_chosen(one_thread, monkeypatch):
    assert _chosen_kernel(monkeypatch, wall=(1.0, 0.5), cpu=(1.0, 0.5)) == "matmul"


def test_a_near_tie_keeps_torchs_convolution(one_thread, monkeypatch):
    assert _chosen_kernel(monkeypatch, wall=(1.0, 0.97), cpu=(1.0, 0.97)) == "conv"
