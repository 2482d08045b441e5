"""Comparing a module's state_dict layout with a reference manifest's (the engines' manifest
tests): key -> shape, and a comparison that names what is missing, extra or misshapen."""

from __future__ import annotations

import torch

__all__ = ["assert_same_layout", "layout", "manifest_layout"]


def layout(module: torch.nn.Module) -> dict[str, list[int]]:
    return {k: list(v.shape) for k, v in module.state_dict().items()}


def manifest_layout(entries) -> dict[str, list[int]]:
    """From a manifest's ``[[key, shape, dtype], ...]`` list."""
    return {key: list(shape) for key, shape, _dtype in entries}


def assert_same_layout(ours: dict, ref: dict) -> None:
    assert sorted(set(ref) - set(ours)) == [], "missing keys"
    assert sorted(set(ours) - set(ref)) == [], "unexpected keys"
    assert {k: (ours[k], ref[k]) for k in ref if ours[k] != ref[k]} == {}
