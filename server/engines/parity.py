"""Parity checks of our engine implementations against reference fixtures.

A fixture is three files: a JSON config describing the reference constructor arguments, a
safetensors weights file and a safetensors "io" file with inputs (``in.*``), constants
(``const.*``) and reference outputs (``out.*``). ``run_parity`` picks the engine from the config
and returns, per output, the worst relative error ``max|ours − ref| / max|ref|`` against its
tolerance. ``foleyline models parity`` prints it and exits non-zero on any failure.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from foleyline.errors import InvalidInput, NotFound

__all__ = ["OutputCheck", "ParityResult", "compare", "load_fixture_config", "run_parity"]


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
    """Worst relative error (to the reference's largest magnitude); shape mismatch fails."""
    if tuple(ours.shape) != tuple(reference.shape):
        return OutputCheck(name, float("inf"), tolerance, float("inf"), float(reference.abs().max()))
    ours64, ref64 = ours.detach().double().cpu(), reference.detach().double().cpu()
    err = float((ours64 - ref64).abs().max()) if ref64.numel() else 0.0
    scale = float(ref64.abs().max()) if ref64.numel() else 0.0
    rel = err / scale if scale > 0 else err
    if rel != rel:  # NaN never passes
        rel = float("inf")
    return OutputCheck(name, rel, tolerance, err, scale)


def load_fixture_config(path: Path) -> dict:
    if not path.is_file():
        raise NotFound(f"fixture config {path} does not exist")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"fixture config {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"fixture config {path} must hold a JSON object")
    return data


def run_parity(config: Path, weights: Sequence[Path], io: Path) -> ParityResult:
    """Dispatch on the fixture config: HunyuanVideo-Foley configs name their reference repo;
    ThinkSound configs carry ``mmmodule_constructor_args``; MMAudio network configs
    ``constructor_args``; VAE+vocoder chain configs ``vae``/``vocoder``."""
    data = load_fixture_config(config)
    if not io.is_file():
        raise NotFound(f"fixture io file {io} does not exist")
    for w in weights:
        if not w.is_file():
            raise NotFound(f"weights file {w} does not exist")
    if _is_hunyuan_foley(data):
        from foleyline.server.engines.hunyuan_foley.parity import run_parity as hunyuan_parity

        return hunyuan_parity(config, data, weights, io)
    if "mmmodule_constructor_args" in data:
        from foleyline.server.engines.thinksound.parity import run_parity as thinksound_parity

        return thinksound_parity(config, weights[0] if weights else None, io)
    from foleyline.server.engines.mmaudio import parity as mmaudio_parity

    if "constructor_args" in data:
        return mmaudio_parity.run_network_parity(config, data, weights, io)
    if "vae" in data and "vocoder" in data:
        return mmaudio_parity.run_chain_parity(config, data, weights, io)
    raise InvalidInput(
        f"{config} is not a fixture config this version knows: expected 'mmmodule_constructor_args' "
        "(ThinkSound), 'constructor_args' (MMAudio network), 'vae' + 'vocoder' (MMAudio decoder chain) "
        "or a HunyuanVideo-Foley reference"
    )


def _is_hunyuan_foley(data: dict) -> bool:
    reference = data.get("reference")
    repo = reference.get("repo", "") if isinstance(reference, dict) else ""
    return "HunyuanVideo-Foley" in str(repo) or "constructor_model_config" in data
