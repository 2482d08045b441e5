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
from dataclasses import dataclass
from collections.abc import Iterator
from functools import lru_cache

import numpy as np

# Largest growth of p^-j inside a block: with float64 sums the relative error stays near
# 1e-16 * 1e5, far below float32 output's 6e-8.
_MAX_GROWTH = 1e5
_MAX_BLOCK = 2048
# Samples per segment of a long signal: a segment's temporaries stay in the CPU's cache.
_SEGMENT = 1 << 15
# Block ends chained one by one in Python up to this many (array operations cost more there).
_FEW_BLOCKS = 24
# |p|^m below this is zero to float64 next to a value of order one.
_NEGLIGIBLE = 1e-18
# Partial fractions amplify rounding by |p1| / |p1 - p2| (the blocks are shortened to pay for
# it, see ``first_order``'s ``growth``): beyond this, cascade the two poles.
_MAX_RESIDUE = 1e4


def _block_length(radius: float, growth: float = _MAX_GROWTH) -> int:
    if radius >= 1.0:
        return _MAX_BLOCK
    return max(1, min(_MAX_BLOCK, 1 + int(math.log(growth) / -math.log(radius))))


@dataclass(frozen=True)
class _Recursion:
    """Everything ``first_order`` needs for one pole, scale and growth, computed once."""
    p: complex
    scale: complex
    block: int
    up: np.ndarray       # p^j
    down: np.ndarray     # scale * p^-j
    tail: np.ndarray     # p^(B-1-j), real
    tail_imag: np.ndarray | None  # its imaginary part for a complex pole
    step: complex        # p^B: one block's decay
    forgotten: int       # blocks after which the state is below float64's notice (0: never soon)
    dtype: np.dtype


@lru_cache(maxsize=1024)
def _recursion(p: complex, scale: complex, growth: float) -> _Recursion:
    radius = abs(p)
    block = _block_length(radius, growth)
    j = np.arange(block)
    tail = np.power(p, block - 1 - j)
    decay = radius**block
    terms = math.log(_NEGLIGIBLE) / math.log(decay) if 0.0 < decay < 1.0 else math.inf
    complex_ = isinstance(p, complex) or isinstance(scale, complex)
    return _Recursion(
        p=p, scale=scale, block=block, up=np.power(p, j), down=scale * np.power(p, -j),
        tail=np.ascontiguousarray(tail.real) if complex_ else tail,
        tail_imag=np.ascontiguousarray(tail.imag) if complex_ else None,
        step=p**block, forgotten=int(terms) if terms <= 8 else 0,
        dtype=np.dtype(np.complex128 if complex_ else np.float64),
    )


def first_order(v: np.ndarray, p: complex, scale: complex = 1.0, growth: float = _MAX_GROWTH) -> np.ndarray:
    """``scale`` * u, u[n] = p * u[n-1] + v[n] from rest, for 1-D ``v`` (real ``p`` and
    ``scale`` keep real arrays); ``growth``: the largest |p|^-j allowed inside a block."""
    if v.size == 0 or p == 0 or scale == 0:
        return (scale * v).astype(np.result_type(v.dtype, type(p), type(scale), np.float64))
    return _apply(v, _recursion(p, scale, growth))


def _apply(v: np.ndarray, plan: _Recursion) -> np.ndarray:
    out = np.zeros(v.size, dtype=plan.dtype)
    _accumulate(out, v, plan)
    return out


