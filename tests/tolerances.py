"""Numeric tolerances of the test suite, stated once per kind of quantity.

A float computed on one CPU and compared with a float computed elsewhere (a reference fixture,
a formula written out in the test, another code path) differs in its last bits from one CPU to
the next: vector widths, fused multiply-adds and libm all move them. Such comparisons use the
tolerance of their kind of quantity below, never ``==``, ``torch.equal`` or ``array_equal``.

Exact comparisons stay exact where exactness is the specification:
- the same computation repeated in the same process with the same seed (the procedural
  engine's determinism per seed, a resampler's same-rate copy, a cached analysis): a change
  there is a real bug, not rounding;
- integers and data that are copied, not computed (decoded 8-bit frames, token ids, indices,
  weights loaded from a checkpoint, content hashes);
- the parity commands (``foleyline models parity``) keep their own per-check tolerances in
  ``server/engines/*/parity.py``: they are part of the product, reported to the user.

Thresholds that are the behaviour under test (a hit within 10 ms of the contact, a loudness
within 0.1 LU of BS.1770's figure) are written in the test as part of its claim.
"""

from __future__ import annotations

# float32 tables computed from a formula (rotary rotations, timestep frequencies, filter taps),
# relative to each value and absolute near zero: a few float32 ulps (1.2e-7) of libm and
# vectorisation difference between CPUs.
TABLE = 1e-6

# Network activations against a reference fixture, relative to the reference's largest
# magnitude: float32 accumulations in a different order through a few layers.
ACTIVATION = 1e-4

# A whole multi-step sample (flow integration) against the reference, relative to its largest
# magnitude: the activation error compounds over the steps.
SAMPLE_TRAJECTORY = 2e-4

# Audio samples (float, full scale 1.0) computed by two routes (a tiled generation against a
# whole one, a filter against its closed form).
AUDIO_SAMPLE = 1e-5

# 24-bit PCM through a file and back: one quantisation step either side.
PCM24 = 2 / 2**23

# Time in seconds computed in floating point from rational times (frame counts over rates).
SECONDS = 1e-9

# Timestamps as a container stores them: Matroska keeps milliseconds.
CONTAINER_TICK_S = 1e-3
