"""Rotary position embedding on adjacent pairs (elements 2i, 2i+1), always in float32."""

from __future__ import annotations

import torch

__all__ = ["apply_rope", "compute_rope_rotations"]


def compute_rope_rotations(
    length: int,
    head_dim: int,
    theta: float = 10000.0,
    *,
    freq_scaling: float = 1.0,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """Rotation matrices (1, length, head_dim/2, 2, 2): [[cos θ, −sin θ], [sin θ, cos θ]] with
    θ = p · freq_scaling · theta^(−2i/head_dim). ``freq_scaling`` stretches a shorter stream (clip
    frames) onto the latent time axis."""
    if head_dim % 2:
        raise ValueError(f"rotary embedding needs an even head_dim, got {head_dim=}")
    # Built outside any autocast region: the tables must stay float32.
    with torch.autocast(device_type="cuda", enabled=False), torch.autocast(device_type="cpu", enabled=False):
        pos = torch.arange(length, dtype=torch.float32, device=device)
        exponents = torch.arange(0, head_dim, 2, device=device)[: head_dim // 2].float() / head_dim
        freqs = 1.0 / (theta**exponents)
        freqs = freqs * freq_scaling
        angles = pos[:, None] * freqs[None, :]
        cos, sin = torch.cos(angles), torch.sin(angles)
        rot = torch.stack([cos, -sin, sin, cos], dim=-1)
        return rot.view(1, length, head_dim // 2, 2, 2)


def apply_rope(x: torch.Tensor, rot: torch.Tensor) -> torch.Tensor:
    """Rotate (B, heads, N, head_dim) by a (1, N, head_dim/2, 2, 2) table; computed in float32,
    returned in ``x``'s dtype."""
    pairs = x.float().reshape(*x.shape[:-1], -1, 1, 2)
    out = rot[..., 0] * pairs[..., 0] + rot[..., 1] * pairs[..., 1]
    return out.reshape(*x.shape).type_as(x)
