"""Water as events and as the sea: a splash, a pour, the surf.

A splash: the slap of the surface (a short dull burst), the cavity the object opens closing
with one big bubble (a low tone whose pitch rises as it shrinks, as Minnaert's bubbles do),
and the spray falling back as many small bright bubbles and drips.

A pour: a stream into a vessel: gurgling noise and a fast rain of small bubbles, and the
vessel's air column resonating above the water, its pitch rising as the vessel fills (the
sound that tells you when the glass is nearly full).

The surf: waves every several seconds. Each builds as a low rumble, breaks (a broadband crash)
and washes up the beach as hiss and fizzing foam that fades until the next one.
"""

from __future__ import annotations

import numpy as np

from ..dsp import (
    CONTROL_RATE,
    HOP,
    SAMPLE_RATE,
    bandpass,
    decay_env,
    distance_filter,
    highpass,
    impulses,
    lowpass,
    place,
    place_many,
    resonator,
    scatter_times,
    unit_peak,
    upsample,
    white,
)
from .base import SoundModel, SoundParams, finish
from .elements import bubble


def render_splash(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    seconds = (0.6 + 0.8 * params.size) * float(rng.uniform(0.9, 1.1))
    n = int(seconds * SAMPLE_RATE)
    out = np.zeros(n, dtype=np.float32)
    slap_len = int(0.05 * SAMPLE_RATE)
    slap = lowpass(white(rng, slap_len), 2500.0 + 2000.0 * params.hardness, order=2) * decay_env(slap_len, 0.008 + 0.01 * params.size)
    out[:slap_len] += unit_peak(slap)
    # The cavity closing: one big bubble, lower for a bigger object.
    cavity = bubble(rng, (500.0 - 350.0 * params.size) * float(rng.uniform(0.85, 1.15)), tau=0.03 + 0.05 * params.size)
    place(out, cavity, float(rng.uniform(0.03, 0.08)), gain=0.8)
    # Spray and drips falling back.
    bank = [bubble(rng, float(f)) for f in rng.uniform(900.0, 3500.0, 16)]
    count = int(30 + 60 * params.size * (0.5 + params.intensity))
    pos = ((0.05 + rng.exponential(0.15 + 0.2 * params.size, count)) * SAMPLE_RATE).astype(np.int64)
    place_many(out, bank, pos, rng.uniform(0.05, 0.35, count) * np.exp(-pos / SAMPLE_RATE / 0.4), rng)
    wash = bandpass(white(rng, n), 600.0, 5000.0, order=1) * decay_env(n, 0.08 + 0.1 * params.size)
    out += 0.25 * wash
    return finish(out, params, strength, peak=0.85)


def render_pour(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    flow = np.clip(env, 0.0, None)
    noise = white(rng, n)
    stream = bandpass(noise, 400.0, 4000.0, order=1) * upsample(0.3 * flow, n)
    times = scatter_times(rng, flow, 150.0 + 250.0 * params.intensity)
    bank = [bubble(rng, float(f)) for f in rng.uniform(800.0, 3000.0, 20)]
    drops = np.zeros(n, dtype=np.float32)
    place_many(drops, bank, times, rng.uniform(0.1, 0.4, times.size), rng)
    # The vessel's air column: shorter as it fills, so its resonance climbs. Filtered in short
    # overlapping blocks, each at the pitch of its moment.
    fill = np.cumsum(flow) / CONTROL_RATE
    full_after = 6.0 + 6.0 * params.size  # seconds of pouring to fill it
    column = stream + drops
    block = 2048
    ring = np.zeros(n + block, dtype=np.float32)
    window = np.hanning(block).astype(np.float32)
    for start in range(0, n, block // 2):
        level = min(float(fill[min(start // HOP, fill.size - 1)]) / full_after, 0.95)
        pitch = (300.0 + 500.0 * (1.0 - params.size)) / (1.0 - level)
        piece = column[start : start + block]
        ring[start : start + piece.size] += window[: piece.size] * resonator(piece, min(pitch, 6000.0), 8.0)
    out = 0.5 * stream + 0.8 * drops + 5.0 * ring[:n]
    out = distance_filter(out, params.distance)
    return (out * 0.5 * (0.4 + 0.6 * params.intensity)).astype(np.float32)


def render_surf(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    m = env.size
    t = np.arange(m, dtype=np.float32) / CONTROL_RATE
    build = np.zeros(m, dtype=np.float32)
    wash = np.zeros(m, dtype=np.float32)
    at = float(rng.uniform(-4.0, 1.0))
    while at < t[-1]:
        u = t - at
        before, after = np.minimum(u, 0.0), np.maximum(u, 0.0)
        build += np.exp(before / 1.2) * ((u < 0.0) & (u > -4.0))
        wash += (u >= 0.0) * (1.0 - np.exp(-after / 0.25)) * np.exp(-after / (1.5 + 1.5 * params.size)) * float(rng.uniform(0.6, 1.0))
        at += float(rng.uniform(6.0, 11.0))
    noise = white(rng, n)
    rumble = lowpass(noise, 250.0, order=2) * upsample(0.4 + 1.2 * np.minimum(build + wash, 1.5), n)
    crash = bandpass(noise, 300.0, 6000.0, order=1) * upsample(wash, n)
    fizz_times = scatter_times(rng, wash, 1500.0)
    fizz = highpass(impulses(n, fizz_times, rng.uniform(-1.0, 1.0, fizz_times.size)), 3000.0)
    out = 1.0 * rumble + 0.8 * crash + 0.5 * fizz
    out = distance_filter(out, params.distance)
    return (out * upsample(0.6 + 0.4 * np.minimum(env, 1.0), n) * 0.25 * (0.4 + 0.6 * params.intensity)).astype(np.float32)


LIQUID_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "splash", "oneshot",
        "a splash: something dropping or jumping into water, a plunge, a dive into a pool",
        ("splash", "splashes", "splashing", "plunge", "plunges", "dive", "dives", "diving", "jumps into", "into the water",
         "into water", "into a pond", "into the pond", "into a lake", "into the lake", "into the river", "into the sea",
         "into a pool", "into the pool", "plop", "puddle"),
        render_splash, SoundParams(size=0.5, hardness=0.4, intensity=0.7, distance=0.1),
        ucs=("WATRSplsh", "WATRImpt", "LIQImpt"),
    ),
    SoundModel(
        "pour", "texture",
        "water pouring: liquid poured from a jug or bottle into a glass filling up",
        # not "glass of water": a glass of water set down is a glass; pouring one says "pouring"
        ("water", "pour", "pours", "pouring", "poured", "filling", "fills", "jug", "kettle"),
        render_pour, SoundParams(size=0.4, hardness=0.4, intensity=0.6, distance=0.1),
        ucs=("WATRPour", "FOODDrnk"),
    ),
    SoundModel(
        "surf", "texture",
        "the sea: ocean waves breaking on a beach, surf washing on the shore",
        ("sea", "ocean", "waves", "wave", "surf", "beach", "shore", "seaside", "coast", "tide"),
        render_surf, SoundParams(size=0.6, hardness=0.4, intensity=0.6, distance=0.4),
        ucs=("WATRSurf", "WATRWave", "AMBSea", "WATRLap"),
    ),
)
