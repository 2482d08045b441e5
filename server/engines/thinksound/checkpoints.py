"""Reading ThinkSound's weight files without running code from them.

The official files are pickles (``torch.save``): ``thinksound_light.ckpt`` is a flat state dict
of the whole diffusion wrapper (``model.model.*`` network, ``pretransform.model.*`` VAE copy),
``vae.ckpt`` is a Lightning checkpoint whose ``state_dict`` holds ``autoencoder.*``. We only
ever read them with ``torch.load(weights_only=True)`` (or read safetensors). A Lightning
checkpoint may carry objects besides tensors (hyper-parameters, loop state); those globals are
mapped to an inert placeholder that records nothing and calls nothing, so loading stays safe.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from pathlib import Path

import torch
from safetensors.torch import load_file

from foleyline.errors import InvalidInput, NotFound

NETWORK_PREFIX = "model.model."
WRAPPER_VAE_PREFIX = "pretransform.model."
LIGHTNING_VAE_PREFIX = "autoencoder."

# Non-persistent buffers of the network; the reference loader drops them if a dict has them.
NON_PERSISTENT = ("latent_rot", "clip_rot", "t_embed.freqs")

StateDict = dict[str, torch.Tensor]


class _Inert:
    """Stands in for any non-tensor global found in a checkpoint (hyper-parameter objects,
    callbacks). It accepts whatever the pickle hands it and does nothing with it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def __setstate__(self, state: object) -> None:
        pass


def read_weights(path: Path) -> Mapping[str, object]:
    """The top-level mapping stored in ``path`` (.safetensors, or a torch pickle read with
    ``weights_only=True``). Large pickles are memory-mapped, so reading does not copy them."""
    path = Path(path)
    if not path.is_file():
        raise NotFound(f"weight file {path} does not exist; run `foleyline models pull thinksound`")
    if path.suffix == ".safetensors":
        return load_file(str(path))
    try:
        return _torch_load(path)
    except pickle.UnpicklingError:
        pass  # globals the safe unpickler refuses, or not a pickle at all: see below
    except (RuntimeError, EOFError, OSError) as err:
        raise InvalidInput(f"{path} is not a readable torch checkpoint ({err}); pull it again") from err
    # Replace every refused global with the inert placeholder and read again. Globals torch
    # blocks outright (os, subprocess...) still fail: such a file is refused, never run.
    try:
        unsafe = torch.serialization.get_unsafe_globals_in_checkpoint(str(path))
        with torch.serialization.safe_globals([(_Inert, name) for name in unsafe]):
            return _torch_load(path)
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError, ValueError) as err:
        raise InvalidInput(
            f"{path} cannot be read safely ({_reason(err)}); "
            "pull the file again, or convert it to .safetensors with a trusted tool"
        ) from err


def _reason(err: Exception) -> str:
    """The informative line of torch's long unpickling message."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    for line in lines:
        if "GLOBAL" in line or "Unsupported" in line:
            return line
    return lines[0] if lines else type(err).__name__


def _torch_load(path: Path) -> Mapping[str, object]:
    try:
        loaded = torch.load(str(path), map_location="cpu", weights_only=True, mmap=True)
    except RuntimeError as err:
        if "mmap" not in str(err):
            raise
        # Old (non-zip) serialisation cannot be memory-mapped.
        loaded = torch.load(str(path), map_location="cpu", weights_only=True)
    if not isinstance(loaded, Mapping):
        raise InvalidInput(f"{path} holds a {type(loaded).__name__}, not a state dict")
    return loaded


def strip_prefix(state: Mapping[str, object], prefix: str) -> StateDict:
    """The tensors whose key starts with ``prefix``, with the prefix removed."""
    return {
        key[len(prefix):]: value
        for key, value in state.items()
        if key.startswith(prefix) and isinstance(value, torch.Tensor)
    }


def network_state(path: Path) -> StateDict:
    """The ``MMmodule`` weights from ``thinksound_light.ckpt`` (or an un-prefixed file)."""
    state = read_weights(path)
    found = strip_prefix(state, NETWORK_PREFIX)
    if not found:
        # Un-prefixed dicts (the tiny fixtures, converted files) are used as they are.
        found = {k: v for k, v in state.items() if isinstance(v, torch.Tensor)
                 and not k.startswith(WRAPPER_VAE_PREFIX)}
    for name in NON_PERSISTENT:
        found.pop(name, None)
    if not found:
        raise InvalidInput(f"{path} holds no network weights (expected keys under {NETWORK_PREFIX!r})")
    return found


def vae_state(path: Path) -> StateDict:
    """The autoencoder weights in the reference's names, from ``vae.ckpt`` (Lightning layout,
    ``state_dict`` -> ``autoencoder.*``), from the VAE copy inside ``thinksound_light.ckpt``
    (``pretransform.model.*``), or from an un-prefixed file."""
    state = read_weights(path)
    inner = state.get("state_dict")
    if isinstance(inner, Mapping):
        found = strip_prefix(inner, LIGHTNING_VAE_PREFIX)
        if not found:
            raise InvalidInput(f"{path} is a Lightning checkpoint without {LIGHTNING_VAE_PREFIX!r} keys")
        return found
    found = strip_prefix(state, WRAPPER_VAE_PREFIX) or strip_prefix(state, LIGHTNING_VAE_PREFIX)
    if not found:
        found = {k: v for k, v in state.items() if isinstance(v, torch.Tensor)
                 and k.startswith(("encoder.", "decoder."))}
    if not found:
        raise InvalidInput(f"{path} holds no autoencoder weights (expected encoder./decoder. keys)")
    return found
