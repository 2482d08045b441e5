"""Feed-forward pieces: gated FFNs over tokens, as linear layers or token-axis convolutions,
and the plain two-layer GELU MLP of ViT-style blocks.

Both gated FFN kinds compute ``w2(silu(w1 x) * w3 x)`` without biases (SwiGLU). Their hidden
width is ``int(2 * hidden / 3)`` rounded up to a multiple of 256, where ``hidden`` is the nominal
width the caller passes (usually 4 × model width), unless the caller asks for the exact width.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["MLP", "ChannelLastConv1d", "ConvMLP", "FeedForward", "conv_kernel", "ffn_hidden_dim"]

ConvKernel = Literal["conv", "matmul"]
# The faster kernel per CPU convolution shape, measured at its first use in this process.
_CPU_KERNELS: dict[tuple, ConvKernel] = {}
MATMUL_MARGIN = 0.95
_forced = threading.local()  # per thread: a measurement must not steer another thread's kernels


def _forced_kernels() -> list[ConvKernel]:
    return _forced.__dict__.setdefault("stack", [])


@contextmanager
def conv_kernel(kernel: ConvKernel) -> Iterator[None]:
    """Run every ``ChannelLastConv1d`` inside with one kernel (benchmarks time the reference's
    ``nn.Conv1d`` this way; tests compare the two)."""
    stack = _forced_kernels()
    stack.append(kernel)
    try:
        yield
    finally:
        stack.pop()


def ffn_hidden_dim(nominal_hidden: int, multiple_of: int = 256) -> int:
    """The gated FFN's real hidden width for a nominal width (e.g. 4·H)."""
    hidden = int(2 * nominal_hidden / 3)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


class ChannelLastConv1d(nn.Conv1d):
    """A 1-D convolution over the token axis of a (B, N, C) tensor; weight layout (out, in, k).

    On the CPU the same sum runs as one of two kernels, whichever was faster for the shape at its
    first use: torch's convolution, or one matrix product of the k-token windows (in·k wide) with
    the weight viewed as (out, in·k). oneDNN's direct convolution is up to 1.6x slower than the
    product at ThinkSound's widths (1024 <-> 2816) and slightly faster at MMAudio small's (448);
    which wins depends on the CPU, so it is measured rather than assumed. The kernels differ by
    float32 summation order only."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        forced = _forced_kernels()
        if forced:
            kernel = forced[-1]
        elif x.device.type != "cpu" or self.groups != 1 or self.stride != (1,) or self.dilation != (1,) \
                or self.padding_mode != "zeros" or not isinstance(self.padding, tuple):
            kernel = "conv"
        else:
            key = (x.dtype, *x.shape, self.out_channels, self.kernel_size[0], self.padding[0])
            kernel = _CPU_KERNELS.get(key) or self._measure(key, x)
        return self._matmul(x) if kernel == "matmul" else super().forward(x.transpose(1, 2)).transpose(1, 2)

    def _matmul(self, x: torch.Tensor) -> torch.Tensor:
        pad = self.padding[0]
        windows = F.pad(x, (0, 0, pad, pad)).unfold(1, self.kernel_size[0], 1)  # (B, L, in, k), a view
        return F.linear(windows.reshape(*windows.shape[:2], -1), self.weight.view(self.out_channels, -1), self.bias)

    def _measure(self, key: tuple, x: torch.Tensor) -> ConvKernel:
        # With one torch thread the kernels run on this thread, and its CPU time is their cost:
        # wall time also counts the moments other processes held the core, which on a shared
        # machine picked the slower kernel (MMAudio small's 448 <-> 1280 FFN: conv by 2-15 %).
        clock = time.thread_time if torch.get_num_threads() == 1 else time.perf_counter
        seconds: dict[ConvKernel, float] = {}
        for kernel in ("conv", "matmul") * 3:
            with conv_kernel(kernel):
                started = clock()
                self(x)
                took = clock() - started
            seconds[kernel] = min(took, seconds.get(kernel, took))
        # a near tie (a noisy machine) keeps torch's kernel: switch only when clearly faster
        _CPU_KERNELS[key] = "matmul" if seconds["matmul"] < MATMUL_MARGIN * seconds["conv"] else "conv"
        return _CPU_KERNELS[key]


class MLP(nn.Module):
    """Gated linear FFN on (..., C). ``out_dim`` (default ``dim``) makes it a projection;
    ``exact_hidden`` uses ``hidden_dim`` as given instead of the 2/3-and-round-up rule."""

    def __init__(
        self, dim: int, hidden_dim: int, *, out_dim: int | None = None, multiple_of: int = 256,
        exact_hidden: bool = False,
    ) -> None:
        super().__init__()
        hidden = hidden_dim if exact_hidden else ffn_hidden_dim(hidden_dim, multiple_of)
        self.w1 = nn.Linear(dim, hidden, bias=False)
        self.w2 = nn.Linear(hidden, out_dim or dim, bias=False)
        self.w3 = nn.Linear(dim, hidden, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class ConvMLP(nn.Module):
    """Gated FFN whose three maps are token-axis convolutions ("same" zero padding)."""

    def __init__(
        self, dim: int, hidden_dim: int, *, kernel_size: int = 3, padding: int = 1, multiple_of: int = 256
    ) -> None:
        super().__init__()
        hidden = ffn_hidden_dim(hidden_dim, multiple_of)
        self.w1 = ChannelLastConv1d(dim, hidden, kernel_size, padding=padding, bias=False)
        self.w2 = ChannelLastConv1d(hidden, dim, kernel_size, padding=padding, bias=False)
        self.w3 = ChannelLastConv1d(dim, hidden, kernel_size, padding=padding, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class FeedForward(nn.Module):
    """Linear → GELU → Linear with biases (``fc1``/``fc2``, the ViT/timm names). ``approximate``
    is GELU's: "none" (the erf form) or "tanh"."""

    def __init__(self, dim: int, hidden_dim: int, *, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x), approximate=self.approximate))
