"""Impacts by modal synthesis: a struck object rings at a few inharmonic modes, each a damped
sinusoid, excited by a short contact burst whose length and brightness come from hardness.

The mode ratios are those of simple shapes (free bar for metal, plate-like for wood and glass);
per-hit jitter of pitch, mode gains and decay makes repeated hits sound like one object struck
several times rather than one sample repeated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..dsp import SAMPLE_RATE, bandpass, decay_env, distance_filter, lowpass, white
from .base import SoundModel, SoundParams


@dataclass(frozen=True)
class Material:
    ratios: tuple[float, ...]   # mode frequencies / fundamental
    f0_range: tuple[float, float]  # fundamental for size 1 .. size 0 (Hz)
    decay: float                # seconds, fundamental, medium size
    decay_tilt: float           # higher modes decay faster: tau_k = decay / ratio_k ** tilt
    click: float                # level of the contact noise relative to the modes
    click_band: tuple[float, float]
    body: float                 # level of the low, damped "thud" under the modes
    max_len: float              # seconds rendered
    rattle: float = 0.0         # time constant (s) of a noisy tail in the click band: the
                                # "clank" of metal and the crunch of a chop, 0 for none


MATERIALS: dict[str, Material] = {
    # Wood is dense in modes and damps them fast: a knock, not a note.
    "wood": Material((1.0, 1.71, 2.42, 3.14, 3.93, 4.87, 5.72, 7.9), (140.0, 620.0), 0.06, 0.75, 0.9,
                     (900.0, 6000.0), 0.55, 0.45, 0.008),
    # Struck metal (a bar, a pipe, a pan): many inharmonic modes, a bright noisy clank, and a
    # ring of a few tenths of a second for hand-sized objects (a bell is the big, long case).
    "metal": Material((1.0, 1.59, 2.76, 3.93, 5.40, 7.18, 8.93, 11.3), (450.0, 2600.0), 0.3, 0.45, 1.1,
                      (2000.0, 12000.0), 0.1, 1.4, 0.045),
    "glass": Material((1.0, 2.32, 4.25, 6.63, 9.38), (900.0, 3200.0), 0.5, 0.5, 0.8, (3000.0, 14000.0), 0.05, 1.6, 0.01),
    "body": Material((1.0, 1.58, 2.24, 3.1), (55.0, 150.0), 0.06, 0.8, 0.45, (500.0, 3500.0), 1.0, 0.35),
    "soft": Material((1.0, 1.9, 3.3), (70.0, 220.0), 0.035, 0.9, 1.2, (300.0, 2500.0), 0.8, 0.3, 0.015),
    # Stone, brick, concrete: stiff and dense, so its modes sit high and die at once; the knock
    # is mostly the contact click and a short gritty rattle.
    "stone": Material((1.0, 1.83, 2.71, 3.62, 4.4, 5.9), (700.0, 2600.0), 0.018, 0.6, 1.3, (1200.0, 10000.0), 0.35, 0.3, 0.006),
    # a kitchen knife through a vegetable onto a board: crunchy noise on a short wooden knock
    "chop": Material((1.0, 2.6, 4.1), (180.0, 500.0), 0.06, 0.7, 1.4, (600.0, 9000.0), 0.9, 0.35, 0.06),
}


def render_impact(material: Material, rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    rate = SAMPLE_RATE
    size_scale = 0.6 + 0.8 * params.size
    n = int(material.max_len * (0.6 + 0.6 * params.size) * rate)
    t = np.arange(n, dtype=np.float32) / rate
    lo, hi = material.f0_range
    f0 = hi * (lo / hi) ** params.size * float(rng.uniform(0.96, 1.04))
    ratios = np.asarray(material.ratios, dtype=np.float32)
    ratios = ratios * rng.uniform(0.985, 1.015, ratios.size).astype(np.float32)
    ratios[0] = 1.0
    freqs = f0 * ratios
    keep = freqs < rate * 0.45
    freqs, ratios = freqs[keep], ratios[keep]
    # A soft mallet excites the low modes; a hard one reaches the high ones.
    tilt = 0.4 + 1.6 * (1.0 - params.hardness)
    amps = ratios ** (-tilt) * rng.uniform(0.6, 1.0, ratios.size)
    taus = material.decay * size_scale * ratios ** (-material.decay_tilt) * rng.uniform(0.85, 1.15, ratios.size)
    phases = rng.uniform(0.0, 0.3, ratios.size)
    sound = np.zeros(n, dtype=np.float32)
    for freq, amp, tau, phase in zip(freqs.tolist(), amps.tolist(), taus.tolist(), phases.tolist()):
        # Each mode only as long as it is audible (6 time constants is -52 dB).
        m = min(n, int(6.0 * tau * rate) + 1)
        tm = t[:m]
        sound[:m] += np.float32(amp) * np.sin(np.float32(2.0 * np.pi * freq) * tm + np.float32(phase)) * np.exp(tm * np.float32(-1.0 / tau))
    sound /= max(float(amps.sum()), 1e-6)

    # Contact burst: a few milliseconds of band-limited noise; harder = shorter and brighter.
    burst_len = int((0.002 + 0.010 * (1.0 - params.hardness)) * rate) + 32
    burst = white(rng, burst_len) * decay_env(burst_len, burst_len / rate / 4.0)
    band_hi = material.click_band[1] * (0.4 + 0.6 * params.hardness)
    burst = bandpass(burst, material.click_band[0], max(band_hi, material.click_band[0] * 1.5))
    sound[:burst_len] += material.click * (0.5 + 0.5 * params.intensity) * burst / max(np.abs(burst).max(), 1e-6)

    if material.rattle > 0.0:
        # Noisy tail in the contact band: the object's surface buzzing, fibres tearing.
        tail_len = min(n, int(6.0 * material.rattle * rate))
        tail = bandpass(white(rng, tail_len), material.click_band[0], max(band_hi, material.click_band[0] * 1.5))
        tail *= decay_env(tail_len, material.rattle * (0.7 + 0.6 * params.size))
        sound[:tail_len] += 0.5 * material.click * tail / max(float(np.abs(tail).max()), 1e-6)

    if material.body > 0.0:
        # The thud of mass: low-passed noise, a few tens of milliseconds.
        body_len = min(n, int(0.08 * rate))
        thud = lowpass(white(rng, body_len), 180.0 + 200.0 * (1.0 - params.size), order=2)
        thud *= decay_env(body_len, 0.018 * size_scale)
        sound[:body_len] += material.body * thud / max(np.abs(thud).max(), 1e-6) * 0.6

    # A common peak before the level controls, so materials sit at comparable levels.
    sound *= np.float32(0.9 / max(float(np.abs(sound).max()), 1e-6))
    # Strength scales level, and a stronger blow is a little brighter.
    sound *= 0.3 + 0.7 * strength
    if strength < 0.5 or params.intensity < 0.4:
        sound = lowpass(sound, 3000.0 + 12000.0 * max(strength, params.intensity), order=1)
    sound = distance_filter(sound, params.distance)
    sound *= (0.35 + 0.65 * params.intensity) * (1.0 - 0.7 * params.distance)
    # Short fade-out so a truncated ring never clicks.
    fade = min(n, int(0.01 * rate))
    sound[n - fade :] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return sound


def _impact_fn(material_name: str):
    material = MATERIALS[material_name]

    def render(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
        return render_impact(material, rng, params, strength)

    render.__name__ = f"render_{material_name}_impact"
    return render


IMPACT_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "impact_wood", "oneshot",
        "a short sharp knock or hit on wood: a wooden door, table, plank, stick, crate or block struck",
        ("wood", "wooden", "knock", "knocks", "knocking", "table", "plank", "stick", "box", "crate", "desk", "log", "axe", "block", "blocks", "chair"),
        _impact_fn("wood"), SoundParams(size=0.5, hardness=0.6, intensity=0.7),
        ucs=("WOODImpt", "WOODMisc", "DOORKnck", "WNDWKnck", "OBJFurn", "FOLYProp"),
    ),
    SoundModel(
        "impact_metal", "oneshot",
        "a metal object struck: clang of a pipe, bar, pan, anvil, hammer on steel, bell, blades clashing",
        ("metal", "metallic", "steel", "iron", "clang", "clangs", "clank", "clanks", "clanking", "clash", "clashes", "clashing", "pipe", "bar", "pan", "pot", "anvil", "hammer", "bell", "drumstick", "tin", "can",
         # a crow bar is the hand tool, no bird
         "crowbar", "crow bar",
         # a blade is heard where it meets something; its swing is the whoosh's ("sword swing")
         "sword", "swords", "blade", "blades", "shield", "shields"),
        _impact_fn("metal"), SoundParams(size=0.45, hardness=0.8, intensity=0.75),
        ucs=("METLImpt", "METLMisc", "METLTonl", "CHAINImpt", "BELLMisc", "TOOLHand", "FOODKware"),
    ),
    SoundModel(
        "impact_glass", "oneshot",
        "glass or ceramic struck: a glass clink, bottle, cup, plate, jar",
        # not "crack": thunder, a whip, ice and bones crack too, and the word alone named glass
        # wine is poured; its glass clinks
        ("glass", "clink", "clinks", "bottle", "cup", "mug", "plate", "plates", "dish", "dishes", "crockery", "ceramic", "jar",
         "teacup", "teacups", "saucer", "saucers",
         # a glass named by its kind is the glass ("shot glass slid down the bar": no gunshot, no metal bar)
         "wine glass", "wine glasses", "shot glass", "shot glasses", "ice"),
        _impact_fn("glass"), SoundParams(size=0.35, hardness=0.9, intensity=0.6),
        ucs=("GLASImpt", "GLASTonl", "GLASMisc", "CERMImpt", "CERMTonl", "FOODGware", "FOODTware", "ICEImpt"),
    ),
    SoundModel(
        "impact_body", "oneshot",
        "a heavy body hit: a punch, a kick, a thump on a body, someone falling, a boxing bag",
        ("punch", "punches", "body", "thump", "kick", "kicks", "fight", "slap", "punching bag", "boxing bag", "heavy bag",
         "boxing", "stomp", "stomping"),
        _impact_fn("body"), SoundParams(size=0.6, hardness=0.4, intensity=0.8),
        ucs=("FGHTImpt", "FGHTMisc", "FGHTGrab"),
    ),
    SoundModel(
        "impact_soft", "oneshot",
        "a soft dull muffled thud: a cushion, pillow, fabric, cardboard, something dropped on a bed or carpet",
        # a bounce is the ball's (``sports``)
        ("soft", "cushion", "pillow", "fabric", "cloth bag", "bag", "sack", "book", "cardboard", "carpet", "bed", "sofa",
         "pancake", "flip"),
        _impact_fn("soft"), SoundParams(size=0.5, hardness=0.2, intensity=0.6),
        ucs=("FOLYMisc", "RUBRImpt", "LETHRImpt", "OBJBag", "OBJLug", "DIRTImpt", "SNOWImpt", "PLASImpt"),
    ),
    SoundModel(
        "impact_chop", "oneshot",
        "a knife chopping vegetables on a cutting board, cutting, slicing",
        ("chop", "chopping", "knife", "cut", "cutting", "slice", "slicing", "cabbage", "vegetable", "board", "kitchen"),
        _impact_fn("chop"), SoundParams(size=0.4, hardness=0.8, intensity=0.7),
        ucs=("FOODIngr", "FOODCook"),
    ),
    SoundModel(
        "impact_stone", "oneshot",
        "a stone or rock struck: a rock hitting rock, a brick or a concrete block knocked, pebbles clacking",
        ("stone", "stones", "rock", "rocks", "brick", "bricks", "pebble", "concrete", "boulder", "marble", "clack"),
        _impact_fn("stone"), SoundParams(size=0.4, hardness=0.9, intensity=0.7),
        ucs=("ROCKImpt", "ROCKMisc", "ROCKTonl"),
    ),
)
