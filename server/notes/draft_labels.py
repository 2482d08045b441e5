"""The middle rung of the notes ladder: CLIP's zero-shot labels of the frames, combined with the
motion analysis' layers and events.

The motion analysis (``draft_analysis``) decides what kind of sound the picture makes and when
(contacts, steps, a continuous source, calls); it cannot tell a pistol from a door. CLIP can
say what is in the frames but not when it sounds. So:

1. the frames are labelled against the UCS label set (``sound_labels``), three questions asked
   apart: where it is (places, weather, crowds), what sounds (sources) and what is walked on;
2. the motion analysis drafts its layers, told what the frames show (a voice or an animal
   changes which events it picks);
3. each of its layers is named after the best source of its kind that was seen ("impacts" on a
   pistol become "pistol gunshots", footsteps become "footsteps on gravel", the ambience bed a
   "city street ambience"); a layer whose kind nothing seen fits keeps the motion's words;
4. the best source seen that no layer names gets a layer of its own, with the analysis' events
   of its kind, and each further place seen (rain, wind, a crowd) a bed of its own.

Prompts stay short (the sound's words); what was seen and why goes in the reasoning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from foleyline.notes.schema import Event, Layer, LayerKind, Notes
from foleyline.server.media.frames import MotionAnalysis
from foleyline.server.notes.draft_analysis import draft_from_analysis
from foleyline.server.notes.sound_labels import (PLACE_ROLES, SOURCE_ROLES, SURFACE_ROLES, SoundLabel,
                                                 labels_for)
from foleyline.server.notes.zero_shot import Ranked, ZeroShot

__all__ = ["LabelSettings", "SeenLabels", "draft_from_labels", "label_shot"]

# The motion analysis' layer labels and the kind of source each one is (draft_analysis).
_MOTION_ROLES = {"ambience": "place", "impacts": "contacts", "footsteps": "steps", "crowd": "crowd",
                 "source": "continuous", "calls": "calls"}
_BED_GAIN_DB = -12.0


@dataclass(frozen=True)
class LabelSettings:
    """How many labels of each question count as seen, and how sure CLIP must be. Untuned
    defaults (no real CLIP weights were at hand to tune on): a softmax over ~50 places or ~150
    sources puts a clear answer well above these and a guess far below them."""

    places: tuple[int, float] = (2, 0.25)     # (top k, least probability)
    sources: tuple[int, float] = (2, 0.2)
    surfaces: tuple[int, float] = (1, 0.3)


@dataclass
class SeenLabels:
    model: str
    places: list[Ranked[SoundLabel]] = field(default_factory=list)
    sources: list[Ranked[SoundLabel]] = field(default_factory=list)
    surfaces: list[Ranked[SoundLabel]] = field(default_factory=list)

    def summary(self) -> str:
        def words(ranked: list[Ranked[SoundLabel]]) -> str:
            return ", ".join(f"{r.label.caption} ({r.probability:.2f})" for r in ranked)

        parts = [p for p in (words(self.places), words(self.sources)) if p]
        seen = "; ".join(parts) if parts else "nothing it is sure of"
        under = f"; underfoot {words(self.surfaces)}" if self.surfaces else ""
        return f"CLIP ({self.model}) sees {seen}{under}."


def label_shot(zero_shot: ZeroShot, frames: Sequence[np.ndarray], settings: LabelSettings = LabelSettings(),
               model: str = "") -> SeenLabels:
    """What the frames show, asked as three questions of the label set."""
    shot = zero_shot.shot_embedding(frames)

    def ask(roles: tuple[str, ...], limits: tuple[int, float]) -> list[Ranked[SoundLabel]]:
        labels = labels_for(*roles)  # type: ignore[arg-type]
        return zero_shot.rank(shot, labels, [label.caption for label in labels], top_k=limits[0],
                              min_probability=limits[1])

    return SeenLabels(model or getattr(zero_shot.embedder, "name", "clip"), ask(PLACE_ROLES, settings.places),
                      ask(SOURCE_ROLES, settings.sources), ask(SURFACE_ROLES, settings.surfaces))


def _shot_times(values: np.ndarray, offset: float, duration: float) -> list[float]:
    times = np.asarray(values, dtype=np.float64) + offset
    return [round(float(t), 3) for t in times if 0.0 <= t <= duration]


def _own_layer(label: SoundLabel, analysis: MotionAnalysis, offset: float, duration: float) -> Layer | None:
    """A layer for a seen source no motion layer names, with the analysis' events of its kind."""
    if label.role == "continuous":
        return Layer(label.sound, LayerKind.FX, prompt=label.sound, negative_prompt="music, speech",
                     events=(Event(0.0, round(duration, 3), "throughout"),))
    if label.role == "calls":
        times = _shot_times(getattr(analysis, "bursts", None) if len(getattr(analysis, "bursts", ())) else
                            analysis.onsets, offset, duration)
        what = "call"
    elif label.role == "contacts":
        times, what = _shot_times(analysis.onsets, offset, duration), "hit"
    else:
        return None  # steps need foot contacts, which only the motion analysis' steps layer has
    if not times:
        return None
    return Layer(label.sound, LayerKind.FX, prompt=label.sound, negative_prompt="music",
                 events=tuple(Event(t, t, f"{what} {i}") for i, t in enumerate(times, 1)))


