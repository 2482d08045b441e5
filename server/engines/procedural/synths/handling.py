"""Props in the hands: paper, keys and dry leaves, following the motion that handles them.

Paper is crinkle, not rustle: stiff fibres buckling one after another make a crackle of sharp
clicks across the whole band, denser and louder the faster the sheet moves, over a thin hiss
of the sheet sliding. Keys jingle: each small piece of metal struck by another rings for tens
of milliseconds at a few kHz, in little clusters every time the bunch swings. Dry leaves kicked
or gathered up are paper made small and brittle: many more, much tinier clicks (each leaf
snapping at its veins), higher up (2.5-12 kHz), over the hiss of leaves sliding on leaves, their
density following the foot or the hand that moves them.
"""

from __future__ import annotations

import numpy as np

from ..dsp import (
    SAMPLE_RATE,
    bandpass,
    distance_filter,
    env_at,
    highpass,
    place_many,
    scatter_times,
    unit_peak,
    upsample,
    white,
)
from .base import SoundModel, SoundParams
from .cloth import grain_bank


def _rustle(rng: np.random.Generator, params: SoundParams, env: np.ndarray, *, hiss: np.ndarray, grains_per_s: float,
            grain_power: float, grain_band: tuple[float, float], grain_size: int, grain_decay: float, gain: float
            ) -> np.ndarray:
    """Something light handled or stepped through: a breathy ``hiss`` (already shaped by the motion)
    under crackles scattered as the motion (to the ``grain_power``) allows, louder where it moves."""
    motion = np.clip(env, 0.0, None)
    times = scatter_times(rng, motion ** grain_power, grains_per_s)
    bank = grain_bank(rng, 8, grain_size, *grain_band, grain_decay)
    out = hiss
    place_many(out, bank, times, rng.uniform(0.1, 1.0, times.size) ** 2 * np.clip(env_at(motion, times), 0.0, 1.0), rng)
    out = distance_filter(out, params.distance)
    out *= np.float32(gain * (0.3 + 0.7 * params.intensity) * (1.0 - 0.6 * params.distance))
    return out


def render_paper(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    motion = np.clip(env, 0.0, None)
    hiss = bandpass(white(rng, n), 1500.0, 9000.0, order=1) * upsample(0.12 * motion ** 1.5, n)
    return _rustle(rng, params, env, hiss=hiss, grains_per_s=60.0 + 200.0 * params.hardness, grain_power=1.5,
                   grain_band=(800.0, 12000.0), grain_size=96, grain_decay=0.0005, gain=0.45)


def _ping(rng: np.random.Generator) -> np.ndarray:
    """A small piece of metal ringing: three inharmonic modes at a few kHz."""
    length = int(0.12 * SAMPLE_RATE)
    t = np.arange(length, dtype=np.float32) / SAMPLE_RATE
    f = float(rng.uniform(2200.0, 6500.0))
    out = np.zeros(length, dtype=np.float32)
    for ratio, amp in ((1.0, 1.0), (float(rng.uniform(1.5, 1.8)), 0.6), (float(rng.uniform(2.6, 3.1)), 0.35)):
        tau = float(rng.uniform(0.015, 0.05)) / ratio ** 0.5
        out += amp * np.sin(2.0 * np.pi * f * ratio * t) * np.exp(-t / tau)
    out[:32] += highpass(white(rng, 32), 4000.0)
    return unit_peak(out)


def render_keys(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    motion = np.clip(env, 0.0, None)
    bank = [_ping(rng) for _ in range(12)]
    # Each swing of the bunch: a cluster of 3-8 strikes within a few tens of ms.
    swings = scatter_times(rng, motion ** 1.5, 6.0 + 10.0 * params.intensity)
    hits = [s + (rng.exponential(0.012, int(rng.integers(3, 9))) * SAMPLE_RATE).astype(np.int64) for s in swings.tolist()]
    pos = np.concatenate(hits) if hits else np.zeros(0, dtype=np.int64)
    out = np.zeros(n, dtype=np.float32)
    place_many(out, bank, pos, rng.uniform(0.15, 0.6, pos.size) * np.clip(env_at(motion, np.minimum(pos, n - 1)), 0.0, 1.0), rng)
    out = distance_filter(out, params.distance)
    out *= np.float32(0.5 * (0.3 + 0.7 * params.intensity) * (1.0 - 0.6 * params.distance))
    return out


def render_leaves(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    motion = np.clip(env, 0.0, None)
    hiss = bandpass(white(rng, n), 2500.0, 10000.0, order=1) * upsample(0.08 * motion, n)
    return _rustle(rng, params, env, hiss=hiss, grains_per_s=400.0 + 900.0 * params.intensity, grain_power=1.2,
                   grain_band=(2500.0, 12000.0), grain_size=48, grain_decay=0.0003, gain=0.35)


HANDLING_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "paper", "texture",
        "paper handling: a sheet of paper crinkling, pages rustling and turning, a newspaper, a bag crumpled",
        ("paper", "papers", "page", "pages", "newspaper", "crinkle", "crinkling", "crumple", "crumpled", "crumpling",
         "envelope", "book", "letter", "wrapper", "wrapping", "flipping", "leafing"),
        render_paper, SoundParams(size=0.4, hardness=0.6, intensity=0.6),
        ucs=("PAPRHndl", "PAPRMisc", "PAPRFltr", "OBJPack"),
    ),
    SoundModel(
        "keys", "texture",
        "keys jingling: a bunch of keys rattling, coins or chains jangling in the hand",
        ("keys", "key", "keychain", "jingle", "jingling", "jangle", "jangling", "coin", "coins", "chain", "chains", "bunch"),
        render_keys, SoundParams(size=0.3, hardness=0.8, intensity=0.6),
        ucs=("OBJKey", "OBJCoin", "CHAINMvmt"),
    ),
    SoundModel(
        "leaves", "texture",
        "dry leaves rustling: a pile of fallen autumn leaves kicked, raked or gathered up by hand, crackling",
        ("leaves", "leaf", "dry leaves", "fallen leaves", "autumn leaves", "pile of leaves"),
        render_leaves, SoundParams(size=0.5, hardness=0.6, intensity=0.6),
        ucs=("VEGELeaf",),
    ),
)
