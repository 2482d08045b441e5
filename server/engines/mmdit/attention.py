"""Fused-qkv self-attention with per-head q/k RMSNorm, and the joint (multi-stream) attention.

Checkpoints lay a fused projection's outputs out in one of two ways (``split_heads``):
"interleaved" puts q/k/v (or k/v) next to each other inside every head dimension, index
(head·head_dim + d)·parts + j; "blocked" puts whole projections one after the other, index
j·width + head·head_dim + d.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from foleyline.server.engines.mmdit.rotary import apply_rope

__all__ = ["SelfAttention", "attention", "joint_attention", "split_heads"]

QKVLayout = Literal["interleaved", "blocked"]


def split_heads(x: torch.Tensor, num_heads: int, parts: int = 1, *, layout: QKVLayout = "interleaved") -> list[torch.Tensor]:
    """(B, N, parts·width) fused projection -> ``parts`` tensors (B, heads, N, head_dim)."""
    b, n, total = x.shape
    width = total // parts
    if width * parts != total or width % num_heads:
        raise ValueError(f"cannot split {x.shape=} into {parts} parts of {num_heads} heads")
    head_dim = width // num_heads
    if layout == "interleaved":
        split = x.view(b, n, num_heads, head_dim, parts).permute(4, 0, 2, 1, 3)
    elif layout == "blocked":
        split = x.view(b, n, parts, num_heads, head_dim).permute(2, 0, 3, 1, 4)
    else:
        raise ValueError(f"unknown qkv layout {layout!r}")
    return list(split.unbind(0))


class SelfAttention(nn.Module):
    """Produces normalised, rotated q/k and v for one stream (the attention itself may be joint).

    The fused ``qkv`` output index is ((head·head_dim) + d)·3 + j with j = 0/1/2 for q/k/v, i.e.
    q, k and v are interleaved with stride 3 inside each head (checkpoint layout).
    """

    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f"hidden width must divide into heads: {dim=} {num_heads=}")
        self.dim = dim
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        # eps=None: the dtype's machine epsilon, as the checkpoints were trained with.
        self.q_norm = nn.RMSNorm(self.head_dim)
        self.k_norm = nn.RMSNorm(self.head_dim)

    def pre_attention(
        self, x: torch.Tensor, rot: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(B, N, dim) -> q, k, v each (B, heads, N, head_dim)."""
        q, k, v = split_heads(self.qkv(x), self.num_heads, 3, layout="interleaved")
        q = self.q_norm(q)
        k = self.k_norm(k)
        if rot is not None:
            q = apply_rope(q, rot)
            k = apply_rope(k, rot)
        return q, k, v


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Unmasked softmax attention, scale 1/√head_dim; (B, h, N, d) -> (B, N, h·d)."""
    out = F.scaled_dot_product_attention(q.contiguous(), k.contiguous(), v.contiguous())
    return out.transpose(1, 2).flatten(2)


def joint_attention(
    qkvs: Sequence[tuple[torch.Tensor, torch.Tensor, torch.Tensor]], *, queries: int | None = None
) -> list[torch.Tensor]:
    """One attention over the streams concatenated in the given order; split back per stream.
    ``queries`` (default: all) is how many leading streams' outputs are wanted: the others then
    only supply keys and values (each query row's softmax is its own, so nothing else changes)."""
    asked = qkvs[: len(qkvs) if queries is None else queries]
    lengths = [q.shape[2] for q, _, _ in asked]
    q = torch.cat([t[0] for t in asked], dim=2)
    k = torch.cat([t[1] for t in qkvs], dim=2)
    v = torch.cat([t[2] for t in qkvs], dim=2)
    return list(torch.split(attention(q, k, v), lengths, dim=1))
