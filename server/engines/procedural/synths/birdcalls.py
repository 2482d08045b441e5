"""Two birds' calls an editor asks for by name, each a tone of the syrinx through a short beak
tract (``animals``' source and formants), unlike the crow's noisy caw.

A gull's long call, the cry of every harbour: a series of four to eight yelping "kyow" notes
at 650-1000 Hz (a big gull lower), clearly tonal but nasal (the harmonics up to 4-5 kHz, formants
near 1.6 and 3 kHz), the first note the longest (0.3-0.45 s) with its pitch rising and falling,
then shorter ones (0.1-0.2 s) three to five a second, each falling in pitch and the run sinking a
little as it goes.

An owl's hoot is the lowest and purest bird call: a great horned or a tawny owl hoots at 250-500
Hz with its throat puffed out as a resonator, so the call is nearly a sine (over 0.9 of its
energy under 1 kHz). It comes in a rhythm, a long "hoo", a pause, a couple of quick short hoots,
and a long last one that quavers at its start (a 15-25 Hz tremolo), about two and a half seconds in
all.
"""

from __future__ import annotations

import numpy as np

from ..dsp import SAMPLE_RATE, bandpass, lowpass, unit_peak
from .animals import call_envelope, glottal_source, vocal_tract
from .base import SoundModel, SoundParams, finish


def _note(rng: np.random.Generator, f0: np.ndarray, formants, roughness: float, breath: float,
          attack_s: float, release_from: float) -> np.ndarray:
    src = glottal_source(rng, f0.astype(np.float32), roughness=roughness, breath=breath)
    return unit_peak(vocal_tract(src, formants) * call_envelope(f0.size, attack_s, release_from))


def render_gull(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    pitch = (1000.0 * 0.65 ** params.size) * float(rng.uniform(0.92, 1.08))
    scale = 1.15 - 0.3 * params.size
    formants = ((1600.0 * scale, 3.0, 1.0), (3000.0 * scale, 4.0, 0.5), (pitch, 2.0, 0.5))
    notes = int(rng.integers(4, 9))
    lengths = [float(rng.uniform(0.3, 0.45))] + [float(rng.uniform(0.1, 0.2)) for _ in range(notes - 1)]
    gaps = [float(rng.uniform(0.25, 0.35))] + [float(rng.uniform(0.06, 0.12)) for _ in range(notes - 1)]
    n = int((sum(lengths) + sum(gaps) + 0.05) * SAMPLE_RATE)
    out = np.zeros(n, dtype=np.float32)
    at = 0.0
    for k, (length, gap) in enumerate(zip(lengths, gaps)):
        m = int(length * SAMPLE_RATE)
        u = np.linspace(0.0, 1.0, m, dtype=np.float32)
        sink = 1.0 - 0.04 * k
        if k == 0:   # the long "kyow": up, then down
            contour = 0.85 + 0.3 * np.sin(np.pi * np.minimum(u / 0.7, 1.0)) - 0.25 * np.clip((u - 0.7) / 0.3, 0.0, 1.0)
        else:        # a yelp falling through its length
            contour = 1.1 - 0.3 * u
        note = _note(rng, pitch * sink * contour, formants, roughness=0.15, breath=0.25, attack_s=0.01, release_from=0.6)
        start = int(at * SAMPLE_RATE)
        out[start : start + m] += note[: n - start] * float(rng.uniform(0.8, 1.0))
        at += length + gap
    out = bandpass(out, 500.0, 6000.0, order=1)
    return finish(out, params, strength, peak=0.8, strength_floor=0.4, fade_s=0.02)


def render_hoot(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    pitch = (500.0 * 0.5 ** params.size) * float(rng.uniform(0.92, 1.08))
    formants = ((pitch, 1.5, 1.0), (2.0 * pitch, 2.0, 0.05))
    quick = int(rng.integers(1, 4))
    # (seconds, gap after, quaver): the long hoo, the quick ones, the long quavering last
    shape = [(float(rng.uniform(0.45, 0.65)), float(rng.uniform(0.35, 0.5)), False)]
    shape += [(float(rng.uniform(0.12, 0.18)), float(rng.uniform(0.08, 0.14)), False) for _ in range(quick)]
    shape += [(float(rng.uniform(0.6, 0.85)), 0.05, True)]
    n = int(sum(s + g for s, g, _q in shape) * SAMPLE_RATE)
    out = np.zeros(n, dtype=np.float32)
    at = 0.0
    for k, (length, gap, quaver) in enumerate(shape):
        m = int(length * SAMPLE_RATE)
        t = np.arange(m, dtype=np.float32) / SAMPLE_RATE
        contour = 1.0 + 0.04 * np.sin(np.pi * t / length) - 0.05 * (t / length)
        note = _note(rng, pitch * contour, formants, roughness=0.0, breath=0.05, attack_s=0.04, release_from=0.55)
        if quaver:
            hz = float(rng.uniform(15.0, 25.0))
            note *= (1.0 - 0.6 * np.exp(-t / (0.35 * length)) * (0.5 + 0.5 * np.cos(2.0 * np.pi * hz * t))).astype(np.float32)
        start = int(at * SAMPLE_RATE)
        out[start : start + m] += note[: n - start] * (1.0 if k == 0 or quaver else 0.8)
        at += length + gap
    return finish(lowpass(out, 1500.0), params, strength, peak=0.75, strength_floor=0.4, fade_s=0.03)


BIRD_CALL_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "gull_cry", "oneshot",
        "a seagull calling: the loud yelping kyow kyow cry of a gull",
        ("gull", "gulls", "seagull", "seagulls"),
        render_gull, SoundParams(size=0.5, hardness=0.5, intensity=0.7, distance=0.35),
        ucs=("BIRDSea",),
    ),
    SoundModel(
        "owl_hoot", "oneshot",
        "an owl hooting: the soft low hoo hoo of an owl in the night woods",
        ("owl", "owls", "hoot", "hoots", "hooting", "hooted"),
        render_hoot, SoundParams(size=0.5, hardness=0.3, intensity=0.6, distance=0.35),
        happens_to=("owl", "owls"),
        ucs=("BIRDPrey",),
    ),
)
