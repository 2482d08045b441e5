"""Fixtures and checkpoints of configurations other than the shared ones load and run: every size
comes from the fixture's config json or the weights' shapes, never from the shared fixtures'
values. The reference outputs written here are our own network's (tiny random weights), so what
is checked is that the config reader, the weight loading and the parity command carry any
configuration through, and that a file which does not fit is refused by name."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file
from state_dicts import randomised

from foleyline import cli
from foleyline.errors import InvalidInput
from foleyline.notes import Layer, LayerKind, Notes
from foleyline.server.engines.base import SamplingSettings, ShotInput
from foleyline.server.engines.mmaudio import MMAudioEngine
from foleyline.server.engines.mmaudio.modeling_mmaudio import MMAudioModel
from foleyline.server.engines.mmaudio.parity import config_from_fixture
from foleyline.server.media.frames import CLIP_STREAM, SYNC_STREAM, FrameStream

from .conftest import build_tiny_model_set

# Neither is a shared fixture's configuration: other widths, heads (head width 12 and 8), depths,
# MLP ratio, text length, duration; v1 at 44.1 kHz and v2 at 16 kHz (the shared ones are the
# other way round).
V1_44K = {
    "constructor_args": {"latent_dim": 40, "clip_dim": 24, "sync_dim": 16, "text_dim": 32, "hidden_dim": 48,
                         "depth": 3, "fused_depth": 2, "num_heads": 4, "mlp_ratio": 2.0, "latent_seq_len": 87,
                         "clip_seq_len": 16, "sync_seq_len": 40, "text_seq_len": 10, "v2": False},
    "sequence_config": {"duration": 2.0, "sampling_rate": 44100, "spectrogram_frame_rate": 512,
                        "latent_downsample_rate": 2},
}
V2_16K = {
    "constructor_args": {"latent_dim": 20, "clip_dim": 12, "sync_dim": 24, "text_dim": 20, "hidden_dim": 40,
                         "depth": 2, "fused_depth": 0, "num_heads": 5, "latent_seq_len": 63,
                         "clip_seq_len": 16, "sync_seq_len": 40, "v2": True},
    "sequence_config": {"duration": 2.0, "sampling_rate": 16000, "spectrogram_frame_rate": 256,
                        "latent_downsample_rate": 2},
}


def _random_network(data: dict, seed: int) -> MMAudioModel:
    model = randomised(MMAudioModel(config_from_fixture(data)), seed, std=0.2)
    with torch.no_grad():
        model.latent_std.abs_().add_(0.5)
    return model


@torch.no_grad()
def _write_fixture(folder: Path, data: dict, *, seed: int, save) -> tuple[Path, Path, Path, MMAudioModel]:
    """A network fixture in the shared fixtures' form: config, weights (written by ``save``) and
    an io file whose outputs are this network's own."""
    folder.mkdir(parents=True, exist_ok=True)
    model = _random_network(data, seed)
    cfg = model.config
    gen = torch.Generator().manual_seed(seed + 1)
    io = {
        "in.clip_f": torch.randn(2, cfg.sequence.clip_seq_len, cfg.clip_dim, generator=gen),
        "in.sync_f": torch.randn(2, cfg.sequence.sync_seq_len, cfg.sync_dim, generator=gen),
        "in.text_f": torch.randn(2, cfg.text_seq_len, cfg.text_dim, generator=gen),
        "in.x_t": torch.randn(2, cfg.sequence.latent_seq_len, cfg.latent_dim, generator=gen),
        "in.t": torch.tensor([0.3, 0.8]),
    }
    cond = model.preprocess_conditions(io["in.clip_f"], io["in.sync_f"], io["in.text_f"])
    io["out.v_cond"] = model.predict_flow(io["in.x_t"], io["in.t"], cond)
    io["const.latent_rot"] = model.latent_rot
    weights = save(folder, model.state_dict())
    config = folder / "config.json"
    config.write_text(json.dumps({**data, "files": {"weights": weights.name}}))
    io_path = folder / "io.safetensors"
    save_file(io, str(io_path))
    return config, weights, io_path, model


def _safetensors(folder: Path, state: dict) -> Path:
    save_file({k: v.contiguous() for k, v in state.items()}, str(folder / "weights.safetensors"))
    return folder / "weights.safetensors"


def _trainer_pth(folder: Path, state: dict) -> Path:
    """As a training run saves it: a .pth, the weights under 'state_dict' with DDP's 'module.'
    prefix, beside other bookkeeping."""
    path = folder / "weights.pth"
    torch.save({"state_dict": {"module." + k: v for k, v in state.items()}, "epoch": 3}, path)
    return path


