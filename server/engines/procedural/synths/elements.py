"""Water and fire: textures built from many small events (bubbles, crackles) over a noise bed."""

from __future__ import annotations

import numpy as np

from ..dsp import (
    SAMPLE_RATE,
    bandpass,
    distance_filter,
    env_at,
    lowpass,
    place_many,
    scatter_times,
    slow_curve,
    upsample,
    white,
)
from .base import SoundModel, SoundParams
from .cloth import grain_bank


def bubble(rng: np.random.Generator, freq: float, tau: float | None = None) -> np.ndarray:
    """A bubble: a sinusoid whose pitch rises as it resonates, decaying in tens of ms (Minnaert).
    ``tau``: its decay in seconds (default: drawn, 6-26 ms)."""
    if tau is None:
        tau = 0.006 + 0.02 * float(rng.random())
    n = int(tau * 5 * SAMPLE_RATE)
    t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
    rise = 1.0 + float(rng.uniform(2.0, 8.0)) * t / (tau * 5)
    phase = 2.0 * np.pi * freq * np.cumsum(rise) / SAMPLE_RATE
    return (np.sin(phase) * np.exp(-t / tau)).astype(np.float32)


def render_water(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    bed = bandpass(white(rng, n), 250.0, 3500.0, order=1)
    out = 0.25 * bed * upsample(slow_curve(rng, env.size, 1.5, 0.5), n)
    # Bubble pitch is inverse to bubble size: small water, bright bubbles.
    lo, hi = 300.0 + 400.0 * (1.0 - params.size), 900.0 + 2500.0 * (1.0 - params.size)
    bank = [bubble(rng, float(f)) for f in rng.uniform(lo, hi, 24)]
    times = scatter_times(rng, np.clip(env, 0.0, None), 20.0 + 70.0 * params.intensity)
    place_many(out, bank, times, rng.uniform(0.1, 0.45, times.size), rng)
    out = distance_filter(out, params.distance)
    return (out * upsample(env, n) * 0.45 * (0.4 + 0.6 * params.intensity)).astype(np.float32)


def render_fire(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    noise = white(rng, n)
    roar = lowpass(noise, 200.0 + 300.0 * params.size, order=2)
    out = 1.3 * roar * upsample(slow_curve(rng, env.size, 2.0, 0.7), n) + 0.04 * lowpass(noise, 7000.0)
    # Crackles: heavy-tailed sparse clicks, often in little bursts (sap popping).
    times = scatter_times(rng, np.clip(slow_curve(rng, env.size, 1.0, 1.0), 0.0, None), 10.0 + 40.0 * params.intensity)
    bursts = np.concatenate([times] + [times + rng.integers(200, 2500, times.size) for _ in range(2)])
    gains = np.minimum(rng.pareto(2.5, bursts.size) * 0.25, 1.5) * env_at(env, bursts)
    place_many(out, grain_bank(rng, 6, 120, 1500.0, 12000.0, 0.0006), bursts, gains, rng)
    out = distance_filter(out, params.distance)
    return (out * upsample(env, n) * 0.3 * (0.4 + 0.6 * params.intensity)).astype(np.float32)


ELEMENT_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "water", "texture",
        "flowing water: a stream or brook babbling over rocks, a river, pouring, splashing, a tap running, waves, bubbling liquid",
        ("water", "stream", "brook", "creek", "river", "tap", "sink", "liquid", "bubbling", "bubbles", "boiling", "boil",
         "simmering", "simmer", "fountain", "flowing", "babbling"),
        render_water, SoundParams(size=0.4, hardness=0.4, intensity=0.6),
        ucs=("WATRFlow", "WATRMvmt", "WATRTurb", "WATRBubl", "WATRFoun", "WATRPlmb", "WATRMisc", "LIQBubl", "LIQMvmt", "WATRDran",),
    ),
    SoundModel(
        "fire", "texture",
        "fire burning: a crackling campfire, a fireplace, flames, burning wood",
        ("fire", "flames", "flame", "burning", "crackling", "campfire", "fireplace", "torch", "sizzle", "sizzling", "frying"),
        render_fire, SoundParams(size=0.5, hardness=0.6, intensity=0.6),
        ucs=("FIREBurn", "FIRECrkl", "FIREMisc", "FIRESizz", "FIRETrch",),
    ),
)
