"""The voices of big animals and of creatures, built as the dog's and the cat's are
(``animals``: a glottal source at the call's pitch through a few vocal-tract formants).

A wolf's howl is the purest of them: the folds held steady and the mouth rounded to an "oo", so
one clear tone carries the call, 280-560 Hz (a big wolf lower; a coyote higher), with few
harmonics (the second 10 dB or more under the first) and barely any roughness. It swoops up from
two thirds of its pitch in the first fifth of a second or so, holds with a slow waver (about 5 Hz)
for one to four seconds, and falls away as the breath ends.

A big cat's roar is the loudest and lowest of the land's voices: a lion's vocal folds are thick,
flat pads that vibrate at 70-200 Hz with a great deal of air and roughness, through a long tract
lowered by its larynx (formants near 350, 800 and 1900 Hz), so the roar is a broad, harsh "aaoo"
with most of its energy under 1.5 kHz. One roar lasts about a second and a half, rising into the
call and sagging at its end, and the bout trails off in two to four grunts, each shorter and
quieter than the last, about two thirds of a second apart.

A film's monster or creature is no animal, and sound designers build it as one scaled past
any: a source at 35-80 Hz, rough enough to buzz (subharmonics, a beating second voice a few
Hz off), through a tract half again as long as a lion's (formants near 260, 560 and 1300 Hz) with
its breath rushing through; the throat's flutter is slower than a dog's (5-12 times a second), and
it swells over one and a half to three seconds. Nearly all of it is under 1 kHz.

A horse's whinny (a neigh) is a high call from a big animal: it starts near 1 kHz (a pony higher),
the voice breaking into a rapid tremolo of 8-14 pulses a second ("neigh-eh-eh-eh"), and falls
over a second or so to about half its starting pitch, ending in a nasal flutter. Two voices sound
at once through much of it (biphonation: a second, unrelated pitch some 2.5 times higher), through
a long nasal tract (formants near 600, 1500 and 2700 Hz).
"""

from __future__ import annotations

import numpy as np

from ..dsp import SAMPLE_RATE, lowpass, one_pole, white
from .animals import call_envelope, glottal_source, vocal_tract
from .base import SoundModel, SoundParams, finish


