"""Sinusoidal timestep embedding followed by Linear → SiLU → Linear."""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import nn

__all__ = ["TimestepEmbedder"]


FrequencyForm = Literal["power", "exp"]


class TimestepEmbedder(nn.Module):
    """``[cos(t·f), sin(t·f)]`` (cos first) with f_i = (10000 / max_period) · 10000^(−2i/F).

    With max_period 1 the phases reach 10⁴ rad per unit t, so t·f is formed as one float32
    product of float32 values; any other precision moves outputs measurably.

    ``form`` says how the checkpoint's code evaluated f in float32 (the two differ by an ulp in
    most entries): "power" as 1 / 10000^(2i/F) (MMAudio, ThinkSound), "exp" as
    exp(−ln(max_period)·i/(F/2)) (HunyuanVideo-Foley).
    """

    freqs: torch.Tensor

    def __init__(
        self, dim: int, *, frequency_embedding_size: int, max_period: float, form: FrequencyForm = "power"
    ) -> None:
        super().__init__()
        if frequency_embedding_size % 2:
            raise ValueError(f"{frequency_embedding_size=} must be even")
        self.dim = dim
        self.frequency_embedding_size = frequency_embedding_size
        self.max_period = max_period
        self.form = form
        self.mlp = nn.Sequential(
            nn.Linear(frequency_embedding_size, dim),
            nn.SiLU(),
            nn.Linear(dim, dim),
        )
        self.register_buffer("freqs", self.compute_freqs(frequency_embedding_size, max_period, form=form),
                             persistent=False)

    @staticmethod
    def compute_freqs(
        size: int, max_period: float, device: torch.device | str = "cpu", *, form: FrequencyForm = "power"
    ) -> torch.Tensor:
        if form == "exp":
            half = size // 2
            return torch.exp(-math.log(max_period) * torch.arange(0, half, dtype=torch.float32, device=device) / half)
        base = 1.0 / (10000 ** (torch.arange(0, size, 2, dtype=torch.float32, device=device) / size))
        return (10000 / max_period) * base

    def timestep_embedding(self, t: torch.Tensor) -> torch.Tensor:
        args = t[:, None].float() * self.freqs.float()[None]
        return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        if t.ndim != 1:
            raise ValueError(f"timesteps must be a (B,) vector, got {t.shape=}")
        return self.mlp(self.timestep_embedding(t).to(self.mlp[0].weight.dtype))
