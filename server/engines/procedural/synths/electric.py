"""Electrical hum and buzz.

Mains hum is the supply frequency (50 or 60 Hz) and its harmonics; a transformer's core
magnetostriction puts most of it at twice the mains frequency. A buzz is the same source
driven into something that rattles or arcs (a fluorescent tube, a bad ballast, a neon sign):
the waveform clips, odd harmonics run up to a few kHz, and it flickers.
"""

from __future__ import annotations

import numpy as np

from ..dsp import SAMPLE_RATE, bandpass, distance_filter, slow_curve, upsample, white
from .base import SoundModel, SoundParams


def render_hum(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    mains = 50.0 if rng.random() < 0.5 else 60.0
    t = np.arange(n, dtype=np.float64) / SAMPLE_RATE
    phase = 2.0 * np.pi * mains * t + float(rng.uniform(0, 2 * np.pi))
    hum = (0.5 * np.sin(phase) + 1.0 * np.sin(2 * phase) + 0.4 * np.sin(3 * phase) + 0.25 * np.sin(4 * phase)).astype(np.float32)
    out = hum
    if params.hardness > 0.4:
        # The buzz: the hum clipped hard (odd harmonics to a few kHz), flickering.
        drive = 2.0 + 8.0 * params.hardness
        buzz = np.tanh(drive * np.sin(2 * phase)).astype(np.float32)
        buzz = bandpass(buzz, 300.0, 5000.0, order=1)
        flicker = np.clip(slow_curve(rng, env.size, 4.0, 0.4), 0.3, None)
        out = out + (params.hardness - 0.3) * 1.5 * buzz * upsample(flicker, n)
    out += 0.02 * bandpass(white(rng, n), 100.0, 2000.0, order=1)
    out = distance_filter(out, params.distance)
    return (out * upsample(0.8 + 0.2 * np.minimum(env, 1.0), n) * 0.12 * (0.4 + 0.6 * params.intensity)).astype(np.float32)


ELECTRIC_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "hum", "texture",
        "electrical hum and buzz: a transformer humming, a fluorescent light or neon sign buzzing, mains hum",
        ("hum", "humming", "hums", "buzz", "buzzing", "buzzes", "electrical", "electric", "transformer", "fluorescent",
         "neon", "mains", "powerline", "generator"),
        render_hum, SoundParams(size=0.5, hardness=0.3, intensity=0.5, distance=0.2),
        ucs=("ELECBuzz", "ELECMisc", "ELECEmf"),
    ),
)
