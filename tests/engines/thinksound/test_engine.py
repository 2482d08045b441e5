"""The engine end to end on a tiny random-weight model folder, through the real loading code."""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch

from foleyline.errors import Cancelled, InvalidInput, Unavailable
from foleyline.notes import Event, Layer, LayerKind, Notes
from foleyline.server.engines.base import SamplingSettings, ShotInput
from foleyline.server.engines.registry import EngineRegistry
from foleyline.server.engines.thinksound.engine import THINKSOUND_CLIP_STREAM, ThinkSoundEngine
from foleyline.server.media.frames import SYNC_STREAM, FrameStream

FAST = SamplingSettings(steps=3)
STEPS = Layer("Steps", LayerKind.FOLEY, prompt="footsteps on a wood floor", events=(Event(0.5, 0.6, "a step"),))


@pytest.fixture(scope="module")
def engine(tiny_models_root: Path) -> ThinkSoundEngine:
    engine = ThinkSoundEngine(models_root=tiny_models_root)
    engine.load()
    return engine


def make_shot(duration: float, *, offset: float = 0.0, video: bool = True, layers=(STEPS,)) -> ShotInput:
    rng = np.random.default_rng(7)
    streams = {}
    if video:
        clip_times = np.arange(0.0, duration, 1 / 8)
        sync_times = np.arange(0.0, duration, 1 / 25)
        streams = {
            THINKSOUND_CLIP_STREAM.name: FrameStream(
                THINKSOUND_CLIP_STREAM, rng.integers(0, 255, (len(clip_times), 126, 224, 3), dtype=np.uint8), clip_times),
            SYNC_STREAM.name: FrameStream(
                SYNC_STREAM, rng.integers(0, 255, (len(sync_times), 224, 224, 3), dtype=np.uint8), sync_times),
        }
    return ShotInput("shot-1", duration, offset, 24.0, streams, None, Notes(layers=tuple(layers)))


def test_missing_weights_name_the_files_and_the_pull_command(tmp_path: Path) -> None:
    reason = ThinkSoundEngine.unavailable_reason(tmp_path)
    assert reason and "thinksound_light.ckpt" in reason and "vae.ckpt" in reason
    assert "foleyline models pull thinksound" in reason
    with pytest.raises(Unavailable, match="foleyline models pull thinksound"):
        ThinkSoundEngine(models_root=tmp_path).load()


def test_registry_lists_it_as_unavailable_with_the_reason() -> None:
    status = EngineRegistry(discover=False).status("thinksound")
    assert not status.available and "foleyline models pull thinksound" in status.reason
    assert status.capabilities is not None and status.capabilities.sample_rate == 44100


def test_capabilities_state_text_cot_and_the_token_limit() -> None:
    caps = ThinkSoundEngine().capabilities()
    assert (caps.name, caps.sample_rate, caps.channels) == ("thinksound", 44100, 2)
    assert caps.supports_text and caps.supports_cot and caps.max_text_tokens == 77
    assert not caps.supports_negative_prompt


def test_a_take_lands_on_the_frame_for_a_fractional_shot(engine: ThinkSoundEngine) -> None:
    # 60 frames at 23.976 fps plus 12-frame handles each side: not a whole number of seconds
    duration = float(84 * Fraction(1001, 24000))
    shot = make_shot(duration, offset=-float(12 * Fraction(1001, 24000)))
    seen: list[float] = []
    takes = engine.generate(shot, STEPS, [11, 12], FAST, progress=seen.append)
    assert [t.shape for t in takes] == [(2, round(duration * 44100))] * 2
    assert all(t.dtype == np.float32 and np.isfinite(t).all() and np.abs(t).max() > 0 for t in takes)
    assert not np.array_equal(takes[0], takes[1])
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_the_same_seed_gives_the_same_take(engine: ThinkSoundEngine) -> None:
    shot = make_shot(1.5)
    first = engine.generate(shot, STEPS, [5], FAST)[0]
    again = engine.generate(shot, STEPS, [9, 5], FAST)[1]
    np.testing.assert_array_equal(first, again)