def _unique(layers: list[Layer]) -> list[Layer]:
    taken: set[str] = set()
    out = []
    for layer in layers:
        label = layer.label
        n = 2
        while label in taken:
            label, n = f"{layer.label} {n}", n + 1
        taken.add(label)
        out.append(replace(layer, label=label))
    return out


def _numbered(steps: Sequence[str]) -> str:
    return "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))


def _steps_of(reasoning: str) -> list[str]:
    return [line.split(". ", 1)[1] if line[:1].isdigit() and ". " in line else line
            for line in reasoning.splitlines() if line.strip()]


def draft_from_labels(analysis: MotionAnalysis, seen: SeenLabels, *, duration: float, offset: float = 0.0,
                      shot_id: str = "") -> Notes:
    """Notes for a shot of ``duration`` s from its motion analysis and what CLIP saw in it."""
    sources = [r.label for r in seen.sources]
    places = [r.label for r in seen.places]
    surface = seen.surfaces[0].label.sound if seen.surfaces else ""
    plain = draft_from_analysis(analysis, duration=duration, offset=offset, shot_id=shot_id)
    guided = draft_from_analysis(analysis, duration=duration, offset=offset, shot_id=shot_id,
                                 labels=[label.caption for label in sources])
    plain_prompts = {layer.label: layer.prompt for layer in plain.layers}
    used: set[SoundLabel] = set()
    named: list[str] = []

    def best(roles: tuple[str, ...], pool: Sequence[SoundLabel]) -> SoundLabel | None:
        return next((label for label in pool if label.role in roles and label not in used), None)

    layers: list[Layer] = []
    for layer in guided.layers:
        role = _MOTION_ROLES.get(layer.label)
        if role == "place":
            pick = best(("place",), [p for p in places if p.category != "CROWDS"])
        elif role == "crowd":
            # a crowd seen, else walkers seen: the crowd bed is theirs (a crowd of one's kind)
            pick = best(("place",), [p for p in places if p.category == "CROWDS"]) or best(("steps",), sources)
        else:
            pick = best((role,), sources) if role else None
        if pick is not None:
            used.add(pick)
            prompt = pick.sound
            if pick.role == "steps" and surface:
                prompt = f"{pick.sound} on {surface}"
            named.append(f"'{layer.label}' becomes {prompt!r}")
            layers.append(replace(layer, label=pick.sound, prompt=prompt))
        elif role in ("steps", "crowd") and surface:
            named.append(f"the footsteps are on {surface}")
            walkers = "footsteps" if role == "steps" else "crowd walking"
            layers.append(replace(layer, prompt=f"{walkers} on {surface}"))
        else:
            # Nothing seen fits its kind: the motion's own words, not a guess coloured by labels.
            layers.append(replace(layer, prompt=plain_prompts.get(layer.label, layer.prompt)))
    if sources and sources[0] not in used:
        own = _own_layer(sources[0], analysis, offset, duration)
        if own is not None:
            used.add(sources[0])
            named.append(f"{own.label!r} gets a layer of its own")
            layers.append(own)
    for place in places:
        if place not in used:
            used.add(place)
            named.append(f"a bed of {place.sound}")
            layers.append(Layer(place.sound, LayerKind.BG, prompt=place.sound, negative_prompt="music, speech",
                                events=(Event(0.0, round(duration, 3), "bed"),), gain_db=_BED_GAIN_DB))
    steps = [seen.summary(), *_steps_of(guided.reasoning)]
    if named:
        steps.append("Named for what was seen: " + "; ".join(named) + ".")
    return Notes(reasoning=_numbered(steps), layers=tuple(_unique(layers)), version=1, shot_id=shot_id,
                 author=f"clip:{seen.model}+analysis")
