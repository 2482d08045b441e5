"""A ball bouncing: the one sound a court makes that no other model does.

An inflated ball meeting a hard floor gives a click of the contact, the floor's low thump, and
the ball's own ring: the air inside and the shell resonate for a few tens of milliseconds, low
and long for a big ball (a basketball's "doing", about 1 kHz), high and short for a small hard
one (a ping-pong ball's "tick", a few kHz). Its size sets both.
"""

from __future__ import annotations

import numpy as np

from ..dsp import SAMPLE_RATE, decay_env, highpass, lowpass, place, white
from .base import SoundModel, SoundParams, finish


def render_bounce(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    n = int((0.15 + 0.25 * params.size) * SAMPLE_RATE)
    t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
    ring_hz = (3200.0 - 3000.0 * params.size) * float(rng.uniform(0.93, 1.07))
    ring_tau = 0.008 + 0.045 * params.size
    out = np.sin(2.0 * np.pi * ring_hz * t + float(rng.uniform(0, 2 * np.pi))) * np.exp(-t / ring_tau)
    # The floor's thump, heavier under a heavier ball.
    thump_hz = (220.0 - 140.0 * params.size) * float(rng.uniform(0.9, 1.1))
    out += (0.4 + 0.8 * params.size) * np.sin(2.0 * np.pi * thump_hz * t) * np.exp(-t / (0.01 + 0.02 * params.size))
    click = int(0.002 * SAMPLE_RATE)
    out[:click] += (0.3 + 0.7 * params.hardness) * highpass(white(rng, click), 2000.0)
    out = out.astype(np.float32)
    # The court: one reflection off the nearest wall, duller than the bounce.
    place(out, lowpass(out[: n // 2], 2500.0, order=1) * decay_env(n // 2, 0.03), float(rng.uniform(0.02, 0.05)),
          gain=0.2)
    return finish(out, params, strength, peak=0.7, strength_floor=0.35, fade_s=0.01)


SPORT_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "ball_bounce", "oneshot",
        "a ball bouncing: a basketball dribbled on a court, a tennis ball bounced, a ping-pong ball",
        # not "ball" alone: a ball kicked is a body's hit, a billiard ball a clack
        ("bounce", "bounces", "bouncing", "bounced", "dribble", "dribbles", "dribbling", "dribbled", "basketball",
         "tennis", "volleyball", "ping pong", "pingpong", "table tennis", "squash", "racquetball", "handball"),
        render_bounce, SoundParams(size=0.6, hardness=0.6, intensity=0.65, distance=0.1),
        # a ball thrown, caught or kicked reads near a bounce to the embedding, and is none
        happens=("bounce", "bounces", "bouncing", "bounced", "dribble", "dribbles", "dribbling", "dribbled", "hit",
                 "hits", "rally", "volley", "serve", "pock"),
        ucs=("SPRTCourt",),
    ),
)
