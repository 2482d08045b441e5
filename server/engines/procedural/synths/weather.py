"""Wind and rain: steady textures whose level follows the layer's envelope."""

from __future__ import annotations

import numpy as np

from ..dsp import (
    LOW_RATE,
    SAMPLE_RATE,
    at_low_rate,
    bandpass,
    distance_filter,
    from_low_rate,
    impulses,
    low_white,
    lowpass,
    place_many,
    resonator,
    scatter_times,
    slow_curve,
    upsample,
    white,
)
from .base import SoundModel, SoundParams
from .cloth import grain_bank


# Wind's body and whistle live under ~2 kHz, its airy top fades out by ~6 kHz: both parts are
# rendered at this rate (a quarter of the samples through each filter) and brought up to the
# audio rate together. LOW_RATE would cut the air above 3 kHz that tells wind from rumble.
WIND_RATE = 2 * LOW_RATE


def render_wind(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    m = env.size
    low_n = -(-n * WIND_RATE // SAMPLE_RATE)
    # Body: dark broadband noise swelling with slow gusts.
    gust = slow_curve(rng, m, 0.4, 0.6)
    low = lowpass(low_white(rng, low_n, WIND_RATE), 350.0 + 500.0 * params.intensity, order=2, rate=WIND_RATE)
    low *= at_low_rate(1.6 * gust * env, low_n, WIND_RATE)
    # Whistle: a narrow band that sings only at the top of its own, faster curve.
    centre = (500.0 + 900.0 * (1.0 - params.size)) * float(rng.uniform(0.9, 1.1))
    sing = np.clip(slow_curve(rng, m, 0.8, 0.9) - 0.6, 0.0, None) * params.intensity
    if params.intensity >= 0.35:  # a gentle breeze does not whistle
        whistle = resonator(low_white(rng, low_n, WIND_RATE), centre, 6.0, rate=WIND_RATE)
        whistle *= at_low_rate(0.5 * sing * env, low_n, WIND_RATE)
        low += whistle
    out = distance_filter(from_low_rate(low, n, WIND_RATE), params.distance)
    out *= np.float32(0.22 * (0.4 + 0.6 * params.intensity))
    return out


def render_rain(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    hiss = bandpass(white(rng, n), 800.0, 9000.0, order=1)
    # Drops: a Poisson rain of clicks through a resonant band, each a tiny tick on a surface.
    times = scatter_times(rng, np.clip(env, 0.05, None), 300.0 + 2500.0 * params.intensity)
    ticks = bandpass(impulses(n, times, rng.uniform(0.1, 1.0, times.size) ** 2), 1800.0 + 2000.0 * params.hardness, 7000.0, order=2)
    out = 0.35 * hiss + 1.8 * ticks
    # A few heavier drops on something near (a sill, a leaf): lower, louder.
    heavy = scatter_times(rng, np.ones_like(env), 5.0)
    place_many(out, grain_bank(rng, 3, 400, 600.0, 2500.0, 0.003), heavy, rng.uniform(0.05, 0.2, heavy.size), rng)
    out = distance_filter(out, params.distance)
    return (out * upsample(env, n) * 0.25 * (0.4 + 0.6 * params.intensity)).astype(np.float32)


WEATHER_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "wind", "texture",
        "wind blowing outdoors: gusts, a breeze, a storm, air howling",
        ("wind", "windy", "breeze", "gust", "gusts", "howling", "air", "outdoor", "outdoors", "exterior", "windstorm", "gale"),
        render_wind, SoundParams(size=0.6, hardness=0.3, intensity=0.5, distance=0.2),
        ucs=("WIND", "WINDGust", "WINDInt", "WINDTonl", "WINDVege", "WINDDsgn", "AMBDsrt",),
    ),
    SoundModel(
        "rain", "texture",
        "rain falling: raindrops on a roof, a window or the street, a downpour",
        ("rain", "raining", "rainy", "raindrops", "drops", "drizzle", "shower", "rainfall", "downpour"),
        render_rain, SoundParams(size=0.4, hardness=0.5, intensity=0.6, distance=0.2),
        ucs=("RAIN", "RAINClth", "RAINConc", "RAINGlas", "RAINMetl", "RAINPlas", "RAINVege", "RAINWood", "RAINWatr",),
    ),
)
