"""Animal voices by source and filter, as speech synthesis does it: a glottal pulse train at the
call's pitch (the source) shaped by a few vocal-tract resonances (the formants).

A dog's bark is short (0.1-0.35 s) and loud, its pitch jumping up at the start and falling
through the bark, rough (every other glottal pulse weaker: the period doubling that makes a
bark harsh), with a breathy noise riding on the pulses. The harmonics of a pitch of a few
hundred Hz fall right in the 400-2000 Hz band where its formants sit. A cat's meow is longer
and sung: the pitch arches up and down while the mouth opens and closes ("mi-a-ow"), which
moves the formants from an i through an a to an o.
"""

from __future__ import annotations

import numpy as np

from ..dsp import SAMPLE_RATE, bandpass, lowpass, one_pole, resonator, white
from .base import SoundModel, SoundParams, finish

Formants = tuple[tuple[float, float, float], ...]  # (centre Hz, Q, gain)


def _source(rng: np.random.Generator, f0: np.ndarray, roughness: float, breath: float) -> np.ndarray:
    """Glottal pulses at the pitch curve ``f0`` (Hz per sample) plus pitch-synchronous breath."""
    jitter = 1.0 + 0.02 * one_pole(white(rng, f0.size), 0.995) * 8.0
    phase = np.cumsum(f0 * jitter, dtype=np.float64) / SAMPLE_RATE
    frac = (phase % 1.0).astype(np.float32)
    # A sharp closure each period, decaying through it: harmonics falling ~6 dB/octave.
    pulse = np.exp(frac * np.float32(-5.0)) - np.float32(0.4)
    pulse *= np.where(phase.astype(np.int64) % 2 == 0, np.float32(1.0), np.float32(1.0 - roughness))
    noise = white(rng, f0.size) * (np.float32(0.3) + np.exp(frac * np.float32(-8.0)))
    return one_pole(pulse + breath * noise, 0.2)


def _tract(source: np.ndarray, formants: Formants) -> np.ndarray:
    out = np.zeros_like(source)
    for centre, q, gain in formants:
        out += gain * resonator(source, centre, q)
    return out


def _envelope(n: int, attack_s: float, release_from: float) -> np.ndarray:
    u = np.linspace(0.0, 1.0, n, dtype=np.float32)
    env = np.minimum(np.arange(n, dtype=np.float32) / max(attack_s * SAMPLE_RATE, 1.0), 1.0)
    env *= np.clip((1.0 - u) / (1.0 - release_from), 0.0, 1.0) ** 1.5
    return env


def render_bark(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    seconds = (0.12 + 0.22 * params.size) * float(rng.uniform(0.85, 1.15))
    n = int(seconds * SAMPLE_RATE)
    u = np.linspace(0.0, 1.0, n, dtype=np.float32)
    # Small dogs yap near 1 kHz, big ones bark near 300 Hz.
    peak = (1000.0 - 700.0 * params.size) * float(rng.uniform(0.9, 1.1))
    f0 = np.where(u < 0.25, 0.8 + 0.2 * u / 0.25, 1.0 - 0.4 * (u - 0.25) / 0.75) * peak
    src = _source(rng, f0.astype(np.float32), roughness=0.25 + 0.2 * params.hardness, breath=0.35)
    scale = 1.25 - 0.5 * params.size  # a smaller head: higher formants
    formants = ((700.0 * scale, 3.0, 1.0), (1500.0 * scale, 4.0, 0.7), (2800.0 * scale, 5.0, 0.35))
    out = _tract(src, formants) * _envelope(n, 0.006, 0.45)
    # The bark's burst of air at its start.
    burst = int(0.012 * SAMPLE_RATE)
    out[:burst] += 0.4 * float(np.abs(out).max()) * lowpass(white(rng, burst), 3500.0) * np.linspace(1.0, 0.0, burst, dtype=np.float32)
    return finish(out, params, strength, peak=0.85, strength_floor=0.4)


def render_meow(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    seconds = (0.5 + 0.5 * params.size) * float(rng.uniform(0.85, 1.15))
    n = int(seconds * SAMPLE_RATE)
    u = np.linspace(0.0, 1.0, n, dtype=np.float32)
    base = (620.0 - 200.0 * params.size) * float(rng.uniform(0.9, 1.1))
    # The pitch arches: up a third in the first third, down below the start by the end.
    arch = np.where(u < 0.35, 1.0 + 0.35 * u / 0.35, 1.35 - 0.65 * (u - 0.35) / 0.65)
    src = _source(rng, (base * arch).astype(np.float32), roughness=0.05, breath=0.15)
    # mi-a-ow: three mouth shapes, crossfaded along the call.
    shapes: tuple[Formants, ...] = (
        ((450.0, 5.0, 1.0), (2300.0, 6.0, 0.6), (3300.0, 6.0, 0.3)),  # i
        ((950.0, 4.0, 1.0), (1600.0, 5.0, 0.7), (3000.0, 6.0, 0.3)),  # a
        ((600.0, 5.0, 1.0), (950.0, 5.0, 0.6), (2800.0, 6.0, 0.2)),   # o
    )
    weights = (np.clip(1.0 - u / 0.3, 0.0, 1.0), np.clip(1.0 - np.abs(u - 0.45) / 0.3, 0.0, 1.0), np.clip((u - 0.5) / 0.35, 0.0, 1.0))
    out = np.zeros(n, dtype=np.float32)
    for weight, shape in zip(weights, shapes):
        # Each mouth shape is filtered only where it is heard (its weight ramps from 0 there).
        active = np.flatnonzero(weight > 0.0)
        lo, hi = int(active[0]), int(active[-1]) + 1
        out[lo:hi] += weight[lo:hi] * _tract(src[lo:hi], shape)
    out *= _envelope(n, 0.04, 0.75)
    return finish(bandpass(out, 250.0, 9000.0, order=1), params, strength, peak=0.8, strength_floor=0.4)


ANIMAL_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "dog_bark", "oneshot",
        "a dog barking: a loud rough bark or woof of a dog, a yap, a growling bark",
        ("dog", "dogs", "bark", "barks", "barking", "woof", "yap", "yapping", "puppy", "hound"),
        render_bark, SoundParams(size=0.5, hardness=0.5, intensity=0.8, distance=0.15),
        ucs=("ANMLDog",),
    ),
    SoundModel(
        "cat_meow", "oneshot",
        "a cat meowing: a meow, mew or miaow of a cat or kitten",
        ("cat", "cats", "meow", "meows", "meowing", "mew", "miaow", "kitten", "purr"),
        render_meow, SoundParams(size=0.4, hardness=0.4, intensity=0.7, distance=0.15),
        ucs=("ANMLCat",),
    ),
)
