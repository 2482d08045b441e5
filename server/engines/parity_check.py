"""One parity check: our output against a reference fixture's, as the worst relative error
``max|ours - ref| / max|ref|`` against a tolerance, and the result of a run over a fixture.
The engine parity modules (``mmaudio.parity``, ``thinksound.parity``) fill these; the
dispatcher ``foleyline.server.engines.parity`` picks the module for a fixture.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import torch

from foleyline.errors import InvalidInput, NotFound

__all__ = ["OutputCheck", "ParityResult", "compare", "load_fixture_config"]


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
