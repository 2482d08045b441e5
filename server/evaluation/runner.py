"""Evaluate an engine on real clips: decode the picture, never show the engine the clip's own
sound (it is "muted"), generate, and compare the generated mix with that original sound."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from foleyline.errors import MediaError
from foleyline.notes import Layer, LayerKind, Notes
from foleyline.probe import probe
from foleyline.server.engines.base import Engine, SamplingSettings
from foleyline.server.media.load import load_shot

from .metrics import OnsetScore, energy_mae, onset_score
from .onsets import detect_onsets

TOLERANCES = (0.1, 0.3)
DEFAULT_PROMPT = "sharp knocks and hits"


@dataclass
class ClipResult:
    path: Path
    duration: float = 0.0
    reference_onsets: list[float] = field(default_factory=list)
    generated_onsets: list[float] = field(default_factory=list)
    generated_confidence: list[float] = field(default_factory=list)
    visual_onsets: list[float] = field(default_factory=list)
    scores: list[OnsetScore] = field(default_factory=list)
    energy_mae: float | None = None
    generate_seconds: float = 0.0
    skipped: str | None = None  # why the clip could not be evaluated

    def score(self, tolerance: float) -> OnsetScore | None:
        return next((s for s in self.scores if abs(s.tolerance - tolerance) < 1e-9), None)


def default_notes(prompt: str = DEFAULT_PROMPT) -> Notes:
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
    path = Path(path)
    result = ClipResult(path)
    info = probe(path)
    if not info.has_audio:
        result.skipped = "the clip has no sound of its own to compare with"
        return result
    notes = notes or default_notes()
    loaded = load_shot(path, 0.0, info.duration, engine.required_streams(), shot_id=path.stem, notes=notes, with_audio=True)
    decoded, shot, analysis = loaded.decoded, loaded.input, loaded.input.analysis
    if decoded.audio is None or decoded.audio_rate is None or not np.abs(decoded.audio).max() > 0:
        result.skipped = "the clip's sound track is empty or silent"
        return result
    caps = engine.capabilities()
    started = time.perf_counter()
    mix: np.ndarray | None = None
    for layer in notes.layers:
        if layer.mute:
            continue
        (audio,) = engine.generate(shot, layer, [seed], SamplingSettings())
        mono = np.asarray(audio, dtype=np.float64).mean(axis=0)
        mix = mono if mix is None else mix + mono
    result.generate_seconds = time.perf_counter() - started
    if mix is None:
        raise MediaError(f"the notes for {path.name} have no unmuted layer; nothing to evaluate")

    reference = detect_onsets(decoded.audio, decoded.audio_rate)
    generated = detect_onsets(mix, caps.sample_rate)
    result.duration = decoded.duration
    result.reference_onsets = [round(float(t), 3) for t in reference.times]
    result.generated_onsets = [round(float(t), 3) for t in generated.times]
    result.generated_confidence = [round(float(c), 3) for c in generated.confidence]
    result.visual_onsets = [round(float(t), 3) for t in analysis.onsets]
    result.scores = [onset_score(reference.times, generated, tol, decoded.duration) for tol in tolerances]
    result.energy_mae = energy_mae(mix, caps.sample_rate, decoded.audio, decoded.audio_rate)
    return result
