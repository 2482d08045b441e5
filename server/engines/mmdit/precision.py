"""Which dtype the networks' big matmuls run in on a device (the rule: ``engines.number_types``)."""

from __future__ import annotations

import torch

from foleyline.server.engines.number_types import dtype_name

__all__ = ["compute_dtype"]


def compute_dtype(device: torch.device | str) -> torch.dtype:
    """bf16 on a GPU that has it (Ampere and later), fp16 on an older GPU, float32 on the CPU.
    The latent statistics, rotary tables and timestep phases stay float32 whatever this says."""
    device = torch.device(device)
    bf16 = device.type == "cuda" and bool(torch.cuda.is_bf16_supported())
    return getattr(torch, dtype_name(device.type, bf16))
