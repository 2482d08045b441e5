"""Evaluate an engine on real clips: decode the picture, never show the engine the clip's own
sound (it is "muted"), generate, and compare the generated mix with that original sound.

Without notes, the notes are drafted from the picture exactly as ``foleyline generate`` drafts
them for a shot that has none: what is measured is what an editor gets by default."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from foleyline.errors import MediaError
from foleyline.notes import Layer, LayerKind, Notes
from foleyline.probe import probe
from foleyline.server.engines.base import Engine, SamplingSettings
from foleyline.server.media.load import load_shot
from foleyline.server.notes import draft, required_streams

from .devset import category_of
from .metrics import OnsetScore, energy_mae, onset_score
from .onsets import detect_onsets

TOLERANCES = (0.1, 0.3)
DEFAULT_PROMPT = "sharp knocks and hits"


@dataclass
class ClipResult:
    path: Path
    seed: int = 0
    duration: float = 0.0
    reference_onsets: list[float] = field(default_factory=list)
    generated_onsets: list[float] = field(default_factory=list)
    generated_confidence: list[float] = field(default_factory=list)
    visual_onsets: list[float] = field(default_factory=list)
    scores: list[OnsetScore] = field(default_factory=list)
    energy_mae: float | None = None
    generate_seconds: float = 0.0
    notes: Notes | None = None      # what the take was generated from (drafted, or given)
    category: str | None = None     # the development set's category of the clip, when it is one
    skipped: str | None = None      # why the clip could not be evaluated

    def score(self, tolerance: float) -> OnsetScore | None:
        return next((s for s in self.scores if abs(s.tolerance - tolerance) < 1e-9), None)


def default_notes(prompt: str = DEFAULT_PROMPT) -> Notes:
    """One effects layer with ``prompt``, driven by the picture: ``foleyline eval --prompt``."""
    return Notes(reasoning="evaluation: one effects layer driven by the picture",
                 layers=(Layer("fx", LayerKind.FX, prompt=prompt),))


def evaluate_clip(
    path: Path,
    engine: Engine,
    *,
    notes: Notes | None = None,
    seed: int = 0,
    tolerances: Sequence[float] = TOLERANCES,
) -> ClipResult:
    """One take of ``path`` (see ``evaluate_takes``)."""
    return evaluate_takes(path, engine, notes=notes, seeds=(seed,), tolerances=tolerances)[0]


def evaluate_takes(
    path: Path,
    engine: Engine,
    *,
    notes: Notes | None = None,
    seeds: Sequence[int] = (0,),
    tolerances: Sequence[float] = TOLERANCES,
) -> list[ClipResult]:
    """One result per seed: the clip is decoded, analysed and its notes drafted once.

    ``notes`` None: drafted from the picture, as ``foleyline generate`` does by default.
    """
    path = Path(path)
    base = ClipResult(path, category=category_of(path.name))
    info = probe(path)
    if not info.has_audio:
        return [replace(base, seed=s, skipped="the clip has no sound of its own to compare with") for s in seeds]
    streams = list(engine.required_streams())
    for spec in (required_streams("auto") if notes is None else ()):
        if spec not in streams:
            streams.append(spec)
    loaded = load_shot(path, 0.0, info.duration, streams, shot_id=path.stem, notes=notes,
                       extras={"shot_duration": info.duration}, with_audio=True)
    decoded, shot, analysis = loaded.decoded, loaded.input, loaded.input.analysis
    if decoded.audio is None or decoded.audio_rate is None or not np.abs(decoded.audio).max() > 0:
        return [replace(base, seed=s, skipped="the clip's sound track is empty or silent") for s in seeds]
    if notes is None:
        notes = draft(shot, "auto", counts_of=engine.count_text_tokens).notes  # fitted, as generate fits it
        shot.notes = notes
    layers = [layer for layer in notes.layers if not layer.mute]
    if not layers:
        raise MediaError(f"the notes for {path.name} have no unmuted layer; nothing to evaluate")

    caps = engine.capabilities()
    started = time.perf_counter()
    mixes: list[np.ndarray | None] = [None] * len(seeds)
    for layer in layers:
        takes = engine.generate(shot, layer, list(seeds), SamplingSettings())
        for i, audio in enumerate(takes):
            mono = np.asarray(audio, dtype=np.float64).mean(axis=0)
            mixes[i] = mono if mixes[i] is None else mixes[i] + mono
    seconds = (time.perf_counter() - started) / len(seeds)

    reference = detect_onsets(decoded.audio, decoded.audio_rate)
    base = replace(
        base,
        duration=decoded.duration,
        reference_onsets=[round(float(t), 3) for t in reference.times],
        visual_onsets=[round(float(t), 3) for t in analysis.onsets],
        generate_seconds=seconds,
        notes=notes,
    )
    results = []
    for seed, mix in zip(seeds, mixes):
        generated = detect_onsets(mix, caps.sample_rate)
        results.append(replace(
            base,
            seed=seed,
            generated_onsets=[round(float(t), 3) for t in generated.times],
            generated_confidence=[round(float(c), 3) for c in generated.confidence],
            scores=[onset_score(reference.times, generated, tol, decoded.duration) for tol in tolerances],
            energy_mae=energy_mae(mix, caps.sample_rate, decoded.audio, decoded.audio_rate),
        ))
    return results