def test_a_shot_without_picture_is_generated_from_text(engine: ThinkSoundEngine) -> None:
    (take,) = engine.generate(make_shot(1.2, video=False), STEPS, [1], FAST)
    assert take.shape == (2, round(1.2 * 44100)) and np.isfinite(take).all()


def test_a_long_shot_is_windowed_and_lands_on_the_frame(engine: ThinkSoundEngine) -> None:
    duration = 11.5
    (take,) = engine.generate(make_shot(duration, video=False), STEPS, [3], SamplingSettings(steps=1))
    assert take.shape == (2, round(duration * 44100)) and np.isfinite(take).all()


def test_an_overlong_layer_is_refused_before_any_work(engine: ThinkSoundEngine) -> None:
    layer = Layer("Rain", LayerKind.BG, prompt="rain on glass",
                  events=tuple(Event(i * 0.1, i * 0.1 + 0.05, "loud rain on metal and glass") for i in range(8)))
    report = engine.count_text_tokens(Notes(layers=(STEPS, layer)))
    assert [(r.layer_label, r.over_limit) for r in report] == [("Steps", False), ("Rain", True)]
    seen: list[float] = []
    with pytest.raises(InvalidInput, match=r"'Rain' has \d+ tokens \(limit 77\)"):
        engine.generate(make_shot(1.0, layers=(layer,)), layer, [1], FAST, progress=seen.append)
    assert seen == []


def test_cancel_stops_sampling(engine: ThinkSoundEngine) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        engine.generate(make_shot(1.0), STEPS, [1], FAST, cancel=cancel)


def test_no_seeds_is_an_error(engine: ThinkSoundEngine) -> None:
    with pytest.raises(InvalidInput, match="seed"):
        engine.generate(make_shot(1.0), STEPS, [], FAST)


def test_a_decoded_clip_runs_through_the_engine_streams(engine: ThinkSoundEngine, media_dir: Path) -> None:
    from foleyline.server.media.decode import decode_shot

    decoded = decode_shot(media_dir / "condfoleygen_hitting_metal.mp4", 0.0, 1.6, engine.required_streams())
    clip = decoded.streams[THINKSOUND_CLIP_STREAM.name]
    assert clip.frames.shape[2] == 224 and clip.frames.shape[1] <= 224  # whole picture, letterboxed later
    shot = ShotInput("metal", 1.6, 0.0, decoded.fps, decoded.streams, None, Notes(layers=(STEPS,)))
    (take,) = engine.generate(shot, STEPS, [4], FAST)
    assert take.shape == (2, round(1.6 * 44100)) and np.isfinite(take).all()


def test_token_counts_need_no_weights_and_count_the_chain_of_thought(tmp_path) -> None:
    # The server reports counts for notes before any weights are installed: an estimate of the
    # text ThinkSound reads (prompt and events), never fewer tokens than the real T5 count.
    bare = ThinkSoundEngine(models_root=tmp_path)
    layer = Layer("Rain", LayerKind.BG, prompt="rain on glass",
                  events=tuple(Event(i * 0.1, i * 0.1 + 0.05, "loud rain on metal and glass") for i in range(8)))
    (row,) = bare.count_text_tokens(Notes(layers=(layer,)))
    assert (row.layer_label, row.limit, row.over_limit) == ("Rain", 77, True)


def test_the_network_runs_float32_on_the_cpu_and_bf16_or_fp16_on_a_gpu(monkeypatch, tmp_path: Path) -> None:
    assert ThinkSoundEngine(models_root=tmp_path)._dtype == torch.float32
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert ThinkSoundEngine(models_root=tmp_path, device="cuda")._dtype == torch.bfloat16
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert ThinkSoundEngine(models_root=tmp_path, device="cuda")._dtype == torch.float16
