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


def test_with_one_thread_the_kernel_is_chosen_by_cpu_time_not_wall_time(one_thread, monkeypatch):
    # other processes held the core during the conv runs: wall time says matmul, CPU time conv
    monkeypatch.setattr(layers, "time", SimpleNamespace(perf_counter=_scripted_clock(conv_s=2.0, matmul_s=1.0),
                                                        thread_time=_scripted_clock(conv_s=1.0, matmul_s=1.5)))
    monkeypatch.setattr(layers, "_CPU_KERNELS", {})
    conv = ChannelLastConv1d(6, 5, 3, padding=1, bias=False)
    conv(torch.randn(1, 9, 6))
    assert list(layers._CPU_KERNELS.values()) == ["conv"]


def test_a_clearly_faster_matmul_is_chosen(one_thread, monkeypatch):
    monkeypatch.setattr(layers, "time", SimpleNamespace(perf_counter=_scripted_clock(conv_s=1.0, matmul_s=0.5),
                                                        thread_time=_scripted_clock(conv_s=1.0, matmul_s=0.5)))
    monkeypatch.setattr(layers, "_CPU_KERNELS", {})
    conv = ChannelLastConv1d(6, 5, 3, padding=1, bias=False)
    conv(torch.randn(1, 9, 6))
    assert list(layers._CPU_KERNELS.values()) == ["matmul"]
