"""ThinkSound's sampler: the shared Euler loop run from t = 1 (noise) to t = 0 (data), with the
conditions projected once and the CFG batch [conditional; unconditional] reused at every step.
Equal, to float32 rounding, to the reference's ``sample_discrete_euler`` (which re-projects the
conditions at each call)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import torch

from foleyline.server.engines.mmdit import euler_sample, euler_times
from foleyline.server.engines.thinksound.modeling_thinksound import ThinkSoundNetwork

__all__ = ["DEFAULT_CFG_SCALE", "DEFAULT_STEPS", "sample_latent"]

DEFAULT_STEPS = 24
DEFAULT_CFG_SCALE = 5.0


@torch.no_grad()
def sample_latent(
    network: ThinkSoundNetwork,
    noise: torch.Tensor,
    *,
    clip_f: torch.Tensor,
    sync_f: torch.Tensor,
    text_f: torch.Tensor,
    t5_f: torch.Tensor,
    steps: int = DEFAULT_STEPS,
    cfg_scale: float = DEFAULT_CFG_SCALE,
    trajectory: list[torch.Tensor] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> torch.Tensor:
    """The final latent (B, 64, N) from ``noise`` (B, 64, N), channel-first like the VAE."""
    weight = next(network.parameters())
    dtype, device = weight.dtype, weight.device
    inputs = [f.to(device, dtype) for f in (clip_f, sync_f, text_f, t5_f)]
    noise = noise.to(device)
    if cfg_scale == 1.0:
        cond = network.preprocess_conditions(*inputs)
    else:
        cond = network.cfg_conditions(*inputs)

    def velocity(t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        # t stays float32 (the timestep phases need it); the network may run in bf16
        v = network.velocity(x.to(dtype), t.to(device).expand(x.shape[0]), cond, cfg_scale)
        return v.to(x.dtype)

    times = euler_times(steps, start=1.0, end=0.0)
    return euler_sample(velocity, noise, times, trajectory=trajectory, progress=progress, cancel=cancel)
