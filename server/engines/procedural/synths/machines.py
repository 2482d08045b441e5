"""Engine and traffic rumble: a firing-rate pulse train whose rate rises with the envelope
(more motion, more revs), plus road and tyre noise."""

from __future__ import annotations

import numpy as np

from ..dsp import SAMPLE_RATE, CONTROL_RATE, bandpass, distance_filter, lowpass, slow_curve, upsample, white
from .base import SoundModel, SoundParams


def render_rumble(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    # Idle firing rate: big engines are slower; the envelope revs it up to about double.
    idle = 28.0 + 30.0 * (1.0 - params.size)
    rate_hz = idle * (1.0 + 0.9 * np.clip(env, 0.0, 1.5)) * slow_curve(rng, env.size, 0.5, 0.04)
    phase = np.cumsum(upsample(rate_hz, n).astype(np.float64)) / SAMPLE_RATE
    frac = (phase % 1.0).astype(np.float32)
    # Each firing: a sharp rise and exponential fall; every other cylinder a little weaker.
    pulses = np.exp(frac * np.float32(-7.0)) * np.where(phase.astype(np.int64) % 2 == 0, np.float32(1.0), np.float32(0.8))
    engine = lowpass(pulses - pulses.mean(), 220.0 + 500.0 * params.hardness, order=2)
    road = bandpass(white(rng, n), 80.0, 900.0, order=1) * 0.35
    out = distance_filter(engine * 1.5 + road, params.distance)
    return (out * upsample(0.25 + 0.75 * env, n) * 0.35 * (0.4 + 0.6 * params.intensity)).astype(np.float32)


def render_traffic(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    m = env.size
    seconds = m / CONTROL_RATE
    noise = white(rng, n)
    bed = lowpass(noise, 500.0, order=2)
    # Pass-bys: swelling and fading tyre noise a few seconds long.
    t = np.arange(m, dtype=np.float32) / CONTROL_RATE
    passes = np.zeros(m, dtype=np.float32)
    for centre in rng.uniform(0.0, seconds, max(1, int(seconds / (6.0 - 4.0 * params.intensity)))):
        passes += np.exp(-(((t - centre) / rng.uniform(0.8, 2.0)) ** 2)).astype(np.float32)
    tyres = bandpass(noise, 300.0, 3000.0, order=1)
    out = bed * upsample(0.8 * slow_curve(rng, m, 0.3, 0.4), n) + 0.6 * tyres * upsample(passes, n)
    out += 0.5 * render_rumble(rng, params.with_(size=0.7, distance=0.4), env, n)
    out = distance_filter(out, max(params.distance, 0.3))
    return (out * upsample(0.5 + 0.5 * env, n) * 0.5 * (0.4 + 0.6 * params.intensity)).astype(np.float32)


MACHINE_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "engine", "texture",
        "an engine running: a car, sedan, motorbike, truck or generator idling and revving its motor",
        ("engine", "car", "motor", "motorbike", "motorcycle", "truck", "idling", "revving", "rev", "generator", "vehicle", "bus", "machine",
         "drone"),
        render_rumble, SoundParams(size=0.5, hardness=0.5, intensity=0.6, distance=0.2),
        ucs=("MOTRComb", "VEHTruck", "VEHMoto", "VEHBus", "MOTRMisc", "VEHMisc",),
    ),
    SoundModel(
        "traffic", "texture",
        "city traffic: cars passing on a street, a road, distant urban rumble",
        ("traffic", "street", "road", "city", "urban", "cars", "highway", "passing"),
        render_traffic, SoundParams(size=0.6, hardness=0.4, intensity=0.5, distance=0.5),
        ucs=("AMBTraf", "AMBUrbn",),
    ),
)
