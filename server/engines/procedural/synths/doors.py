"""Doors: the slam (or close) and the creak.

A door closing is a big light panel meeting its frame. The panel's low plate modes (~70-150 Hz,
a boom the room carries) and the frame's wooden knock arrive together; the latch's metal click
lands a few milliseconds later, and loose hardware rattles after it. A slam is the same, harder
and louder; a gentle close is quieter and duller.

A creak is friction in the hinge: stick-slip, the hinge pin catching and releasing hundreds of
times a second. Each release is a small impulse; their rate is the pitch heard, and it wanders
as the door's speed changes (the "eeeer" glides). The panel's resonances colour the pulses.
"""

from __future__ import annotations

import numpy as np

from ..dsp import (
    CONTROL_RATE,
    SAMPLE_RATE,
    bandpass,
    control_len,
    impulses,
    place,
    resonator,
    slow_curve,
    upsample,
    white,
)
from .base import SoundModel, SoundParams, finish
from .impacts import Material, render_impact

# A door panel: plate-like modes low down, damped fast by the frame and the air it pushes.
_PANEL = Material((1.0, 1.52, 2.31, 2.94, 3.7, 4.6, 5.9), (70.0, 160.0), 0.09, 0.6, 0.7, (700.0, 5000.0), 0.9, 0.5, 0.01)
_LATCH = Material((1.0, 1.61, 2.45, 3.6), (2400.0, 4200.0), 0.025, 0.4, 1.2, (3000.0, 12000.0), 0.0, 0.08, 0.004)


def render_door(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    n = int(0.8 * SAMPLE_RATE)
    out = np.zeros(n, dtype=np.float32)
    panel = render_impact(_PANEL, rng, params.with_(distance=0.0), strength)
    place(out, panel, 0.0)
    latch_at = float(rng.uniform(0.004, 0.02))
    latch = render_impact(_LATCH, rng, params.with_(size=0.2, hardness=0.9, distance=0.0), 1.0)
    place(out, latch, latch_at, gain=0.35 + 0.25 * params.intensity)
    # Hardware settling: a few tiny ticks after the latch.
    for _ in range(int(rng.integers(1, 4))):
        tick = render_impact(_LATCH, rng, params.with_(size=float(rng.uniform(0.0, 0.5)), distance=0.0), 0.3)
        place(out, tick, latch_at + float(rng.uniform(0.02, 0.09)), gain=float(rng.uniform(0.05, 0.15)))
    return finish(out, params, strength, peak=0.9, intensity_floor=0.35, fade_s=0.02)


def render_creak(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    seconds = (0.6 + 1.0 * params.size) * float(rng.uniform(0.85, 1.2))
    n = int(seconds * SAMPLE_RATE)
    m = control_len(n)
    # Stick-slip rate (the pitch): wandering around 100-500 Hz, gliding up as the door speeds up.
    base = (420.0 - 260.0 * params.size) * float(rng.uniform(0.85, 1.15))
    u = np.arange(m, dtype=np.float32) / max(m - 1, 1)
    glide = 0.7 + 0.6 * u if rng.random() < 0.6 else 1.3 - 0.6 * u
    rate = base * glide * slow_curve(rng, m, 3.0, 0.35)
    phase = np.cumsum(upsample(rate, n), dtype=np.float64) / SAMPLE_RATE
    pos = np.flatnonzero(np.diff(np.floor(phase)) > 0)
    pos = pos + rng.integers(-1, 2, pos.size)  # catches are not perfectly regular
    # Loudness: the creak swells and fades with the door's motion, with grainy catches.
    swell = np.clip(np.sin(np.pi * u), 0.0, None) ** 0.7 * np.clip(slow_curve(rng, m, 2.0, 0.6), 0.1, None)
    amps = np.interp(pos / SAMPLE_RATE * CONTROL_RATE, np.arange(m), swell) * rng.uniform(0.85, 1.0, pos.size)
    pulses = impulses(n, pos, amps)
    # The wood and the hinge ring under each catch.
    out = np.zeros(n, dtype=np.float32)
    for centre, q, gain in ((base * 2.0, 4.0, 1.0), (1100.0 + 600.0 * params.hardness, 6.0, 0.6), (2600.0, 5.0, 0.3)):
        out += gain * resonator(pulses, centre, q)
    out += 0.002 * bandpass(white(rng, n), 500.0, 3000.0, order=1) * upsample(swell, n)
    fade = int(0.02 * SAMPLE_RATE)
    out[:fade] *= np.linspace(0.0, 1.0, fade, dtype=np.float32)
    return finish(out, params, strength, peak=0.7, strength_floor=0.4, fade_s=0.02)


DOOR_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "door", "oneshot",
        "a door closing or slamming shut: a heavy wooden door, the panel hitting the frame and the latch clicking",
        ("door", "doors", "slam", "slams", "slammed", "slamming", "shut", "shuts", "closes", "closing", "close", "gate",
         "cupboard", "cabinet", "wardrobe", "blast door", "blast doors"),
        render_door, SoundParams(size=0.6, hardness=0.6, intensity=0.75, distance=0.1),
        ucs=("DOORWood", "DOORMisc", "DOORSwng", "DOORCab", "DOORHdwr"),
    ),
    SoundModel(
        "creak", "oneshot",
        "a creak: an old door or hinge creaking open slowly, a squeaky wooden floorboard",
        ("creak", "creaks", "creaking", "creaky", "squeak", "squeaks", "squeaky", "hinge", "hinges", "opens", "opening"),
        render_creak, SoundParams(size=0.5, hardness=0.5, intensity=0.6, distance=0.1),
        ucs=("DOORAntq", "TOONCreak", "WOODTonl"),
    ),
)
