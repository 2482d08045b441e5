"""What the neural-engine benchmarks share: waiting for a device, and its peak memory.

Imported by the benchmark scripts as a sibling module (they run as ``python benchmarks/X.py``).
"""

from __future__ import annotations

import resource

import torch

__all__ = ["peak_mb", "synchronize"]


def peak_mb(device: torch.device) -> float:
    """On a GPU torch's peak allocated memory; on the CPU the process's peak resident set size
    (ru_maxrss: the runtime, the weights and the activations)."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def synchronize(device: torch.device) -> None:
    """Wait for the device's queued work, so wall-clock times measure it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
