"""Breathing: air through the mouth and nose, in and out.

Each breath is noise shaped by the vocal tract (most of it 500 Hz - 4 kHz, a little hiss
above), the in-breath quieter and brighter than the out-breath. At rest a cycle takes three to
four seconds; effort or fear (panting) brings it under a second, louder and rougher.
"""

from __future__ import annotations

import numpy as np

from ..dsp import CONTROL_RATE, bandpass, control_len, distance_filter, highpass, upsample, white
from .base import SoundModel, SoundParams


def render_breathing(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    m = control_len(n)
    cycle = (3.5 - 2.7 * params.intensity) * float(rng.uniform(0.9, 1.1))  # seconds a breath
    t = np.arange(m, dtype=np.float64) / CONTROL_RATE + float(rng.uniform(0.0, cycle))
    phase = (t % cycle) / cycle
    # In (0-0.4 of the cycle), out (0.45-0.9), a pause between.
    inhale = np.clip(np.sin(np.pi * np.clip(phase / 0.4, 0.0, 1.0)), 0.0, None) * (phase < 0.4)
    exhale = np.sin(np.pi * np.clip((phase - 0.45) / 0.45, 0.0, 1.0)) * ((phase >= 0.45) & (phase < 0.9))
    air = bandpass(white(rng, n), 500.0, 4000.0, order=1)
    hiss = highpass(white(rng, n), 4000.0)
    out = air * upsample((0.6 * inhale ** 2 + exhale ** 2).astype(np.float32), n)
    out += 0.4 * hiss * upsample((inhale ** 2).astype(np.float32), n)
    out = distance_filter(out, params.distance)
    level = upsample(0.7 + 0.3 * np.minimum(env, 1.0), n)
    return (out * level * np.float32(0.35 * (0.3 + 0.7 * params.intensity))).astype(np.float32)


BREATHING_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "breathing", "texture",
        "breathing: someone breathing in and out, heavy breaths, panting after running, a nervous breath",
        ("breathing", "breath", "breaths", "breathe", "breathes", "panting", "pants", "pant", "inhale", "inhales",
         "exhale", "exhales", "huffing", "puffing", "wheezing"),
        render_breathing, SoundParams(size=0.5, hardness=0.4, intensity=0.4, distance=0.05),
        ucs=("HMNBrth",),
    ),
)
