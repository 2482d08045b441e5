"""Gunshots and explosions: the loudest, shortest events a mix carries.

A gunshot is a muzzle blast: the pressure jumps in well under a millisecond (the report's crack,
broadband) and swings back through a single low cycle (the thump, ~60-160 Hz, lower for bigger
calibres). What follows is the place: the first reflections off the ground and nearby walls,
then a diffuse tail whose highs die first, so the tail darkens as it decays. A distant shot has
lost its crack to the air and is mostly tail.

An explosion is a much bigger, slower blast: a crack, a low boom whose pitch falls as the
fireball expands (a sine sweeping down to ~30 Hz, the chest hit), a roar of mid noise, a rumble
lasting seconds, and the debris raining back: small bright fragments and heavier chunks, dense
at first and thinning out.
"""

from __future__ import annotations

import numpy as np

from ..dsp import (
    SAMPLE_RATE,
    attack_decay,
    bandpass,
    control_len,
    decay_env,
    distance_filter,
    highpass,
    lowpass,
    place_many,
    slow_curve,
    upsample,
    white,
)
from .base import SoundModel, SoundParams


def render_gunshot(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    seconds = (0.9 + 1.2 * params.size) * float(rng.uniform(0.9, 1.1))
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
    near = 1.0 - params.distance
    # The report: a broadband burst, full level at its first sample: a spike of a millisecond
    # over ~10 ms of blast noise.
    burst_len = int(0.03 * SAMPLE_RATE)
    blast = np.zeros(n, dtype=np.float32)
    burst = white(rng, burst_len) * (decay_env(burst_len, 0.001) + 0.5 * decay_env(burst_len, 0.004 + 0.006 * params.size))
    blast[:burst_len] = bandpass(burst, 150.0, 9000.0, order=1) * 2.0
    # The thump: one low cycle, well damped.
    f = (160.0 - 100.0 * params.size) * float(rng.uniform(0.9, 1.1))
    m = int(0.2 * SAMPLE_RATE)
    thump = np.sin(2.0 * np.pi * f * t[:m]) * np.exp(-t[:m] / (0.01 + 0.025 * params.size))
    blast[:m] += (0.3 + 0.4 * params.size) * thump.astype(np.float32)
    blast = lowpass(blast, 6000.0 + 10000.0 * params.hardness, order=1)
    out = blast * near
    # Early reflections: the ground, then walls and buildings tens to hundreds of ms away.
    dry = lowpass(blast, 3000.0, order=1)
    for _ in range(int(rng.integers(3, 7))):
        d = int(float(rng.uniform(0.025, 0.3)) * SAMPLE_RATE)
        if d < n:
            out[d:] += float(rng.uniform(0.12, 0.3)) * np.exp(-d / SAMPLE_RATE / 0.2) * dry[: n - d]
    # The diffuse tail: bright part dies fast, dark part lingers.
    noise = white(rng, n)
    bright = lowpass(noise, 3500.0, order=2) * attack_decay(n, 0.01, 0.12 + 0.1 * params.size)
    dark = lowpass(noise, 700.0, order=2) * attack_decay(n, 0.03, 0.35 + 0.5 * params.size)
    out += (0.1 + 0.15 * params.distance) * bright + (0.2 + 0.15 * params.distance) * dark
    out = distance_filter(out, params.distance)
    out /= max(float(np.abs(out).max()), 1e-6)
    gain = 0.95 * (0.4 + 0.6 * strength) * (0.5 + 0.5 * params.intensity) * (1.0 - 0.6 * params.distance)
    fade = int(0.02 * SAMPLE_RATE)
    out[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return (out * gain).astype(np.float32)


def _debris_bank(rng: np.random.Generator) -> list[np.ndarray]:
    """Fragments: small bright ones (stone chips, glass, splinters) and a few heavy chunks."""
    bank = []
    for _ in range(10):
        length = int(0.04 * SAMPLE_RATE)
        lo = float(rng.uniform(800.0, 3000.0))
        g = bandpass(white(rng, length), lo, lo * float(rng.uniform(2.0, 4.0)), order=2) * decay_env(length, float(rng.uniform(0.003, 0.012)))
        bank.append(g / max(float(np.abs(g).max()), 1e-6))
    for _ in range(4):
        length = int(0.12 * SAMPLE_RATE)
        lo = float(rng.uniform(150.0, 500.0))
        g = bandpass(white(rng, length), lo, lo * 3.0, order=2) * decay_env(length, float(rng.uniform(0.015, 0.03)))
        bank.append(g / max(float(np.abs(g).max()), 1e-6))
    return bank


def render_explosion(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    seconds = (3.0 + 3.0 * params.size) * float(rng.uniform(0.9, 1.1))
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
    noise = white(rng, n)
    # The boom: a sine whose pitch falls from ~70 Hz to ~30 Hz as the fireball grows.
    f_start, f_end = 90.0 - 35.0 * params.size, 38.0 - 12.0 * params.size
    freq = f_end + (f_start - f_end) * np.exp(-t / 0.15)
    phase = 2.0 * np.pi * np.cumsum(freq, dtype=np.float64) / SAMPLE_RATE
    boom = np.sin(phase).astype(np.float32) * attack_decay(n, 0.004, 0.35 + 0.4 * params.size)
    blast = lowpass(noise, 350.0, order=2) * attack_decay(n, 0.003, 0.25 + 0.2 * params.size)
    roar = bandpass(noise, 300.0, 3000.0, order=1) * attack_decay(n, 0.002, 0.1 + 0.1 * params.size)
    flutter = upsample(np.clip(slow_curve(rng, control_len(n), 3.0, 0.5), 0.2, None), n)
    rumble = lowpass(noise, 150.0, order=2) * attack_decay(n, 0.2, 1.0 + 1.2 * params.size) * flutter
    out = 1.0 * boom + 1.6 * blast + 0.5 * roar + 1.4 * rumble
    crack_len = int(0.03 * SAMPLE_RATE)
    out[:crack_len] += (1.0 - params.distance) * 0.8 * highpass(noise[:crack_len], 500.0) * decay_env(crack_len, 0.006)
    # Debris falling back: dense right after the blast, thinning out over a couple of seconds.
    count = int(60 + 100 * params.size * params.intensity)
    when = 0.12 + rng.exponential(0.5 + 0.5 * params.size, count)
    pos = (when[when < seconds - 0.2] * SAMPLE_RATE).astype(np.int64)
    gains = rng.uniform(0.1, 0.5, pos.size) * np.exp(-pos / SAMPLE_RATE / 1.5)
    debris = np.zeros(n, dtype=np.float32)
    place_many(debris, _debris_bank(rng), pos, gains, rng)
    out += debris * (1.0 - 0.5 * params.distance)
    out = distance_filter(out, params.distance)
    out /= max(float(np.abs(out).max()), 1e-6)
    gain = 0.95 * (0.4 + 0.6 * strength) * (0.5 + 0.5 * params.intensity) * (1.0 - 0.5 * params.distance)
    fade = int(0.05 * SAMPLE_RATE)
    out[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return (out * gain).astype(np.float32)


WEAPON_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "gunshot", "oneshot",
        "a gunshot: the sharp report of a pistol, rifle or shotgun firing, with its echo",
        ("gunshot", "gunshots", "gun", "guns", "shot", "shots", "pistol", "rifle", "shotgun", "handgun", "revolver",
         "firing", "fires", "gunfire", "bang", "machine gun", "shooting", "shoots"),
        render_gunshot, SoundParams(size=0.45, hardness=0.7, intensity=0.9, distance=0.1),
        ucs=("GUNPis", "GUNRif", "GUNShotg", "GUNAuto", "GUNMisc", "GUNAntq"),
    ),
    SoundModel(
        "explosion", "oneshot",
        "an explosion: a deep boom and blast with a long rumble and debris raining down",
        ("explosion", "explosions", "explode", "explodes", "exploding", "blast", "bomb", "grenade", "detonation",
         "boom", "kaboom", "blows up", "blown up", "artillery", "cannon", "mortar"),
        render_explosion, SoundParams(size=0.6, hardness=0.6, intensity=0.9, distance=0.2),
        ucs=("EXPLReal", "EXPLMisc", "EXPLDsgn", "GUNArtl", "GUNCano"),
    ),
)
