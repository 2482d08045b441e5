"""When a layer sounds: the events it fires and the envelope its texture follows.

All times here are *stream* seconds (0 = the first audio sample, handles included), as in
``MotionAnalysis``. Notes times are shot times; ``shot.offset`` converts between the two.

Texture layers with timed events of some length sound only inside those spans.

Event layers fire at the picture's events of the kind their sound is (``event_stream``: a
walker's foot contacts for footsteps, bursts of motion for a voice or an animal, contacts where
motion stops abruptly for everything else) and at the notes' timed events:
- a layer with no timed events fires at every visual onset (inside its region when it has one),
  or, where its prompt counts its hits ("three knocks": ``counts``), at that many of them, the
  strongest;
- a layer with timed events fires once per hit (an event shorter than ``MIN_SPAN``), at the
  visual onset nearest its time, and at the visual onsets inside each longer event's span; at
  an event's start when the picture shows no onset near it (the editor's word wins over silence).
A note's start within ``SNAP`` seconds of a visual onset snaps to it, because an editor types
times to the nearest few frames while the analysis finds the contact frame. A hit snaps to one
onset only: the stops the notes left out beside it (``notes.beat`` drops a backswing's top 0.13 s
after a strike) stay silent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from foleyline.notes import Layer
from foleyline.server.engines.base import ShotInput
from foleyline.server.media.frames import MotionAnalysis, SourceKind

from .dsp import CONTROL_RATE, SAMPLE_RATE, control_len, one_pole
from .synths import SoundModel

SNAP = 0.15           # seconds a typed event time may snap to a visual onset
SPAN_MARGIN = 0.08    # seconds of tolerance around an event's span
MIN_GAP = 0.06        # two hits of one layer closer than this merge into one
MIN_SPAN = 0.25       # an event at least this long is a span a texture sounds in, not a hit
GATE_FADE = 0.08      # seconds of fade in/out at the edges of a span


@dataclass(frozen=True)
class FireTime:
    time: float        # stream seconds
    strength: float    # 0..1
    description: str = ""  # the note event's text when the hit came from one


def certainty_gain(strength: float) -> float:
    """The gain of a one-shot for how sure the picture is of its event (its strength 0..1): the
    hit's energy in proportion to it. The onset metrics rank a take's onsets by loudness, as an
    editor hears them: a stop the analysis barely saw should not sound as sure as a clean strike.
    (Tuning half, seeds 0-2: energy in proportion (square root of the strength) against the
    amplitude itself, which hid a keyboard's light keys under the room tone: docs/evaluation.md.)"""
    return float(np.sqrt(np.clip(strength, 0.0, 1.0)))


def envelope(shot: ShotInput, layer: Layer, analysis: MotionAnalysis | None, *, floor: float = 0.0) -> np.ndarray:
    """The layer's envelope (about 0..1) at ``CONTROL_RATE`` over the shot's audio range, one
    point per ``HOP`` audio samples as the texture models expect.

    Energy points from the editor replace the motion curve (linear between points, held at the
    ends). ``floor`` lifts the motion curve (an ambience is there even when nothing moves) but
    never the editor's points. ``energy_scale`` multiplies whichever curve is used.
    """
    n = control_len(int(round(shot.duration * SAMPLE_RATE)))
    t = np.arange(n, dtype=np.float64) / CONTROL_RATE
    if layer.energy_points:
        points = sorted(layer.energy_points, key=lambda p: p.time)
        xp = np.array([p.time - shot.offset for p in points], dtype=np.float64)
        fp = np.nan_to_num(np.array([max(p.value, 0.0) for p in points], dtype=np.float64))
        curve = np.interp(t, xp, fp)
    elif analysis is not None and analysis.times.size > 0:
        # A damaged analysis (NaN from a corrupt frame) must not turn the audio into NaN.
        energy = np.clip(np.nan_to_num(np.asarray(analysis.energy, dtype=np.float64)), 0.0, None)
        curve = np.interp(t, np.asarray(analysis.times, dtype=np.float64), energy)
        # Frame differences flicker frame to frame; ~40 ms of smoothing reads as motion.
        curve = one_pole(curve, np.exp(-1.0 / (0.04 * CONTROL_RATE))).astype(np.float64)
        curve = floor + (1.0 - floor) * curve
    else:
        # No picture analysis: a moderate steady level rather than silence.
        curve = np.full(n, max(0.3, floor))
    curve = curve * span_gate(shot, layer, n)
    curve = curve * max(layer.energy_scale, 0.0)
    return np.clip(curve, 0.0, 2.0).astype(np.float32)


def span_gate(shot: ShotInput, layer: Layer, n: int) -> np.ndarray:
    """1 inside the layer's timed event spans, 0 outside (with GATE_FADE ramps); all ones when
    the layer has no event with a duration. A texture sounds where the editor said it does."""
    spans = [(e.start - shot.offset, e.end - shot.offset) for e in layer.events if e.end - e.start >= MIN_SPAN]
    if not spans:
        return np.ones(n)
    t = np.arange(n, dtype=np.float64) / CONTROL_RATE
    gate = np.zeros(n)
    for start, end in spans:
        rise = np.clip((t - (start - GATE_FADE)) / GATE_FADE, 0.0, 1.0)
        fall = np.clip(((end + GATE_FADE) - t) / GATE_FADE, 0.0, 1.0)
        gate = np.maximum(gate, np.minimum(rise, fall))
    return gate


# Which of the picture's event streams a one-shot model fires at, by the UCS category of what
# it renders (``SoundModel.ucs``; the footsteps models' names say it too).
_STEP_CATEGORIES = ("FEET",)
_VOICE_CATEGORIES = ("ANML", "BIRD", "VOX", "CREA")


def event_stream(model: SoundModel | None) -> str:
    """"steps" (a walker's foot contacts), "bursts" (motion starting abruptly: a voice, an
    animal) or "contacts" (where motion stops: hits), for a one-shot model."""
    if model is None:
        return "contacts"
    categories = tuple(getattr(model, "ucs", ()))
    if model.name.startswith("steps_") or any(c.startswith(_STEP_CATEGORIES) for c in categories):
        return "steps"
    if any(c.startswith(_VOICE_CATEGORIES) for c in categories):
        return "bursts"
    return "contacts"


def visual_events(analysis: MotionAnalysis | None, stream: str) -> tuple[np.ndarray, np.ndarray]:
    """The picture's events of one stream, (times, strengths 0..1), stream seconds. Steps come
    from a steps source (a walker's region); without one, a footsteps layer lands on the
    contacts, as feet land."""
    if analysis is None:
        return np.zeros(0), np.zeros(0)
    times, strengths = analysis.onsets, analysis.onset_strengths
    if stream == "bursts":
        times, strengths = analysis.bursts, analysis.burst_strengths
    elif stream == "steps":
        steps = [s for s in analysis.sources if s.kind is SourceKind.STEPS and len(s.onsets)]
        if steps:
            times, strengths = steps[0].onsets, steps[0].strengths
    times = np.asarray(times, dtype=np.float64)
    strengths = np.asarray(strengths, dtype=np.float64)
    if strengths.size != times.size:
        strengths = np.ones_like(times)
    finite = np.isfinite(times)
    return times[finite], np.clip(np.nan_to_num(strengths[finite], nan=1.0), 0.0, 1.0)


def fire_times(shot: ShotInput, layer: Layer, analysis: MotionAnalysis | None,
               model: SoundModel | None = None) -> list[FireTime]:
    """When the layer's one-shot ``model`` fires: see the module docstring. A timed event
    snaps to the model's own stream first (a footstep to a foot contact), then to any other
    of the picture's events (a drafted note's time is one of them)."""
    own = event_stream(model)
    onsets, strengths = visual_events(analysis, own)
    fires: list[FireTime] = []
    if not layer.events:
        fires = [FireTime(float(t), float(s)) for t, s in zip(onsets, strengths)]
    else:
        others = [visual_events(analysis, name) for name in ("contacts", "steps", "bursts") if name != own]
        used = np.zeros(onsets.size, dtype=bool)
        for event in layer.events:
            start = event.start - shot.offset
            end = max(event.end, event.start) - shot.offset
            inside = (onsets >= start - SPAN_MARGIN) & (onsets <= end + SPAN_MARGIN) & ~used
            near = (np.abs(onsets - start) <= SNAP) & ~used
            if end - start < MIN_SPAN and near.any():  # a hit: the one onset nearest its time
                picked = np.zeros_like(near)
                picked[np.flatnonzero(near)[np.argmin(np.abs(onsets[near] - start))]] = True
            else:
                picked = inside | near
            if picked.any():
                for idx in np.flatnonzero(picked):
                    used[idx] = True
                    fires.append(FireTime(float(onsets[idx]), float(strengths[idx]), event.description))
                continue
            snapped = [(abs(t - start), t, s) for times, values in others for t, s in zip(times, values)
                       if abs(t - start) <= SNAP]
            if snapped:
                _, t, s = min(snapped)
                fires.append(FireTime(float(t), float(s), event.description))
            else:
                fires.append(FireTime(float(start), 0.8, event.description))
    fires = [f for f in fires if -0.5 < f.time < shot.duration]
    return _merge_close(sorted(fires, key=lambda f: f.time))


def strongest(fires: list[FireTime], count: int) -> list[FireTime]:
    """The ``count`` strongest of ``fires`` (the earlier of two as strong), in time order: a
    prompt's "three knocks" on the three contacts the picture is surest of. Fewer where the
    picture shows fewer: no hit is placed where nothing was seen."""
    kept = sorted(range(len(fires)), key=lambda i: (-fires[i].strength, i))[:count]
    return [fires[i] for i in sorted(kept)]


def _merge_close(fires: list[FireTime]) -> list[FireTime]:
    merged: list[FireTime] = []
    for fire in fires:
        if merged and fire.time - merged[-1].time < MIN_GAP:
            if fire.strength > merged[-1].strength:
                merged[-1] = FireTime(merged[-1].time, fire.strength, merged[-1].description or fire.description)
            continue
        merged.append(fire)
    return merged


SCATTER_EVERY = 4.0   # seconds between the one-shots of an ambience made of them, on average


def scattered_times(shot: ShotInput, layer: Layer, rng: np.random.Generator) -> list[FireTime]:
    """When an ambience made of one-shots sounds ("dogs barking in the distance"): at its timed
    events when it has some, else now and then through the shot, whatever the picture does."""
    if layer.events:
        return fire_times(shot, layer, None)
    fires: list[FireTime] = []
    t = float(rng.uniform(0.1, SCATTER_EVERY))
    while t < shot.duration:
        fires.append(FireTime(t, float(rng.uniform(0.4, 1.0))))
        t += float(rng.exponential(SCATTER_EVERY)) + 0.3
    return fires
