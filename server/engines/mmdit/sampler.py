"""Euler flow-matching sampler. It knows nothing of the network: it integrates any ``fn(t, x)``.

MMAudio runs time 0 (noise) → 1 (data); ThinkSound runs 1 (noise) → 0 (data). Both are the same
loop over a float32 grid with step ``t[k+1] − t[k]`` (negative for the reversed direction).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Literal

import torch

from foleyline.errors import Cancelled

__all__ = ["cfg_combine", "euler_sample", "euler_times"]

VelocityFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def euler_times(num_steps: int, *, start: float = 0.0, end: float = 1.0) -> torch.Tensor:
    """The float32 grid ``linspace(start, end, num_steps + 1)``."""
    if num_steps < 1:
        raise ValueError(f"the sampler needs at least one step, got {num_steps=}")
    return torch.linspace(start, end, num_steps + 1, dtype=torch.float32)


def euler_sample(
    fn: VelocityFn,
    x0: torch.Tensor,
    times: torch.Tensor,
    *,
    trajectory: list[torch.Tensor] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> torch.Tensor:
    """Integrate dx/dt = fn(t, x) from ``times[0]`` to ``times[-1]`` with explicit Euler steps.

    ``t`` is handed to ``fn`` as a 0-d float32 tensor. ``trajectory`` (when given) receives the
    state passed to ``fn`` at each step; ``progress(done, total)`` is called after each step.
    A set ``cancel`` event stops it between two steps with ``foleyline.errors.Cancelled``.
    """
    x = x0
    steps = len(times) - 1
    for k in range(steps):
        if cancel is not None and cancel.is_set():
            raise Cancelled("sampling was cancelled")
        t, t_next = times[k], times[k + 1]
        if trajectory is not None:
            trajectory.append(x)
        v = fn(t, x)
        x = x + (t_next - t).to(x.dtype) * v
        if progress is not None:
            progress(k + 1, steps)
    return x


def cfg_combine(
    v_cond: torch.Tensor, v_uncond: torch.Tensor, strength: float, *, form: Literal["weighted", "offset"] = "weighted"
) -> torch.Tensor:
    """Classifier-free guidance. "weighted" is MMAudio's ``s·v_c + (1 − s)·v_u``, "offset"
    HunyuanVideo-Foley's ``v_u + s·(v_c − v_u)``; each is evaluated exactly so, because the two
    algebraically equal forms differ in float32 by ~1e-6. Strength < 1 returns v_c."""
    if strength < 1.0:
        return v_cond
    if form == "offset":
        return v_uncond + strength * (v_cond - v_uncond)
    return strength * v_cond + (1 - strength) * v_uncond
