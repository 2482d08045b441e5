"""Small mechanisms: a click, and a keyboard's typing.

A switch, a latch, a camera's shutter or a gun's action is a spring snapping a part against a
stop: a transient under a millisecond ringing the small part at several kHz for a few ms (longer
and higher in metal, short and dull in plastic), and a second, quieter one tens of ms later as
it settles or returns ("click-clack"). A bigger mechanism rings lower and takes longer between
the two. Typing is such clicks in bursts: each key's press and the plastic's bottoming out, a
few to a dozen keys a second while the hands move, the space bar lower and louder now and then.

A clock's ticking is the escapement: each swing of the pendulum or balance lets the escape
wheel snap one tooth against a pallet, a click like the ones above, and the case (wood or brass)
rings low under it. The beats keep time whatever happens on screen, evenly (within a few per cent:
a clock a little out of beat), and the two pallets alternate, so tick and tock differ a little in
pitch. The rate is the oscillator's: a longcase clock's seconds pendulum beats once a second, a
mantel clock two to three times, a watch's balance five to eight times a second (a smaller
clock faster, its click higher and its case fainter).
"""

from __future__ import annotations

import numpy as np

from ..dsp import (SAMPLE_RATE, decay_env, distance_filter, env_at, highpass, place_many, resonator, scatter_times, unit_peak,
                   upsample, white)
from .base import SoundModel, SoundParams, finish


def _snap(rng: np.random.Generator, freq: float, ring_s: float) -> np.ndarray:
    """One part snapping against its stop: a sub-millisecond burst through its two modes."""
    n = int((ring_s * 6.0 + 0.004) * SAMPLE_RATE)
    burst = white(rng, n) * decay_env(n, 0.0004)
    out = 6.0 * (resonator(burst, freq, 12.0) + 0.6 * resonator(burst, freq * float(rng.uniform(1.4, 1.9)), 10.0))
    out *= decay_env(n, ring_s)
    out += 0.15 * highpass(burst, 4000.0)
    return out.astype(np.float32)


