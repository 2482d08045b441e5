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
    LOW_RATE,
    SAMPLE_RATE,
    at_low_rate,
    attack_decay,
    bandpass,
    control_len,
    decay_env,
    from_low_rate,
    highpass,
    low_white,
    lowpass,
    place,
    place_many,
    slow_curve,
    unit_peak,
    white,
)
from .base import SoundModel, SoundParams, finish


def render_gunshot(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    seconds = (0.9 + 1.2 * params.size) * float(rng.uniform(0.9, 1.1))
    n = int(seconds * SAMPLE_RATE)
    near = 1.0 - params.distance
    # The report: a broadband burst, full level at its first sample: a spike of a millisecond
    # over ~10 ms of blast noise; under it the thump, one low cycle, well damped.
    m = int(0.2 * SAMPLE_RATE)
    burst_len = int(0.03 * SAMPLE_RATE)
    blast = np.zeros(m, dtype=np.float32)
    burst = white(rng, burst_len) * (decay_env(burst_len, 0.001) + 0.5 * decay_env(burst_len, 0.004 + 0.006 * params.size))
    blast[:burst_len] = bandpass(burst, 150.0, 9000.0, order=1) * 2.0
    t = np.arange(m, dtype=np.float32) / SAMPLE_RATE
    f = (160.0 - 100.0 * params.size) * float(rng.uniform(0.9, 1.1))
    thump = np.sin(2.0 * np.pi * f * t) * np.exp(-t / (0.01 + 0.025 * params.size))
    blast += (0.3 + 0.4 * params.size) * thump.astype(np.float32)
    blast = lowpass(blast, 6000.0 + 10000.0 * params.hardness, order=1)
    out = np.zeros(n, dtype=np.float32)
    out[:m] = blast * near
    # Early reflections: the ground, then walls and buildings tens to hundreds of ms away.
    dry = lowpass(blast, 3000.0, order=1)
    for _ in range(int(rng.integers(3, 7))):
        place(out, dry, float(rng.uniform(0.025, 0.3)), gain=float(rng.uniform(0.12, 0.3)) * 0.5)
    # The diffuse tail: the bright part dies within a second; the dark part lingers (rendered
    # at the low rate, it has nothing above 700 Hz).
    bright_len = min(n, SAMPLE_RATE)
    bright = lowpass(white(rng, bright_len), 3500.0, order=2) * attack_decay(bright_len, 0.01, 0.12 + 0.1 * params.size)
    out[:bright_len] += (0.1 + 0.15 * params.distance) * bright
    low_len = int(seconds * LOW_RATE)
    dark = lowpass(low_white(rng, low_len), 700.0, order=2, rate=LOW_RATE)
    dark *= attack_decay(low_len, 0.03, 0.35 + 0.5 * params.size, rate=LOW_RATE)
    out += (0.2 + 0.15 * params.distance) * from_low_rate(dark, n)
    return finish(out, params, strength, peak=0.95, strength_floor=0.4, intensity_floor=0.5, fade_s=0.02)


def _debris_bank(rng: np.random.Generator) -> list[np.ndarray]:
    """Fragments: small bright ones (stone chips, glass, splinters) and a few heavy chunks.
    Bands on a third-octave grid, so the filter designs are cached across explosions."""
    bank = []
    for _ in range(10):
        length = int(0.04 * SAMPLE_RATE)
        lo = 800.0 * 2.0 ** (int(rng.integers(0, 6)) / 3.0)
        g = bandpass(white(rng, length), lo, lo * 2.0 ** (int(rng.integers(2, 5)) / 2.0), order=2)
        g *= decay_env(length, float(rng.uniform(0.003, 0.012)))
        bank.append(unit_peak(g))
    for _ in range(4):
        length = int(0.12 * SAMPLE_RATE)
        lo = 150.0 * 2.0 ** (int(rng.integers(0, 6)) / 3.0)
        g = bandpass(white(rng, length), lo, lo * 3.0, order=2) * decay_env(length, float(rng.uniform(0.015, 0.03)))
        bank.append(unit_peak(g))
    return bank


def render_explosion(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    seconds = (3.0 + 3.0 * params.size) * float(rng.uniform(0.9, 1.1))
    n = int(seconds * SAMPLE_RATE)
    # The low part (boom, blast, rumble) at the low rate: all of it is under a few hundred Hz.
    m = int(seconds * LOW_RATE)
    t = np.arange(m, dtype=np.float32) / LOW_RATE
    noise = low_white(rng, m)
    # The boom: a sine whose pitch falls from ~70 Hz to ~30 Hz as the fireball grows.
    f_start, f_end = 90.0 - 35.0 * params.size, 38.0 - 12.0 * params.size
    freq = f_end + (f_start - f_end) * np.exp(-t / 0.15)
    phase = 2.0 * np.pi * np.cumsum(freq, dtype=np.float64) / LOW_RATE
    boom = np.sin(phase).astype(np.float32) * attack_decay(m, 0.004, 0.35 + 0.4 * params.size, rate=LOW_RATE)
    blast = lowpass(noise, 350.0, order=2, rate=LOW_RATE) * attack_decay(m, 0.003, 0.25 + 0.2 * params.size, rate=LOW_RATE)
    flutter = at_low_rate(np.clip(slow_curve(rng, control_len(n), 3.0, 0.5), 0.2, None), m)
    rumble = highpass(lowpass(noise, 150.0, order=2, rate=LOW_RATE), 25.0, rate=LOW_RATE)
    rumble *= attack_decay(m, 0.2, 1.0 + 1.2 * params.size, rate=LOW_RATE) * flutter
    out = from_low_rate(1.0 * boom + 1.6 * blast + 1.4 * rumble, n)
    # The roar and the crack: mid and high noise, gone within a second.
    roar_len = min(n, SAMPLE_RATE)
    hiss = white(rng, roar_len)
    out[:roar_len] += 0.5 * bandpass(hiss, 300.0, 3000.0, order=1) * attack_decay(roar_len, 0.002, 0.1 + 0.1 * params.size)
    crack_len = int(0.03 * SAMPLE_RATE)
    out[:crack_len] += (1.0 - params.distance) * 0.8 * highpass(hiss[:crack_len], 500.0) * decay_env(crack_len, 0.006)
    # Debris falling back: dense right after the blast, thinning out over a couple of seconds.
    count = int(60 + 100 * params.size * params.intensity)
    when = 0.12 + rng.exponential(0.5 + 0.5 * params.size, count)
    pos = (when[when < seconds - 0.2] * SAMPLE_RATE).astype(np.int64)
    gains = rng.uniform(0.1, 0.5, pos.size) * np.exp(-pos / SAMPLE_RATE / 1.5) * (1.0 - 0.5 * params.distance)
    place_many(out, _debris_bank(rng), pos, gains, rng)
    return finish(out, params, strength, peak=0.95, strength_floor=0.4, intensity_floor=0.5, distance_drop=0.5, fade_s=0.05)


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
