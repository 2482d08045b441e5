"""The drafting ladder end to end: with no models, the motion analysis; with tiny random models
installed as model folders (laid out as `foleyline models pull` lays them out), the CLIP rung and
the VLM rung, through `draft`, `foleyline notes draft` and `foleyline generate`. Random weights
say nothing of taste: these test which rung writes, what it says, and the fallbacks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from foleyline import config
from foleyline.cli import main
from foleyline.notes import from_text
from foleyline.server.notes import draft, required_streams
from foleyline.server.notes.draft_labels import LabelSettings
from foleyline.server.notes.draft_vlm import Vlm, VlmSettings
from foleyline.server.notes.sound_labels import sound_labels
from plugin.commands.clikit import write_clip, write_timeline

from ._shots import shot
from .conftest import install_as_package

ANY_LABEL = LabelSettings(places=(1, 0.0), sources=(1, 0.0), surfaces=(1, 0.0))  # random weights: take the best guess
VLM_SETTINGS = VlmSettings(frames=2, max_new_tokens=8, max_pixels=128 * 128, min_pixels=64 * 64)
ANSWER = json.dumps({"reasoning": "1. A dog barks twice on a gravel path.", "layers": [
    {"label": "dog", "kind": "FX", "prompt": "small dog barking", "events": [{"start": 0.5, "description": "bark"},
                                                                              {"start": 2.0, "description": "bark"}]},
    {"label": "park", "kind": "BG", "prompt": "quiet park ambience", "events": [{"start": 0, "end": 3}]}]})


@pytest.fixture
def clip_installed(tiny_clip_dir: Path) -> Path:
    return install_as_package(tiny_clip_dir, config.models_dir(), "clip-vit-b32")


@pytest.fixture
def vlm_installed(tiny_qwen3_vl_dir: Path) -> Path:
    return install_as_package(tiny_qwen3_vl_dir, config.models_dir(), "qwen3-vl-2b")


@pytest.fixture
def vlm_answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tiny VLM runs its real pass, then its gibberish is replaced by valid notes."""
    real = Vlm.generate
    prompts: list[str] = []

    def generate(vlm: Vlm, prompt: str, frames=(), **kwargs: object) -> str:
        real(vlm, prompt, frames, **kwargs)
        prompts.append(prompt)
        return ANSWER

    monkeypatch.setattr(Vlm, "generate", generate)
    return prompts


def test_with_no_models_the_motion_analysis_drafts_and_says_what_to_pull() -> None:
    result = draft(shot())
    assert result.writer == "analysis" and result.notes.author == "analysis"
    assert result.drafter == "the motion analysis alone"
    assert len(result.missing) == 2 and "qwen3-vl-2b" in result.missing[0] and "clip-vit-b32" in result.missing[1]
    assert [s.name for s in required_streams()] == ["analysis"]


def test_with_a_clip_installed_it_names_the_motion_layers(clip_installed: Path) -> None:
    assert "clip" in [s.name for s in required_streams()]
    result = draft(shot(), label_settings=ANY_LABEL)
    assert result.writer == "clip" and result.notes.author == "clip:clip-vit-b32+analysis"
    assert result.drafter == "CLIP clip-vit-b32 labels with the motion analysis' events"
    assert result.missing == [m for m in result.missing if "VLM" in m] and result.missing
    assert result.notes.reasoning.startswith("1. CLIP (clip-vit-b32) sees ")
    # layers named from the label set; the contacts keep the analysis' times
    sounds = {label.sound for label in sound_labels()}
    assert any(layer.label in sounds for layer in result.notes.layers)
    assert sorted(e.start for layer in result.notes.layers for e in layer.events if e.start == e.end) == [0.5, 1.5]


def test_mmaudios_clip_labels_the_frames_when_its_features_are_pulled(tiny_dfn5b_dir: Path) -> None:
    install_as_package(tiny_dfn5b_dir, config.models_dir(), "mmaudio-features")
    result = draft(shot(), label_settings=ANY_LABEL)
    assert result.writer == "clip" and result.notes.author == "clip:dfn5b-clip+analysis"