def render_howl(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    seconds = (1.6 + 2.0 * params.intensity) * float(rng.uniform(0.85, 1.15))
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
    u = t / seconds
    peak = (560.0 * 0.5 ** params.size) * float(rng.uniform(0.92, 1.08))
    rise_s = float(rng.uniform(0.15, 0.3))
    swoop = np.where(t < rise_s, 0.67 + 0.33 * np.sin(0.5 * np.pi * np.minimum(t / rise_s, 1.0)), 1.0)
    fall = 1.0 - 0.3 * np.clip((u - 0.75) / 0.25, 0.0, 1.0) ** 1.5
    waver = 1.0 + 0.012 * np.sin(2.0 * np.pi * float(rng.uniform(4.0, 6.0)) * t)
    f0 = (peak * swoop * fall * waver).astype(np.float32)
    src = glottal_source(rng, f0, roughness=0.0, breath=0.08)
    # the rounded "oo": the first formant rides on the fundamental, the rest far weaker
    formants = ((peak, 2.0, 1.0), (2.6 * peak, 3.0, 0.12), (2600.0, 5.0, 0.03))
    out = lowpass(vocal_tract(src, formants), 2500.0) * call_envelope(n, 0.12, 0.8)
    # held at full voice for seconds, a howl at the others' peak measured some 6 LU over a
    # meow's loudness (-11 LUFS through the engine): brought down to sit with the other calls
    return finish(out, params, strength, peak=0.45, strength_floor=0.4, fade_s=0.05)


def _roar_call(rng: np.random.Generator, seconds: float, pitch: float, scale: float, sag: float) -> np.ndarray:
    n = int(seconds * SAMPLE_RATE)
    u = np.linspace(0.0, 1.0, n, dtype=np.float32)
    f0 = pitch * np.where(u < 0.3, 0.8 + 0.2 * u / 0.3, 1.0 - sag * (u - 0.3) / 0.7)
    src = glottal_source(rng, f0.astype(np.float32), roughness=0.55, breath=1.0)
    formants = ((350.0 * scale, 2.5, 1.0), (800.0 * scale, 3.0, 0.6), (1900.0 * scale, 4.0, 0.2))
    return lowpass(vocal_tract(src, formants), 3500.0) * call_envelope(n, 0.12, 0.6)


def render_roar(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    # 200 Hz for a leopard down to 70 Hz for a big lion; the tract longer with the animal
    pitch = (200.0 * (70.0 / 200.0) ** params.size) * float(rng.uniform(0.92, 1.08))
    scale = 1.2 - 0.4 * params.size
    roar_s = (1.1 + 0.6 * params.intensity) * float(rng.uniform(0.9, 1.1))
    grunts = int(rng.integers(2, 5))
    grunt_s = [float(rng.uniform(0.3, 0.45)) * 0.85 ** k for k in range(grunts)]
    gap_s = rng.uniform(0.4, 0.6, grunts)
    n = int((roar_s + sum(grunt_s) + gap_s.sum() + 0.1) * SAMPLE_RATE)
    out = np.zeros(n, dtype=np.float32)
    roar = _roar_call(rng, roar_s, pitch, scale, sag=0.35)
    out[: roar.size] += roar / float(np.abs(roar).max())
    at = roar_s
    for k, (length, gap) in enumerate(zip(grunt_s, gap_s)):
        at += float(gap)
        grunt = _roar_call(rng, length, 0.8 * pitch, scale, sag=0.2)
        start = int(at * SAMPLE_RATE)
        out[start : start + grunt.size] += (0.55 * 0.8 ** k) * grunt[: n - start] / float(np.abs(grunt).max())
        at += length
    return finish(out, params, strength, peak=0.85, strength_floor=0.4, fade_s=0.03)


def render_monster(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    seconds = (1.5 + 1.0 * params.intensity + 0.5 * params.size) * float(rng.uniform(0.85, 1.15))
    n = int(seconds * SAMPLE_RATE)
    u = np.linspace(0.0, 1.0, n, dtype=np.float32)
    pitch = (80.0 * (35.0 / 80.0) ** params.size) * float(rng.uniform(0.92, 1.08))
    f0 = (pitch * (0.9 + 0.2 * np.sin(np.pi * u))).astype(np.float32)
    # two voices a few Hz apart beat against each other: the buzz no single throat makes
    beat_hz = float(rng.uniform(2.0, 5.0))
    src = glottal_source(rng, f0, roughness=0.8, breath=1.2) + 0.7 * glottal_source(rng, f0 + beat_hz, roughness=0.8, breath=0.4)
    scale = 1.1 - 0.3 * params.size
    formants = ((260.0 * scale, 2.0, 1.0), (560.0 * scale, 2.5, 0.6), (1300.0 * scale, 3.5, 0.2))
    out = lowpass(vocal_tract(src, formants), 1800.0)
    flutter_hz = float(rng.uniform(5.0, 12.0))
    wander = np.cumsum(1.0 + 0.1 * one_pole(white(rng, n), 0.9995) * 20.0, dtype=np.float64) / SAMPLE_RATE
    flutter = 0.5 + 0.5 * np.sin(2.0 * np.pi * flutter_hz * wander + float(rng.uniform(0.0, 2.0 * np.pi)))
    swell = np.clip(np.sin(np.pi * np.minimum(u / 0.85, 1.0)), 0.0, 1.0) ** 0.7
    out *= flutter.astype(np.float32) * swell.astype(np.float32) * call_envelope(n, 0.2, 0.85)
    return finish(out, params, strength, peak=0.85, strength_floor=0.4, fade_s=0.05)


def render_whinny(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    seconds = (0.9 + 0.6 * params.intensity) * float(rng.uniform(0.85, 1.15))
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
    u = t / seconds
    start = (1300.0 * 0.6 ** params.size) * float(rng.uniform(0.92, 1.08))
    f0 = (start * (1.0 - 0.5 * u ** 0.8)).astype(np.float32)
    src = glottal_source(rng, f0, roughness=0.05, breath=0.3)
    # the second voice, 2.4-2.7 times higher, through the call's middle
    upper = glottal_source(rng, (f0 * float(rng.uniform(2.4, 2.7))).astype(np.float32), roughness=0.1, breath=0.1)
    src += 0.35 * upper * np.clip(np.sin(np.pi * u) * 1.5, 0.0, 1.0).astype(np.float32)
    scale = 1.1 - 0.2 * params.size
    formants = ((600.0 * scale, 2.5, 0.8), (1500.0 * scale, 3.0, 1.0), (2700.0 * scale, 4.0, 0.4))
    out = vocal_tract(src, formants)
    # the tremolo: deep level pulses, slowing a little as the call falls
    hz = float(rng.uniform(8.0, 14.0))
    phase = 2.0 * np.pi * np.cumsum(hz * (1.0 - 0.25 * u), dtype=np.float64) / SAMPLE_RATE
    tremolo = 0.5 + 0.5 * np.cos(phase).astype(np.float32)
    depth = np.clip((u - 0.15) / 0.15, 0.0, 0.85).astype(np.float32)   # a clear onset, then the voice breaks
    out *= (1.0 - depth + depth * tremolo) * call_envelope(n, 0.03, 0.7)
    return finish(out, params, strength, peak=0.8, strength_floor=0.4, fade_s=0.03)


_HOWLERS = ("wolf", "wolves", "coyote", "coyotes")
_BIG_CATS = ("lion", "lions", "lioness", "tiger", "tigers", "tigress", "leopard", "leopards", "jaguar", "jaguars",
             "panther", "panthers", "cougar", "cougars", "puma", "pumas")
_CREATURES = ("monster", "monsters", "creature", "creatures", "beast", "beasts", "demon", "demons")
_VOICES = ("growl", "growls", "growling", "growled", "snarl", "snarls", "snarling", "snarled", "roar", "roars",
           "roaring", "roared")

BEAST_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "horse_whinny", "oneshot",
        "a horse neighing: the high whinny of a horse, its voice falling in a shaking neigh",
        ("neigh", "neighs", "neighing", "neighed", "whinny", "whinnies", "whinnying", "whinnied"),
        render_whinny, SoundParams(size=0.6, hardness=0.5, intensity=0.7, distance=0.2),
        ucs=("ANMLHors",),
    ),
    SoundModel(
        "wolf_howl", "oneshot",
        "a wolf howling: the long clear rising and falling howl of a wolf or a coyote at night",
        ("howl", "howls", "howling", "howled") + _HOWLERS,
        render_howl, SoundParams(size=0.5, hardness=0.3, intensity=0.6, distance=0.3),
        happens_to=_HOWLERS,
        ucs=("ANMLWild",),
    ),
    SoundModel(
        "big_cat_roar", "oneshot",
        "a lion roaring: the deep loud roar of a lion or a tiger, then its grunts",
        _VOICES + _BIG_CATS,
        render_roar, SoundParams(size=0.6, hardness=0.5, intensity=0.8, distance=0.15),
        happens_to=_BIG_CATS,
        ucs=("ANMLWcat",),
    ),
    SoundModel(
        "creature_growl", "oneshot",
        "a monster growling: the huge deep rumbling growl or roar of a creature or beast",
        _VOICES + _CREATURES,
        render_monster, SoundParams(size=0.6, hardness=0.5, intensity=0.7, distance=0.1),
        happens_to=_CREATURES,
        ucs=("CREAMnstr", "CREABeast", "CREAMisc"),
    ),
)
