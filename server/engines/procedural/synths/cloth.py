"""Cloth, handling and friction: the sounds that follow a moving body or object.

Rustle is band-limited noise whose level follows the motion envelope, roughened by a fast random
modulation (fibres catching and releasing) and sprinkled with small crinkles where motion is
strong. Friction (a scrape) is the same idea with stick-slip jerks. Also the quiet room tone
that keeps a BG layer from ever being digital silence.
"""

from __future__ import annotations

import numpy as np

from ..dsp import (
    bandpass,
    decay_env,
    distance_filter,
    env_at,
    impulses,
    lowpass,
    one_pole,
    place_many,
    scatter_times,
    unit_peak,
    upsample,
    white,
)
from .base import SoundModel, SoundParams


def grain_bank(rng: np.random.Generator, count: int, length: int, low: float, high: float, tau_s: float) -> list[np.ndarray]:
    """A few short filtered-noise grains rendered once per take and reused for many events."""
    grains = []
    for _ in range(count):
        g = bandpass(white(rng, length), low, high, order=1) * decay_env(length, tau_s)
        grains.append(unit_peak(g))
    return grains


def render_cloth(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    # Fabric lives in the mids: a stiff nylon shell is brighter than a wool coat.
    low = 400.0 + 1000.0 * params.hardness * (1.0 - 0.5 * params.size)
    high = 2500.0 + 3500.0 * params.hardness
    noise = bandpass(white(rng, n), low, high, order=2)
    # Fibre roughness: rectified noise smoothed to a few tens of Hz modulates the level.
    rough = np.abs(one_pole(white(rng, env.size), 0.8))
    rough /= max(float(rough.mean()), 1e-6)
    level = np.clip(env, 0.0, None) ** 1.3 * (0.45 + 0.55 * np.minimum(rough, 3.0))
    out = noise
    out *= upsample(level, n)
    # Crinkles: sparse short clicks, much denser where the motion is strong.
    times = scatter_times(rng, np.clip(env, 0.0, None) ** 2, 4.0 + 25.0 * params.hardness)
    bank = grain_bank(rng, 4, 160, 1500.0, 6000.0, 0.0008)
    place_many(out, bank, times, rng.uniform(0.1, 0.45, times.size) * np.clip(env_at(env, times), 0.0, 1.0), rng)
    out = distance_filter(out, params.distance)
    out *= np.float32(0.5 * (0.3 + 0.7 * params.intensity) * (1.0 - 0.6 * params.distance))
    return out


def render_room_tone(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    # First-order low-pass: a gentle tilt, like air and distant machinery in a quiet room.
    tone = lowpass(white(rng, n), 250.0 + 900.0 * (1.0 - params.size), order=1)
    tone *= upsample(env * np.float32(0.05 * (0.4 + 0.6 * params.intensity)), n)
    return tone


CLOTH_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "cloth", "texture",
        "cloth rustle and clothing movement: a jacket, sleeves, fabric handled, body movement",
        ("cloth", "clothes", "clothing", "rustle", "fabric", "jacket", "coat", "sleeve", "movement", "moves", "handling", "hands"),
        render_cloth, SoundParams(size=0.5, hardness=0.5, intensity=0.6),
        ucs=("CLOTHMvmt", "CLOTHMisc", "FOLYClth", "FGHTClth", "CLOTHFlp", "LETHRMvmt",),
    ),
    SoundModel(
        "room_tone", "texture",
        "quiet room tone: an interior ambience, air conditioning hum, a calm room",
        ("room", "interior", "indoor", "indoors", "tone", "quiet", "office", "silence"),
        render_room_tone, SoundParams(size=0.5, hardness=0.3, intensity=0.5),
        ucs=("AMBRoom", "AMBOffc", "AMBMisc",),
    ),
)


def render_scrape(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    """Friction: something dragged or sliding over a surface.

    Stick-slip: the contact catches and releases in tiny jerks whose rate rises with speed; each
    release is a click through the surface's band. Under them, a rough noise band whose level and
    brightness follow the motion (faster sliding, brighter scrape).
    """
    speed = np.clip(env, 0.0, None)
    times = scatter_times(rng, speed, 60.0 + 500.0 * params.hardness)
    jerks = impulses(n, times, rng.uniform(0.2, 1.0, times.size) * env_at(speed, times))
    centre = 300.0 + 1800.0 * params.hardness * (1.0 - 0.5 * params.size)
    out = bandpass(jerks, centre * 0.5, centre * 3.0, order=1) * 3.0
    rough = bandpass(white(rng, n), centre * 0.7, centre * 3.0, order=1)
    rough *= upsample(0.35 * speed ** 1.5, n)
    out += rough
    out = distance_filter(out, params.distance)
    out *= np.float32(0.5 * (0.3 + 0.7 * params.intensity) * (1.0 - 0.6 * params.distance))
    return out


def render_zipper(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    """A zip drawn: the slider passes a tooth every couple of millimetres, a tiny click each,
    hundreds a second at a quick pull, over the rasp of the slider on the tape."""
    speed = np.clip(env, 0.0, None)
    times = scatter_times(rng, speed, 150.0 + 250.0 * params.intensity)
    teeth = impulses(n, times, rng.uniform(0.5, 1.0, times.size) * env_at(speed, times))
    centre = (3500.0 - 1500.0 * params.size) * float(rng.uniform(0.9, 1.1))
    out = bandpass(teeth, centre * 0.5, centre * 2.0, order=1) * 2.5
    out += bandpass(white(rng, n), 1500.0, 8000.0, order=1) * upsample(0.12 * speed, n)
    out = distance_filter(out, params.distance)
    out *= np.float32(0.5 * (0.3 + 0.7 * params.intensity) * (1.0 - 0.6 * params.distance))
    return out


CLOTH_MODELS = CLOTH_MODELS + (
    SoundModel(
        "scrape", "texture",
        "friction: a crate or chair dragged or pushed sliding across a floor, a scrape, a scratch",
        ("scrape", "scraping", "scratch", "drag", "dragged", "dragging", "slide", "slides", "sliding", "push", "pushed", "pushes", "friction", "shove"),
        render_scrape, SoundParams(size=0.6, hardness=0.5, intensity=0.6),
        ucs=("WOODFric", "METLFric", "ROCKFric", "PLASFric", "CERMFric", "GLASFric", "RUBRFric", "ICEFric", "SNOWFric",),
    ),
    SoundModel(
        "zipper", "texture",
        "a zipper: a zip pulled open or shut on a jacket, a bag or a tent, its teeth rasping",
        ("zip", "zips", "zipper", "zippers", "zipped", "zipping", "unzip", "unzips", "unzipped", "unzipping"),
        render_zipper, SoundParams(size=0.4, hardness=0.6, intensity=0.7),
        ucs=("OBJZipr",),
    ),
)
