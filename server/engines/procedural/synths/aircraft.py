"""Aircraft: a helicopter's rotor and a plane flying over.

A helicopter is heard by its main rotor: each blade passing slaps the air (blade-vortex
interaction), a low thump with a burst of noise some 10-25 times a second, its level swaying
as the machine turns; under it the turbine's whine and a broadband roar. A plane flying over is
a roar of jet or propeller noise rising as it comes, loudest overhead and falling away darker
and lower (Doppler, and the air taking the highs with distance): seconds long, not a car's
quick pass.
"""

from __future__ import annotations

import numpy as np

from ..dsp import (
    CONTROL_RATE,
    SAMPLE_RATE,
    bandpass,
    control_len,
    decay_env,
    distance_filter,
    lowpass,
    place_many,
    slow_curve,
    upsample,
    white,
)
from .base import SoundModel, SoundParams, finish

FLYOVER_HALF = 4.0  # seconds before (and after) overhead that a plane flying over covers


def render_helicopter(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    blade_hz = (22.0 - 10.0 * params.size) * float(rng.uniform(0.9, 1.1))  # bigger rotor, slower slaps
    count = int(n / SAMPLE_RATE * blade_hz) + 1
    jitter = rng.normal(0.0, 0.002, count)
    starts = ((np.arange(count) / blade_hz + jitter) * SAMPLE_RATE).astype(np.int64)
    slap_n = int(0.03 * SAMPLE_RATE)
    t = np.arange(slap_n, dtype=np.float32) / SAMPLE_RATE
    thump = np.sin(2.0 * np.pi * (70.0 - 25.0 * params.size) * t) * decay_env(slap_n, 0.012)
    bank = [(thump + 0.4 * bandpass(white(rng, slap_n), 300.0, 3000.0, order=1) * decay_env(slap_n, 0.004))
            .astype(np.float32) for _ in range(4)]
    out = np.zeros(n, dtype=np.float32)
    sway = slow_curve(rng, control_len(n), 0.3, 0.35)
    gains = np.clip(upsample(sway, n)[np.minimum(starts, n - 1)], 0.2, None) * rng.uniform(0.85, 1.0, count)
    place_many(out, bank, starts[starts < n], gains[starts < n], rng)
    whine_t = np.arange(n, dtype=np.float64) / SAMPLE_RATE
    out += 0.04 * np.sin(2.0 * np.pi * float(rng.uniform(1500.0, 3000.0)) * whine_t).astype(np.float32)
    out += 0.25 * lowpass(white(rng, n), 1200.0, order=1)
    out = distance_filter(out, params.distance)
    level = upsample(0.6 + 0.4 * np.minimum(env, 1.0), n)
    return (out * level * np.float32(0.5 * (0.4 + 0.6 * params.intensity))).astype(np.float32)


def render_flyover(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    n = int(2 * FLYOVER_HALF * SAMPLE_RATE)
    m = control_len(n)
    t = np.arange(m, dtype=np.float64) / CONTROL_RATE - FLYOVER_HALF
    height = 150.0 + 600.0 * params.distance
    speed = (60.0 + 120.0 * params.intensity) * float(rng.uniform(0.85, 1.15))
    r = np.sqrt((speed * t) ** 2 + height**2)
    level = (height / r) ** 1.5
    out = np.zeros(n, dtype=np.float32)
    # The roar darkens as it goes (and as it is far): two bands, the high one falling away after.
    low = lowpass(white(rng, n), 400.0, order=2)
    high = bandpass(white(rng, n), 400.0, 6000.0, order=1)
    going = np.clip(t / FLYOVER_HALF, 0.0, 1.0)
    out += low * upsample(level.astype(np.float32), n)
    out += 0.6 * high * upsample((level * (1.0 - 0.8 * going) * (1.0 - 0.7 * params.distance)).astype(np.float32), n)
    return finish(out, params, strength, peak=0.35, strength_floor=0.5, distance_drop=0.4, air=False, fade_s=0.2)


_HELICOPTER_WORDS = ("helicopter", "helicopters", "chopper", "choppers", "rotor", "rotors", "heli")

AIRCRAFT_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "helicopter", "texture",
        "a helicopter: its rotor blades chopping the air, thudding overhead, hovering or flying by",
        _HELICOPTER_WORDS,
        render_helicopter, SoundParams(size=0.5, hardness=0.5, intensity=0.7, distance=0.3),
        # the embedding reads a drone (a low sustained tone) and a robot's whir near the rotor:
        # only a prompt that names a helicopter gets one, from either matcher
        happens_to=_HELICOPTER_WORDS,
        ucs=("AEROHeli",),
    ),
    SoundModel(
        "flyover", "oneshot",
        "an airplane flying over: a jet or propeller plane's roar passing overhead and fading away",
        ("airplane", "airplanes", "aeroplane", "plane", "planes", "jet", "jets", "aircraft", "airliner", "flyover",
         "flyby", "fighter jet", "flying over", "flies over", "flew over", "flying overhead", "flies overhead"),
        render_flyover, SoundParams(size=0.6, hardness=0.5, intensity=0.6, distance=0.4), lead_in=FLYOVER_HALF,
        # a flyby is the plane's: a helicopter's or a spaceship's is not this roar
        happens_to=("airplane", "airplanes", "aeroplane", "plane", "planes", "jet", "jets", "aircraft", "airliner",
                    "fighter"),
        ucs=("AEROJet", "AEROProp", "AEROMil", "AEROMisc"),
    ),
)
