"""Glass breaking, and a body falling: two events made of many smaller ones.

A pane or a bottle breaking: the crack of the first fracture (a very short bright click over the
glass's own ring), a burst of crash noise as it flies apart, then the shards: dozens of small
pieces each ringing at its own high pitch for a few to a few tens of milliseconds, a dense cloud
as they break off, then single shards landing and bouncing for up to a second, thinning out.

A body falling is two hits, not one: knees or hip first, the torso a moment later and harder,
each a heavy low thud with the slap of clothes, and a settling bump after.
"""

from __future__ import annotations

import numpy as np

from ..dsp import SAMPLE_RATE, bandpass, decay_env, highpass, place, place_many, unit_peak, white
from .base import SoundModel, SoundParams, finish
from .impacts import MATERIALS, render_impact


def _shard(rng: np.random.Generator) -> np.ndarray:
    """One small piece of glass ringing: two high inharmonic modes, short decay."""
    length = int(0.05 * SAMPLE_RATE)
    t = np.arange(length, dtype=np.float32) / SAMPLE_RATE
    f = float(rng.uniform(2500.0, 9000.0))
    tau = float(rng.uniform(0.004, 0.02))
    ring = np.sin(2.0 * np.pi * f * t) + 0.5 * np.sin(2.0 * np.pi * f * float(rng.uniform(1.4, 2.3)) * t)
    ring = ring.astype(np.float32) * np.exp(-t / tau).astype(np.float32)
    click = highpass(white(rng, 48), 3000.0)
    ring[:48] += 0.5 * click
    return unit_peak(ring)


def render_glass_break(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    seconds = (0.8 + 0.8 * params.size) * float(rng.uniform(0.9, 1.1))
    n = int(seconds * SAMPLE_RATE)
    out = np.zeros(n, dtype=np.float32)
    # The fracture: the glass struck hard, its ring cut short by the break.
    hit = render_impact(MATERIALS["glass"], rng, params.with_(hardness=1.0, distance=0.0), 1.0)
    hit = hit[: int(0.12 * SAMPLE_RATE)] * decay_env(min(hit.size, int(0.12 * SAMPLE_RATE)), 0.03)
    place(out, hit, 0.0, gain=0.8)
    crash_len = int(0.25 * SAMPLE_RATE)
    crash = bandpass(white(rng, crash_len), 1500.0, 12000.0, order=2) * decay_env(crash_len, 0.035 + 0.03 * params.size)
    out[:crash_len] += 0.9 * crash / max(float(np.abs(crash).max()), 1e-6)
    # The shards: a dense cloud as it flies apart, then pieces landing and bouncing.
    bank = [_shard(rng) for _ in range(16)]
    count = int(80 + 160 * params.size)
    cloud = rng.exponential(0.04, count // 2)
    landing = 0.08 + rng.exponential(0.18 + 0.2 * params.size, count - count // 2)
    when = np.concatenate([cloud, landing])
    pos = (when[when < seconds - 0.06] * SAMPLE_RATE).astype(np.int64)
    gains = rng.uniform(0.08, 0.45, pos.size) * np.exp(-pos / SAMPLE_RATE / (0.4 + 0.3 * params.size))
    place_many(out, bank, pos, gains, rng)
    return finish(out, params, strength, peak=0.9)


def render_body_fall(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    gap = float(rng.uniform(0.06, 0.14))
    n = int((0.6 + gap) * SAMPLE_RATE)
    out = np.zeros(n, dtype=np.float32)
    body = MATERIALS["body"]
    heavy = params.with_(size=min(1.0, params.size + 0.3), distance=0.0)
    for at, level in ((0.0, 0.6), (gap, 1.0), (gap + float(rng.uniform(0.15, 0.25)), 0.25)):
        place(out, render_impact(body, rng, heavy, level), at)
    # Clothes slapping the floor with the torso.
    slap_len = int(0.08 * SAMPLE_RATE)
    slap = bandpass(white(rng, slap_len), 900.0, 5000.0, order=1) * decay_env(slap_len, 0.02)
    place(out, unit_peak(slap), gap, gain=0.35)
    return finish(out, params, strength, peak=0.9)


BREAKING_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "glass_break", "oneshot",
        "glass breaking: a window pane, bottle, glass, ceramic plate or mug shattering and smashing into shards",
        ("glass", "shatter", "shatters", "shattering", "smash", "smashes", "smashing", "break", "breaks", "breaking",
         "crash", "crashes", "crashing", "shards", "broken", "plate", "dish", "ceramic", "china", "porcelain", "mug", "cup", "vase", "bowl", "jar"),
        render_glass_break, SoundParams(size=0.5, hardness=0.9, intensity=0.85, distance=0.1),
        # china breaks as glass does (CERMBrk is filed here): its objects are a break's sources too
        requires=("glass", "shatter", "shatters", "shattering", "window", "bottle", "shards", "pane", "windshield", "mirror",
                  "plate", "dish", "ceramic", "china", "porcelain", "mug", "cup", "vase", "bowl", "jar"),
        happens=("shatter", "shatters", "shattering", "shattered", "smash", "smashes", "smashing", "smashed", "break",
                 "breaks", "breaking", "broke", "broken", "shards", "crash", "crashes", "crashing", "burst", "bursts"),
        ucs=("GLASBrk", "GLASCrsh", "CERMBrk", "CERMCrsh"),
    ),
    SoundModel(
        "body_fall", "oneshot",
        "a body fall: someone falling down and hitting the floor, a person collapsing, a tackle",
        ("body", "fall", "falls", "falling", "fell", "collapse", "collapses", "collapsing", "bodyfall", "tackle",
         "tackled", "drops", "thrown",
         # a body landing on the floor is its fall, not a blow to it; a trip ends in one
         "hits the floor", "hits floor", "hit the floor", "hits the ground", "hit the ground", "trips on", "trips over",
         "tripped on", "tripped over", "trip over"),
        render_body_fall, SoundParams(size=0.6, hardness=0.4, intensity=0.8, distance=0.1),
        ucs=("FGHTBf",),
    ),
)
