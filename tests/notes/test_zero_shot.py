"""Zero-shot scene labels from a local CLIP (tiny random one here: test the plumbing, not taste)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from foleyline.server.notes import draft, required_streams
from foleyline.server.notes.zero_shot import SCENE_LABELS, find_clip, load_zero_shot
from ._shots import shot


def test_labels_come_from_the_candidates_best_first(tiny_clip_dir: Path) -> None:
    model = load_zero_shot(tiny_clip_dir)
    frames = [np.random.default_rng(i).integers(0, 255, (48, 64, 3), dtype=np.uint8) for i in range(3)]
    labels = model.labels(frames, top_k=3, min_probability=0.0)
    assert len(labels) == 3 and all(label in SCENE_LABELS for label, _ in labels)
    probabilities = [p for _, p in labels]
    assert probabilities == sorted(probabilities, reverse=True) and sum(probabilities) <= 1.0 + 1e-6
    assert model.labels(frames, top_k=3, min_probability=0.0) == labels  # repeatable
    assert model.labels(frames, min_probability=1.1) == [] and model.labels([]) == []


def test_the_analysis_writer_uses_the_labels_when_clip_is_installed(tiny_clip_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("FOLEYLINE_CLIP_DIR", str(tiny_clip_dir))
    assert find_clip() == tiny_clip_dir
    assert "clip" in [s.name for s in required_streams("analysis")]
    result = draft(shot(), "analysis")
    assert result.writer == "analysis" and result.warnings == []
    assert "The frames look like" in result.notes.reasoning
    prompt = result.notes.layer("impacts").prompt
    assert any(label in prompt for label in SCENE_LABELS), prompt


def test_without_clip_the_prompts_are_generic(monkeypatch) -> None:
    monkeypatch.delenv("FOLEYLINE_CLIP_DIR", raising=False)
    assert find_clip() is None
    notes = draft(shot(), "analysis").notes
    assert notes.layer("impacts").prompt == "short sharp impacts on contact"
