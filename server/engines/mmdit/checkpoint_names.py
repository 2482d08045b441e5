"""Let a shared block carry another checkpoint family's parameter names.

Two model families may compute a block identically but name its parts differently (MMAudio's
``adaLN_modulation.1`` is HunyuanVideo-Foley's ``modulation.linear``). Rather than keep a second
copy of the block, the family registers its names: ``state_dict()`` then writes them and
``load_state_dict()`` reads them, while the module itself stays the shared one.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import nn

__all__ = ["use_checkpoint_names"]


def _rename(state_dict: dict[str, torch.Tensor], prefix: str, pairs: Mapping[str, str]) -> None:
    """In place: keys ``prefix + old + rest`` become ``prefix + new + rest`` for each old -> new."""
    for old, new in pairs.items():
        head = prefix + old
        for key in [k for k in state_dict if k == head or k.startswith(head + ".")]:
            state_dict[prefix + new + key[len(head):]] = state_dict.pop(key)


def use_checkpoint_names(module: nn.Module, names: Mapping[str, str]) -> None:
    """``names`` maps a checkpoint name (relative to ``module``) to the attribute path that holds
    it, e.g. ``{"modulation.linear": "adaLN_modulation.1"}``."""
    to_checkpoint = {attr: ckpt for ckpt, attr in names.items()}

    def save(_module: nn.Module, state_dict: dict, prefix: str, _meta: object) -> None:
        _rename(state_dict, prefix, to_checkpoint)

    def load(_module: nn.Module, state_dict: dict, prefix: str, *_args: object) -> None:
        _rename(state_dict, prefix, names)

    module.register_state_dict_post_hook(save)
    module.register_load_state_dict_pre_hook(load)
