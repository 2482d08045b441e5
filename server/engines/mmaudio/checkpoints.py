"""Reading weight files safely: safetensors, or ``torch.load(weights_only=True)`` (never pickle
code execution)."""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import load_file

from foleyline.errors import InvalidInput, NotFound

__all__ = ["load_state_dict"]


def load_state_dict(path: Path, *, key: str | None = None) -> dict[str, torch.Tensor]:
    """The tensors in ``path``; ``key`` selects a nested dict (e.g. "generator") when present."""
    if not path.is_file():
        raise NotFound(f"weights file {path} does not exist")
    try:
        if path.suffix == ".safetensors":
            data: object = load_file(str(path))
        else:
            data = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except Exception as exc:
        raise InvalidInput(f"could not read weights file {path}: {exc}. Re-download it with `foleyline models pull`.") from exc
    if key is not None and isinstance(data, dict) and isinstance(data.get(key), dict):
        data = data[key]
    if not isinstance(data, dict) or not all(isinstance(v, torch.Tensor) for v in data.values()):
        raise InvalidInput(f"{path} does not hold a plain state dict of tensors")
    return data  # type: ignore[return-value]
