"""Whooshes: air displaced by a fast swing (a sword, an arm, a passing object).

Three noise bands (low, mid, high) swell one after the other, which the ear hears as one band
sweeping up as the object approaches and falling away after: a Doppler-like pass, at the cost of
three short filters. The whoosh is loudest ``RISE`` seconds in, whatever its size: the swing is
fastest just before it arrives, so the engine places that peak on the onset it fires on.
"""

from __future__ import annotations

import numpy as np

from ..dsp import SAMPLE_RATE, bandpass, distance_filter, white
from .base import SoundModel, SoundParams

RISE = 0.2  # seconds from the start of the whoosh to its loudest point


def render_whoosh(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    tail = (0.08 + 0.3 * params.size) * float(rng.uniform(0.85, 1.15))
    n = int((RISE + tail) * SAMPLE_RATE)
    t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
    # Air noise sits low: a few hundred Hz for a big slow swing, ~1.5 kHz for a thin fast one.
    centre = (350.0 + 1200.0 * params.hardness) * (1.0 - 0.4 * params.size) * float(rng.uniform(0.9, 1.1))
    out = np.zeros(n, dtype=np.float32)
    # (band centre relative to the peak, time of its swell relative to RISE, width in s, level)
    for ratio, shift, width, level in ((0.5, -0.07, 0.09, 0.7), (1.6, 0.0, 0.05, 0.8), (0.7, 0.05, 0.6 * tail, 0.6)):
        band = bandpass(white(rng, n), centre * ratio * 0.6, centre * ratio * 1.6, order=2)
        swell = np.exp(-(((t - (RISE + shift)) / width) ** 2)).astype(np.float32)
        out += level * band * swell
    out /= max(float(np.abs(out).max()), 1e-6)
    out = distance_filter(out, params.distance)
    return (out * (0.3 + 0.7 * strength) * (0.35 + 0.65 * params.intensity) * (1.0 - 0.7 * params.distance) * 0.6).astype(np.float32)


WHOOSH_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "whoosh", "oneshot",
        "a whoosh or swish: a fast swing through the air, a sword, a punch missing, something flying past",
        ("whoosh", "swish", "swoosh", "swing", "swinging", "sword", "fly", "flies", "flying", "passes", "pass", "throw", "throws", "swipe", "wave",
         "slash", "slashes", "slashing", "through the air"),
        render_whoosh, SoundParams(size=0.4, hardness=0.5, intensity=0.6), lead_in=RISE,
        ucs=("WHSH", "SWSH", "WEAPSwrd", "TOONSwsh", "WEAPPole",),
    ),
)
