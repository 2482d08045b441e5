"""Small DSP building blocks shared by the sound models: seeded randomness, filters, envelopes
and placing a short sound into a longer buffer.

Everything works on float32 mono arrays at the engine's sample rate; the models stay cheap
enough that a 10 s shot with three layers renders in well under a tenth of a second per core.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import soxr

from foleyline.server.media.iir import butter_sos, sosfilt
from foleyline.timebase import OUTPUT_SAMPLE_RATE

# The engine renders at the output rate, so its takes need no resampling.
SAMPLE_RATE = OUTPUT_SAMPLE_RATE
# Envelopes and other slow curves live at a control rate and are stretched to audio rate last:
# a nonlinear curve costs 48x less there, and 1 ms steps are finer than anything heard.
CONTROL_RATE = 1000
HOP = SAMPLE_RATE // CONTROL_RATE
# Rumbles, booms and engines live under ~2.5 kHz: rendered at this rate they cost an eighth of
# the samples, and are brought up to the audio rate once at the end (``from_low_rate``).
LOW_RATE = 6000


def from_low_rate(x: np.ndarray, n: int, rate: int = LOW_RATE) -> np.ndarray:
    """A signal at ``rate`` (default ``LOW_RATE``) as ``n`` audio-rate samples (band-limited
    resampling, padded or cut)."""
    y = soxr.resample(np.asarray(x, dtype=np.float32), rate, SAMPLE_RATE).astype(np.float32, copy=False)
    if y.size < n:
        y = np.pad(y, (0, n - y.size))
    return y[:n]


def low_white(rng: np.random.Generator, m: int, rate: int = LOW_RATE) -> np.ndarray:
    """White noise at ``rate`` with the spectral density of ``white`` at the audio rate: a
    band of it is as loud as the same band of audio-rate noise."""
    x = white(rng, m)
    x *= np.float32(np.sqrt(rate / SAMPLE_RATE))
    return x


def at_low_rate(curve: np.ndarray, m: int, rate: int = LOW_RATE) -> np.ndarray:
    """A control-rate curve (``CONTROL_RATE``) stretched to ``m`` samples at ``rate`` (a
    multiple of ``CONTROL_RATE``)."""
    return _stretch(curve, m, rate // CONTROL_RATE)


def rng_for(seed: int, *keys: object) -> np.random.Generator:
    """A generator that depends only on ``seed`` and ``keys``.

    Keys are hashed with SHA-256 rather than ``hash()`` because Python salts string hashes per
    process, and a take must sound the same on every run and every machine.
    """
    digest = hashlib.sha256(repr((int(seed),) + tuple(keys)).encode()).digest()
    words = np.frombuffer(digest, dtype=np.uint32)
    return np.random.default_rng(np.random.SeedSequence(words.tolist()))


def white(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unit-variance white noise. Uniform rather than Gaussian: four times cheaper, and every use
    filters it, which makes it Gaussian anyway."""
    x = rng.random(n, dtype=np.float32)
    x -= np.float32(0.5)  # in place: no temporaries for the layer-long draws
    x *= np.float32(3.4641016)
    return x


@lru_cache(maxsize=256)
def _sos(kind: str, low: float, high: float, order: int, rate: int) -> np.ndarray:
    nyq = rate / 2.0
    if kind == "lowpass":
        sos = butter_sos(order, min(high, nyq * 0.98) / nyq, "lowpass")
    elif kind == "highpass":
        sos = butter_sos(order, max(low, 5.0) / nyq, "highpass")
    else:
        lo = max(low, 5.0) / nyq
        hi = min(high, nyq * 0.98) / nyq
        if hi <= lo:
            hi = min(lo * 1.2, 0.99)
        sos = butter_sos(order, (lo, hi), "bandpass")
    return sos


def _q(freq: float) -> float:
    # Quantise cut-offs to ~1/24 octave so the filter-design cache stays small and hits often.
    return float(2.0 ** (round(np.log2(max(freq, 1.0)) * 24) / 24))