def _accumulate(y: np.ndarray, v: np.ndarray, plan: _Recursion, *, real: bool = False) -> None:
    """y += ``first_order`` of ``v`` (its real part with ``real``). A long ``v`` goes in
    segments of whole blocks that stay in the CPU's cache, each starting from the last one's
    end and added to ``y`` while still there."""
    n = v.size
    if plan.scale == 0:  # a zero of the numerator on this pole: the fraction is nothing
        return
    segment = max(plan.block, _SEGMENT // plan.block * plan.block)
    state: complex = 0.0
    for start in range(0, n, segment):
        part = _first_order(v[start:start + segment], plan, state)
        y[start:start + segment] += part.real if real else part
        state = part[-1] / plan.scale


def _first_order(v: np.ndarray, plan: _Recursion, state: complex) -> np.ndarray:
    """``first_order`` of one segment, u[-1] = ``state``.

    Each block's end, from rest, is a dot product with p^(B-1-j); the ends chained from block
    to block give the state entering each block, which is added to the block's first sample;
    then one scaled running sum per block gives every sample."""
    n, block = v.size, plan.block
    if n <= block:  # one block
        local = np.multiply(v, plan.down[:n])
        if state != 0.0:
            local[0] += plan.scale * plan.p * state
        np.cumsum(local, out=local)
        local *= plan.up[:n]
        return local
    blocks, full = -(-n // block), n // block
    if full < blocks:
        padded = np.zeros(blocks * block, dtype=v.dtype)
        padded[:n] = v
        rows = padded.reshape(blocks, block)
    else:
        rows = v.reshape(full, block)
    local = np.multiply(rows, plan.down)
    ends = rows[:-1] @ plan.tail
    if plan.tail_imag is not None:
        ends = ends + 1j * (rows[:-1] @ plan.tail_imag)
    if state != 0.0:
        local[0, 0] += plan.scale * plan.p * state
        ends[0] += plan.step * state
    entering = _block_ends(ends, plan)  # u at the end of blocks 0..K-2
    local[1:, 0] += (plan.scale * plan.p) * entering
    np.cumsum(local, axis=1, out=local)
    local *= plan.up
    return local.reshape(-1)[:n]


def _block_ends(ends: np.ndarray, plan: _Recursion) -> np.ndarray:
    """The true value at each block's end: e[k] = ends[k] + p^B * e[k-1]."""
    if ends.size <= _FEW_BLOCKS:  # cheaper one by one than in array operations
        chained, value, step = [], 0.0, plan.step
        for end in ends.tolist():
            value = end + step * value
            chained.append(value)
        return np.array(chained)
    if plan.forgotten:  # the state is forgotten within a few blocks: add those few directly
        out = ends.copy()
        power = 1.0
        for m in range(1, plan.forgotten + 1):
            power = power * plan.step
            out[m:] += power * ends[:-m]
        return out
    return first_order(ends, plan.step)


@dataclass(frozen=True)
class _Section:
    """One biquad, ready to run: c0 + sum of scale_i / (1 - p_i q) (``recursions``, one for a
    conjugate pair, whose mirror is its real part twice), or, where the poles nearly coincide,
    the numerator ``fir`` then the poles one after the other (``cascade``)."""
    c0: float = 0.0
    recursions: tuple[_Recursion, ...] = ()
    pair: bool = False
    fir: tuple[float, float, float] | None = None
    cascade: tuple[complex, ...] = ()


def _poles(a1: float, a2: float) -> tuple[complex | float, complex | float]:
    root = complex(a1 * a1 - 4.0 * a2) ** 0.5
    p1, p2 = (-a1 + root) / 2.0, (-a1 - root) / 2.0
    if root.imag == 0.0:
        return p1.real, p2.real
    return p1, p2


def _section_plan(b0: float, b1: float, b2: float, a1: float, a2: float) -> _Section:
    """(b0 + b1 q + b2 q^2) / (1 + a1 q + a2 q^2), q = z^-1, in partial fractions where the
    poles are apart: the numerator then costs nothing beyond the recursions."""
    if a2 != 0.0:
        p1, p2 = _poles(a1, a2)
        gap = abs(p1 - p2)
        residue = max(abs(p1), abs(p2)) / gap if gap > 0.0 else math.inf
        if residue <= _MAX_RESIDUE:
            growth = max(10.0, _MAX_GROWTH / max(1.0, residue))
            c0 = b2 / a2
            r0, r1 = b0 - c0, b1 - c0 * a1  # the remainder R(q) = B(q) - c0 A(q)
            k1 = (r0 + r1 / p1) / (1.0 - p2 / p1)
            if isinstance(p1, complex):
                return _Section(c0, (_recursion(p1, 2.0 * k1, growth),), pair=True)
            k2 = (r0 + r1 / p2) / (1.0 - p1 / p2)
            return _Section(c0, (_recursion(p1, k1, growth), _recursion(p2, k2, growth)))
        return _Section(fir=(b0, b1, b2), cascade=(p1, p2))
    if a1 != 0.0 and b2 == 0.0:
        c0 = b1 / a1
        return _Section(c0, (_recursion(-a1, b0 - c0, _MAX_GROWTH),))
    return _Section(fir=(b0, b1, b2), cascade=(-a1,) if a1 != 0.0 else ())


@lru_cache(maxsize=1024)
def _plan(coefficients: bytes) -> tuple[_Section, ...]:
    sos = np.frombuffer(coefficients, dtype=np.float64).reshape(-1, 6)
    return tuple(_section_plan(b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0)
                 for b0, b1, b2, a0, a1, a2 in sos.tolist())


class _SectionState:
    """One section running over a signal segment by segment: what each recursion (and, for a
    ``fir`` section, its last two inputs) carries from one segment into the next."""

    def __init__(self, section: _Section) -> None:
        self.section = section
        self.states: list[complex] = [0.0] * max(len(section.recursions), len(section.cascade))
        self.history = np.zeros(2)  # x[-2], x[-1]
        self.cascade = tuple(_recursion(p, 1.0, _MAX_GROWTH) for p in section.cascade if p != 0)

    def step(self, x: np.ndarray) -> np.ndarray:
        """The section's output for the next segment ``x`` (float64, non-empty)."""
        section = self.section
        if section.fir is None:
            y = np.multiply(x, section.c0, dtype=np.float64)
            for i, recursion in enumerate(section.recursions):
                if recursion.scale == 0:  # a zero of the numerator on this pole
                    continue
                part = _first_order(x, recursion, self.states[i])
                y += part.real if section.pair else part
                self.states[i] = part[-1] / recursion.scale
            return y
        b0, b1, b2 = section.fir
        held = np.concatenate([self.history, x])
        v = np.multiply(x, b0, dtype=np.float64)
        if b1 != 0.0:
            v += b1 * held[1:-1]
        if b2 != 0.0:
            v += b2 * held[:-2]
        self.history = held[-2:].copy()
        for i, recursion in enumerate(self.cascade):
            v = _first_order(v, recursion, self.states[i])
            self.states[i] = v[-1]
        return np.ascontiguousarray(np.real(v))


def sosfilt_segments(sos: np.ndarray, x: np.ndarray) -> Iterator[np.ndarray]:
    """``sosfilt`` of 1-D ``x``, segment after segment (float64, consecutive, ``_SEGMENT`` long
    but the last): every section runs over a segment while it is in the CPU's cache, carrying
    its state into the next, so a long signal never has a signal-long temporary."""
    plan = _plan(np.ascontiguousarray(sos, dtype=np.float64).tobytes())
    sections = [_SectionState(section) for section in plan]
    for start in range(0, x.size, _SEGMENT):
        y = np.asarray(x[start:start + _SEGMENT], dtype=np.float64)  # once: no mixed-type casts per step
        for section in sections:
            y = section.step(y)
        yield y


def sosfilt(sos: np.ndarray, x: np.ndarray, dtype: type = np.float64) -> np.ndarray:
    """``x`` (1-D) through the cascade of second-order sections ``sos`` (rows b0 b1 b2 a0 a1 a2,
    SciPy's layout) from rest, computed in float64: a new array of ``dtype`` (float32: each
    segment rounded as it is done, no float64 copy of the whole signal)."""
    x = np.asarray(x)
    out = np.empty(x.size, dtype=dtype)
    start = 0
    for y in sosfilt_segments(sos, x):
        out[start:start + y.size] = y
        start += y.size
    return out


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


__all__ = ["butter_sos", "first_order", "sosfilt", "sosfilt_segments"]
