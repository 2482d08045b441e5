"""Parity checks of our engine implementations against reference fixtures.

A fixture is three files: a JSON config describing the reference constructor arguments, a
safetensors weights file and a safetensors "io" file with inputs (``in.*``), constants
(``const.*``) and reference outputs (``out.*``). ``run_parity`` picks the engine from the config
and returns, per output, the worst relative error ``max|ours − ref| / max|ref|`` against its
tolerance. ``foleyline models parity`` prints it and exits non-zero on any failure.

Which engine checks a fixture is the engine manifest's to say: each ``ParityFixture`` names the
config keys that identify its kind and the function that runs it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from foleyline.errors import InvalidInput, NotFound
from foleyline.server.engines.checkpoints import load_state_dict
from foleyline.server.engines.manifest import ParityFixture, engine_manifests, load_target

__all__ = [
    "OutputCheck", "ParityResult", "compare", "fixture_kind", "load_fixture_config", "read_io", "read_weights_file",
    "run_parity",
]


@dataclass(frozen=True)
class OutputCheck:
    name: str
    worst_relative_error: float
    tolerance: float
    max_abs_error: float
    reference_max_abs: float

    @property
    def passed(self) -> bool:
        return self.worst_relative_error <= self.tolerance


@dataclass
class ParityResult:
    fixture: str
    kind: str                      # e.g. "mmaudio network", "mmaudio vae+vocoder", "thinksound network"
    checks: list[OutputCheck] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def add(self, check: OutputCheck) -> None:
        self.checks.append(check)

    def format(self) -> str:
        lines = [f"{self.fixture} ({self.kind})"]
        width = max((len(c.name) for c in self.checks), default=10)
        for c in self.checks:
            mark = "ok  " if c.passed else "FAIL"
            lines.append(
                f"  {mark} {c.name:<{width}}  rel {c.worst_relative_error:.3e}  (tol {c.tolerance:.1e}, "
                f"max abs err {c.max_abs_error:.3e}, ref max {c.reference_max_abs:.3e})"
            )
        failed = sum(not c.passed for c in self.checks)
        lines.append(f"  {len(self.checks)} outputs compared, {failed} over tolerance")
        return "\n".join(lines)


def compare(name: str, ours: torch.Tensor, reference: torch.Tensor, tolerance: float) -> OutputCheck:
    """Worst relative error (to the reference's largest magnitude); shape mismatch fails.

    A reference stored in fp16/bf16 was rounded after it was computed, each value by up to half
    its dtype's epsilon of itself: that much is added to the tolerance (and reported with it)."""
    if reference.is_floating_point() and torch.finfo(reference.dtype).bits < 32:
        tolerance = tolerance + torch.finfo(reference.dtype).eps / 2
    if tuple(ours.shape) != tuple(reference.shape):
        return OutputCheck(name, float("inf"), tolerance, float("inf"), float(reference.abs().max()))
    ours64, ref64 = ours.detach().double().cpu(), reference.detach().double().cpu()
    err = float((ours64 - ref64).abs().max()) if ref64.numel() else 0.0
    scale = float(ref64.abs().max()) if ref64.numel() else 0.0
    rel = err / scale if scale > 0 else err
    if rel != rel:  # NaN never passes
        rel = float("inf")
    return OutputCheck(name, rel, tolerance, err, scale)


def read_weights_file(path: Path) -> dict[str, torch.Tensor]:
    """A fixture's weights in any form an engine reads (safetensors or a torch pickle, wrapped or
    prefixed as trainers save them), in the dtype stored: the modules' own load casts them."""
    return load_state_dict(Path(path))


def read_io(path: Path) -> dict[str, torch.Tensor]:
    """A fixture's io tensors. Floating inputs (``in.*``) become float32: a file stored in
    fp16/bf16 must not change the dtype our modules run in. References keep their stored dtype,
    so that ``compare`` allows for their rounding; a runner that feeds one to a module (a stored
    mel to the vocoder) casts it there."""
    tensors = load_state_dict(Path(path))
    return {k: v.float() if k.startswith("in.") and v.is_floating_point() else v for k, v in tensors.items()}


def load_fixture_config(path: Path) -> dict:
    if not path.is_file():
        raise NotFound(f"fixture config {path} does not exist")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"fixture config {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"fixture config {path} must hold a JSON object")
    return data


def fixture_kind(data: dict, config: Path) -> ParityFixture:
    """The manifest's fixture kind whose identifying keys the config holds."""
    known = [fixture for manifest in engine_manifests().values() for fixture in manifest.parity]
    matching = [fixture for fixture in known if all(key in data for key in fixture.config_keys)]
    if len(matching) == 1:
        return matching[0]
    if matching:
        raise InvalidInput(f"{config} matches several fixture kinds ({', '.join(f.kind for f in matching)}); "
                           "the engine manifest's parity keys must tell them apart")
    expected = " or ".join(f"{' + '.join(repr(key) for key in f.config_keys)} ({f.kind})" for f in known)
    raise InvalidInput(f"{config} is not a fixture config this version knows: expected {expected}")


def run_parity(config: Path, weights: Sequence[Path], io: Path) -> ParityResult:
    """Check one fixture with the engine that the manifest says checks its kind."""
    data = load_fixture_config(config)
    if not io.is_file():
        raise NotFound(f"fixture io file {io} does not exist")
    for w in weights:
        if not w.is_file():
            raise NotFound(f"weights file {w} does not exist")
    runner = load_target(fixture_kind(data, config).runner)
    return runner(config, data, weights, io)
