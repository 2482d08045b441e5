"""Animal voices by source and filter, as speech synthesis does it: a glottal pulse train at the
call's pitch (the source) shaped by a few vocal-tract resonances (the formants).

A dog's bark is short (0.1-0.35 s) and loud, its pitch jumping up at the start and falling
through the bark, rough (every other glottal pulse weaker: the period doubling that makes a
bark harsh), with a breathy noise riding on the pulses. The harmonics of a pitch of a few
hundred Hz fall right in the 400-2000 Hz band where its formants sit. A cat's meow is longer
and sung: the pitch arches up and down while the mouth opens and closes ("mi-a-ow"), which
moves the formants from an i through an a to an o.

A growl is the same source held low and long: the folds buzz at 80-250 Hz (a big dog lower),
rough (every other pulse weaker, the pitch jittering) and through a long, open tract whose
first formant sits low (400-700 Hz), so the call is a rumble with a vowel. It comes in breaths
(one to two seconds each, the pitch sagging as the air runs out) and pulses within them: the
throat's flutter modulates its level some 10-25 times a second.

A crow's caw is the opposite: a harsh, noisy "kaaa", the syrinx driven so hard its tone is
mostly turbulence, through a short beak-and-throat tract that puts the call's energy in a
strong 1-2 kHz band. Crows call in bursts of two to four caws, a few tenths of a second each,
with gaps about as long between them.
"""

from __future__ import annotations

import numpy as np

from ..dsp import SAMPLE_RATE, bandpass, lowpass, one_pole, resonator, unit_peak, white
from .base import SoundModel, SoundParams, finish

Formants = tuple[tuple[float, float, float], ...]  # (centre Hz, Q, gain)


def glottal_source(rng: np.random.Generator, f0: np.ndarray, roughness: float, breath: float) -> np.ndarray:
    """Glottal pulses at the pitch curve ``f0`` (Hz per sample) plus pitch-synchronous breath."""
    jitter = 1.0 + 0.02 * one_pole(white(rng, f0.size), 0.995) * 8.0
    phase = np.cumsum(f0 * jitter, dtype=np.float64) / SAMPLE_RATE
    frac = (phase % 1.0).astype(np.float32)
    # A sharp closure each period, decaying through it: harmonics falling ~6 dB/octave.
    pulse = np.exp(frac * np.float32(-5.0)) - np.float32(0.4)
    pulse *= np.where(phase.astype(np.int64) % 2 == 0, np.float32(1.0), np.float32(1.0 - roughness))
    noise = white(rng, f0.size) * (np.float32(0.3) + np.exp(frac * np.float32(-8.0)))
    return one_pole(pulse + breath * noise, 0.2)


def vocal_tract(source: np.ndarray, formants: Formants) -> np.ndarray:
    out = np.zeros_like(source)
    for centre, q, gain in formants:
        out += gain * resonator(source, centre, q)
    return out


def call_envelope(n: int, attack_s: float, release_from: float) -> np.ndarray:
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
    src = glottal_source(rng, f0.astype(np.float32), roughness=0.25 + 0.2 * params.hardness, breath=0.35)
    scale = 1.25 - 0.5 * params.size  # a smaller head: higher formants
    formants = ((700.0 * scale, 3.0, 1.0), (1500.0 * scale, 4.0, 0.7), (2800.0 * scale, 5.0, 0.35))
    out = vocal_tract(src, formants) * call_envelope(n, 0.006, 0.45)
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
    src = glottal_source(rng, (base * arch).astype(np.float32), roughness=0.05, breath=0.15)
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
        out[lo:hi] += weight[lo:hi] * vocal_tract(src[lo:hi], shape)
    out *= call_envelope(n, 0.04, 0.75)
    return finish(bandpass(out, 250.0, 9000.0, order=1), params, strength, peak=0.8, strength_floor=0.4)


