"""A horse's hooves: one stride per event.

A hoof is hard and hollow: on hard ground each footfall is a clop, a knock ringing at a few
hundred Hz over the ground's thud (the coconut shells of a Foley stage imitate exactly that);
on soft ground the knock is lost and the thud is muffled. The gait sets the rhythm of a stride:
a trot puts the feet down in two beats, a gallop in three quick ones ("da-da-dum") before the
horse is in the air. The stride's first footfall is the event's time.
"""

from __future__ import annotations

import numpy as np

from ..dsp import SAMPLE_RATE, decay_env, highpass, lowpass, resonator, white
from .base import SoundModel, SoundParams, finish


def _clop(rng: np.random.Generator, params: SoundParams) -> np.ndarray:
    n = int(0.12 * SAMPLE_RATE)
    t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
    burst = white(rng, n) * decay_env(n, 0.003)
    knock_hz = (500.0 + 500.0 * params.hardness) * float(rng.uniform(0.85, 1.15))
    out = params.hardness * resonator(burst, knock_hz, 8.0) * 3.0
    thud_hz = (140.0 - 50.0 * params.size) * float(rng.uniform(0.9, 1.1))
    out += (0.5 + 0.5 * params.size) * np.sin(2.0 * np.pi * thud_hz * t) * np.exp(-t / 0.02)
    out += 0.15 * highpass(burst, 2500.0) * params.hardness
    if params.hardness < 0.5:
        out = lowpass(out, 900.0 + 2000.0 * params.hardness, order=1)
    return out.astype(np.float32)


def render_hooves(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    # A gallop's three beats come quicker than a trot's two.
    beats = (0.0, 0.08, 0.17) if params.intensity >= 0.6 else (0.0, 0.14)
    n = int((beats[-1] + 0.15) * SAMPLE_RATE)
    out = np.zeros(n, dtype=np.float32)
    for k, at in enumerate(beats):
        i = int((at + float(rng.uniform(-0.008, 0.008)) * (k > 0)) * SAMPLE_RATE)
        clop = _clop(rng, params)[: n - i] * float(rng.uniform(0.7, 1.0))
        out[i : i + clop.size] += clop
    return finish(out, params, strength, peak=0.7, strength_floor=0.4, fade_s=0.01)


_HOOF_WORDS = ("horse", "horses", "hooves", "hoof", "hoofbeats", "gallop", "gallops", "galloping", "trot", "trots",
               "trotting", "canter", "cantering", "clip clop", "pony", "ponies", "donkey", "stallion", "mare",
               "horseback", "cavalry")

HOOF_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "hooves", "oneshot",
        "a horse's hooves: a horse galloping or trotting, hoofbeats clip-clopping on the ground",
        _HOOF_WORDS,
        render_hooves, SoundParams(size=0.6, hardness=0.6, intensity=0.7, distance=0.15),
        # The embedding reads any animal (a cow, seagulls, "farm animals") near a horse: only a
        # prompt that names a horse, its hooves or its gait gets them, from either matcher.
        happens=_HOOF_WORDS,
        ucs=("FEETHors",),
    ),
)
