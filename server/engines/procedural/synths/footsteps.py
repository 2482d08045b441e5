"""Footsteps as heel/toe pairs on eight surfaces.

The heel lands on the picture's contact; the toe rolls down 50-110 ms later, a little softer.
Each surface has its own strike: a click and thud (concrete), a granular crunch (gravel, snow),
a swish (grass), a short board resonance (wood), a plate's ring damped by the foot (metal), the
crackle of dry leaves breaking (hundreds of tiny high clicks, more the harder the foot comes
down) or mud's squelch (a low, wet cavity the foot presses out, and the suction's pop as it
lifts).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..dsp import SAMPLE_RATE, bandpass, decay_env, distance_filter, lowpass, resonator, trimmed, unit_peak, white
from .base import SoundModel, SoundParams
from .impacts import MATERIALS, render_impact


# A step is two strikes, heel and toe: (offset in samples, gain). Each component below builds
# its excitation for both strikes and filters it once: half the filter passes of two strikes.
Hits = list[tuple[int, float]]


def _bursts(rng: np.random.Generator, n: int, hits: Hits, length_s: float, tau_s: float, attack_s: float = 0.0) -> np.ndarray:
    out = np.zeros(n, dtype=np.float32)
    m = int(length_s * SAMPLE_RATE)
    env = decay_env(m, tau_s)
    a = int(attack_s * SAMPLE_RATE)
    if 0 < a < m:
        env[:a] *= np.linspace(0.0, 1.0, a, dtype=np.float32)
    for offset, gain in hits:
        k = min(m, n - offset)
        if k > 0:
            out[offset : offset + k] += gain * white(rng, k) * env[:k]
    return out


def _thud(rng: np.random.Generator, n: int, hits: Hits, params: SoundParams, cutoff: float = 160.0) -> np.ndarray:
    noise = _bursts(rng, n, hits, 0.07, 0.014 + 0.01 * params.size)
    return unit_peak(trimmed(lambda x: lowpass(x, cutoff + 120.0 * (1.0 - params.size), order=2), noise))


def _grains(rng: np.random.Generator, n: int, hits: Hits, count: int, spread_s: float, low: float, high: float,
            rise_s: float = 0.0) -> np.ndarray:
    """Many tiny cracks spread over each strike, densest at its start: a crunch. With ``rise_s``
    the cracks build up first (snow compressing before it gives)."""
    impulses = np.zeros(n, dtype=np.float32)
    for offset, gain in hits:
        delay = rng.exponential(spread_s / 3.0, count)
        pos = offset + (delay * SAMPLE_RATE).astype(int)
        amp = rng.uniform(0.2, 1.0, count) * rng.choice([-1.0, 1.0], count) * gain
        if rise_s > 0.0:
            amp *= np.minimum(delay / rise_s, 1.0)
        keep = pos < n
        np.add.at(impulses, pos[keep], amp[keep].astype(np.float32))
    return bandpass(impulses, low, high, order=2)


def _strike_concrete(rng, params, n, hits):
    clicks = _bursts(rng, n, hits, 0.008, 0.002)
    click = unit_peak(trimmed(lambda x: bandpass(x, 1000.0, 6000.0 * (0.5 + 0.5 * params.hardness), order=2), clicks))
    scuff = unit_peak(bandpass(_bursts(rng, n, hits, 0.22, 0.03), 900.0, 5000.0, order=1))
    # The heel's click (1-5 kHz) is what says "shoe on concrete"; the thud gives it weight.
    return 1.0 * click + 0.5 * _thud(rng, n, hits, params) + 0.3 * scuff


def _strike_gravel(rng, params, n, hits):
    crunch = unit_peak(lowpass(_grains(rng, n, hits, int(60 + 60 * params.intensity), 0.12, 1200.0, 8000.0), 9000.0))
    return 0.85 * crunch + 0.45 * _thud(rng, n, hits, params)


def _strike_snow(rng, params, n, hits):
    # Compression: the crunch builds over ~30 ms, then decays; darker than gravel.
    crunch = unit_peak(_grains(rng, n, hits, int(150 + 100 * params.intensity), 0.16, 500.0, 3500.0, rise_s=0.03))
    return 0.9 * crunch + 0.35 * _thud(rng, n, hits, params, cutoff=120.0)


def _strike_grass(rng, params, n, hits):
    swish = unit_peak(bandpass(_bursts(rng, n, hits, 0.22, 0.05, attack_s=0.012), 1800.0, 7000.0, order=2))
    blades = unit_peak(_grains(rng, n, hits, 25, 0.08, 2500.0, 8000.0))
    return 0.3 * swish + 0.3 * blades + 0.6 * _thud(rng, n, hits, params, cutoff=120.0)


def _strike_wood(rng, params, n, hits):
    out = np.zeros(n, dtype=np.float32)
    for i, (offset, gain) in enumerate(hits):
        # The toe is a smaller contact patch: a little higher board resonance.
        size = (0.75 + 0.25 * params.size) * (1.0 if i == 0 else 0.8)
        board = render_impact(MATERIALS["wood"], rng, params.with_(size=size, distance=0.0), 0.8)[: n - offset]
        out[offset : offset + board.size] += gain * unit_peak(board)
    return 0.8 * out + 0.5 * _thud(rng, n, hits, params)


_FOOT_DAMPS_S = 0.07


def _strike_metal(rng, params, n, hits):
    # A plate (a catwalk, a stair tread, a ship's deck) rings under the heel's click at its own
    # inharmonic modes; the foot standing on it damps the ring within a step's length (~70 ms).
    out = np.zeros(n, dtype=np.float32)
    for i, (offset, gain) in enumerate(hits):
        size = (0.45 + 0.3 * params.size) * (1.0 if i == 0 else 0.85)
        plate = render_impact(MATERIALS["metal"], rng, params.with_(size=size, distance=0.0), 0.8)[: n - offset]
        plate *= decay_env(plate.size, _FOOT_DAMPS_S)
        out[offset : offset + plate.size] += gain * unit_peak(plate)
    clicks = _bursts(rng, n, hits, 0.008, 0.002)
    click = unit_peak(trimmed(lambda x: bandpass(x, 1500.0, 8000.0, order=2), clicks))
    return 0.8 * out + 0.4 * click + 0.4 * _thud(rng, n, hits, params)


def _strike_leaves(rng, params, n, hits):
    # Each dry leaf snaps in a few tiny clicks; a harder step breaks more of them (``intensity``
    # carries the step's force here, see ``_step_fn``), over a soft thud of the ground beneath.
    crackle = unit_peak(_grains(rng, n, hits, int(150 + 650 * params.intensity), 0.14, 2500.0, 11000.0))
    swish = unit_peak(bandpass(_bursts(rng, n, hits, 0.18, 0.05, attack_s=0.01), 2000.0, 8000.0, order=1))
    return 0.85 * crackle + 0.2 * swish + 0.3 * _thud(rng, n, hits, params, cutoff=120.0)


def _strike_mud(rng, params, n, hits):
    # The foot presses the wet mud out of a cavity that rings low (150-400 Hz) and collapses as it
    # does; lifting it, the suction lets go with a pop: a bubble of air rushing in, its pitch rising.
    press = _bursts(rng, n, hits, 0.12, 0.035, attack_s=0.008)
    squelch = np.zeros(n, dtype=np.float32)
    for centre, q, gain in ((180.0 + 60.0 * (1.0 - params.size), 4.0, 1.0), (340.0, 5.0, 0.6), (620.0, 6.0, 0.25)):
        squelch += gain * resonator(press, centre * float(rng.uniform(0.9, 1.1)), q)
    lift = n - int(rng.uniform(0.05, 0.09) * SAMPLE_RATE)
    k = min(int(0.06 * SAMPLE_RATE), n - lift)
    t = np.arange(k, dtype=np.float64) / SAMPLE_RATE
    pop_hz = float(rng.uniform(260.0, 420.0)) * (1.0 + 3.0 * t)
    pop = np.zeros(n, dtype=np.float32)
    pop[lift : lift + k] = (np.sin(2.0 * np.pi * np.cumsum(pop_hz) / SAMPLE_RATE) * np.exp(-t / 0.015)).astype(np.float32)
    return 0.9 * unit_peak(lowpass(squelch, 1200.0)) + 0.45 * pop + 0.35 * _thud(rng, n, hits, params, cutoff=120.0)


Strike = Callable[[np.random.Generator, SoundParams, int, Hits], np.ndarray]


def _step_fn(strike: Strike, forced: bool = False) -> Callable[[np.random.Generator, SoundParams, float], np.ndarray]:
    """``forced``: the strike's character follows the step's own force (its event's strength),
    not only its level: how many dry leaves a foot breaks."""
    def render(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
        toe_at = int(rng.uniform(0.05, 0.11) * SAMPLE_RATE)
        n = int(0.22 * SAMPLE_RATE) + toe_at
        struck = params.with_(intensity=params.intensity * (0.3 + 0.7 * strength)) if forced else params
        out = strike(rng, struck, n, [(0, 1.0), (toe_at, float(rng.uniform(0.45, 0.7)))])
        out *= (0.3 + 0.7 * strength) * (0.35 + 0.65 * params.intensity) * (1.0 - 0.7 * params.distance) * 0.8
        out = distance_filter(out, params.distance)
        fade = int(0.01 * SAMPLE_RATE)
        out[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
        return out.astype(np.float32, copy=False)

    return render


# Every surface answers to the words for walking; its own surface words then decide between them.
_WALK = ("footsteps", "footstep", "steps", "step", "walking", "walks", "walk", "running", "runs", "shoes", "boots",
         "stomping", "stomps", "trudge", "trudges", "paws", "heels", "feet", "foot", "jogging", "marching", "marches",
         "paces", "pacing", "tiptoe", "tiptoes", "tiptoeing", "strides", "striding", "limping", "limps", "sneakers")

# a squelch or a boot pulled out says the mud's step as walking does; mud splashed, thrown or
# bubbling is no step (``happens_to``: the mud's CatID is the step's only beside one)
_MUDDY = _WALK + ("squelch", "squelches", "squelching", "squelchy", "boot")

FOOTSTEP_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "steps_concrete", "oneshot",
        "footsteps on concrete: shoes walking on a pavement, sidewalk, street, asphalt or tarmac, a hard floor",
        _WALK + ("concrete", "pavement", "sidewalk", "street", "tiles", "tile", "tiled", "hard floor", "marble", "asphalt",
                  "tarmac", "road", "cobblestones", "cobbles", "linoleum"),
        _step_fn(_strike_concrete), SoundParams(size=0.5, hardness=0.7, intensity=0.6), requires=_WALK,
        ucs=("FEETHmn", "FOLYFeet", "FEETMisc",),
    ),
    SoundModel(
        "steps_gravel", "oneshot",
        "footsteps on gravel: crunchy steps on a gravel path, stones, a dirt track",
        _WALK + ("gravel", "stones", "pebbles", "path", "dirt", "crunchy"),
        _step_fn(_strike_gravel), SoundParams(size=0.5, hardness=0.6, intensity=0.6), requires=_WALK,
        ucs=("FEETHmn",),
    ),
    SoundModel(
        "steps_grass", "oneshot",
        "footsteps on grass: soft steps through a lawn, a meadow or undergrowth",
        _WALK + ("grass", "lawn", "meadow", "undergrowth", "field"),
        _step_fn(_strike_grass), SoundParams(size=0.5, hardness=0.3, intensity=0.5), requires=_WALK,
        ucs=("FEETHmn", "VEGEGras",),
    ),
    SoundModel(
        "steps_wood", "oneshot",
        "footsteps on a wooden floor: boards, a deck, stairs, a creaky old house",
        _WALK + ("boards", "deck", "stairs", "wooden floor", "parquet", "creaky", "wood", "wooden", "floorboards", "porch",
                 "hardwood"),
        _step_fn(_strike_wood), SoundParams(size=0.5, hardness=0.6, intensity=0.6), requires=_WALK,
        ucs=("FEETHmn",),
    ),
    SoundModel(
        "steps_metal", "oneshot",
        "footsteps on metal: shoes walking on a metal catwalk or grate, iron stairs",
        # the stairs' and the steps' own material, where the wood lists stairs
        _WALK + ("metal", "metallic", "steel", "iron", "grate", "grating", "catwalk", "gangway",
                 "metal stairs", "metal steps", "iron stairs", "steel stairs"),
        _step_fn(_strike_metal), SoundParams(size=0.5, hardness=0.7, intensity=0.6), requires=_WALK,
        ucs=("FEETHmn",),
    ),
    SoundModel(
        "steps_snow", "oneshot",
        "footsteps in snow: boots crunching and trudging through fresh snow or powder, stomping on ice",
        _WALK + ("snow", "snowy", "powder", "trudge", "trudges", "boots", "ice", "frozen", "stomping", "winter"),
        _step_fn(_strike_snow), SoundParams(size=0.6, hardness=0.5, intensity=0.7), requires=_WALK,
        ucs=("FEETHmn", "SNOWMvmt",),
    ),
    SoundModel(
        "steps_leaves", "oneshot",
        "footsteps in dry leaves: crunchy steps crackling through fallen autumn leaves",
        _WALK + ("leaves", "leaf", "dry leaves", "fallen leaves", "autumn leaves", "foliage"),
        _step_fn(_strike_leaves, forced=True), SoundParams(size=0.5, hardness=0.5, intensity=0.6), requires=_WALK,
        ucs=("FEETHmn",),
    ),
    SoundModel(
        "steps_mud", "oneshot",
        "footsteps in mud: wet squelching steps, boots sucking out of thick sticky mud",
        _WALK + ("mud", "muddy", "squelch", "squelches", "squelching", "squelchy", "sludge"),
        _step_fn(_strike_mud), SoundParams(size=0.6, hardness=0.3, intensity=0.6),
        # a squelch or a boot pulled out names the mud's step as walking does
        requires=_MUDDY, happens_to=_MUDDY,
        ucs=("FEETHmn", "LIQSuct", "LIQMisc"),
    ),
)
