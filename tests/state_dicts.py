"""Comparing a module's state_dict layout with a reference manifest's (the engines' manifest
tests): key -> shape, and a comparison that names what is missing, extra or misshapen; and
random weights for the fixtures the tests build of other sizes."""

from __future__ import annotations

import torch

__all__ = ["assert_same_layout", "layout", "manifest_layout", "randomised"]


def layout(module: torch.nn.Module) -> dict[str, list[int]]:
    return {k: list(v.shape) for k, v in module.state_dict().items()}


def manifest_layout(entries) -> dict[str, list[int]]:
    """From a manifest's ``[[key, shape, dtype], ...]`` list."""
    return {key: list(shape) for key, shape, _dtype in entries}


def assert_same_layout(ours: dict, ref: dict) -> None:
    assert sorted(set(ref) - set(ours)) == [], "missing keys"
    assert sorted(set(ours) - set(ref)) == [], "unexpected keys"
    assert {k: (ours[k], ref[k]) for k in ref if ours[k] != ref[k]} == {}


def randomised(module: torch.nn.Module, seed: int, std: float) -> torch.nn.Module:
    """``module`` with every parameter drawn from N(0, std²) under ``seed``, in eval mode (the
    references' initialisers zero the output layers, which would make every output zero)."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.normal_(std=std)
    return module.eval()
