"""Reading weight files, whatever wrapping the trainer gave them, and checking that they fit.

Every engine reads its files here, so an official checkpoint and a converted or re-saved one
load alike:

- ``.safetensors``, or a torch pickle (``.pth``/``.pt``/``.ckpt``/``.bin``) read with
  ``weights_only=True``: no code from a file ever runs. Lightning checkpoints carry objects
  besides tensors (hyper-parameters, loop state); those globals become an inert placeholder.
- ``state_dict_of`` finds the tensors inside the wrappers trainers add: a top-level
  ``state_dict`` / ``ema`` / ``model`` / ``module`` / ``generator`` mapping, and a ``module.``
  (DataParallel, DDP, AveragedModel) or ``_orig_mod.`` (torch.compile) prefix on every key.
  Family prefixes that are a real layout (ThinkSound's ``model.model.``) are the engines' own.
- ``fit_report`` says which keys are missing, unexpected or misshapen (expected and actual
  shapes); ``naming(path)`` puts the file's name in front of any load error raised inside it.

The tensors keep the dtype they were stored in (fp16/bf16 files load into float32 modules by
``load_state_dict``'s copy, and into the compute dtype the engines cast to): a 5 B parameter
bf16 file is never widened on the CPU as a whole.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import torch
from safetensors.torch import load_file

from foleyline.errors import InvalidInput, NotFound

__all__ = ["StateDict", "fit_report", "load_state_dict", "naming", "read_weights", "state_dict_of"]

StateDict = dict[str, torch.Tensor]

# Wrapping keys, in the order they are preferred when a file holds several (EMA weights are the
# ones a trainer means for inference).
WRAPPER_KEYS = ("state_dict", "ema", "model_ema", "ema_model", "model", "weights", "module", "generator", "net")
# Prefixes a training wrapper puts on every key; stripped only when every key has one.
WRAPPER_PREFIXES = ("module.", "_orig_mod.")
# Bookkeeping entries of torch.optim.swa_utils.AveragedModel, not weights.
BOOKKEEPING_KEYS = ("n_averaged",)


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
        raise NotFound(f"weights file {path} does not exist; run `foleyline models pull`")
    if path.suffix == ".safetensors":
        try:
            return load_file(str(path))
        except Exception as err:  # safetensors raises its own error types
            raise InvalidInput(f"{path} is not a readable safetensors file ({err}); pull it again") from err
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


def _tensors(mapping: Mapping[str, object]) -> StateDict:
    return {k: v for k, v in mapping.items() if isinstance(v, torch.Tensor)}


def state_dict_of(data: Mapping[str, object], *, source: object = "the checkpoint",
                  key: str | None = None) -> StateDict:
    """The weights inside ``data``: ``key`` first when given (a family's own wrapper, e.g.
    BigVGAN's ``generator``), else the first of ``WRAPPER_KEYS`` that holds a mapping, as long as
    the level itself holds no tensors; then the wrapper prefixes are stripped."""
    node: Mapping[str, object] = data
    for _depth in range(4):  # e.g. {"state_dict": {"ema": {...}}}; a cycle cannot go on forever
        if key is not None and isinstance(node.get(key), Mapping):
            node = node[key]  # type: ignore[assignment]
            continue
        if _tensors(node):
            break
        inner = next((node[k] for k in WRAPPER_KEYS if isinstance(node.get(k), Mapping)), None)
        if inner is None:
            break
        node = inner  # type: ignore[assignment]
    state = _tensors(node)
    if not state:
        raise InvalidInput(f"{source} holds no tensors (top-level keys: {sorted(map(str, data))[:8]})")
    for prefix in WRAPPER_PREFIXES:
        weights = [k for k in state if k not in BOOKKEEPING_KEYS]
        if weights and all(k.startswith(prefix) for k in weights):
            state = {k[len(prefix):]: v for k, v in state.items() if k not in BOOKKEEPING_KEYS}
    return state


def load_state_dict(path: Path, *, key: str | None = None) -> StateDict:
    """The weights in ``path``, unwrapped (``state_dict_of``)."""
    return state_dict_of(read_weights(path), source=path, key=key)


def fit_report(expected: Mapping[str, torch.Tensor | torch.Size | tuple], given: Mapping[str, torch.Tensor],
               *, limit: int = 5) -> str | None:
    """None when ``given`` has exactly ``expected``'s keys and shapes; else one sentence naming
    the missing and unexpected keys and each misshapen key with its expected and actual shape."""
    def shape(value: object) -> tuple[int, ...]:
        return tuple(value.shape) if isinstance(value, torch.Tensor) else tuple(value)  # type: ignore[arg-type]

    missing = sorted(set(expected) - set(given))
    unexpected = sorted(set(given) - set(expected))
    wrong = [f"{k} expected {shape(expected[k])} got {shape(given[k])}"
             for k in expected if k in given and shape(given[k]) != shape(expected[k])]
    if not (missing or unexpected or wrong):
        return None

    def listed(label: str, items: list[str]) -> str:
        more = f" and {len(items) - limit} more" if len(items) > limit else ""
        return f"{len(items)} {label} ({', '.join(items[:limit])}{more})"

    parts = [listed(label, items) for label, items in
             (("missing", missing), ("unexpected", unexpected), ("with the wrong shape", wrong)) if items]
    return "; ".join(parts)


@contextmanager
def naming(path: Path) -> Iterator[None]:
    """Inside, an ``InvalidInput`` about the weights gets the file's path in front."""
    try:
        yield
    except InvalidInput as err:
        if str(path) in str(err):
            raise
        raise InvalidInput(f"{path}: {err}") from err
