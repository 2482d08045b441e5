"""Feed-forward pieces: gated FFNs over tokens, as linear layers or token-axis convolutions.

Both FFN kinds compute ``w2(silu(w1 x) * w3 x)`` without biases (SwiGLU). Their hidden width is
``int(2 * hidden / 3)`` rounded up to a multiple of 256, where ``hidden`` is the nominal width
the caller passes (usually 4 × model width).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["MLP", "ChannelLastConv1d", "ConvMLP", "ffn_hidden_dim"]


def ffn_hidden_dim(nominal_hidden: int, multiple_of: int = 256) -> int:
    """The gated FFN's real hidden width for a nominal width (e.g. 4·H)."""
    hidden = int(2 * nominal_hidden / 3)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


class ChannelLastConv1d(nn.Conv1d):
    """A 1-D convolution over the token axis of a (B, N, C) tensor; weight layout (out, in, k)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.transpose(1, 2)).transpose(1, 2)


class MLP(nn.Module):
    """Gated linear FFN on (..., C)."""

    def __init__(self, dim: int, hidden_dim: int, *, multiple_of: int = 256) -> None:
        super().__init__()
        hidden = ffn_hidden_dim(hidden_dim, multiple_of)
        self.w1 = nn.Linear(dim, hidden, bias=False)
        self.w2 = nn.Linear(hidden, dim, bias=False)
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
