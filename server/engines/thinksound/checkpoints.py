"""Where ThinkSound's weights sit inside its files.

The official files are pickles (``torch.save``): ``thinksound_light.ckpt`` is a flat state dict
of the whole diffusion wrapper (``model.model.*`` network, ``pretransform.model.*`` VAE copy),
``vae.ckpt`` is a Lightning checkpoint whose ``state_dict`` holds ``autoencoder.*``. Reading
(safely) and unwrapping trainer wrappers is ``engines.checkpoints``'s; this module only knows
the family's own prefixes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch

from foleyline.errors import InvalidInput
from foleyline.server.engines.checkpoints import StateDict, read_weights, state_dict_of

__all__ = ["network_state", "network_weights", "strip_prefix", "vae_state", "vae_weights"]

NETWORK_PREFIX = "model.model."
WRAPPER_VAE_PREFIX = "pretransform.model."
LIGHTNING_VAE_PREFIX = "autoencoder."

# Non-persistent buffers of the network; the reference loader drops them if a dict has them.
NON_PERSISTENT = ("latent_rot", "clip_rot", "t_embed.freqs")


def strip_prefix(state: Mapping[str, object], prefix: str) -> StateDict:
    """The tensors whose key starts with ``prefix``, with the prefix removed."""
    return {
        key[len(prefix):]: value
        for key, value in state.items()
        if key.startswith(prefix) and isinstance(value, torch.Tensor)
    }


def network_weights(state: Mapping[str, torch.Tensor], *, source: object = "the checkpoint") -> StateDict:
    """The ``MMmodule`` weights of an unwrapped state dict: under ``model.model.`` (the
    release), else the un-prefixed keys that are not the VAE copy (fixtures, converted files)."""
    found = strip_prefix(state, NETWORK_PREFIX)
    if not found:
        found = {k: v for k, v in state.items() if not k.startswith((WRAPPER_VAE_PREFIX, LIGHTNING_VAE_PREFIX))}
    for name in NON_PERSISTENT:
        found.pop(name, None)
    if not found:
        raise InvalidInput(f"{source} holds no network weights (expected keys under {NETWORK_PREFIX!r})")
    return found


def vae_weights(state: Mapping[str, torch.Tensor], *, source: object = "the checkpoint") -> StateDict:
    """The autoencoder weights in the reference's names: under ``autoencoder.`` (``vae.ckpt``),
    ``pretransform.model.`` (the copy inside ``thinksound_light.ckpt``), or un-prefixed."""
    found = strip_prefix(state, LIGHTNING_VAE_PREFIX) or strip_prefix(state, WRAPPER_VAE_PREFIX)
    if not found:
        found = {k: v for k, v in state.items() if k.startswith(("encoder.", "decoder."))}
    if not found:
        raise InvalidInput(f"{source} holds no autoencoder weights (expected encoder./decoder. keys)")
    return found


def network_state(path: Path) -> StateDict:
    """The ``MMmodule`` weights from ``thinksound_light.ckpt`` (or an un-prefixed file)."""
    return network_weights(state_dict_of(read_weights(path), source=path), source=path)


def vae_state(path: Path) -> StateDict:
    """The autoencoder weights from ``vae.ckpt``, ``thinksound_light.ckpt`` or an un-prefixed file."""
    return vae_weights(state_dict_of(read_weights(path), source=path), source=path)
