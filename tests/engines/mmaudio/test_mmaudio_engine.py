"""The engine end to end on a tiny random model set loaded from a model folder through the real
loading code: batched takes, determinism, prompts, ROI, windows, missing weights."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import tolerances

from foleyline.errors import Cancelled, InvalidInput, Unavailable
from foleyline.notes import Layer, LayerKind, Notes
from foleyline.notes.schema import Region
from foleyline.server.engines.base import SamplingSettings, ShotInput
from foleyline.server.engines.mmaudio import MMAudioEngine
from foleyline.server.media.frames import CLIP_STREAM, SYNC_STREAM, FrameStream

from .conftest import build_tiny_model_set

SETTINGS = SamplingSettings(steps=2, cfg_strength=4.5)


def _stream(spec, duration: float, seed: int) -> FrameStream:
    rng = np.random.default_rng(seed)
    count = int(round(duration * spec.fps)) + 1
    w, h = spec.size
    # a bright square moving left to right over a noisy background
    frames = rng.integers(0, 40, size=(count, h, w, 3), dtype=np.uint8)
    for i in range(count):
        x = int(i / count * (w - w // 4))
        frames[i, h // 3 : h // 3 + h // 4, x : x + w // 4] = 230
    times = np.arange(count) / spec.fps
    return FrameStream(spec=spec, frames=frames, times=times)


def _shot(duration: float) -> ShotInput:
    return ShotInput(
        shot_id="s1", duration=duration, offset=0.0, fps=25.0,
        streams={"clip": _stream(CLIP_STREAM, duration, 1), "sync": _stream(SYNC_STREAM, duration, 2)},
        analysis=None, notes=Notes(),
    )


LAYER = Layer(label="steps", kind=LayerKind.FOLEY, prompt="foo step", negative_prompt="step")


@pytest.fixture(scope="module")
def tiny_set(tmp_path_factory):
    return build_tiny_model_set(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def engine(tiny_set):
    engine = MMAudioEngine(tiny_set.variant, models_root=tiny_set.root, architecture=tiny_set.architecture,
                           device="cpu")
    engine.load()
    return engine


def test_capabilities_are_reported(engine):
    caps = engine.capabilities()
    assert caps.name == "mmaudio" and caps.sample_rate == 16000 and caps.channels == 1
    assert caps.supports_text and caps.supports_roi and caps.supports_negative_prompt
    assert caps.device == "cpu"
    assert [s.name for s in engine.required_streams()] == ["clip", "sync"]


def test_several_takes_in_one_batch_are_deterministic_per_seed(engine):
    progress: list[float] = []
    takes = engine.generate(_shot(2.0), LAYER, [1, 2], SETTINGS, progress=progress.append)
    assert len(takes) == 2
    assert all(t.shape == (1, 32000) and t.dtype == np.float32 and np.isfinite(t).all() for t in takes)
    assert not np.allclose(takes[0], takes[1])
    again = engine.generate(_shot(2.0), LAYER, [2], SETTINGS)[0]
    np.testing.assert_allclose(again, takes[1], atol=tolerances.AUDIO_SAMPLE)
    assert progress[-1] == pytest.approx(1.0) and progress == sorted(progress)


def test_prompt_and_region_change_the_result(engine):
    base = engine.generate(_shot(2.0), LAYER, [3], SETTINGS)[0]
    other_prompt = Layer(label="steps", kind=LayerKind.FOLEY, prompt="foo", negative_prompt="")
    assert not np.allclose(engine.generate(_shot(2.0), other_prompt, [3], SETTINGS)[0], base)
    with_roi = Layer(label="steps", kind=LayerKind.FOLEY, prompt="foo step", negative_prompt="step",
                     region=Region(time=0.5, x=0.1, y=0.3, width=0.3, height=0.3))
    assert not np.allclose(engine.generate(_shot(2.0), with_roi, [3], SETTINGS)[0], base)


def test_shots_longer_than_the_window_are_generated_in_crossfaded_windows(tiny_set):
    from dataclasses import replace

    from foleyline.server.windowing import generate_layer

    engine = MMAudioEngine(tiny_set.variant, models_root=tiny_set.root, device="cpu",
                           architecture=replace(tiny_set.architecture, window_seconds=1.0))
    assert engine.capabilities().max_window_seconds == 1.0
    with pytest.raises(InvalidInput, match="window"):
        engine.generate(_shot(2.5), LAYER, [5], SETTINGS)
    take = generate_layer(engine, _shot(2.5), LAYER, [5], SETTINGS, progress=None, cancel=threading.Event())[0]
    assert take.shape == (1, 40000) and np.isfinite(take).all()


def test_very_short_shots_are_rendered_longer_and_trimmed(engine):
    take = engine.generate(_shot(0.4), LAYER, [7], SETTINGS)[0]
    assert take.shape == (1, 6400) and np.isfinite(take).all()


def test_cancel_stops_generation(engine):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        engine.generate(_shot(2.0), LAYER, [1], SETTINGS, cancel=cancel)


def test_missing_weights_name_the_files_and_the_pull_command(tmp_path):
    engine = MMAudioEngine("small_16k", models_root=tmp_path)
    with pytest.raises(Unavailable, match=r"foleyline models pull mmaudio-small-16k") as info:
        engine.load()
    assert "mmaudio_small_16k.pth" in str(info.value)
    assert "no MMAudio model is installed" in MMAudioEngine.unavailable_reason()
