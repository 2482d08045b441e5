"""Crowd murmur, applause and birds."""

from __future__ import annotations

import numpy as np

from ..dsp import (
    SAMPLE_RATE,
    bandpass,
    distance_filter,
    env_at,
    impulses,
    lowpass,
    place,
    place_many,
    scatter_times,
    slow_curve,
    unit_peak,
    upsample,
    white,
)
from .base import SoundModel, SoundParams, finish

# Vowel-ish formant bands (Hz); each voice speaks through one of them.
_FORMANTS = ((300.0, 900.0), (500.0, 1500.0), (700.0, 2300.0), (1800.0, 3200.0))


def render_crowd(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    """Babble: glottal pulse trains at speaking pitch, gated at syllable rate, through formant bands.

    Voices sharing a band are summed as impulse trains before one filter per band, so ten
    voices cost little more than one. Blurred by distance so no word is heard.
    """
    m = env.size
    # Each band's voices as pulse times and amplitudes; a band's impulse train is built only
    # when it is filtered, so a long shot holds one band's signal at a time.
    pulses: list[tuple[list[np.ndarray], list[np.ndarray]]] = [([], []) for _ in _FORMANTS]
    for _ in range(4 + int(6 * params.size)):
        pitch = float(rng.uniform(95.0, 240.0))
        # Pulse times with a slow intonation wobble and jitter.
        wobble = 1.0 + 0.08 * (slow_curve(rng, m, 0.5, 1.0) - 1.0)
        period = SAMPLE_RATE / (pitch * float(wobble.mean()))
        pos = np.arange(0.0, n, period) + rng.normal(0.0, period * 0.02, int(np.ceil(n / period)))
        pos = pos.astype(np.int64)
        # Syllables at 3-6 Hz inside phrases with pauses.
        syll = np.clip(slow_curve(rng, m, rng.uniform(3.0, 6.0), 1.0) - 0.7, 0.0, None)
        phrase = np.clip(slow_curve(rng, m, 0.3, 1.0) - 0.6, 0.0, None)
        gate = syll * phrase
        band = int(rng.integers(len(_FORMANTS)))
        pulses[band][0].append(pos)
        pulses[band][1].append(env_at(gate, pos) * 3.0)
    breath = white(rng, n) * upsample(np.full(m, 0.02, dtype=np.float32), n)
    out = np.zeros(n, dtype=np.float32)
    for (lo, hi), (positions, amplitudes) in zip(_FORMANTS, pulses):
        source = impulses(n, np.concatenate(positions), np.concatenate(amplitudes)) if positions else np.zeros(n, np.float32)
        source += breath
        out += bandpass(source, lo, hi, order=1)
        del source
    out = lowpass(out, 3500.0 - 2000.0 * params.distance, order=1)
    return (out * upsample(0.5 + 0.5 * env, n) * 0.8 * (0.4 + 0.6 * params.intensity)).astype(np.float32)


def _chirp(rng: np.random.Generator, size: float) -> np.ndarray:
    dur = float(rng.uniform(0.04, 0.14))
    m = int(dur * SAMPLE_RATE)
    u = np.linspace(0.0, 1.0, m, dtype=np.float32)
    f_start = float(rng.uniform(2500.0, 5500.0)) * (1.0 - 0.4 * size)
    f_end = f_start * float(rng.uniform(0.6, 1.6))
    trill = 1.0 + 0.05 * np.sin(2.0 * np.pi * rng.uniform(30.0, 80.0) * u * dur)
    freq = (f_start + (f_end - f_start) * u) * trill
    phase = 2.0 * np.pi * np.cumsum(freq) / SAMPLE_RATE
    return (np.sin(phase) * np.sin(np.pi * u) ** 2).astype(np.float32)


def render_birds(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    seconds = n / SAMPLE_RATE
    out = 0.02 * lowpass(white(rng, n), 2000.0, order=1)  # the air around them
    # Phrases of 2-6 chirps, a bird every second or two, each bird its own distance.
    for start in np.sort(rng.uniform(0.0, seconds, int(seconds * (0.4 + 1.2 * params.intensity)) + 1)):
        t = float(start)
        gain = float(rng.uniform(0.15, 0.5)) * (1.0 - 0.6 * float(rng.random()) * params.distance)
        for _ in range(int(rng.integers(2, 7))):
            place(out, _chirp(rng, params.size), t, gain=gain)
            t += float(rng.uniform(0.08, 0.25))
    out = distance_filter(out, params.distance)
    return (out * upsample(0.6 + 0.4 * env, n) * (0.4 + 0.6 * params.intensity)).astype(np.float32)


def _clap(rng: np.random.Generator, centre: float, n: int = 480) -> np.ndarray:
    """One clap: a short burst of air pushed out between the palms, its band set by how the
    hands are cupped (``centre``, Hz), decaying in 4-9 ms; peak 1."""
    grain = bandpass(white(rng, n), centre * 0.6, centre * 1.8, order=1)
    grain *= np.exp(-np.arange(n, dtype=np.float32) / (SAMPLE_RATE * float(rng.uniform(0.004, 0.009))))
    return unit_peak(grain)


def render_applause(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    """Hands clapping: each clap a short burst of air between the palms, its band set by the
    clapper's cupped hands (~1-2.5 kHz); many clappers at 3-5 claps a second, not in time."""
    bank = [_clap(rng, float(rng.uniform(900.0, 2600.0))) for _ in range(16)]
    clappers = 5 + int(55 * params.size)
    times = scatter_times(rng, np.clip(env, 0.0, None), clappers * 4.0)
    out = np.zeros(n, dtype=np.float32)
    place_many(out, bank, times, rng.uniform(0.2, 1.0, times.size) * (0.5 + 0.5 / np.sqrt(clappers / 5.0)), rng)
    out = distance_filter(out, params.distance)
    return (out * 0.35 * (0.4 + 0.6 * params.intensity)).astype(np.float32)


def render_hand_clap(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    """One person's clap, close: the fingers meet the palm a moment before the palms meet (two
    bursts 1-3 ms apart), cupped hands lower and duller (size), flat hands brighter (hardness),
    then the room's short answer."""
    centre = (2400.0 - 1300.0 * params.size + 600.0 * params.hardness) * float(rng.uniform(0.9, 1.1))
    n = int(0.18 * SAMPLE_RATE)
    out = np.zeros(n, dtype=np.float32)
    fingers = _clap(rng, centre * 1.3, 240)
    palms = _clap(rng, centre, 720)
    gap = int(float(rng.uniform(0.001, 0.003)) * SAMPLE_RATE)
    out[: fingers.size] += 0.45 * fingers
    out[gap : gap + palms.size] += palms
    room = lowpass(white(rng, n), 3000.0, order=1) * np.exp(-np.arange(n, dtype=np.float32) / (0.035 * SAMPLE_RATE))
    out += 0.05 * room.astype(np.float32)
    return finish(out, params, strength, peak=0.8, fade_s=0.01)


LIFE_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "crowd", "texture",
        "a crowd murmur: people talking, chatter in a restaurant, a busy hall, walla",
        ("crowd", "people", "talking", "chatter", "murmur", "walla", "restaurant", "cafe", "bar", "party", "audience", "voices", "pedestrians", "plaza"),
        render_crowd, SoundParams(size=0.5, hardness=0.4, intensity=0.5, distance=0.4),
        ucs=("CRWDConv", "CRWDWalla", "CRWDMisc", "CRWDQuiet", "CRWDLoop", "AMBRest", "AMBPubl", "AMBMrkt"),
    ),
    SoundModel(
        "birds", "texture",
        "birds singing: chirping birdsong in a park, a forest or a garden in the morning",
        ("bird", "birds", "birdsong", "songbird", "songbirds", "dawn chorus", "chirp", "chirping", "tweet", "forest", "park",
         "garden", "morning", "nature", "countryside"),
        render_birds, SoundParams(size=0.3, hardness=0.5, intensity=0.5, distance=0.4),
        ucs=("AMBBird", "BIRDSong", "BIRDMisc", "AMBForst"),
    ),
    SoundModel(
        "applause", "texture",
        "applause: an audience clapping their hands, a round of applause",
        ("applause", "applauding", "applauds", "clapping", "ovation", "clappers", "crowd applause"),
        render_applause, SoundParams(size=0.6, hardness=0.5, intensity=0.6, distance=0.3),
        ucs=("CRWDApls",),
    ),
    SoundModel(
        "hand_clap", "oneshot",
        "a hand clap: one person clapping their hands once, a single clap or a slow clap",
        ("clap", "claps", "clapped", "handclap", "handclaps", "hand clap", "hand claps", "claps hands", "slow clap"),
        render_hand_clap, SoundParams(size=0.4, hardness=0.6, intensity=0.6, distance=0.1), lead_in=0.002,
        ucs=("FOLYHand",),
    ),
)
