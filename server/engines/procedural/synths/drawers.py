"""A drawer opened or closed: the runners' slide, then the stop's knock.

A drawer moves on runners: wood on wood in an old chest, steel rollers in a filing cabinet. While
it moves, the runners rub (wood) or roll (metal), a friction noise in the band the drawer's box
and runners carry, swelling as the hand speeds it up and fading as it slows. The slide lasts as
long as the move: the drawer's travel (a deep drawer, a longer one) over the hand's speed (a
yank is short, a careful pull long). It ends when the drawer meets its stop, open or shut: a knock
of the box against the carcass, and for a metal drawer a clank of its sheet steel and the rattle
of what is inside.
"""

from __future__ import annotations

import numpy as np

from ..dsp import SAMPLE_RATE, bandpass, lowpass, one_pole, place, resonator, unit_peak, white
from .base import SoundModel, SoundParams, finish
from .impacts import MATERIALS, render_impact


def _move_s(rng: np.random.Generator, params: SoundParams) -> float:
    travel = 0.25 + 0.3 * params.size                      # m: a desk's shallow drawer to a filing cabinet's
    speed = (0.35 + 1.4 * params.intensity) * float(rng.uniform(0.85, 1.15))  # m/s: a careful pull to a yank
    return travel / speed


def _slide_envelope(k: int) -> np.ndarray:
    u = np.linspace(0.0, 1.0, k, dtype=np.float32)
    # the hand accelerates the drawer, then lets it run into its stop
    return (np.minimum(u / 0.2, 1.0) * (0.6 + 0.4 * np.sin(np.pi * np.minimum(u, 0.999)))).astype(np.float32)


def _render(rng: np.random.Generator, params: SoundParams, strength: float, metal: bool) -> np.ndarray:
    move = _move_s(rng, params)
    k = int(move * SAMPLE_RATE)
    n = k + int(0.45 * SAMPLE_RATE)
    out = np.zeros(n, dtype=np.float32)
    noise = white(rng, k)
    if metal:
        # rollers on a steel track: a rumble at the balls' rate and the sheet's ring above it
        rumble = lowpass(noise, 500.0) * (1.0 + 0.6 * np.sin(2.0 * np.pi * float(rng.uniform(30.0, 60.0))
                                                              * np.arange(k) / SAMPLE_RATE)).astype(np.float32)
        ring = resonator(bandpass(noise, 1500.0, 5000.0, order=1), float(rng.uniform(1800.0, 2600.0)), 12.0)
        slide = unit_peak(rumble) + 0.5 * unit_peak(ring)
        knock = render_impact(MATERIALS["metal"], rng, params.with_(size=0.55, hardness=0.7, distance=0.0), 1.0)
    else:
        # wood rubbing wood: stick-slip grains riding on the rub, in the box's mid band
        grain = one_pole(np.where(rng.random(k) < 0.004, rng.uniform(-1.0, 1.0, k), 0.0).astype(np.float32), 0.6)
        rub = bandpass(noise + 8.0 * grain, 250.0, 3000.0, order=2)
        slide = unit_peak(rub)
        knock = render_impact(MATERIALS["wood"], rng, params.with_(size=0.6, distance=0.0), 1.0)
    out[:k] = 0.3 * slide * _slide_envelope(k)
    place(out, unit_peak(knock), move, gain=1.0)
    return finish(out, params, strength, peak=0.7, strength_floor=0.4, fade_s=0.02)


def render_drawer(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    return _render(rng, params, strength, metal=False)


def render_drawer_metal(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    return _render(rng, params, strength, metal=True)


_DRAWER = ("drawer", "drawers")

DRAWER_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "drawer", "oneshot",
        "a drawer: a wooden drawer sliding on its runners and knocking against its stop",
        # a desk's drawer is the drawer, not the desk's knock
        _DRAWER + ("dresser", "nightstand", "chest of drawers", "desk drawer", "desk drawers"),
        render_drawer, SoundParams(size=0.5, hardness=0.5, intensity=0.5, distance=0.1),
        ucs=("DRWRWood", "DRWRMisc"),
    ),
    SoundModel(
        "drawer_metal", "oneshot",
        "a metal drawer: the steel drawer of a filing cabinet sliding on its rails and clanking against its stop",
        _DRAWER + ("metal", "metallic", "steel", "filing", "filing cabinet", "file cabinet"),
        render_drawer_metal, SoundParams(size=0.6, hardness=0.7, intensity=0.5, distance=0.1),
        # the metal names its drawer only beside one, or a filing cabinet's
        requires=_DRAWER + ("filing",),
        ucs=("DRWRMetl",),
    ),
)
