"""What the drafted notes sound like to the onset metrics: a take from the picture's own notes,
rendered by the default engine and read by the eval's onset detector."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from foleyline.notes import Notes
from foleyline.server.engines.base import SamplingSettings, ShotInput
from foleyline.server.engines.procedural import ProceduralEngine
from foleyline.server.engines.procedural.matcher import KeywordScorer, Matcher
from foleyline.server.evaluation.onsets import detect_onsets
from foleyline.server.media.frames import MotionAnalysis, SoundSource, SourceKind
from foleyline.server.notes.draft_analysis import draft_from_analysis

DURATION = 8.0
TIMES = np.arange(0.0, DURATION, 1.0 / 24.0)
RATE = 48000


def make_shot(*, duration: float, onsets=(), energy=None) -> ShotInput:
    times = np.arange(0.0, duration, 1.0 / 24.0)
    analysis = MotionAnalysis(times=times, energy=np.full(times.size, 0.3) if energy is None else energy,
                              onsets=np.asarray(onsets, dtype=np.float64), onset_strengths=np.ones(len(onsets)))
    return ShotInput("shot", duration, 0.0, 24.0, {}, analysis, Notes())


def drafted_take(shot, seed: int = 0) -> np.ndarray:
    notes = draft_from_analysis(shot.analysis, duration=shot.duration)
    engine = ProceduralEngine(matcher=Matcher(KeywordScorer()))
    return sum(engine.generate(shot, layer, [seed], SamplingSettings())[0].mean(axis=0) for layer in notes.layers)


@pytest.mark.parametrize("motion", [
    0.5 + 0.5 * np.sin(2 * np.pi * TIMES / 1.7) ** 2,                                  # waves coming in
    np.clip(np.abs(np.random.default_rng(1).normal(0.6, 0.3, TIMES.size)), 0.0, 1.0),  # a saw's judder
])
def test_a_continuous_sources_bed_has_no_onsets_of_its_own(motion):
    # However its motion swells and judders, a continuous source is a bed: the take starts once.
    shot = make_shot(duration=DURATION, onsets=(), energy=motion)
    shot.analysis = replace(shot.analysis, sources=(SoundSource(SourceKind.CONTINUOUS),))
    onsets = detect_onsets(drafted_take(shot), RATE)
    assert len(onsets.times) <= 1 and all(t < 0.1 for t in onsets.times)


def test_the_surer_contacts_are_the_louder_onsets():
    # The metrics rank a take's onsets by loudness: the stops the analysis is surest of must
    # come first, so a take's doubtful hits cost it least.
    contacts = (0.5, 1.5, 2.5, 3.5, 4.5, 5.5)
    strengths = np.array([1.0, 0.15, 0.9, 0.2, 0.8, 0.1])
    shot = make_shot(duration=DURATION, onsets=contacts)
    source = SoundSource(SourceKind.CONTACTS, onsets=np.array(contacts), strengths=strengths)
    shot.analysis = replace(shot.analysis, onset_strengths=strengths, sources=(source,))
    onsets = detect_onsets(drafted_take(shot), RATE)
    confidence = {c: max((k for t, k in zip(onsets.times, onsets.confidence) if abs(t - c) < 0.05), default=0.0)
                  for c in contacts}
    sure = [confidence[c] for c, s in zip(contacts, strengths) if s >= 0.5]
    unsure = [confidence[c] for c, s in zip(contacts, strengths) if s < 0.5]
    assert min(sure) > max(unsure)
