"""Checkpoints saved with weight normalisation, read into plain convolution weights.

A weight-normed layer stores g and v and computes w = g · v / ‖v‖, the norm taken over every
axis but 0 (for a transposed convolution axis 0 is the input-channel axis, so the same rule
holds). Folding once at load time gives the same function with one tensor per layer. Both
spellings torch has used are read: the legacy hook (``weight_g``/``weight_v``) and the
parametrization (``parametrizations.weight.original0``/``original1``). The folded weight is
float32 whatever the file stored; loading copies it into the module's dtype.
"""

from __future__ import annotations

import torch

from foleyline.errors import InvalidInput

__all__ = ["fold_weight_norm"]

_SPELLINGS = ((".weight_g", ".weight_v"), (".parametrizations.weight.original0", ".parametrizations.weight.original1"))


def fold_weight_norm(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Replace weight-norm pairs by plain ``.weight`` tensors; other entries pass unchanged."""
    out: dict[str, torch.Tensor] = {}
    pairs: dict[str, dict[str, torch.Tensor]] = {}
    for key, value in state_dict.items():
        for g_suffix, v_suffix in _SPELLINGS:
            if key.endswith(g_suffix):
                pairs.setdefault(key[: -len(g_suffix)], {})["g"] = value
                break
            if key.endswith(v_suffix):
                pairs.setdefault(key[: -len(v_suffix)], {})["v"] = value
                break
        else:
            out[key] = value
    for prefix, pair in pairs.items():
        if set(pair) != {"g", "v"}:
            raise InvalidInput(f"weight-norm pair for {prefix!r} is incomplete in the checkpoint")
        g, v = pair["g"].float(), pair["v"].float()
        if g.numel() != v.shape[0]:
            raise InvalidInput(f"weight-norm pair for {prefix!r}: g has {g.numel()} values for {v.shape[0]} "
                               f"slices of v (g {tuple(g.shape)}, v {tuple(v.shape)})")
        norm = torch.linalg.vector_norm(v, dim=list(range(1, v.ndim)), keepdim=True)
        # float32 whatever the file stored: a half-precision g·v/‖v‖ would round twice
        out[prefix + ".weight"] = g.reshape(norm.shape) * (v / norm)
    return out


def as_legacy_weight_norm(state_dict: dict[str, torch.Tensor], layers: set[str]) -> dict[str, torch.Tensor]:
    """The other direction, for modules that keep weight norm (diffusers' Oobleck): each of
    ``layers`` (key prefixes) in ``weight_g``/``weight_v`` form, from either weight-norm spelling
    or from a plain ``.weight`` (g = ‖w‖ over every axis but 0 and v = w give w back exactly)."""
    out = dict(state_dict)
    for prefix in layers:
        g_new, v_new = _SPELLINGS[1]
        if prefix + g_new in out and prefix + v_new in out:
            out[prefix + ".weight_g"] = out.pop(prefix + g_new)
            out[prefix + ".weight_v"] = out.pop(prefix + v_new)
        elif prefix + ".weight" in out and prefix + ".weight_g" not in out:
            w = out.pop(prefix + ".weight")
            norm = torch.linalg.vector_norm(w.float(), dim=list(range(1, w.ndim)), keepdim=True)
            out[prefix + ".weight_g"], out[prefix + ".weight_v"] = norm, w
    return out
