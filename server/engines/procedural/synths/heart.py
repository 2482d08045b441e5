"""A heartbeat, as films play it: two low thumps a beat ("lub-dub").

The valves closing make two short low sounds, the first louder and longer (30-60 Hz, under a
tenth of a second), the second a little higher, a third of a second after it at rest and closer
together as the heart races. Heard through the chest, nothing above a few hundred Hz.
"""

from __future__ import annotations

import numpy as np

from ..dsp import SAMPLE_RATE, lowpass
from .base import SoundModel, SoundParams, finish


def _thump(rng: np.random.Generator, freq: float, seconds: float) -> np.ndarray:
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
    shape = np.sin(np.pi * t / seconds) ** 2  # swells and fades: no click at either end
    glide = freq * (1.0 + 0.3 * np.exp(-t / 0.02))  # a little higher at the start
    phase = 2.0 * np.pi * np.cumsum(glide) / SAMPLE_RATE + float(rng.uniform(0, 2 * np.pi))
    return (np.sin(phase) * shape).astype(np.float32)


def render_heartbeat(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    lub_hz = (70.0 - 30.0 * params.size) * float(rng.uniform(0.9, 1.1))
    gap = (0.34 - 0.16 * params.intensity) * float(rng.uniform(0.95, 1.05))  # racing: closer together
    lub = _thump(rng, lub_hz, 0.09)
    dub = _thump(rng, lub_hz * 1.3, 0.07)
    out = np.zeros(int((gap + 0.1) * SAMPLE_RATE), dtype=np.float32)
    out[: lub.size] += lub
    start = int(gap * SAMPLE_RATE)
    out[start : start + dub.size] += 0.7 * dub
    out = lowpass(out, 300.0, order=1)
    return finish(out, params, strength, peak=0.8, strength_floor=0.6, air=False)


HEART_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "heartbeat", "oneshot",
        "a heartbeat: a heart beating, the low lub-dub thump of a pulse, racing with tension",
        ("heartbeat", "heartbeats", "heart", "hearts", "pulse", "pulses", "pulsing", "lub dub"),
        render_heartbeat, SoundParams(size=0.5, hardness=0.3, intensity=0.5, distance=0.0),
        ucs=("HMNHart",),
    ),
)
