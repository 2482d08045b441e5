"""Notes drafted from the picture's own motion: what kind of source it shows, its contacts,
steps or bursts, and its cuts.

No model needed, so this is the writer on a fresh machine and the fallback of the VLM writer.
It reasons the way a Foley editor spots a shot: first what kind of thing makes the sound
(``media.sources``: contacts, steps, a continuous source, or nothing that sounds), then when
it sounds (a hit where motion stops abruptly, not where it starts; a step where a foot lands),
then the rhythm and the cuts, and from those decides the layers, one per kind of sound:

- contacts: a hard-effect layer with one hit per contact (and nothing under it: a bed would
  blur the attacks; the moves are their own pass);
- a crowd walking: a bed of footsteps and murmur, not a hit per stop;
- one walker's steps: a footsteps layer, one step per foot contact;
- a continuous source (surf, a passing train): a texture following the motion, no hits;
- a voice or an animal, when labels from a zero-shot model say the frames show one: its
  calls at the bursts of motion (the picture cannot tell a bark from a shake by itself);
- bursts (a stroke kicked out of rest, the picture flashing) where there are no contacts: a
  layer of sudden bangs, one per burst (with contacts, they are among the contacts' hits);
- motion that neither strikes nor sustains: a quiet movement layer;
- always: an ambience bed under the whole shot.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from foleyline.notes.event_labels import BED, hit_label, span_label
from foleyline.notes.schema import EnergyPoint, Event, Layer, LayerKind, Notes
from foleyline.server.media.frames import MotionAnalysis, SoundSource, SourceKind
from foleyline.server.notes.beat import find_beat

__all__ = ["draft_from_analysis", "MAX_ENERGY_POINTS", "PLAIN_PROMPTS"]

MAX_ENERGY_POINTS = 24

# Each layer's prompt when no labels say what the picture shows: what every default run asks
# for. Their sentence embeddings ship with the package (``engines.procedural.shipped_embeddings``),
# so matching them on a fresh machine does not load the embedding model.
PLAIN_PROMPTS = {
    "ambience": "quiet room tone, natural ambience",
    "impacts": "short sharp impacts on contact",
    "footsteps": "footsteps on concrete, heel and toe",
    "crowd": "crowd of pedestrians walking, footsteps and murmur",
    "source": "a steady drone following the motion, with no hits (an engine, wind or a crowd: "
              "the picture alone cannot tell which)",
    "movement": "cloth and body movement following the action",
    "bursts": "a sudden bang at each burst",
}
_BUSY, _QUIET = 0.35, 0.08          # mean energy above/below: busy / still picture
_SEGMENT_LEVEL = 0.5                # energy above this is a "movement" segment
_MIN_SEGMENT_S = 0.2
# Words in what the frames show (zero-shot labels) that say the sound is a voice or an animal.
_VOCAL_WORDS = frozenset("""
    animal animals dog dogs puppy puppies bark barking barks cat cats kitten meow bird birds parrot
    canary singing sings song chirp chirping baby babies crying cries cry cough coughing laugh laughing
    talking talks speaking speech voice voices shouting scream screaming horse cow cows sheep goat pig
    chicken rooster duck lion tiger wolf monkey frog owl crow""".split())
_WORD = re.compile(r"[a-z]+")


def _r(value: float, places: int = 3) -> float:
    # Rounded so the text form stays readable ("1.234 s", not "1.2339999999999999 s").
    return float(round(float(value), places))


def _segments(times: np.ndarray, energy: np.ndarray, level: float) -> list[tuple[float, float, float]]:
    """(start, end, peak) runs where energy stays above ``level`` for at least _MIN_SEGMENT_S."""
    out: list[tuple[float, float, float]] = []
    above = energy > level
    i = 0
    while i < len(above):
        if not above[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(above) and above[j + 1]:
            j += 1
        if times[j] - times[i] >= _MIN_SEGMENT_S:
            out.append((float(times[i]), float(times[j]), float(energy[i : j + 1].max())))
        i = j + 1
    return out


def _rhythm(onsets: np.ndarray) -> float | None:
    """The period in seconds when the events come regularly (a repeated action), else None."""
    if len(onsets) < 3:
        return None
    gaps = np.diff(np.sort(onsets))
    mean = float(gaps.mean())
    if mean <= 0:
        return None
    return mean if float(gaps.std()) / mean < 0.25 else None


def _curve(times: np.ndarray, energy: np.ndarray, start: float, end: float) -> tuple[EnergyPoint, ...]:
    """At most MAX_ENERGY_POINTS points of the energy curve over [start, end] (shot times)."""
    if len(times) < 2 or end <= start:
        return ()
    grid = np.linspace(start, end, min(MAX_ENERGY_POINTS, max(2, len(times))))
    values = np.clip(np.interp(grid, times, energy), 0.0, 1.0)
    return tuple(EnergyPoint(_r(t), _r(v)) for t, v in zip(grid, values))


def _times_list(values: Sequence[float]) -> str:
    shown = ", ".join(f"{v:.2f}" for v in values[:12])
    return shown + (f" and {len(values) - 12} more" if len(values) > 12 else "") + " s"


def _inside(times: np.ndarray, strengths: np.ndarray, offset: float, duration: float) -> tuple[np.ndarray, np.ndarray]:
    """Events in shot time, those inside the shot; strengths of 1 when they do not match."""
    times = np.asarray(times, dtype=np.float64) + offset
    strengths = np.asarray(strengths, dtype=np.float64)
    if strengths.size != times.size:
        strengths = np.ones_like(times)
    keep = (times >= 0) & (times <= duration)
    return times[keep], strengths[keep]


def _hits(times: np.ndarray, strengths: np.ndarray, what: str) -> tuple[Event, ...]:
    return tuple(Event(_r(t), _r(t), hit_label(what, i, s))
                 for i, (t, s) in enumerate(zip(times, strengths), 1))


def _source(analysis: MotionAnalysis, labels: Sequence[str]) -> SoundSource:
    """The shot's main source: a voice or an animal when the labels say so, else what the
    motion says, else (an analysis from before source kinds) contacts when there are any."""
    if labels and _VOCAL_WORDS.intersection(_WORD.findall(labels[0].lower())):
        return SoundSource(SourceKind.VOCAL, onsets=analysis.bursts, strengths=analysis.burst_strengths,
                           evidence=f"the frames look like {labels[0]}, which calls out: its calls start where "
                                    "motion bursts out of calm")
    if analysis.sources:
        return analysis.sources[0]
    if len(analysis.onsets):
        return SoundSource(SourceKind.CONTACTS, onsets=analysis.onsets, strengths=analysis.onset_strengths)
    return SoundSource(SourceKind.NONE)


def draft_from_analysis(
    analysis: MotionAnalysis,
    *,
    duration: float,
    offset: float = 0.0,
    shot_id: str = "",
    labels: Sequence[str] = (),
) -> Notes:
    """Draft notes for a shot of ``duration`` seconds (handles excluded).

    ``analysis`` times are seconds from the decoded range's start, which is ``offset`` seconds
    of shot time (negative with a head handle): shot time = analysis time + offset.
    ``labels``: what the frames show, when a zero-shot classifier could tell (best first); they
    colour the prompts, and say when the source is a voice or an animal.
    """
    times = np.asarray(analysis.times, dtype=np.float64) + offset
    energy = np.clip(np.asarray(analysis.energy, dtype=np.float64), 0.0, 1.0)
    inside = (times >= 0) & (times <= duration)
    t_in, e_in = times[inside], energy[inside]
    cuts_all = np.asarray(analysis.cuts, dtype=np.float64) + offset
    cuts = cuts_all[(cuts_all > 0) & (cuts_all < duration)]
    what = labels[0] if labels else ""
    source = _source(analysis, labels)
    kind = source.kind
    events, strengths = _inside(source.onsets, source.strengths, offset, duration)
    # A repeated action's stops between its strokes (the top of a backswing) are not strikes.
    beat = find_beat(events, strengths) if kind is SourceKind.CONTACTS else None
    off_beat = events[~beat.on] if beat is not None else np.zeros(0)
    if beat is not None:
        events, strengths = events[beat.on], strengths[beat.on]
    burst = next((s for s in analysis.sources[1:] if s.kind is SourceKind.BURSTS), None)

    steps: list[str] = []
    mean = float(e_in.mean()) if len(e_in) else 0.0
    if len(e_in):
        peak_t = float(t_in[int(np.argmax(e_in))])
        mood = "busy" if mean > _BUSY else "still" if mean < _QUIET else "moderately active"
        seen = f"The frames look like {', '.join(labels[:3])}. " if labels else ""
        steps.append(f"{seen}The picture is {mood} (mean motion {mean:.2f} of its peak); "
                     f"the strongest movement is around {peak_t:.2f} s.")
    else:
        steps.append("The analysis saw no frames inside the shot, so the notes only hold an ambience bed.")
    if analysis.camera_rate is not None and len(t_in) > 1:
        shown = 1.0 / float(np.median(np.diff(t_in)))
        steps.append(f"The picture was brought down from a {analysis.camera_rate:.4g} fps camera to {shown:.4g} fps "
                     "by dropping frames unevenly, so it judders; its motion was evened out before looking "
                     "for stops.")
    if source.evidence:
        steps.append(f"What sounds: {source.evidence}.")
    plan = ["an ambience bed under the whole shot"]
    layers = [Layer(
        label="ambience",
        kind=LayerKind.BG,
        prompt=f"ambience of {what}" if what else PLAIN_PROMPTS["ambience"],
        negative_prompt="music, speech",
        events=(Event(0.0, _r(duration), BED),),
        gain_db=-12.0,
    )]
    if kind is SourceKind.CONTACTS and len(events):
        steps.append(f"Motion stops abruptly {len(events)} time(s), at {_times_list(list(events))}: "
                     "those are contacts, and each needs a hit on the frame of contact, "
                     "not at the start of the movement.")
        if len(off_beat):
            steps.append(f"The strokes keep a beat of about {beat.period:.2f} s; {len(off_beat)} weaker stop(s) off it, "
                         f"at {_times_list(list(off_beat))}, are the tops of swings or a hand settling: no hit there.")
        plan.append("a hard-effect layer with one hit per contact, louder where the stop is sharper, "
                    "and nothing under it")
        layers.append(Layer(
            label="impacts", kind=LayerKind.FX,
            prompt=f"sharp impacts, {what}" if what else PLAIN_PROMPTS["impacts"],
            negative_prompt="music, speech", events=_hits(events, strengths, "contact"),
        ))
    elif kind is SourceKind.STEPS and len(events):
        steps.append(f"A foot lands {len(events)} time(s), at {_times_list(list(events))}: one step each, "
                     "heel then toe, timed where the foot's downward motion stops.")
        plan.append("a footsteps layer, one step per foot contact")
        layers.append(Layer(
            label="footsteps", kind=LayerKind.FOLEY,
            prompt=f"footsteps, {what}" if what else PLAIN_PROMPTS["footsteps"],
            negative_prompt="music, speech", events=_hits(events, strengths, "step"),
        ))
    elif kind is SourceKind.STEPS:
        steps.append(f"About {source.movers} people walk at once, too many and too small to give each a step: "
                     "their footsteps are a bed under the shot. (For one walker's steps, draw a region "
                     "of interest around them.)")
        plan.append("a bed of a crowd's footsteps and murmur following the motion")
        layers.append(Layer(
            label="crowd", kind=LayerKind.BG,
            prompt=f"crowd walking, {what}" if what else PLAIN_PROMPTS["crowd"],
            negative_prompt="music", energy_points=_curve(t_in, e_in, 0.0, duration), gain_db=-6.0,
        ))
    elif kind is SourceKind.CONTINUOUS:
        # Without labels the prompt names only steady sounds: water and fire crackle, and their
        # grain would put onsets where the picture shows none.
        steps.append("A continuous source (an engine, a train, wind, water or a crowd: the picture alone cannot "
                     "tell which): its sound follows the motion, with no hit on any stop.")
        plan.append("a continuous texture following the motion, no hits")
        layers.append(Layer(
            label="source", kind=LayerKind.FX,
            prompt=what or PLAIN_PROMPTS["source"],
            negative_prompt="music, speech", energy_points=_curve(t_in, e_in, 0.0, duration),
        ))
    elif kind is SourceKind.VOCAL and len(events):
        steps.append(f"Motion bursts out of calm {len(events)} time(s), at {_times_list(list(events))}: "
                     "the calls start there.")
        plan.append("a layer of calls, one per burst of motion")
        layers.append(Layer(
            label="calls", kind=LayerKind.FX, prompt=what,
            negative_prompt="music", events=_hits(events, strengths, "call"),
        ))
    elif mean >= _QUIET and burst is None:  # (what moves there is the bursts)
        segments = _segments(t_in, e_in, _SEGMENT_LEVEL) if len(t_in) else []
        steps.append("Nothing strikes and nothing sounds by itself: the movement is a quiet cloth and "
                     "body pass" + (f" in {len(segments)} stretch(es)." if segments else "."))
        plan.append("a quiet movement layer following the motion energy")
        layers.append(Layer(
            label="movement", kind=LayerKind.FOLEY,
            prompt=f"movement of {what}" if what else PLAIN_PROMPTS["movement"],
            negative_prompt="music, speech",
            events=tuple(Event(_r(a), _r(b), span_label(p)) for a, b, p in segments),
            energy_points=_curve(t_in, e_in, 0.0, duration), gain_db=-12.0,
        ))
    if burst is not None and kind is not SourceKind.VOCAL:
        times_b, strengths_b = _inside(burst.onsets, burst.strengths, offset, duration)
        if len(times_b):
            steps.append(f"Besides, {burst.evidence}: at {_times_list(list(times_b))}.")
            plan.append("a layer of sudden bangs, one per burst")
            layers.append(Layer(
                label="bursts", kind=LayerKind.FX,
                prompt=f"a sudden bang, {what}" if what else PLAIN_PROMPTS["bursts"],
                negative_prompt="music, speech", events=_hits(times_b, strengths_b, "burst"),
            ))
    period = _rhythm(events) if kind in (SourceKind.CONTACTS, SourceKind.STEPS) else None
    if period is not None:
        steps.append(f"They come regularly, about every {period:.2f} s: a repeated action "
                     "(steps, chopping, hammering) that should sound alike but not identical.")
    if len(cuts):
        steps.append(f"The shot cuts at {_times_list(list(cuts))}; the ambience may change there.")
    steps.append("So: " + "; ".join(plan) + ".")
    reasoning = "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))
    return Notes(reasoning=reasoning, layers=tuple(layers), version=1, shot_id=shot_id, author="analysis")
