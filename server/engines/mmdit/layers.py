"""Feed-forward pieces: gated FFNs over tokens, as linear layers or token-axis convolutions,
and the plain two-layer GELU MLP of ViT-style blocks.

Both gated FFN kinds compute ``w2(silu(w1 x) * w3 x)`` without biases (SwiGLU). Their hidden
width is ``int(2 * hidden / 3)`` rounded up to a multiple of 256, where ``hidden`` is the nominal
width the caller passes (usually 4 × model width), unless the caller asks for the exact width.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["MLP", "ChannelLastConv1d", "ConvMLP", "FeedForward", "ffn_hidden_dim"]


def ffn_hidden_dim(nominal_hidden: int, multiple_of: int = 256) -> int:
    """The gated FFN's real hidden width for a nominal width (e.g. 4·H)."""
    hidden = int(2 * nominal_hidden / 3)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


class ChannelLastConv1d(nn.Conv1d):
    """A 1-D convolution over the token axis of a (B, N, C) tensor; weight layout (out, in, k)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.transpose(1, 2)).transpose(1, 2)


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