def render_growl(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    seconds = (0.8 + 0.9 * params.intensity + 0.4 * params.size) * float(rng.uniform(0.85, 1.15))
    n = int(seconds * SAMPLE_RATE)
    u = np.linspace(0.0, 1.0, n, dtype=np.float32)
    # 250 Hz for a terrier down to 80 Hz for a mastiff; the pitch sags as the breath runs out.
    f0 = (250.0 * (80.0 / 250.0) ** params.size) * float(rng.uniform(0.92, 1.08)) * (1.05 - 0.15 * u)
    src = glottal_source(rng, f0.astype(np.float32), roughness=0.45 + 0.3 * params.intensity, breath=0.6)
    scale = 1.15 - 0.35 * params.size
    formants = ((520.0 * scale, 2.5, 1.0), (1150.0 * scale, 3.5, 0.45), (2500.0 * scale, 4.0, 0.15))
    out = lowpass(vocal_tract(src, formants), 3000.0)
    # The throat's flutter: the level pulses 10-25 times a second, deeply, with a wandering rate.
    flutter_hz = float(rng.uniform(10.0, 25.0))
    wander = np.cumsum(1.0 + 0.15 * one_pole(white(rng, n), 0.9995) * 20.0, dtype=np.float64) / SAMPLE_RATE
    flutter = 0.55 + 0.45 * np.sin(2.0 * np.pi * flutter_hz * wander + float(rng.uniform(0.0, 2.0 * np.pi)))
    out *= flutter.astype(np.float32) * call_envelope(n, 0.08, 0.7)
    return finish(out, params, strength, peak=0.8, strength_floor=0.4, fade_s=0.03)


def render_caw(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    calls = int(rng.integers(2, 5))
    call_s = (0.22 + 0.12 * params.size) * rng.uniform(0.85, 1.15, calls)
    gap_s = rng.uniform(0.15, 0.35, calls)
    n = int((call_s.sum() + gap_s[:-1].sum() + 0.05) * SAMPLE_RATE)
    out = np.zeros(n, dtype=np.float32)
    at = 0.0
    # A raven (big) calls lower than a jackdaw (small): formants and pitch scale with the bird.
    scale = 1.2 - 0.4 * params.size
    for length, gap in zip(call_s, gap_s):
        k = int(length * SAMPLE_RATE)
        u = np.linspace(0.0, 1.0, k, dtype=np.float32)
        f0 = (480.0 * scale) * float(rng.uniform(0.9, 1.1)) * (1.0 + 0.12 * np.sin(np.pi * u))
        # Driven hard: the pulses are swamped by turbulence (breath) and jitter wildly.
        src = glottal_source(rng, f0.astype(np.float32), roughness=0.6, breath=2.5)
        call = vocal_tract(src, ((1250.0 * scale, 3.0, 1.0), (1750.0 * scale, 3.5, 0.8), (3200.0 * scale, 4.0, 0.15)))
        call = bandpass(call, 700.0, 4500.0, order=2) * call_envelope(k, 0.015, 0.6)
        start = int(at * SAMPLE_RATE)
        out[start : start + k] += unit_peak(call)[: n - start] * float(rng.uniform(0.75, 1.0))
        at += length + gap
    return finish(out, params, strength, peak=0.8, strength_floor=0.4, fade_s=0.02)


# What growls: the dog and its kin. A stomach, a motor or a voice that "growls" is none of them.
_GROWLERS = ("dog", "dogs", "puppy", "puppies", "hound", "hounds", "rottweiler", "pitbull")

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
    SoundModel(
        "dog_growl", "oneshot",
        "a dog growling: the low rough rumbling growl or snarl of an angry dog, a threatening snarl",
        ("growl", "growls", "growling", "growled", "snarl", "snarls", "snarling", "snarled"),
        render_growl, SoundParams(size=0.6, hardness=0.5, intensity=0.6, distance=0.1),
        happens_to=_GROWLERS,
        ucs=("ANMLDog",),
    ),
    SoundModel(
        "crow_caw", "oneshot",
        "a crow cawing: the harsh caw caw of a crow or a raven, its rough call repeated",
        ("caw", "caws", "cawing", "cawed", "crow", "crows", "raven", "ravens", "jackdaw", "jackdaws", "magpie",
         "magpies"),
        render_caw, SoundParams(size=0.5, hardness=0.5, intensity=0.7, distance=0.2),
        ucs=("BIRDCrow",),
    ),
)