def _filter(sos: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``x`` (1-D) through ``sos`` from rest: a new float32 array."""
    return sosfilt(sos, x, np.float32)


# Samples a filter here rings on after its input stops before it has decayed below float32's
# resolution (the slowest: a 2nd-order Butterworth low-pass at 120 Hz, -180 dB after 40 ms).
RING = int(0.04 * SAMPLE_RATE)


def trimmed(filt: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """``filt(x)`` for an ``x`` that ends in silence (a short burst in a longer buffer): the
    filter runs only up to the last non-zero sample plus its ``RING``, and the rest stays zero."""
    sounding = np.flatnonzero(x)
    k = int(sounding[-1]) + 1 + RING if sounding.size else 0
    if k >= x.size:
        return filt(x)
    y = np.zeros_like(x)
    y[:k] = filt(x[:k])
    return y


def lowpass(x: np.ndarray, cutoff: float, order: int = 2, rate: int = SAMPLE_RATE) -> np.ndarray:
    return _filter(_sos("lowpass", 0.0, _q(cutoff), order, rate), x)


def highpass(x: np.ndarray, cutoff: float, order: int = 2, rate: int = SAMPLE_RATE) -> np.ndarray:
    return _filter(_sos("highpass", _q(cutoff), 0.0, order, rate), x)


def bandpass(x: np.ndarray, low: float, high: float, order: int = 2, rate: int = SAMPLE_RATE) -> np.ndarray:
    return _filter(_sos("bandpass", _q(low), _q(high), order, rate), x)


def one_pole(x: np.ndarray, coeff: float) -> np.ndarray:
    """y[n] = (1-c) x[n] + c y[n-1]: a cheap smoother."""
    sos = np.array([[1.0 - coeff, 0.0, 0.0, 1.0, -coeff, 0.0]])
    return _filter(sos, x)


def decay_env(n: int, tau_s: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    t = np.arange(n, dtype=np.float32) / rate
    return np.exp(-t / max(tau_s, 1e-4)).astype(np.float32)


def attack_decay(n: int, attack_s: float, tau_s: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    env = decay_env(n, tau_s, rate)
    a = max(1, int(attack_s * rate))
    if a < n:
        env[:a] *= np.linspace(0.0, 1.0, a, dtype=np.float32)
    return env


def place(out: np.ndarray, sound: np.ndarray, start_s: float, gain: float = 1.0, rate: int = SAMPLE_RATE) -> None:
    """Add ``sound`` into ``out`` starting at ``start_s`` seconds, clipped to the buffer.

    A sound starting before 0 s (a hit whose contact is just before the range) keeps its tail.
    """
    start = int(round(start_s * rate))
    lo = max(start, 0)
    hi = min(start + sound.shape[-1], out.shape[-1])
    if hi <= lo:
        return
    out[lo:hi] += gain * sound[lo - start : hi - start]


def place_many(
    out: np.ndarray, bank: list[np.ndarray], positions: np.ndarray, gains: np.ndarray, rng: np.random.Generator
) -> None:
    """Add a randomly chosen grain of ``bank`` at each sample position (crackles, drops, crinkles)."""
    n = out.shape[-1]
    choice = rng.integers(0, len(bank), positions.size)
    for pos, gain, k in zip(positions.tolist(), np.asarray(gains).tolist(), choice.tolist()):
        grain = bank[k]
        end = min(pos + grain.size, n)
        if 0 <= pos < end:
            out[pos:end] += gain * grain[: end - pos]


def env_at(env: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Control-rate envelope values at audio sample positions."""
    return env[np.minimum(np.asarray(positions) // HOP, env.size - 1)]


def unit_peak(x: np.ndarray) -> np.ndarray:
    """``x`` scaled so that its loudest sample is at 1 (silence left silent)."""
    return x / max(float(np.abs(x).max()), 1e-6)


def rms(x: np.ndarray) -> float:
    """Root mean square of ``x`` (0 for an empty one), its squares summed in float64 (a
    layer-long sum in float32 drifts)."""
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


# Early reflections of a small treated Foley stage: (delay s, gain), signs alternating. Irregular
# delays so the taps do not build one audible comb.
_ROOM_TAPS = ((0.0043, 0.34), (0.0079, -0.26), (0.0131, 0.19), (0.0213, -0.13), (0.0347, 0.08))


def room(x: np.ndarray, amount: float, rate: int = SAMPLE_RATE, *, out: np.ndarray | None = None) -> np.ndarray:
    """Add the early reflections of a small room: a dry synthetic hit sounds like a synth, the
    same hit with a room sounds recorded. ``amount`` 0..1 (more for distant sources). The
    reflections are darker than the direct sound, as real walls make them.

    Only the stretches that hold sound (and their reflections' reach) are processed: a layer of
    hits is mostly silence between them, and filtering silence costs as much as filtering sound.
    ``out=x`` adds the reflections in place (a layer-long copy saved).
    """
    if amount <= 0.0 or x.size == 0:
        return x
    out = x.copy() if out is None else out
    for lo, hi in _sounding_spans(x, int(_ROOM_TAPS[-1][0] * rate) + _ROOM_TAIL):
        part = x[lo:hi].copy() if out is x else x[lo:hi]
        reflections = np.zeros_like(part)
        for delay, gain in _ROOM_TAPS:
            d = int(delay * rate)
            if d < part.size:
                reflections[d:] += np.float32(gain * amount) * part[:-d]
        out[lo:hi] = lowpass(reflections, 4500.0, order=1, rate=rate) + part
    return out


# Samples after a span's last tap before the reflections' one-pole low-pass has decayed below
# float32's smallest normal number: cutting the span there drops nothing representable.
_ROOM_TAIL = 256
_BLOCK = 256


def _sounding_spans(x: np.ndarray, reach: int) -> list[tuple[int, int]]:
    """[lo, hi) sample ranges covering every non-zero sample of ``x`` and the ``reach`` samples
    after it, on a grid of ``_BLOCK`` samples; the rest of ``x`` is exactly zero."""
    whole = x.size // _BLOCK * _BLOCK
    active = (x[:whole].reshape(-1, _BLOCK) != 0).any(axis=1)
    if whole < x.size:
        active = np.append(active, bool(np.any(x[whole:])))
    reached = active.copy()
    for shift in range(1, -(-reach // _BLOCK) + 1):
        reached[shift:] |= active[:-shift]
    edges = np.flatnonzero(np.diff(np.concatenate(([False], reached, [False])).astype(np.int8)))
    return [(int(lo) * _BLOCK, min(int(hi) * _BLOCK, x.size)) for lo, hi in zip(edges[::2], edges[1::2])]


def distance_filter(x: np.ndarray, distance: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Far sources lose their top end (air absorption) as well as level."""
    if distance <= 0.3:  # a few metres of air take off little: not worth a filter pass
        return x
    cutoff = 16000.0 * (1.0 - 0.85 * min(distance, 1.0))
    return lowpass(x, cutoff, order=1, rate=rate)


def control_len(n: int) -> int:
    """Control-rate points covering ``n`` audio samples (one spare for interpolation)."""
    return n // HOP + 2


def upsample(curve: np.ndarray, n: int) -> np.ndarray:
    """A control-rate curve (point k at audio sample k*HOP) linearly stretched to ``n`` samples."""
    return _stretch(curve, n, HOP)


def _stretch(curve: np.ndarray, n: int, hop: int) -> np.ndarray:
    """Point k of ``curve`` at sample k*hop, linear in between, the last point held: ``n`` samples."""
    c = np.asarray(curve, dtype=np.float32)
    need = n // hop + 2
    if c.size < need:
        c = np.pad(c, (0, need - c.size), mode="edge") if c.size else np.zeros(need, dtype=np.float32)
    c = c[:need]
    w = np.arange(hop, dtype=np.float32) / np.float32(hop)
    # One output allocation, filled in place: this runs on every texture and is memory-bound.
    out = np.empty((need - 1, hop), dtype=np.float32)
    np.multiply((c[1:] - c[:-1])[:, None], w[None, :], out=out)
    out += c[:-1, None]
    return out.reshape(-1)[:n]


def resonator(x: np.ndarray, freq: float, q: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    """A single-biquad band-pass (RBJ cookbook, 0 dB peak) at ``freq`` with quality ``q``:
    a narrow ring for half the cost of a 2nd-order Butterworth band."""
    return _filter(_resonator_sos(_q(freq), round(q, 2), rate), x)


@lru_cache(maxsize=256)
def _resonator_sos(freq: float, q: float, rate: int) -> np.ndarray:
    w0 = 2.0 * np.pi * min(freq, rate * 0.45) / rate
    alpha = np.sin(w0) / (2.0 * q)
    a0 = 1.0 + alpha
    return np.array([[alpha / a0, 0.0, -alpha / a0, 1.0, -2.0 * np.cos(w0) / a0, (1.0 - alpha) / a0]])


def slow_curve(rng: np.random.Generator, m: int, hz: float, depth: float) -> np.ndarray:
    """A smooth random control curve around 1.0 wandering at about ``hz``: gusts, swells."""
    points = max(4, int(m / CONTROL_RATE * hz) + 4)
    knots = 1.0 + depth * rng.uniform(-1.0, 1.0, points)
    knots = np.convolve(knots, np.ones(3) / 3.0, mode="same")
    x = np.linspace(0.0, points - 1.0, m)
    # Cosine interpolation between knots: smooth, no corners at the knots.
    i = np.minimum(x.astype(int), points - 2)
    f = (1.0 - np.cos(np.pi * (x - i))) / 2.0
    return (knots[i] * (1.0 - f) + knots[i + 1] * f).astype(np.float32)


def scatter_times(rng: np.random.Generator, env: np.ndarray, rate_hz: float) -> np.ndarray:
    """Audio sample positions of a Poisson process whose rate is ``rate_hz * env`` (control rate).

    Drawing the count and then the positions costs per event, not per sample.
    """
    weights = np.clip(np.asarray(env, dtype=np.float64), 0.0, None)
    total = float(weights.sum()) / CONTROL_RATE * rate_hz
    if total <= 0.0:
        return np.zeros(0, dtype=np.int64)
    count = int(rng.poisson(total))
    cdf = np.cumsum(weights)
    idx = np.searchsorted(cdf, rng.uniform(0.0, cdf[-1], count))
    return np.sort(idx * HOP + rng.integers(0, HOP, count))


def impulses(n: int, positions: np.ndarray, amplitudes: np.ndarray) -> np.ndarray:
    out = np.zeros(n, dtype=np.float32)
    keep = (positions >= 0) & (positions < n)
    np.add.at(out, positions[keep], np.asarray(amplitudes, dtype=np.float32)[keep])
    return out
