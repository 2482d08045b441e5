"""Electronic signals: a beep and a telephone's ring.

A beep is a small piezo or speaker driven by a square-ish tone: one pitch (1-4 kHz, where the
ear is most sensitive and small transducers are loudest), switched on and off in a few
milliseconds, flat in between. Harder drive adds the square wave's odd harmonics. A phone's
ring is a trill: an electronic ringer switches between two tones about a major third apart
some twenty times a second; an old bell ringer's clapper strikes two small bells in turn as
fast, each strike ringing with a bell's inharmonic partials. A ring burst lasts one to two seconds.
"""

from __future__ import annotations

import numpy as np

from ..dsp import SAMPLE_RATE, bandpass, decay_env, highpass, white
from .base import SoundModel, SoundParams, finish


def _gate(n: int, attack_s: float, release_s: float) -> np.ndarray:
    """A flat envelope switched on and off without a click."""
    env = np.ones(n, dtype=np.float32)
    a, r = max(1, int(attack_s * SAMPLE_RATE)), max(1, int(release_s * SAMPLE_RATE))
    env[:a] = np.linspace(0.0, 1.0, a, dtype=np.float32)
    env[-r:] *= np.linspace(1.0, 0.0, r, dtype=np.float32)
    return env


def _square_ish(phase: np.ndarray, hardness: float) -> np.ndarray:
    """A sine with the odd harmonics of a square wave added as the drive gets harder."""
    return (np.sin(phase) + hardness * (np.sin(3.0 * phase) / 3.0 + np.sin(5.0 * phase) / 5.0)).astype(np.float32)


def render_beep(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    freq = (4000.0 - 3000.0 * params.size) * float(rng.uniform(0.97, 1.03))
    n = int((0.06 + 0.3 * params.size) * float(rng.uniform(0.9, 1.1)) * SAMPLE_RATE)
    t = np.arange(n, dtype=np.float64) / SAMPLE_RATE
    out = _square_ish(2.0 * np.pi * freq * t + float(rng.uniform(0, 2 * np.pi)), params.hardness) * _gate(n, 0.003, 0.008)
    # A small transducer: nothing below a few hundred Hz, little above 8 kHz.
    out = bandpass(out, 300.0, 8000.0, order=1)
    # a pure tone near 3 kHz, where hearing is keenest, is loud at a low level: under the hits
    return finish(out, params, strength, peak=0.25, strength_floor=0.6)


def _bell_strike(rng: np.random.Generator, freq: float, n: int) -> np.ndarray:
    t = np.arange(n, dtype=np.float32) / SAMPLE_RATE
    out = np.zeros(n, dtype=np.float32)
    for ratio, amp, tau in ((1.0, 1.0, 0.25), (2.76, 0.5, 0.12), (5.4, 0.25, 0.06)):
        out += amp * np.sin(2.0 * np.pi * freq * ratio * t + float(rng.uniform(0, 2 * np.pi))) * np.exp(-t / tau)
    out[:48] += 0.3 * highpass(white(rng, 48), 3000.0)
    return out


def render_ring(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    seconds = (1.2 + 0.8 * params.size) * float(rng.uniform(0.9, 1.1))
    n = int(seconds * SAMPLE_RATE)
    rate = float(rng.uniform(16.0, 25.0))  # switches a second
    low = (1700.0 - 800.0 * params.size) * float(rng.uniform(0.95, 1.05))
    high = low * 1.26
    t = np.arange(n, dtype=np.float64) / SAMPLE_RATE
    which = (np.floor(t * rate) % 2).astype(np.float32)
    if params.hardness >= 0.5:
        # Electronic: the two tones switched back and forth, phase continuous.
        freq = low + (high - low) * which
        phase = 2.0 * np.pi * np.cumsum(freq) / SAMPLE_RATE
        out = _square_ish(phase, params.hardness - 0.4) * _gate(n, 0.005, 0.02)
    else:
        # A bell ringer: each clapper strike rings its bell on under the next ones.
        out = np.zeros(n, dtype=np.float32)
        strike = int(0.6 * SAMPLE_RATE)
        bells = (_bell_strike(rng, low, strike), _bell_strike(rng, high * 0.92, strike))
        for k, start in enumerate(np.arange(0.0, seconds - 0.05, 1.0 / rate)):
            i = int(start * SAMPLE_RATE)
            seg = bells[k % 2][: n - i] * float(rng.uniform(0.8, 1.0))
            out[i : i + seg.size] += seg
        out *= decay_env(n, 4.0 * seconds)
        out *= _gate(n, 0.001, 0.02)
    out = bandpass(out, 300.0, 8000.0, order=1)
    return finish(out, params, strength, peak=0.2, strength_floor=0.6)


SIGNAL_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "beep", "oneshot",
        "an electronic beep: a short pure tone from a microwave, a timer, a heart monitor, a scanner, a truck reversing",
        ("beep", "beeps", "beeping", "beeped", "bleep", "bleeps", "bleeping", "blip", "blips", "beeper", "pager",
         "timer",
         # an alarm clock's alarm, not its ticking (the clock's)
         "alarm clock"),
        render_beep, SoundParams(size=0.4, hardness=0.5, intensity=0.6, distance=0.1),
        ucs=("BEEP", "BEEPAppl", "BEEPLofi", "BEEPMed", "BEEPTimer", "BEEPVeh", "ALRMElec"),
    ),
    SoundModel(
        "phone_ring", "oneshot",
        "a telephone ringing: a phone's ring, an office or cell phone's ringer trilling",
        ("phone", "phones", "telephone", "telephones", "cellphone", "ringtone", "ring", "rings", "ringing", "rang"),
        render_ring, SoundParams(size=0.4, hardness=0.7, intensity=0.6, distance=0.1),
        # a phone buzzing on a table or set down is no ring, and a bell, an ear or a wedding
        # ring is no phone
        happens=("ring", "rings", "ringing", "rang", "ringtone"),
        happens_to=("phone", "phones", "telephone", "telephones", "cellphone", "ringtone"),
        ucs=("COMTelph",),
    ),
)