def _parity(config: Path, weights: Path, io: Path, capsys) -> tuple[int, str]:
    code = cli.main(["models", "parity", "--config", str(config), "--weights", str(weights), "--io", str(io)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize(("data", "save"), [(V1_44K, _safetensors), (V2_16K, _trainer_pth)], ids=["v1-44k", "v2-16k"])
def test_a_fixture_of_another_configuration_passes_the_parity_command(tmp_path, capsys, data, save):
    config, weights, io, _ = _write_fixture(tmp_path, data, seed=5, save=save)
    code, out = _parity(config, weights, io, capsys)
    assert code == 0, out
    assert "out.v_cond" in out and "0 over tolerance" in out


def test_the_config_sets_every_size_the_network_is_built_with():
    cfg = config_from_fixture(V1_44K)
    assert (cfg.hidden_dim, cfg.num_heads, cfg.head_dim, cfg.joint_depth, cfg.fused_depth) == (48, 4, 12, 1, 2)
    assert (cfg.mlp_ratio, cfg.text_seq_len, cfg.v2, cfg.mode) == (2.0, 10, False, "44k")
    seq = cfg.sequence
    assert (seq.latent_seq_len, seq.clip_seq_len, seq.sync_seq_len) == (87, 16, 40)
    model = MMAudioModel(cfg)
    # MLP ratio 2: the blocks' gated FFN is int(2/3 · 2 · 48) rounded up to 256
    assert model.joint_blocks[0].latent_block.ffn.w1.out_channels == 256
    assert model.empty_string_feat.shape == (10, 32)
    assert model.t_embed.frequency_embedding_size == 256  # v1; v2 uses the hidden width


def test_a_config_without_sequence_config_takes_its_duration_from_the_clip_length():
    data = {"constructor_args": dict(V2_16K["constructor_args"])}
    data["constructor_args"]["latent_dim"] = 20  # 16 kHz by its latent width
    seq = config_from_fixture(data).sequence
    assert seq.duration == 2.0 and seq.sampling_rate == 16000
    assert (seq.latent_seq_len, seq.clip_seq_len, seq.sync_seq_len) == (63, 16, 40)


def test_lengths_that_no_duration_gives_are_refused_naming_the_value():
    data = json.loads(json.dumps(V1_44K))
    data["constructor_args"]["latent_seq_len"] = 90
    with pytest.raises(InvalidInput, match="latent_seq_len=90 differs from the value derived"):
        config_from_fixture(data)


def test_weights_of_another_configuration_are_refused_naming_file_key_and_shapes(tmp_path, capsys):
    _config, v1_weights, _io, _ = _write_fixture(tmp_path / "v1", V1_44K, seed=1, save=_safetensors)
    config, _weights, io, _ = _write_fixture(tmp_path / "v2", V2_16K, seed=2, save=_safetensors)
    code, out = _parity(config, v1_weights, io, capsys)
    assert code == 2
    assert str(v1_weights) in out
    assert "latent_mean expected (1, 1, 20) got (1, 1, 40)" in out
    # v2 puts a SiLU after the clip projection's linear map: its gated FFN moves from index 1 to 2
    assert "missing (clip_input_proj.2.w1.weight" in out and "unexpected (clip_input_proj.1.w1.weight" in out


def _stream(spec, duration: float) -> FrameStream:
    count = int(round(duration * spec.fps)) + 1
    w, h = spec.size
    frames = np.random.default_rng(3).integers(0, 255, size=(count, h, w, 3), dtype=np.uint8)
    return FrameStream(spec=spec, frames=frames, times=np.arange(count) / spec.fps)


def test_the_engine_loads_a_44k_v2_set_saved_with_trainer_quirks(tmp_path):
    """Another width, head count, depth and MLP ratio; every file wrapped ('ema'), 'module.'
    prefixed and stored in bf16; the vocoder in the parametrization spelling without its fixed
    filters. Every parameter is assigned from the files, and a take has the right length."""
    tiny = build_tiny_model_set(tmp_path, variant="large_44k_v2", hidden_dim=48, num_heads=3, depth=3,
                                fused_depth=1, mlp_ratio=2.0, wrapper="ema", prefix="module.",
                                dtype=torch.bfloat16, vocoder_form="parametrizations", vocoder_filters=False)
    engine = MMAudioEngine(tiny.variant, models_root=tiny.root, architecture=tiny.architecture, device="cpu")
    engine.load()
    loaded = engine._loaded
    saved = torch.load(tmp_path / "mmaudio-large-44k-v2" / "mmaudio_large_44k_v2.pth", weights_only=True)["ema"]
    network_state = loaded.network.state_dict()
    assert set(network_state) == {k.removeprefix("module.") for k in saved}
    for key, value in saved.items():  # bf16 -> float32 is exact: every weight is the file's
        assert torch.equal(network_state[key.removeprefix("module.")], value.float()), key
    assert all(p.dtype == torch.float32 for p in loaded.network.parameters())
    assert loaded.network.config.v2 and loaded.vocoder.config.num_mels == 128

    shot = ShotInput(shot_id="s", duration=1.0, offset=0.0, fps=25.0,
                     streams={"clip": _stream(CLIP_STREAM, 1.0), "sync": _stream(SYNC_STREAM, 1.0)},
                     analysis=None, notes=Notes())
    layer = Layer(label="x", kind=LayerKind.FX, prompt="foo step")
    takes = engine.generate(shot, layer, [1, 2], SamplingSettings(steps=2, cfg_strength=4.5))
    assert [t.shape for t in takes] == [(1, 44100), (1, 44100)]
    assert all(np.isfinite(t).all() and np.abs(t).max() > 0 for t in takes)


@pytest.mark.parametrize("form", ["legacy", "parametrizations", "plain"])
@pytest.mark.parametrize(("resblock", "activation", "logscale"), [("1", "snakebeta", True), ("2", "snake", False)])
def test_a_vocoder_of_another_configuration_loads_from_any_weight_form(form, resblock, activation, logscale):
    """Other mel count, rates, kernels and widths; BigVGAN's second residual block and plain Snake;
    weight norm in either spelling or folded, the fixed filters present or not: the loaded vocoder
    computes what the saved one does."""
    from foleyline.server.engines.mmaudio.bigvgan import BigVGANConfig, BigVGANVocoder, load_bigvgan

    from .conftest import _weight_normed

    config = BigVGANConfig.from_dict({
        "num_mels": 20, "upsample_rates": [4, 2], "upsample_kernel_sizes": [8, 4], "upsample_initial_channel": 12,
        "resblock_kernel_sizes": [3, 5], "resblock_dilation_sizes": [[1, 2], [1, 3]], "resblock": resblock,
        "activation": activation, "snake_logscale": logscale, "use_tanh_at_final": False, "use_bias_at_final": False,
    })
    torch.manual_seed(0)
    source = BigVGANVocoder(config).eval()
    with torch.no_grad():
        for name, p in source.named_parameters():
            p.copy_(p.abs().add(0.5) if name.endswith(("alpha", "beta")) and not logscale else torch.randn_like(p) * 0.1)
    state = {k: v for k, v in source.state_dict().items() if form == "plain" or not k.endswith(".filter")}
    loaded = load_bigvgan({"generator": _weight_normed(state, form)}, config).eval()
    mel = torch.randn(1, 20, 9)
    with torch.no_grad():
        ours, theirs = loaded(mel), source(mel)
    assert theirs.abs().max() < 1  # not saturated: the comparison sees the whole chain
    assert torch.allclose(ours, theirs, atol=1e-5 * float(theirs.abs().max()))
    assert loaded(mel).shape == (1, 1, 9 * 8)
    keys = set(loaded.state_dict())
    assert ("resblocks.0.convs.0.weight" in keys) == (resblock == "2")
    assert ("activation_post.act.beta" in keys) == (activation == "snakebeta")


@torch.no_grad()
def test_a_vae_and_vocoder_chain_of_another_configuration_passes_the_parity_command(tmp_path, capsys):
    """Other mel count, latent width and VAE width; a vocoder with other rates, widths and blocks,
    saved as its release file is (weight-normed, under 'generator', as .pt)."""
    from foleyline.server.engines.mmaudio.bigvgan import BigVGANConfig, BigVGANVocoder
    from foleyline.server.engines.mmaudio.vae import MMAudioVAE

    from .conftest import _weight_normed

    vocoder_config = {"num_mels": 32, "upsample_rates": [4, 2], "upsample_kernel_sizes": [8, 4],
                      "upsample_initial_channel": 16, "resblock_kernel_sizes": [3], "resblock_dilation_sizes": [[1, 3]],
                      "resblock": "2", "activation": "snakebeta", "snake_logscale": True}
    torch.manual_seed(0)
    vae = MMAudioVAE(data_dim=32, embed_dim=8, hidden_dim=8)
    raw = {k: v.clone() for k, v in vae.state_dict().items()}  # checkpoints hold the raw weights
    vae.normalize_weights()
    vae.eval()
    vocoder = BigVGANVocoder(BigVGANConfig.from_dict(vocoder_config)).eval()
    for p in vocoder.parameters():
        p.mul_(0.3)
    latent = torch.randn(1, 6, 8)
    mel = vae.decode(latent.transpose(1, 2))
    save_file({"in.latent": latent, "out.mel": mel, "out.wav": vocoder(mel),
               "out.encoder_moments": vae.encode_moments(mel)}, str(tmp_path / "io.safetensors"))
    torch.save(raw, tmp_path / "vae.pth")
    torch.save({"generator": _weight_normed(vocoder.state_dict(), "legacy")}, tmp_path / "vocoder.pt")
    (tmp_path / "config.json").write_text(json.dumps({
        "vae": {"data_dim": 32, "embed_dim": 8, "hidden_dim": 8, "weights": "vae.pth"},
        "vocoder": {"config": vocoder_config, "weights": "vocoder.pt"},
    }))
    code = cli.main(["models", "parity", "--config", str(tmp_path / "config.json"), "--io", str(tmp_path / "io.safetensors"),
                     "--weights", str(tmp_path / "vae.pth"), "--weights", str(tmp_path / "vocoder.pt")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert all(f" {name} " in out for name in ("out.mel", "out.wav", "out.encoder_moments")), out
