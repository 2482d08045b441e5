"""Where the drafting models run: the device, the number type, and what a GPU has free.

``choose_placement`` is the rule, with the hardware passed in, so it is tested without a GPU:
a GPU runs the models in bfloat16 (float16 on a GPU without bf16), a CPU in float32 (the number
type rule every network follows: ``engines.number_types``). ``hardware()`` reads the machine once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from foleyline.server.engines.number_types import dtype_name

__all__ = ["Hardware", "Placement", "choose_placement", "hardware", "placement"]


@dataclass(frozen=True)
class Hardware:
    gpu: bool                  # a CUDA device is usable
    gpu_free_gb: float = 0.0   # its free memory now
    bf16: bool = False         # it computes in bfloat16
    gpu_name: str = ""


@dataclass(frozen=True)
class Placement:
    device: str                # "cuda" or "cpu"
    dtype: str                 # a torch dtype's name: "bfloat16", "float16", "float32"

    def describe(self) -> str:
        short = {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32"}[self.dtype]
        return f"{self.device} ({short})"


def choose_placement(requested: str | None, hw: Hardware) -> Placement:
    """``requested``: "cuda", "cpu" or None (the GPU when there is one)."""
    device = requested or ("cuda" if hw.gpu else "cpu")
    if device not in ("cuda", "cpu"):
        raise ValueError(f"unknown device {device!r}; use cuda or cpu")
    if device == "cuda" and not hw.gpu:
        raise ValueError("a GPU was asked for, but no CUDA device is usable on this machine")
    return Placement(device, dtype_name(device, hw.bf16))


@functools.lru_cache(maxsize=1)
def _probe() -> tuple[bool, bool, str]:
    try:
        import torch  # deferred: only drafting with a model needs to know
    except ImportError:  # the core install: no torch, so no GPU to draft on
        return False, False, ""

    if not torch.cuda.is_available():
        return False, False, ""
    return True, bool(torch.cuda.is_bf16_supported()), torch.cuda.get_device_name(0)


def hardware() -> Hardware:
    gpu, bf16, name = _probe()
    if not gpu:
        return Hardware(False)
    import torch  # deferred, as in _probe

    free, _total = torch.cuda.mem_get_info()
    return Hardware(True, free / 2**30, bf16, name)


def placement(requested: str | None = None) -> Placement:
    return choose_placement(requested, hardware())
