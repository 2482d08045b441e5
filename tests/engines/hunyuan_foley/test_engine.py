"""The engine end to end on tiny random-weight model folders in the release layout, through the
real loading code: takes land on the frame, seeds are exact, prompts steer, long shots go
through the server's windows, missing or mismatched files are named."""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch

from foleyline.errors import Cancelled, InvalidInput, Unavailable
from foleyline.notes import Layer, LayerKind, Notes, Region
from foleyline.server.engines.base import SamplingSettings, ShotInput
from foleyline.server.engines.hunyuan_foley.engine import HUNYUAN_CLIP_STREAM, HunyuanFoleyEngine
from foleyline.server.engines.registry import EngineRegistry
from foleyline.server.media.frames import SYNC_STREAM, FrameStream
from foleyline.server.windowing import generate_layer

from .tiny_models import build_model_folder

FAST = SamplingSettings(steps=3)
STEPS = Layer("Steps", LayerKind.FOLEY, prompt="footsteps on a wood floor", negative_prompt="music")


@pytest.fixture(scope="module")
def tiny_root(tmp_path_factory: pytest.TempPathFactory, fixtures_dir: Path) -> Path:
    return build_model_folder(tmp_path_factory.mktemp("models"), fixtures_dir / "hunyuan_foley")


@pytest.fixture(scope="module")
def engine(tiny_root: Path) -> HunyuanFoleyEngine:
    engine = HunyuanFoleyEngine(models_root=tiny_root, device="cpu")
    engine.load()
    return engine


def make_shot(duration: float, *, offset: float = 0.0, video: bool = True, seed: int = 7) -> ShotInput:
    rng = np.random.default_rng(seed)
    streams = {}
    if video:
        clip_times, sync_times = np.arange(0.0, duration, 1 / 8), np.arange(0.0, duration, 1 / 25)
        streams = {
            HUNYUAN_CLIP_STREAM.name: FrameStream(
                HUNYUAN_CLIP_STREAM, rng.integers(0, 255, (len(clip_times), 64, 64, 3), dtype=np.uint8), clip_times),
            SYNC_STREAM.name: FrameStream(
                SYNC_STREAM, rng.integers(0, 255, (len(sync_times), 224, 224, 3), dtype=np.uint8), sync_times),
        }
    return ShotInput("shot-1", duration, offset, 24.0, streams, None, Notes(layers=(STEPS,)))


def test_missing_weights_name_the_files_and_the_pull_command(tmp_path: Path) -> None:
    reason = HunyuanFoleyEngine.unavailable_reason(tmp_path)
    assert reason and "foleyline models pull hunyuan-foley" in reason
    with pytest.raises(Unavailable, match=r"hunyuanvideo_foley\.pth.*vae_128d_48k\.pth.*models pull hunyuan-foley"):
        HunyuanFoleyEngine(models_root=tmp_path).load()


def test_the_registry_lists_it_with_its_licence_memory_and_window() -> None:
    status = EngineRegistry(discover=False).status("hunyuan_foley")
    assert not status.available and "foleyline models pull hunyuan-foley" in status.reason
    caps = status.capabilities
    assert caps is not None and (caps.sample_rate, caps.max_window_seconds) == (48000, 15.0)
    assert caps.supports_negative_prompt and caps.supports_text
    manifest = status.manifest
    assert manifest.max_seconds == 15.0 and manifest.sample_rates == (48000,)
    for term in ("EU", "UK", "South Korea", "100 M", "other AI model"):
        assert term in manifest.weights_licence, term
    assert all(size in manifest.memory for size in ("20 GB", "16 GB", "12 GB", "8 GB"))


def test_a_take_lands_on_the_frame_for_a_fractional_shot(engine: HunyuanFoleyEngine) -> None:
    # 30 frames at 23.976 fps plus 12-frame handles each side: not a whole number of 25 fps frames
    duration = float(54 * Fraction(1001, 24000))
    seen: list[float] = []
    takes = engine.generate(make_shot(duration, offset=-0.5), STEPS, [11, 12], FAST, progress=seen.append)
    assert [t.shape for t in takes] == [(1, round(duration * 48000))] * 2
    assert all(t.dtype == np.float32 and np.isfinite(t).all() and np.abs(t).max() > 0 for t in takes)
    assert not np.array_equal(takes[0], takes[1])
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_a_seed_gives_the_same_take_whatever_else_is_asked_with_it(engine: HunyuanFoleyEngine) -> None:
    shot = make_shot(1.2)
    alone = engine.generate(shot, STEPS, [5], FAST)[0]
    with_others = engine.generate(shot, STEPS, [9, 5], FAST)[1]
    assert np.array_equal(alone, with_others)


def test_the_prompt_and_the_negative_prompt_steer_the_take(engine: HunyuanFoleyEngine) -> None:
    shot = make_shot(1.0)
    base = engine.generate(shot, STEPS, [3], FAST)[0]
    other_prompt = Layer("Steps", LayerKind.FOLEY, prompt="glass breaking", negative_prompt="music")
    other_negative = Layer("Steps", LayerKind.FOLEY, prompt=STEPS.prompt, negative_prompt="wind")
    assert not np.array_equal(base, engine.generate(shot, other_prompt, [3], FAST)[0])
    assert not np.array_equal(base, engine.generate(shot, other_negative, [3], FAST)[0])