def render_click(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    freq = (1500.0 + 3500.0 * params.hardness) * (1.0 - 0.5 * params.size) * float(rng.uniform(0.9, 1.1))
    ring_s = 0.001 + 0.006 * params.hardness + 0.004 * params.size
    first = _snap(rng, freq, ring_s)
    second = _snap(rng, freq * float(rng.uniform(0.8, 1.2)), ring_s * 0.8)
    gap = int((0.012 + 0.05 * params.size) * float(rng.uniform(0.8, 1.2)) * SAMPLE_RATE)
    out = np.zeros(gap + second.size, dtype=np.float32)
    out[: first.size] += first
    out[gap:] += float(rng.uniform(0.3, 0.6)) * second
    return finish(out, params, strength, peak=0.6, strength_floor=0.5, fade_s=0.002)


def render_typing(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    motion = np.clip(env, 0.0, None)
    keys = [_snap(rng, float(rng.uniform(1800.0, 3200.0)) * (1.0 - 0.3 * params.size), 0.003 + 0.004 * params.hardness)
            for _ in range(10)]
    space = _snap(rng, 900.0 * (1.0 - 0.3 * params.size), 0.008)
    times = scatter_times(rng, np.minimum(motion, 1.0), 4.0 + 8.0 * params.intensity)
    out = np.zeros(n, dtype=np.float32)
    spaces = rng.random(times.size) < 0.15
    gains = rng.uniform(0.4, 1.0, times.size) * np.clip(env_at(motion, np.minimum(times, n - 1)), 0.0, 1.0)
    place_many(out, keys, times[~spaces], gains[~spaces], rng)
    place_many(out, [space], times[spaces], 1.3 * gains[spaces], rng)
    out = distance_filter(out, params.distance)
    out *= np.float32(1.2 * (0.3 + 0.7 * params.intensity) * (1.0 - 0.6 * params.distance))
    return out


def render_clock(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    beats_hz = 6.0 * (1.0 / 6.0) ** params.size * float(rng.uniform(0.95, 1.05))
    freq = (5000.0 - 2500.0 * params.size) * float(rng.uniform(0.9, 1.1))
    case_hz = (900.0 - 500.0 * params.size) * float(rng.uniform(0.9, 1.1))
    beats = []
    for pallet in (1.0, float(rng.uniform(0.8, 0.9))):   # tick, tock
        snap = _snap(rng, freq * pallet, 0.002 + 0.003 * params.size)
        knock = white(rng, snap.size) * decay_env(snap.size, 0.0008)
        case = unit_peak(resonator(knock, case_hz * pallet, 6.0) * decay_env(snap.size, 0.004 + 0.01 * params.size))
        beats.append(snap + case * np.float32((0.2 + 0.6 * params.size) * float(np.abs(snap).max())))
    count = int(n / SAMPLE_RATE * beats_hz) + 1
    offset = float(rng.uniform(0.0, 1.0 / beats_hz))
    out_of_beat = float(rng.uniform(-0.03, 0.03)) / beats_hz   # every other beat a little early or late
    times = offset + np.arange(count) / beats_hz + np.where(np.arange(count) % 2 == 1, out_of_beat, 0.0)
    out = np.zeros(n, dtype=np.float32)
    for k, at in enumerate(times):
        start = int(at * SAMPLE_RATE)
        if start >= n:
            break
        beat = beats[k % 2]
        out[start : start + beat.size] += beat[: n - start] * float(rng.uniform(0.9, 1.0))
    out = distance_filter(out, params.distance)
    # steady: the picture does not move the clock, only how near it sounds (a little). The level puts a
    # mantel clock at -40..-38 LUFS through the engine (peak -8..-7 dBFS), near a keyboard's typing (-37..-34)
    level = 0.8 + 0.2 * np.minimum(np.clip(env, 0.0, None), 1.0)
    return (out * upsample(level.astype(np.float32), n) * np.float32(0.5 * (0.4 + 0.6 * params.intensity))).astype(np.float32)


_CLICK_WORDS = ("click", "clicks", "clicking", "clicked", "clack", "clacks", "switch", "switches", "flick", "flicks",
                "latch", "latches", "lock", "locks", "unlock", "unlocks", "button", "buttons", "shutter", "buckle",
                "clasp",
                # a gun's action, not its report
                "cock", "cocks", "cocked", "cocking", "rack", "racks", "racked", "racking", "reload", "reloads",
                "reloaded", "reloading",
                # a grenade's pin pulled is its ring's click, not its blast; handcuffs close on a ratchet
                "pin", "handcuffs", "handcuff", "cuffs")

MECHANISM_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "clock", "texture",
        "a clock ticking: the steady tick tock of a wall clock, a grandfather clock or a watch",
        ("clock", "clocks", "tick", "ticks", "ticking", "tock", "grandfather clock", "pendulum", "wristwatch",
         "stopwatch"),
        render_clock, SoundParams(size=0.6, hardness=0.5, intensity=0.6, distance=0.1),
        ucs=("CLOCKTick", "CLOCKMech"),
    ),
    SoundModel(
        "click", "oneshot",
        "a mechanical click: a light switch flicked, a latch or lock, a button, a camera shutter, a gun cocked",
        _CLICK_WORDS,
        render_click, SoundParams(size=0.3, hardness=0.6, intensity=0.6, distance=0.1),
        # not a clock's tick: its clicks keep time, where these follow the picture
        ucs=("MECHClik", "MECHSwtch", "MECHLtch", "MECHLock", "MECHRelay", "COMCam", "GUNMech"),
    ),
    SoundModel(
        "typing", "texture",
        "typing on a keyboard: keys clicking as someone types on a computer keyboard or typewriter",
        ("typing", "types", "typed", "keyboard", "keyboards", "keystrokes", "keystroke", "typewriter", "typist"),
        render_typing, SoundParams(size=0.4, hardness=0.5, intensity=0.6, distance=0.1),
        ucs=("CMPTKey", "COMType"),
    ),
)
