"""IIR filtering in numpy: Butterworth designs and a cascade of biquads (second-order sections).

The procedural engine and the loudness meter filter with these. They were SciPy's
(``scipy.signal.butter``/``sosfilt``, pyloudnorm's ``lfilter``), but importing ``scipy.signal``
imports all of it, ``scipy.stats`` included: 0.75 s, more than a whole one-shot run of an
8 s shot spends on everything else. ``tests/media/test_iir.py`` checks both against SciPy.

A biquad's recursive part, 1 / (1 + a1 z^-1 + a2 z^-2), is split at its poles into first-order
recursions u[n] = p u[n-1] + v[n] (partial fractions; a cascade of the two when the poles nearly
coincide and the fractions would cancel). A first-order recursion is vectorised by blocks: in a
block of B samples u = p^j * cumsum(v * p^-j), B kept small enough that p^-j loses no precision
that float32 output could show, and the block ends, themselves a first-order recursion with
p^B, carry the state from block to block. Everything runs in float64 (complex128 for complex
poles): the result matches a sample-by-sample filter to far below float32's resolution.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

# Largest growth of p^-j inside a block: with float64 sums the relative error stays near
# 1e-16 * 1e5, far below float32 output's 6e-8.
_MAX_GROWTH = 1e5
_MAX_BLOCK = 2048
# Samples per segment of a long signal: a segment's temporaries stay in the CPU's cache.
_SEGMENT = 1 << 14
# |p|^m below this is zero to float64 next to a value of order one.
_NEGLIGIBLE = 1e-18
# Partial fractions amplify rounding by |p1| / |p1 - p2| (the blocks are shortened to pay for
# it, see ``first_order``'s ``growth``): beyond this, cascade the two poles.
_MAX_RESIDUE = 1e4


def _block_length(radius: float, growth: float = _MAX_GROWTH) -> int:
    if radius >= 1.0:
        return _MAX_BLOCK
    return max(1, min(_MAX_BLOCK, 1 + int(math.log(growth) / -math.log(radius))))


@lru_cache(maxsize=512)
def _powers(p: complex, block: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """p^j, p^-j and p^(B-1-j) for j < B."""
    j = np.arange(block)
    return np.power(p, j), np.power(p, -j), np.power(p, block - 1 - j)


def first_order(v: np.ndarray, p: complex, scale: complex = 1.0, growth: float = _MAX_GROWTH) -> np.ndarray:
    """``scale`` * u, u[n] = p * u[n-1] + v[n] from rest, for 1-D ``v`` (real ``p`` and
    ``scale`` keep real arrays); ``growth``: the largest |p|^-j allowed inside a block.

    A long ``v`` goes in segments that stay in the CPU's cache, each starting from the last
    one's end."""
    n = v.size
    dtype = np.result_type(v.dtype, type(p), type(scale))
    if n == 0 or p == 0 or scale == 0:
        return (scale * v).astype(dtype)
    if n <= _SEGMENT:
        return _first_order(v, p, scale, growth, 0.0)
    out = np.empty(n, dtype=dtype)
    state: complex = 0.0
    for start in range(0, n, _SEGMENT):
        part = out[start:start + _SEGMENT]
        part[:] = _first_order(v[start:start + _SEGMENT], p, scale, growth, state)
        state = part[-1] / scale
    return out


