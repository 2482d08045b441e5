"""The VLM writer end to end on a tiny random Qwen2.5-VL: its text is gibberish, so these test the
loading, the prompt and frames it gets, parsing, validation, the one retry and the fallback."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from foleyline.errors import InvalidInput, Unavailable
from foleyline.notes import Event, Layer, LayerKind, Notes, from_text, to_text
from foleyline.server.media.frames import CLIP_STREAM, FrameStream, StreamSpec
from foleyline.server.notes import apply_instruction, draft, required_streams
from foleyline.server.notes.devices import Hardware
from foleyline.server.notes.draft_vlm import Vlm, VlmAnswerError, VlmSettings, load_vlm, parse_answer, sample_frames
from foleyline.server.notes.drafters import best

from ._shots import DURATION, shot

SETTINGS = VlmSettings(frames=3, max_new_tokens=16, max_pixels=112 * 112)
GPU = Hardware(gpu=True, gpu_free_gb=80.0, bf16=True)  # what the ladder is told; the tiny model still runs on the CPU

GOOD = {
    "reasoning": "1. A hand strikes a metal bar twice. 2. Each strike rings.",
    "layers": [
        {"label": "strikes", "kind": "FX", "prompt": "drumstick on a metal bar, bright ring",
         "negative": "music", "events": [{"start": 1.6, "end": 1.6, "description": "second hit"},
                                         {"start": 0.4, "description": "first hit"}]},
        {"label": "room", "kind": "ambience", "prompt": "small workshop room tone",
         "events": [{"start": 0, "end": 9.0}]},
    ],
}


@pytest.fixture
def vlm_env(tiny_vlm_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FOLEYLINE_VLM_DIR", str(tiny_vlm_dir))
    return tiny_vlm_dir


class Spy:
    """Records every prompt and frame set the model gets; ``answers`` replace its reply in turn
    (None: let the real model answer)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answers: list[str | None]) -> None:
        self.calls: list[tuple[str, list[float], str]] = []
        self.answers = list(answers)
        real = Vlm.generate

        def generate(vlm: Vlm, prompt: str, frames=(), **kwargs: object) -> str:
            answer = real(vlm, prompt, frames, **kwargs)  # the real forward pass runs every time
            if self.answers and self.answers[0] is not None:
                answer = self.answers[0]
            if self.answers:
                self.answers.pop(0)
            self.calls.append((prompt, [t for t, _ in frames], answer))
            return answer

        monkeypatch.setattr(Vlm, "generate", generate)


def test_the_tiny_model_loads_from_its_folder_and_answers(vlm_env: Path) -> None:
    assert best("vlm").folder == vlm_env
    vlm = load_vlm(vlm_env, SETTINGS)
    assert vlm.model_type == "qwen2_5_vl" and load_vlm(vlm_env, SETTINGS) is vlm  # loaded once
    frame = np.zeros((64, 96, 3), np.uint8)
    answer = vlm.generate("What do you hear?", [(0.0, frame), (1.0, frame)])
    assert isinstance(answer, str)
    assert answer == vlm.generate("What do you hear?", [(0.0, frame), (1.0, frame)])  # greedy: repeatable


