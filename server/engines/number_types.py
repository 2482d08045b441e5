"""The one rule for the number type a network computes in, by device (no torch import: the
drafting models' placement reads it before deciding to load torch).

A GPU runs bfloat16, or float16 on a GPU without bf16 (before Ampere); a CPU runs float32, since
bf16 matrix products on a CPU are slow or missing, and the reference fixtures are float32.
"""

from __future__ import annotations

__all__ = ["dtype_name"]


def dtype_name(device_type: str, bf16: bool) -> str:
    """"bfloat16", "float16" or "float32": a torch dtype's name, for ``device_type`` ("cuda",
    "cpu", ...) whose hardware has (``bf16``) bfloat16 arithmetic or not."""
    if device_type == "cuda":
        return "bfloat16" if bf16 else "float16"
    return "float32"