def _first_order(v: np.ndarray, p: complex, scale: complex, growth: float, state: complex) -> np.ndarray:
    """``first_order`` of one segment, u[-1] = ``state``.

    Each block's end, from rest, is a dot product with p^(B-1-j); the ends chained from block
    to block give the state entering each block, which is added to the block's first sample;
    then one scaled running sum per block gives every sample."""
    n = v.size
    block = min(_block_length(abs(p), growth), n)
    blocks, full = -(-n // block), n // block
    up, down, tail = _powers(p, block)
    if full < blocks:
        padded = np.zeros(blocks * block, dtype=v.dtype)
        padded[:n] = v
        rows = padded.reshape(blocks, block)
    else:
        rows = v[: full * block].reshape(full, block)
    local = np.multiply(rows, scale * down)
    if state != 0.0:
        local[0, 0] += scale * p * state
    if blocks > 1:
        if np.iscomplexobj(tail):
            ends = rows[:-1] @ tail.real + 1j * (rows[:-1] @ tail.imag)
        else:
            ends = rows[:-1] @ tail
        if state != 0.0:
            ends[0] += p**block * state
        entering = _block_ends(ends, p**block, abs(p) ** block)  # u at the end of blocks 0..K-2
        local[1:, 0] += (scale * p) * entering
    np.cumsum(local, axis=1, out=local)
    local *= up
    return local.reshape(-1)[:n]


def _block_ends(ends: np.ndarray, step: complex, radius: float) -> np.ndarray:
    """The true value at each block's end: e[k] = ends[k] + step * e[k-1]."""
    if radius > 0.0:
        terms = math.log(_NEGLIGIBLE) / math.log(radius) if radius < 1.0 else math.inf
        if terms <= 8:  # the state is forgotten within a few blocks: add those few directly
            out = ends.copy()
            power = 1.0
            for m in range(1, int(terms) + 1):
                power = power * step
                out[m:] += power * ends[:-m]
            return out
    return first_order(ends, step)


def _poles(a1: float, a2: float) -> tuple[complex | float, complex | float]:
    root = complex(a1 * a1 - 4.0 * a2) ** 0.5
    p1, p2 = (-a1 + root) / 2.0, (-a1 - root) / 2.0
    if root.imag == 0.0:
        return p1.real, p2.real
    return p1, p2


def _section(x: np.ndarray, b0: float, b1: float, b2: float, a1: float, a2: float) -> np.ndarray:
    """x through (b0 + b1 q + b2 q^2) / (1 + a1 q + a2 q^2), q = z^-1, from rest.

    In partial fractions where the poles are apart: c0 + sum k_i / (1 - p_i q), so the
    numerator costs nothing beyond the recursions; otherwise the numerator first, then the
    poles one after the other."""
    if a2 != 0.0:
        p1, p2 = _poles(a1, a2)
        gap = abs(p1 - p2)
        residue = max(abs(p1), abs(p2)) / gap if gap > 0.0 else math.inf
        if residue <= _MAX_RESIDUE:
            growth = max(10.0, _MAX_GROWTH / max(1.0, residue))
            c0 = b2 / a2
            r0, r1 = b0 - c0, b1 - c0 * a1  # the remainder R(q) = B(q) - c0 A(q)
            k1 = (r0 + r1 / p1) / (1.0 - p2 / p1)
            y = c0 * x
            if isinstance(p1, complex):  # a conjugate pair: the second fraction mirrors the first
                y += first_order(x, p1, 2.0 * k1, growth).real
            else:
                y += first_order(x, p1, k1, growth)
                y += first_order(x, p2, (r0 + r1 / p2) / (1.0 - p1 / p2), growth)
            return y
    elif a1 != 0.0 and b2 == 0.0:
        c0 = b1 / a1
        y = c0 * x
        y += first_order(x, -a1, b0 - c0)
        return y
    v = b0 * x
    if b1 != 0.0 and x.size > 1:
        v[1:] += b1 * x[:-1]
    if b2 != 0.0 and x.size > 2:
        v[2:] += b2 * x[:-2]
    if a2 == 0.0:
        return first_order(v, -a1) if a1 != 0.0 else v
    p1, p2 = _poles(a1, a2)
    return np.real(first_order(first_order(v, p1), p2))


def sosfilt(sos: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``x`` (1-D) through the cascade of second-order sections ``sos`` (rows b0 b1 b2 a0 a1 a2,
    SciPy's layout) from rest, in float64; a new array."""
    y = np.asarray(x, dtype=np.float64)
    for b0, b1, b2, a0, a1, a2 in np.asarray(sos, dtype=np.float64).tolist():
        y = _section(y, b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0)
    return y.copy() if y is x else y


# ---- Butterworth designs (bilinear transform of the analog prototype, pre-warped) ----------------

def butter_sos(order: int, cutoff: float | tuple[float, float], kind: str) -> np.ndarray:
    """A digital Butterworth filter as second-order sections, like
    ``scipy.signal.butter(order, cutoff, kind, output="sos")``: ``cutoff`` relative to Nyquist
    (0..1; a (low, high) pair for "bandpass"), ``kind`` "lowpass", "highpass" or "bandpass"."""
    if kind not in ("lowpass", "highpass", "bandpass"):
        raise ValueError(f"unknown filter kind {kind!r}: lowpass, highpass or bandpass")
    fs = 2.0  # the bilinear transform's sample rate for cut-offs relative to Nyquist

    def warp(w: float) -> float:
        if not 0.0 < w < 1.0:
            raise ValueError(f"cut-off {w} is not between 0 and 1 (relative to Nyquist)")
        return 2.0 * fs * math.tan(math.pi * w / fs)

    k = np.arange(order)
    prototype = np.exp(1j * np.pi * (2 * k + order + 1) / (2 * order))  # left half-plane, |p| = 1
    if kind == "lowpass":
        wo = warp(float(cutoff))
        poles, zeros, gain = prototype * wo, np.full(order, -1.0 + 0j), wo**order
    elif kind == "highpass":
        wo = warp(float(cutoff))
        poles, zeros, gain = wo / prototype, np.full(order, 1.0 + 0j), 1.0 / np.prod(-prototype).real
    else:
        low, high = (warp(float(w)) for w in cutoff)  # type: ignore[union-attr]
        width, centre = high - low, math.sqrt(low * high)
        half = prototype * width / 2.0
        spread = np.sqrt(half**2 - centre**2)
        poles = np.concatenate([half + spread, half - spread])
        zeros = np.concatenate([np.full(order, 1.0 + 0j), np.full(order, -1.0 + 0j)])
        gain = width**order
    # bilinear: s -> z; analog zeros at 0 land on z = +1, those at infinity on z = -1 (``zeros``)
    analog_zeros = np.zeros(order if kind != "lowpass" else 0, dtype=complex)
    digital_poles = (2 * fs + poles) / (2 * fs - poles)
    gain = gain * np.real(np.prod(2 * fs - analog_zeros) / np.prod(2 * fs - poles))
    return _sections(digital_poles, zeros, gain)


def _sections(poles: np.ndarray, zeros: np.ndarray, gain: float) -> np.ndarray:
    """Second-order sections: poles in conjugate pairs (real ones two by two), zeros two by two,
    the overall gain on the first section."""
    upper = sorted((p for p in poles if p.imag > 1e-12), key=lambda p: abs(p))
    real = sorted((p.real for p in poles if abs(p.imag) <= 1e-12), key=abs)
    pairs = [np.poly([p, p.conjugate()]).real for p in upper]
    pairs += [np.poly(real[i:i + 2]).real if i + 1 < len(real) else np.array([1.0, -real[i], 0.0])
              for i in range(0, len(real), 2)]
    zs = sorted(zeros.real)  # outermost pairs first: a band-pass gets (1 - z^-2) per section
    tops = [np.poly([zs[i], zs[-1 - i]]).real for i in range(len(zs) // 2)]
    if len(zs) % 2:
        tops.append(np.array([1.0, -zs[len(zs) // 2], 0.0]))
    sos = np.zeros((len(pairs), 6))
    for i, a in enumerate(pairs):
        sos[i, 3:] = a
        sos[i, :3] = tops[i] if i < len(tops) else (1.0, 0.0, 0.0)
    sos[0, :3] *= gain
    return sos


__all__ = ["butter_sos", "first_order", "sosfilt"]
