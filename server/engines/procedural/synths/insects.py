"""Insects at night: crickets chirping.

A field cricket rubs one wing's file against the other's scraper: each closing stroke is a
pulse of an almost pure tone at the wings' resonance (3.5-5.5 kHz), 10-25 ms long, a few dozen
a second, in chirps of three to five pulses repeated every half second or so. A night is
several crickets, each at its own pitch and pace and distance, never in time.
"""

from __future__ import annotations

import numpy as np

from ..dsp import CONTROL_RATE, SAMPLE_RATE, control_len, distance_filter, upsample
from .base import SoundModel, SoundParams


def _chirping(rng: np.random.Generator, m: int) -> np.ndarray:
    """One cricket's on/off pattern at the control rate: chirps of pulses."""
    gate = np.zeros(m, dtype=np.float32)
    pulse_s = float(rng.uniform(0.012, 0.022))
    pulse_gap = float(rng.uniform(0.03, 0.045))
    chirp_every = float(rng.uniform(0.35, 0.9))
    t = float(rng.uniform(0.0, chirp_every))
    while t * CONTROL_RATE < m:
        for k in range(int(rng.integers(3, 6))):
            start = int((t + k * pulse_gap) * CONTROL_RATE)
            gate[start : start + max(1, int(pulse_s * CONTROL_RATE))] = 1.0
        t += chirp_every * float(rng.uniform(0.9, 1.1))
    return gate


def render_insects(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    m = control_len(n)
    out = np.zeros(n, dtype=np.float32)
    t = np.arange(n, dtype=np.float64) / SAMPLE_RATE
    for _ in range(2 + int(round(4 * params.intensity))):
        pitch = float(rng.uniform(3500.0, 5500.0)) * (1.0 - 0.2 * params.size)
        tone = np.sin(2.0 * np.pi * pitch * t + float(rng.uniform(0, 2 * np.pi))).astype(np.float32)
        near = float(rng.uniform(0.25, 1.0))
        out += near * tone * upsample(_chirping(rng, m), n)
    out = distance_filter(out, params.distance)
    level = upsample(0.8 + 0.2 * np.minimum(env, 1.0), n)
    return (out * level * np.float32(0.08 * (0.4 + 0.6 * params.intensity))).astype(np.float32)


INSECT_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "insects", "texture",
        "crickets chirping at night: insects in the grass, a night chorus of crickets and katydids",
        ("insects", "insect", "crickets", "cricket", "katydid", "katydids", "grasshopper", "grasshoppers",
         "night insects"),
        render_insects, SoundParams(size=0.4, hardness=0.5, intensity=0.5, distance=0.4),
        ucs=("ANMLInsc",),
    ),
)