def test_on_a_cpu_the_vlm_drafts_only_when_asked(vlm_installed: Path, clip_installed: Path, vlm_answers) -> None:
    auto = draft(shot(), label_settings=ANY_LABEL, vlm_settings=VLM_SETTINGS)
    assert auto.writer == "clip" and vlm_answers == []
    assert "not used on a CPU" in auto.missing[0]
    asked = draft(shot(), "vlm", vlm_settings=VLM_SETTINGS)
    assert asked.writer == "vlm" and asked.notes.author == "vlm:qwen3-vl-2b" and asked.missing == []
    assert [layer.label for layer in asked.notes.layers] == ["dog", "park"]
    assert "runs on the CPU as asked" in asked.warnings[0]
    assert asked.runs and "2 frame(s) in one pass on cpu (fp32)" in asked.runs[0]
    assert "Keep prompts and descriptions short" in vlm_answers[0]


def test_invalid_vlm_answers_fall_to_the_clip_rung(vlm_installed: Path, clip_installed: Path) -> None:
    result = draft(shot(), "vlm", vlm_settings=VLM_SETTINGS, label_settings=ANY_LABEL)  # gibberish, twice
    assert result.writer == "clip" and len(result.attempts) == 2
    assert "not valid notes twice" in result.warnings[-1]


def test_the_drafts_fit_the_target_engines_limit() -> None:
    from foleyline.server.engines.registry import EngineRegistry

    registry = EngineRegistry()
    many = shot()
    many.analysis.onsets = np.linspace(0.6, 2.9, 12)
    many.analysis.onset_strengths = np.full(12, 0.5)
    result = draft(many, counts_of=lambda notes: registry.token_counts("thinksound", notes))
    assert not any(c.over_limit for c in registry.token_counts("thinksound", result.notes))
    assert any("split into" in w for w in result.warnings)


def test_notes_draft_says_who_drafted_and_what_to_pull(small_clip, capsys) -> None:
    video = small_clip("grey.mp4", frames=50)
    assert main(["notes", "draft", str(video)]) == 0
    out, err = capsys.readouterr()
    assert from_text(out).author == "analysis"
    assert "drafted by the motion analysis alone (author: analysis)" in err
    assert "not used: no VLM is installed" in err and "foleyline models pull qwen3-vl-2b" in err
    assert main(["notes", "draft", str(video), "--writer", "vlm"]) == 2
    assert "foleyline models pull qwen3-vl-2b --accept-licence" in capsys.readouterr().err


def test_notes_draft_runs_the_clip_and_vlm_rungs_from_model_folders(small_clip, vlm_installed, clip_installed,
                                                                   vlm_answers, capsys) -> None:
    video = small_clip("grey.mp4", frames=50)
    assert main(["notes", "draft", str(video), "--writer", "clip"]) == 0
    out, err = capsys.readouterr()
    assert from_text(out).author == "clip:clip-vit-b32+analysis" and "drafted by CLIP clip-vit-b32" in err
    assert main(["notes", "draft", str(video), "--writer", "vlm"]) == 0
    out, err = capsys.readouterr()
    assert from_text(out).author == "vlm:qwen3-vl-2b" and "VLM pass: qwen3-vl-2b:" in err


def _drafted_authors(out: Path) -> set[str]:
    timeline = otio.adapters.read_from_file(str(out / "cut_foley.otio"))
    return {from_text(clip.metadata["foleyline"]["notes"]).author
            for track in timeline.audio_tracks() for clip in track.find_clips()}


def test_generate_drafts_with_the_best_rung_installed(tmp_path: Path, clip_installed, vlm_installed, vlm_answers,
                                                      monkeypatch) -> None:
    media = write_clip(tmp_path / "drops.mp4")
    timeline = write_timeline(tmp_path / "cut.otio", media, [(12, 72)])  # 3 s: the answer's times fit
    assert main(["generate", str(timeline), "-o", str(tmp_path / "clip"), "--seed", "1"]) == 0
    assert _drafted_authors(tmp_path / "clip") == {"clip:clip-vit-b32+analysis"}  # a CPU: not the VLM
    monkeypatch.setenv("FOLEYLINE_VLM_DEVICE", "cpu")  # the server's owner asks for the VLM on the CPU
    assert main(["generate", str(timeline), "-o", str(tmp_path / "vlm"), "--seed", "1"]) == 0
    assert _drafted_authors(tmp_path / "vlm") == {"vlm:qwen3-vl-2b"}
