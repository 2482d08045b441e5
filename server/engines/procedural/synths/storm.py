"""Thunder, and the storm it belongs to.

Thunder is the sound of a lightning channel kilometres long: every kink of it sends out its own
shock wave, and they arrive one after another from different distances. Close by, the nearest
segment arrives first as a ripping crack (a dense burst of clicks, bright); then the rest roll
in for seconds as a low rumble that swells several times as whole branches arrive, losing its
top end with distance (air absorbs the highs). Far away the crack is gone and only the low roll
is left, with a soft onset. Nothing here is wind: the energy sits below 200 Hz and comes in
swells, not gusts of broadband noise.
"""

from __future__ import annotations

import numpy as np

from ..dsp import (
    CONTROL_RATE,
    LOW_RATE,
    SAMPLE_RATE,
    at_low_rate,
    bandpass,
    control_len,
    decay_env,
    from_low_rate,
    low_white,
    highpass,
    impulses,
    lowpass,
    place,
    slow_curve,
    upsample,
    white,
)
from .base import SoundModel, SoundParams, finish
from .weather import render_rain


def _rolls(rng: np.random.Generator, m: int, seconds: float, far: bool) -> np.ndarray:
    """Control-rate envelope of the rumble: a few swells (branches arriving), the first at the
    start, later ones weaker, all under a slow overall decay."""
    t = np.arange(m, dtype=np.float32) / CONTROL_RATE
    env = np.zeros(m, dtype=np.float32)
    count = int(rng.integers(4, 9))
    starts = np.concatenate([[0.0], np.sort(rng.exponential(seconds / 4.0, count - 1))])
    starts = starts[starts < 0.7 * seconds]
    for i, start in enumerate(starts.tolist()):
        rise = float(rng.uniform(0.15, 0.4)) if (far or i > 0) else 0.02
        fall = float(rng.uniform(0.4, 1.2)) * (1.0 + 0.5 * i / max(len(starts), 1))
        u = t - start
        bump = np.where(u < 0, 0.0, np.where(u < rise, u / rise, np.exp(-(u - rise) / fall)))
        env += float(rng.uniform(0.5, 1.0)) * 0.8 ** i * bump.astype(np.float32)
    env *= np.exp(-t / (seconds / 2.2)).astype(np.float32)
    # The roll's fine grain: the rumble flutters as small segments arrive (a few per second).
    env *= np.clip(slow_curve(rng, m, 5.0, 0.5), 0.2, None)
    return env / max(float(env.max()), 1e-6)


def render_thunder(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    seconds = (3.0 + 5.0 * params.size) * float(rng.uniform(0.85, 1.15))
    n = int(seconds * SAMPLE_RATE)
    far = params.distance > 0.6
    # The roll, rendered at the low rate: nothing in it is above a few hundred Hz.
    m = int(seconds * LOW_RATE)
    env = at_low_rate(_rolls(rng, control_len(n), seconds, far), m)
    noise = low_white(rng, m)
    # The rumble: most energy under ~150 Hz, a thinner band up to a few hundred Hz above it.
    # (Under ~25 Hz is felt, not heard, and only eats a speaker's headroom.)
    sub = highpass(lowpass(noise, 70.0 + 80.0 * (1.0 - params.size), order=2, rate=LOW_RATE), 25.0, rate=LOW_RATE) * 3.0
    body = bandpass(noise, 90.0, 450.0 - 250.0 * params.distance, order=2, rate=LOW_RATE) * 0.6
    out = from_low_rate((sub + body) * env, n)
    if not far:
        # The crack: the nearest segment's shock, a ripping burst of clicks over ~0.3 s.
        rip_len = int(0.35 * SAMPLE_RATE)
        count = int(150 + 250 * params.intensity)
        pos = (rng.exponential(0.06, count) * SAMPLE_RATE).astype(np.int64)
        clicks = impulses(rip_len, pos, rng.uniform(-1.0, 1.0, count))
        rip = bandpass(clicks, 300.0, 7000.0 - 5000.0 * params.distance, order=1)
        rip += 0.3 * highpass(white(rng, rip_len), 200.0) * decay_env(rip_len, 0.04)
        rip *= decay_env(rip_len, 0.12)
        rip /= max(float(np.abs(rip).max()), 1e-6)
        # Louder than the roll at its start: the crack is the strike itself.
        level = float(np.abs(out).max()) * (1.0 - params.distance) * 2.0
        out[:rip_len] += level * rip
    # Distance is in the roll already (the crack gone, the body band lower): no air filter.
    return finish(out, params, strength, peak=0.9, distance_drop=0.5, fade_s=0.05, air=False)


def render_thunder_rolls(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    """Thunder now and then over a distant low murmur: a storm's thunder, not one clap."""
    seconds = n / SAMPLE_RATE
    out = 0.03 * lowpass(white(rng, n), 80.0, order=2) * upsample(slow_curve(rng, env.size, 0.2, 0.5), n)
    every = 14.0 - 8.0 * params.intensity
    t = float(rng.uniform(0.3, min(3.0, max(seconds, 0.31))))
    while t < seconds:
        roll = params.with_(distance=float(rng.uniform(max(params.distance, 0.3), 0.95)), size=float(rng.uniform(0.4, 1.0)))
        place(out, render_thunder(rng, roll, float(rng.uniform(0.5, 1.0))), t)
        t += float(rng.exponential(every)) + 2.0
    return (out * upsample(0.5 + 0.5 * np.minimum(env, 1.0), n)).astype(np.float32)


def render_storm(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    rain = render_rain(rng, params.with_(intensity=max(params.intensity, 0.6)), np.maximum(env, 0.5), n)
    return rain + 0.8 * render_thunder_rolls(rng, params, env, n)


_THUNDER_WORDS = ("thunder", "thunderclap", "thunderclaps", "lightning", "rumble", "rumbling", "thunders", "thundering")

STORM_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "thunder", "oneshot",
        "a thunder clap: a ripping crack of lightning then a long low rolling rumble",
        _THUNDER_WORDS + ("thunder crack", "thunder cracks"),  # the clap, not glass (a whip or ice cracks too)
        render_thunder, SoundParams(size=0.6, hardness=0.5, intensity=0.8, distance=0.3),
        ucs=("THUN",),
    ),
    SoundModel(
        "thunder_rolls", "texture",
        "distant thunder rolling now and then: a storm far away, rumbles of thunder",
        _THUNDER_WORDS,
        render_thunder_rolls, SoundParams(size=0.7, hardness=0.5, intensity=0.5, distance=0.6),
        ucs=("THUN",),
    ),
    SoundModel(
        "storm", "texture",
        "a thunderstorm: heavy rain pouring down with thunder rolling",
        ("storm", "thunderstorm", "stormy", "tempest", "thunder"),
        render_storm, SoundParams(size=0.6, hardness=0.5, intensity=0.7, distance=0.4),
        ucs=("STORM", "WTHR"),
    ),
)
