"""What the step benchmarks need to time a reference implementation from a checkout the user
names (``--upstream DIR``): importing its network module from DIR, and handing it our weights.

Only the benchmarks import a checkout, and only when asked: the product never does. Imported by
the benchmark scripts as a sibling module (they run as ``python benchmarks/X.py``).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import torch
from torch import nn

__all__ = ["WeightMismatch", "import_from_checkout", "parity_tolerance", "share_into", "timestep_table",
           "transfer_weights"]

REPO = Path(__file__).resolve().parents[1]


class WeightMismatch(RuntimeError):
    """Our state dict and the reference network's differ in a name or a shape."""


def import_from_checkout(checkout: str | Path, module: str) -> ModuleType:
    """``module`` (e.g. ``mmaudio.model.networks``) imported from the checkout at ``checkout``,
    which goes first on ``sys.path``. A missing package the checkout itself needs is named."""
    root = Path(checkout).expanduser().resolve()
    top = module.split(".")[0]
    if not (root / top).is_dir():
        raise SystemExit(f"--upstream {checkout}: no {top}/ package there; point it at the checkout's root "
                         f"(the folder holding {top}/)")
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name and error.name.split(".")[0] == top:
            raise SystemExit(f"--upstream {checkout}: {error.name} is missing from the checkout") from error
        raise SystemExit(f"--upstream {checkout}: the reference code needs the package {error.name!r}, which is "
                         f"not installed here; install it (pip install {error.name}) or put it on PYTHONPATH") from error


def transfer_weights(ours: nn.Module, theirs: nn.Module, *, share: bool = False) -> int:
    """Load our parameters and persistent buffers into ``theirs`` by name, strictly; with
    ``share`` ``theirs`` takes our very tensors (no copy: it may be built on the meta device).

    A checkpoint that fits one fits the other only if every name and shape agree, so any name
    only one side has, or any shape that differs, is listed in ``WeightMismatch``. Returns the
    number of tensors transferred."""
    source, target = ours.state_dict(), theirs.state_dict()
    only_ours = sorted(set(source) - set(target))
    only_theirs = sorted(set(target) - set(source))
    shapes = [f"{name}: ours {tuple(source[name].shape)}, reference {tuple(target[name].shape)}"
              for name in source if name in target and source[name].shape != target[name].shape]
    if only_ours or only_theirs or shapes:
        lines = [f"only in ours: {name}" for name in only_ours]
        lines += [f"only in the reference: {name}" for name in only_theirs]
        lines += [f"shape differs: {line}" for line in shapes]
        raise WeightMismatch("our weights do not fit the reference network:\n  " + "\n  ".join(lines))
    theirs.load_state_dict(source, strict=True, assign=share)
    return len(source)


def share_into(build: Callable[[], nn.Module], ours: nn.Module) -> nn.Module:
    """The reference network ``build()`` makes, built on the meta device (no memory, none of its
    weight initialisation) and then given our very tensors by name, strictly (``transfer_weights``,
    ``share``). Its non-persistent tables are still on the meta device: the caller rebuilds
    them with the reference's own code (``timestep_table`` and its rotary tables)."""
    with torch.device("meta"):
        theirs = build()
    transfer_weights(ours, theirs, share=True)
    return theirs


def timestep_table(t_embed: nn.Module) -> torch.Tensor:
    """The frequency table of a reference ``TimestepEmbedder(dim, frequency_embedding_size,
    max_period)``, computed by a fresh one of the same class (on the CPU)."""
    with torch.device("cpu"):
        return type(t_embed)(t_embed.dim, t_embed.mlp[0].in_features, t_embed.max_period).freqs


def parity_tolerance() -> float:
    """The tests' tolerance for network activations against a reference, relative to the
    reference's largest magnitude (``ACTIVATION`` in tests/tolerances.py: read, not restated)."""
    spec = importlib.util.spec_from_file_location("_tolerances", REPO / "tests" / "tolerances.py")
    assert spec is not None and spec.loader is not None
    tolerances = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tolerances)
    return float(tolerances.ACTIVATION)