def test_a_region_of_interest_narrows_the_picture_the_layer_hears(engine: HunyuanFoleyEngine) -> None:
    shot = make_shot(1.0)
    boxed = Layer("Steps", LayerKind.FOLEY, prompt=STEPS.prompt, negative_prompt=STEPS.negative_prompt,
                  region=Region(time=0.5, x=0.1, y=0.3, width=0.3, height=0.3))
    whole, cropped = engine.generate(shot, STEPS, [6], FAST)[0], engine.generate(shot, boxed, [6], FAST)[0]
    assert cropped.shape == whole.shape and not np.array_equal(cropped, whole)


def test_an_empty_negative_prompt_is_the_releases_default(engine: HunyuanFoleyEngine) -> None:
    shot = make_shot(1.0)
    empty = Layer("Steps", LayerKind.FOLEY, prompt=STEPS.prompt)
    default = Layer("Steps", LayerKind.FOLEY, prompt=STEPS.prompt, negative_prompt="noisy, harsh")
    assert np.array_equal(engine.generate(shot, empty, [4], FAST)[0], engine.generate(shot, default, [4], FAST)[0])


def test_each_guided_step_is_one_network_call_on_the_unconditional_and_conditional_batch(
        engine: HunyuanFoleyEngine, monkeypatch) -> None:
    network = engine._parts.network
    batches: list[int] = []
    real = type(network).velocity

    def spy(self, x, t, conditions, **kwargs):
        batches.append(len(x))
        return real(self, x, t, conditions, **kwargs)

    monkeypatch.setattr(type(network), "velocity", spy)
    engine.generate(make_shot(0.8), STEPS, [1], SamplingSettings(steps=4))
    assert batches == [2, 2, 2, 2]
    batches.clear()
    engine.generate(make_shot(0.8), STEPS, [1], SamplingSettings(steps=2, cfg_strength=1.0))
    assert batches == [1, 1]  # no guidance: the unconditional half is skipped


def test_a_shot_without_picture_is_rendered_from_its_text(engine: HunyuanFoleyEngine) -> None:
    take = engine.generate(make_shot(0.9, video=False), STEPS, [2], FAST)[0]
    assert take.shape == (1, round(0.9 * 48000)) and np.isfinite(take).all()


def test_a_shot_shorter_than_one_synchformer_window_still_gets_its_exact_length(engine: HunyuanFoleyEngine) -> None:
    take = engine.generate(make_shot(0.3), STEPS, [2], FAST)[0]
    assert take.shape == (1, round(0.3 * 48000))


def test_longer_shots_are_refused_by_the_engine_and_windowed_by_the_server(engine: HunyuanFoleyEngine) -> None:
    shot = make_shot(16.0)
    with pytest.raises(InvalidInput, match="15 s"):
        engine.generate(shot, STEPS, [1], FAST)
    takes = generate_layer(engine, shot, STEPS, [1], SamplingSettings(steps=1), progress=None, cancel=threading.Event())
    assert takes[0].shape == (1, 16 * 48000) and np.isfinite(takes[0]).all()


def test_cancelling_stops_between_steps(engine: HunyuanFoleyEngine) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        engine.generate(make_shot(1.0), STEPS, [1], FAST, cancel=cancel)


def test_token_counts_use_the_clap_tokenizer_once_loaded(engine: HunyuanFoleyEngine) -> None:
    long = Layer("Long", LayerKind.BG, prompt="rain " * 20)
    (count,) = engine.count_text_tokens(Notes(layers=(long,)))
    assert count.limit == 77 and count.over_limit and count.tokens == 100 + 2  # one per character here


def test_encoders_that_do_not_fit_the_network_are_named(tmp_path: Path, fixtures_dir: Path) -> None:
    import json

    root = build_model_folder(tmp_path, fixtures_dir / "hunyuan_foley")
    config = root / "hunyuan-foley-features" / "siglip2-base-patch16-512" / "config.json"
    data = json.loads(config.read_text())
    data["vision_config"]["hidden_size"] = 32
    config.write_text(json.dumps(data))
    from safetensors.torch import load_file, save_file

    weights = config.parent / "model.safetensors"
    save_file({k: v for k, v in load_file(str(weights)).items() if not k.startswith("vision_model")}, str(weights))
    with pytest.raises(InvalidInput):
        HunyuanFoleyEngine(models_root=root).load()


def test_a_stereo_decoder_gives_stereo_takes(tmp_path: Path, fixtures_dir: Path) -> None:
    """The release decodes mono; a VAE whose decoder has two output channels is carried as it is."""
    root = build_model_folder(tmp_path, fixtures_dir / "hunyuan_foley", vae_channels=2)
    engine = HunyuanFoleyEngine(models_root=root)
    engine.load()
    assert engine.capabilities().channels == 2
    take = engine.generate(make_shot(0.8), STEPS, [1], FAST)[0]
    assert take.shape == (2, round(0.8 * 48000)) and not np.array_equal(take[0], take[1])


def test_the_cpu_runs_float32_and_a_gpu_would_run_bf16() -> None:
    from foleyline.server.engines.hunyuan_foley.loading import choose_precision

    assert choose_precision(torch.device("cpu"), None) == torch.float32
    assert choose_precision(torch.device("cpu"), torch.bfloat16) == torch.bfloat16


def test_foleyline_engines_shows_the_window_memory_and_licence(capsys) -> None:
    from foleyline import cli

    assert cli.main(["engines"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("hunyuan_foley"))
    block = "\n".join(lines[start:start + 4])
    assert "15 s" in block and "20 GB" in block and "South Korea" in block
    assert "foleyline models pull hunyuan-foley" in block