def test_a_newer_family_member_runs_through_the_same_pipeline(tiny_qwen3_vl_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("FOLEYLINE_VLM_DIR", str(tiny_qwen3_vl_dir))
    settings = VlmSettings(frames=2, max_new_tokens=8, max_pixels=128 * 128, min_pixels=64 * 64)
    assert load_vlm(tiny_qwen3_vl_dir, settings).model_type == "qwen3_vl"
    result = draft(shot(), "auto", vlm_settings=settings, hw=GPU)
    assert len(result.attempts) == 2 and result.writer == "analysis"  # gibberish, retried, fell back


def test_gibberish_is_retried_once_then_the_analysis_writes_the_notes(vlm_env: Path, monkeypatch) -> None:
    spy = Spy(monkeypatch, [None, None])
    result = draft(shot(), "auto", vlm_settings=SETTINGS, hw=GPU)
    assert result.writer == "analysis" and result.notes.author == "analysis"
    assert len(result.attempts) == 2 and all(a.problems for a in result.attempts)
    assert "not valid notes twice" in result.warnings[-1]
    first, second = spy.calls
    assert "sound source" in first[0] and "JSON" in first[0]
    assert "Your previous answer could not be used" in second[0]
    assert result.attempts[0].problems[0] in second[0]
    # the model saw frames from inside the shot, labelled in shot time
    assert len(first[1]) == SETTINGS.frames and all(0 <= t <= DURATION for t in first[1])
    assert [e.start for e in result.notes.layer("impacts").events] == [0.5, 1.5]


def test_a_valid_second_answer_is_used(vlm_env: Path, monkeypatch) -> None:
    spy = Spy(monkeypatch, [None, "Sure! ```json\n" + json.dumps(GOOD) + "\n```"])
    result = draft(shot(), "vlm", vlm_settings=SETTINGS)
    assert result.writer == "vlm" and len(spy.calls) == 2
    notes = result.notes
    assert notes.author == f"vlm:{vlm_env.name}" and notes.shot_id == "sh7"
    strikes, room = notes.layers
    assert [e.start for e in strikes.events] == [0.4, 1.6]  # put in order
    assert strikes.negative_prompt == "music" and room.kind is LayerKind.BG
    assert room.events == (Event(0.0, DURATION, ""),)  # clamped to the shot
    assert from_text(to_text(notes)) == notes


def test_vlm_writer_needs_a_model(monkeypatch) -> None:
    monkeypatch.delenv("FOLEYLINE_VLM_DIR", raising=False)
    assert best("vlm") is None
    with pytest.raises(Unavailable, match="no VLM is installed.*foleyline models pull qwen3-vl-2b"):
        draft(shot(), "vlm")
    assert draft(shot()).notes.author == "analysis"  # auto falls back silently to what is installed
    assert [s.name for s in required_streams("auto")] == ["analysis"]


def test_vlm_writer_needs_colour_frames(vlm_env: Path) -> None:
    gray = shot()
    gray.streams = {}
    with pytest.raises(Unavailable, match="no colour frames"):
        draft(gray, "vlm", vlm_settings=SETTINGS)
    result = draft(gray, "auto", vlm_settings=SETTINGS, hw=GPU)
    assert result.writer == "analysis" and "VLM not used" in result.warnings[0]
    assert CLIP_STREAM in required_streams("auto", GPU)


def test_unknown_writer_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown notes writer 'gpt'"):
        draft(shot(), "gpt")


@pytest.mark.parametrize(("answer", "problem"), [
    ("I hear a bang.", "no JSON object"),
    ("{\"layers\": [}", "does not parse"),
    (json.dumps({"reasoning": "x", "layers": []}), "layers is missing or empty"),
    (json.dumps({"layers": [{"label": "a", "kind": "LOUD"}]}), "kind 'LOUD'; use BG, FX or FOLEY"),
    (json.dumps({"layers": [{"label": "a", "kind": "FX", "events": [{"start": 7}]}]}), "outside the shot"),
    (json.dumps({"layers": [{"label": "a", "kind": "FX", "events": [{"start": "soon"}]}]}), "not a number"),
    (json.dumps({"layers": [{"label": "a", "kind": "FX", "events": [{"start": 2, "end": 1}]}]}), "ends before"),
    (json.dumps({"layers": [{"label": "a", "kind": "FX"}, {"label": "a", "kind": "BG"}]}), "appears twice"),
    (json.dumps({"layers": [{"kind": "FX"}]}), "has no label"),
])
def test_invalid_answers_are_rejected_with_the_reason(answer: str, problem: str) -> None:
    with pytest.raises(VlmAnswerError) as caught:
        parse_answer(answer, duration=DURATION)
    assert any(problem in p for p in caught.value.problems), caught.value.problems


def test_frames_are_sampled_evenly_inside_the_range() -> None:
    times = np.arange(0, 4, 0.125)
    frames = np.zeros((len(times), 8, 8, 3), np.uint8)
    picked = [t for t, _ in sample_frames(frames, times, start=0.5, end=3.5, count=3)]
    assert picked == [1.25, 2.0, 2.75]
    with pytest.raises(InvalidInput, match="RGB frames"):
        sample_frames(frames[..., 0], times, start=0, end=1, count=2)


NOTES = Notes(layers=(Layer("wind", LayerKind.BG, prompt="wind"), Layer("steps", LayerKind.FOLEY, prompt="boots",
                                                                       events=(Event(1.0, 1.0),))), version=2)


def test_instructions_the_rules_know_never_reach_the_model(vlm_env: Path, monkeypatch) -> None:
    spy = Spy(monkeypatch, [])
    result = apply_instruction(NOTES, "quieter wind", DURATION, vlm_settings=SETTINGS)
    assert result.notes.layer("wind").gain_db == -3.0 and spy.calls == []


def test_the_model_edits_what_the_rules_cannot_read(vlm_env: Path, monkeypatch) -> None:
    edited = {"reasoning": "", "layers": [
        {"label": "wind", "kind": "BG", "prompt": "wind"},
        {"label": "steps", "kind": "FOLEY", "prompt": "boots dragging, tired", "events": [{"start": 1.0}]}]}
    spy = Spy(monkeypatch, [json.dumps(edited)])
    result = apply_instruction(NOTES, "the walker should sound exhausted", DURATION, vlm_settings=SETTINGS)
    assert "exhausted" in spy.calls[0][0] and spy.calls[0][1] == []  # text only
    assert result.notes.layer("steps").prompt == "boots dragging, tired"
    assert result.affected_layers == ("steps",) and result.notes.version == 3
    assert "+prompt: boots dragging, tired" in result.diff


def test_when_rules_and_model_both_fail_the_editor_is_told(vlm_env: Path, monkeypatch) -> None:
    Spy(monkeypatch, [None, None])
    with pytest.raises(InvalidInput, match="could not read the instruction.*the VLM's answers were not valid"):
        apply_instruction(NOTES, "the walker should sound exhausted", DURATION, vlm_settings=SETTINGS)


def test_a_broken_model_folder_falls_back_in_auto_and_fails_clearly_for_vlm(tmp_path: Path, monkeypatch) -> None:
    broken = tmp_path / "broken-vl"
    broken.mkdir()
    (broken / "config.json").write_text(json.dumps({"model_type": "qwen2_5_vl"}))  # no weights, no tokenizer
    monkeypatch.setenv("FOLEYLINE_VLM_DIR", str(broken))
    result = draft(shot(), "auto", vlm_settings=SETTINGS, hw=GPU)
    assert result.writer == "analysis" and "the VLM failed" in result.warnings[0]
    with pytest.raises(Unavailable, match="could not"):
        draft(shot(), "vlm", vlm_settings=SETTINGS)


def test_frames_sampled_from_a_stream_read_only_those_frames() -> None:
    times = np.arange(0, 4, 0.125)
    frames = np.arange(len(times), dtype=np.uint8)[:, None, None, None] * np.ones((1, 8, 8, 3), np.uint8)
    read: list[np.ndarray] = []

    class Pictures:  # a long shot's pictures, decoded when read
        def read(self, spec, source_times):
            read.append(source_times)
            return frames[np.round(source_times / 0.125).astype(int)]

    stream = FrameStream(StreamSpec("clip", fps=8.0, size=(8, 8)), times=times, source_times=times, reader=Pictures())
    picked = sample_frames(stream, times, start=0.5, end=3.5, count=3)
    assert [t for t, _ in picked] == [1.25, 2.0, 2.75]
    assert [int(f[0, 0, 0]) for _, f in picked] == [10, 16, 22]
    assert len(read) == 1 and len(read[0]) == 3  # three frames read, not the stream
