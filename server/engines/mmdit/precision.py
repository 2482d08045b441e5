"""Which dtype the networks' big matmuls run in, per device: one rule for every MM-DiT engine."""

from __future__ import annotations

import torch

__all__ = ["compute_dtype"]


def compute_dtype(device: torch.device | str) -> torch.dtype:
    """bf16 on a GPU that has it (Ampere and later), fp16 on an older GPU, float32 on the CPU
    (where bf16 is slower without AMX, and the reference fixtures are float32). The latent
    statistics, rotary tables and timestep phases stay float32 whatever this says."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32
