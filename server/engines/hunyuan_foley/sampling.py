"""Euler flow-matching sampling with classifier-free guidance, as the reference's
``denoise_process`` with the release scheduler (shift 1, reversed, Euler):

σ runs over the float32 grid ``linspace(1, 0, steps + 1)`` (noise to data); the network sees
t = 1000·σ. Each step makes ONE network call on the batch [unconditional; conditional] (the
learned empty visual/sync features with the negative prompt's text; the real features with the
prompt), splits it, guides with ``v_u + s·(v_c − v_u)`` in float32 and steps by σ_{k+1} − σ_k.
A guidance scale ≤ 1 skips the unconditional half. The final latent goes to the VAE unscaled.

The latent state stays float32 whatever the network's dtype (the reference keeps its latents
float32 and runs the network under autocast).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import torch

from foleyline.server.engines.hunyuan_foley.modeling_hunyuan_foley import HunyuanConditions, HunyuanFoleyModel
from foleyline.server.engines.mmdit import cfg_combine, euler_sample, euler_times

__all__ = ["DEFAULT_GUIDANCE", "DEFAULT_NEGATIVE_PROMPT", "DEFAULT_STEPS", "guided_velocity", "sample_latent"]

DEFAULT_STEPS = 50
DEFAULT_GUIDANCE = 4.5
DEFAULT_NEGATIVE_PROMPT = "noisy, harsh"
TIME_SCALE = 1000.0


def guided_velocity(
    model: HunyuanFoleyModel,
    x: torch.Tensor,
    t: torch.Tensor,
    cond: HunyuanConditions,
    uncond: HunyuanConditions | None,
    guidance: float,
) -> torch.Tensor:
    """The guided velocity (float32) for latents x (B, C, N) at model times t (0-d or (B,),
    0…1000): one network call on [x; x] with [uncond; cond]."""
    dtype = next(model.parameters()).dtype
    t = t.float().to(x.device).expand(len(x))  # stays float32: the timestep phases need it
    if guidance <= 1.0 or uncond is None:
        return model.velocity(x.to(dtype), t, cond).float()
    v = model.velocity(torch.cat([x, x]).to(dtype), torch.cat([t, t]), HunyuanConditions.concat(uncond, cond)).float()
    v_uncond, v_cond = v.chunk(2)
    return cfg_combine(v_cond, v_uncond, guidance, form="offset")


def sample_latent(
    model: HunyuanFoleyModel,
    noise: torch.Tensor,
    cond: HunyuanConditions,
    uncond: HunyuanConditions | None,
    *,
    steps: int = DEFAULT_STEPS,
    guidance: float = DEFAULT_GUIDANCE,
    trajectory: list[torch.Tensor] | None = None,
    velocities: list[torch.Tensor] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> torch.Tensor:
    """Integrate from ``noise`` (B, C, N) at σ = 1 to the data latent at σ = 0 (float32).

    ``trajectory`` receives the latent handed to the network at each step, ``velocities`` the
    guided velocity of each step. Raises ``foleyline.errors.Cancelled`` when ``cancel`` is set.
    """

    def fn(sigma: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        v = guided_velocity(model, x, sigma * TIME_SCALE, cond, uncond, guidance)
        if velocities is not None:
            velocities.append(v)
        return v

    sigmas = euler_times(steps, start=1.0, end=0.0)
    return euler_sample(fn, noise.float(), sigmas, trajectory=trajectory, progress=progress, cancel=cancel)
