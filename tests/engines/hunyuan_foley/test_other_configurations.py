"""Fixtures and checkpoints of configurations other than the shared ones load and run: the
network's sizes come from its config (the reference's ``model_kwargs``), the DAC's from its
kwargs and its weights, the Synchformer's from its weights' shapes; a file that does not fit is
refused naming the file, the key and both shapes. Reference outputs written here are our own
modules' (tiny random weights): what is checked is that any configuration, and any form a
checkpoint arrives in, is carried through the config readers, the loaders and the parity
command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from safetensors.torch import save_file
from state_dicts import randomised

from foleyline import cli
from foleyline.errors import InvalidInput
from foleyline.server.engines.hunyuan_foley import files
from foleyline.server.engines.hunyuan_foley.configuration_hunyuan_foley import HunyuanFoleyConfig, SequenceLengths
from foleyline.server.engines.hunyuan_foley.dac_vae import DacVAE, DacVAEConfig
from foleyline.server.engines.hunyuan_foley.engine import HunyuanFoleyEngine
from foleyline.server.engines.hunyuan_foley.modeling_hunyuan_foley import HunyuanFoleyModel
from foleyline.server.engines.synchformer import SynchformerConfig, SynchformerEncoder

from .test_engine import FAST, STEPS, make_shot
from .tiny_models import _write_clap, _write_siglip

# Not the shared fixture's: head width 16 in 3 heads, 1 triple + 3 single blocks, MLP ratio 2, the
# erf GELU; and head width 40 in 2 heads, 3 triple blocks and no single block, a kernel-3 sync
# projection. Other latent and feature widths in both.
SIZES_A = {"hidden_size": 48, "num_heads": 3, "depth_triple_blocks": 1, "depth_single_blocks": 3, "mlp_ratio": 2.0,
           "mlp_act_type": "gelu", "audio_vae_latent_dim": 16, "clip_dim": 24, "sync_feat_dim": 32, "condition_dim": 20}
SIZES_B = {"hidden_size": 80, "num_heads": 2, "depth_triple_blocks": 3, "depth_single_blocks": 0, "sync_in_ksz": 3,
           "audio_vae_latent_dim": 24, "clip_dim": 16, "sync_feat_dim": 8, "condition_dim": 12}


def _model_config(tiny_network_config: dict, sizes: dict) -> dict:
    """The reference's config form (a yaml's dict) with the release's flags and other sizes."""
    config = json.loads(json.dumps(tiny_network_config["constructor_model_config"]))
    config["model_config"]["model_kwargs"].update(sizes)
    return config


@torch.no_grad()
def _network_fixture(folder: Path, model_config: dict, *, seed: int, save) -> tuple[Path, Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    model = randomised(HunyuanFoleyModel(HunyuanFoleyConfig.from_reference(model_config)), seed, std=0.2)
    c = model.config
    lengths = SequenceLengths.for_seconds(1.0)
    gen = torch.Generator().manual_seed(seed)
    io = {"in.x_t": torch.randn(2, c.audio_vae_latent_dim, lengths.latent, generator=gen),
          "in.t": torch.tensor([300.0, 800.0]),
          "in.clip_feat": torch.randn(2, lengths.clip, c.clip_dim, generator=gen),
          "in.sync_feat": torch.randn(2, lengths.sync, c.sync_feat_dim, generator=gen),
          "in.text_feat": torch.randn(2, 7, c.condition_dim, generator=gen),
          "in.neg_text_feat": torch.randn(1, 7, c.condition_dim, generator=gen)}
    io["out.v_cond"] = model(io["in.x_t"], io["in.t"], io["in.clip_feat"], io["in.text_feat"], io["in.sync_feat"])
    empty_clip, empty_sync = model.empty_features(2, lengths.clip, lengths.sync)
    uncond = model.prepare_conditions(empty_clip, empty_sync, io["in.neg_text_feat"].expand(2, -1, -1), lengths.latent)
    io["out.v_uncond"] = model.velocity(io["in.x_t"], io["in.t"], uncond)
    save_file({k: v.contiguous() for k, v in io.items()}, str(folder / "io.safetensors"))
    weights = save(folder, model.state_dict())
    (folder / "config.json").write_text(json.dumps({"constructor_model_config": model_config}))
    return folder / "config.json", weights, folder / "io.safetensors"


def _flat_pth(folder: Path, state: dict) -> Path:
    torch.save(state, folder / "hunyuanvideo_foley.pth")
    return folder / "hunyuanvideo_foley.pth"


def _wrapped_bf16(folder: Path, state: dict) -> Path:
    """Under a 'model' key, DDP-prefixed, in bf16 (the dtype the release runs in)."""
    torch.save({"model": {"module." + k: v.bfloat16() for k, v in state.items()}}, folder / "network.pt")
    return folder / "network.pt"


def _parity(capsys, config: Path, io: Path, weights: Path) -> tuple[int, str]:
    code = cli.main(["models", "parity", "--config", str(config), "--io", str(io), "--weights", str(weights)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("sizes", [SIZES_A, SIZES_B], ids=["3-heads-1+3-blocks", "2-heads-3+0-blocks"])
def test_a_network_fixture_of_another_configuration_passes_parity(tmp_path, capsys, tiny_network_config, sizes):
    config, weights, io = _network_fixture(tmp_path, _model_config(tiny_network_config, sizes), seed=3, save=_flat_pth)
    code, out = _parity(capsys, config, io, weights)
    assert code == 0, out
    assert "out.v_cond" in out and "out.v_uncond" in out and "0 over tolerance" in out


def test_the_config_sets_every_size_the_network_is_built_with(tiny_network_config):
    cfg = HunyuanFoleyConfig.from_reference(_model_config(tiny_network_config, SIZES_A))
    model = HunyuanFoleyModel(cfg)
    assert (cfg.head_dim, cfg.triple_mlp_hidden, cfg.single_ffn_hidden, cfg.gelu_approximate) == (16, 96, 256, "none")
    assert model.triple_blocks[0].audio_mlp.fc1.out_features == 96
    assert model.audio_embedder.proj.in_channels == 16 and model.final_layer.linear.out_features == 16
    assert model.sync_pos_emb.shape == (1, 1, 8, 32) and model.cond_in.linear_1.in_features == 20
    cfg_b = HunyuanFoleyConfig.from_reference(_model_config(tiny_network_config, SIZES_B))
    assert HunyuanFoleyModel(cfg_b).sync_in[2].w1.kernel_size == (3,)


def test_half_precision_weights_under_a_wrapper_load_into_float32(tmp_path, tiny_network_config):
    config = _model_config(tiny_network_config, SIZES_A)
    _config, weights, _io = _network_fixture(tmp_path, config, seed=3, save=_wrapped_bf16)
    from foleyline.server.engines.parity import read_weights_file

    model = HunyuanFoleyModel(HunyuanFoleyConfig.from_reference(config))
    model.load_weights(read_weights_file(weights))
    stored = torch.load(weights, weights_only=True)["model"]
    assert all(p.dtype == torch.float32 for p in model.parameters())
    for key, value in model.state_dict().items():
        assert torch.equal(value, stored["module." + key].float()), key


def test_weights_of_another_configuration_are_refused_naming_file_key_and_shapes(tmp_path, capsys, tiny_network_config):
    _c, weights_a, _io = _network_fixture(tmp_path / "a", _model_config(tiny_network_config, SIZES_A), seed=1,
                                          save=_flat_pth)
    config_b, _w, io_b = _network_fixture(tmp_path / "b", _model_config(tiny_network_config, SIZES_B), seed=2,
                                          save=_flat_pth)
    code, out = _parity(capsys, config_b, io_b, weights_a)
    assert code == 2
    assert str(weights_a) in out
    assert "sync_pos_emb expected (1, 1, 8, 8) got (1, 1, 8, 32)" in out
    assert "unexpected (single_blocks.0." in out


# -- the DAC VAE --------------------------------------------------------------------------------

_RESIDUAL = {"snake1": 0, "conv1": 1, "snake2": 2, "conv2": 3}
_BLOCK = {"encoder": {"res_unit1": 0, "res_unit2": 1, "res_unit3": 2, "snake1": 3, "conv1": 4},
          "decoder": {"snake1": 0, "conv_t1": 1, "res_unit1": 2, "res_unit2": 3, "res_unit3": 4}}


def _reference_dac_key(key: str, n_blocks: dict[str, int]) -> str:
    """Our DAC module's name -> the reference's (``encoder.block.N...`` / ``decoder.model.N...``),
    written out here so that the test does not lean on the engine's own mapping."""
    side, first, *rest = key.split(".")
    if side not in _BLOCK:
        return key  # quant_conv, post_quant_conv
    seq = "block" if side == "encoder" else "model"
    if first != "block":
        index = {"conv1": 0, "snake1": n_blocks[side] + 1, "conv2": n_blocks[side] + 2}[first]
        return ".".join([side, seq, str(index), *rest])
    index, member, *tail = rest
    out = [side, seq, str(int(index) + 1), "block", str(_BLOCK[side][member])]
    if member.startswith("res_unit"):
        out += ["block", str(_RESIDUAL[tail[0]])]
        tail = tail[1:]
    return ".".join(out + tail)


def reference_dac_state(vae: DacVAE, *, weight_norm: bool) -> dict[str, torch.Tensor]:
    """The DAC's weights as the reference saves them: legacy weight norm (g = ‖w‖ over every axis
    but 0, v = w), or plain convolution weights."""
    n_blocks = {"encoder": len(vae.config.encoder_rates), "decoder": len(vae.config.decoder_rates)}
    state = {}
    for key, value in vae.state_dict().items():
        ref = _reference_dac_key(key, n_blocks)
        if weight_norm and ref.endswith(".weight") and value.dim() == 3 and "quant_conv" not in ref:
            state[ref[:-len("weight")] + "weight_g"] = torch.linalg.vector_norm(value, dim=(1, 2), keepdim=True)
            state[ref[:-len("weight")] + "weight_v"] = value
        else:
            state[ref] = value
    return state


VAE_KWARGS = {"encoder_dim": 2, "encoder_rates": [2, 4], "latent_dim": 6, "decoder_dim": 16, "decoder_rates": [4, 2],
              "sample_rate": 48000, "continuous": True}


@pytest.mark.parametrize("weight_norm", [True, False], ids=["weight-norm", "plain"])
def test_a_dac_of_another_configuration_passes_parity(tmp_path, capsys, weight_norm):
    """Two blocks instead of five, hop 8, other widths; weight-normed or plain convolutions."""
    vae = randomised(DacVAE(DacVAEConfig.from_kwargs(VAE_KWARGS)), 4, std=0.3)
    latent = torch.randn(1, 6, 5, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        audio = vae.decode(latent)
        io = {"in.latent": latent, "out.audio": audio, "out.encoder_moments": vae.encode_moments(audio)}
    save_file(io, str(tmp_path / "io.safetensors"))
    torch.save({"state_dict": reference_dac_state(vae, weight_norm=weight_norm), "metadata": {"kwargs": VAE_KWARGS}},
               tmp_path / "vae.pth")
    (tmp_path / "config.json").write_text(json.dumps({"constructor_kwargs": VAE_KWARGS}))
    code, out = _parity(capsys, tmp_path / "config.json", tmp_path / "io.safetensors", tmp_path / "vae.pth")
    assert code == 0, out
    assert "out.audio" in out and "out.encoder_moments" in out and "0 over tolerance" in out


# -- the Synchformer ----------------------------------------------------------------------------

def test_a_synchformer_of_another_size_passes_parity_with_its_sizes_read_from_the_weights(tmp_path, capsys):
    """Width 24 in 3 heads, depth 3, MLP ratio 2: only the head count is in the config."""
    encoder = randomised(SynchformerEncoder(SynchformerConfig(embed_dim=24, depth=3, num_heads=3, mlp_ratio=2.0)), 5,
                         std=0.05)
    frames = torch.randint(0, 256, (24, 3, 224, 224), dtype=torch.uint8, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        tokens = encoder.encode_video((frames.float() / 255.0).unsqueeze(0))
    save_file({"in.frames_u8": frames, "out.sync_feat": tokens}, str(tmp_path / "io.safetensors"))
    save_file(encoder.state_dict(), str(tmp_path / "synchformer.safetensors"))
    (tmp_path / "config.json").write_text(json.dumps(
        {"vit_overrides": {"VIT.NUM_HEADS": 3}, "motionformer_kwargs": {"extract_features": True}}))
    code, out = _parity(capsys, tmp_path / "config.json", tmp_path / "io.safetensors", tmp_path / "synchformer.safetensors")
    assert code == 0, out
    assert "width 24, depth 3" in out and "out.sync_feat" in out


def test_synchformer_sizes_come_from_the_weights_and_a_contradicting_config_is_refused():
    encoder = SynchformerEncoder(SynchformerConfig(embed_dim=24, depth=3, num_heads=3, mlp_ratio=2.0, patch_size=32))
    sizes = SynchformerConfig.from_state_dict(encoder.state_dict(), num_heads=3)
    assert sizes == encoder.config
    from foleyline.server.engines.hunyuan_foley.parity import synchformer_config

    with pytest.raises(InvalidInput, match="depth=2, its weights 3"):
        synchformer_config({"vit_overrides": {"VIT.NUM_HEADS": 3, "VIT.DEPTH": 2}}, encoder.state_dict())


# -- the engine ---------------------------------------------------------------------------------

def test_the_engine_loads_another_configuration_from_quirky_files(tmp_path, tiny_network_config):
    """config.yaml of other sizes with its network in bf16 under 'module.'; a two-block DAC (hop 960,
    so 50 latent frames a second) in plain convolution weights; every parameter is the file's and a
    take has the shot's length."""
    config = _model_config(tiny_network_config, SIZES_A)
    network_folder = tmp_path / files.network_package("xxl")
    network_folder.mkdir(parents=True)
    model = randomised(HunyuanFoleyModel(HunyuanFoleyConfig.from_reference(config)), 1, std=0.2)
    torch.save({"module." + k: v.bfloat16() for k, v in model.state_dict().items()},
               network_folder / files.NETWORK_FILES["xxl"])
    (network_folder / files.CONFIG_FILE).write_text(yaml.safe_dump(config))
    features = tmp_path / files.FEATURES_PACKAGE
    features.mkdir(parents=True)
    kwargs = {"encoder_dim": 2, "encoder_rates": [8, 120], "latent_dim": 16, "decoder_dim": 8,
              "decoder_rates": [120, 8], "sample_rate": 48000, "continuous": True}
    vae = randomised(DacVAE(DacVAEConfig.from_kwargs(kwargs)), 2, std=0.1)
    torch.save({"state_dict": reference_dac_state(vae, weight_norm=False), "metadata": {"kwargs": kwargs}},
               features / files.VAE_FILE)
    sync_config = {"embed_dim": SIZES_A["sync_feat_dim"], "depth": 1, "num_heads": 2}
    torch.save(randomised(SynchformerEncoder(SynchformerConfig(**sync_config)), 3, std=0.05).state_dict(),
               features / files.SYNCHFORMER_FILE)
    (features / "foleyline_architecture.json").write_text(json.dumps({"synchformer": sync_config}))
    _write_siglip(features / files.SIGLIP_FOLDER, SIZES_A["clip_dim"])
    _write_clap(features / files.CLAP_FOLDER, SIZES_A["condition_dim"])

    engine = HunyuanFoleyEngine(models_root=tmp_path, device="cpu")
    engine.load()
    network = engine._parts.network
    assert all(p.dtype == torch.float32 for p in network.parameters())
    for key, value in model.state_dict().items():
        assert torch.equal(network.state_dict()[key], value.bfloat16().float()), key
    takes = engine.generate(make_shot(1.0), STEPS, [1], FAST)
    assert takes[0].shape == (1, 48000) and np.isfinite(takes[0]).all()


def test_training_only_modules_in_a_checkpoint_are_dropped_but_a_wrong_block_is_not(tiny_network_config, caplog):
    """The release yaml names an SSL projector no inference code builds; a checkpoint holding it
    loads (as the reference's non-strict load does), while keys of modules the network has must
    still fit exactly."""
    config = HunyuanFoleyConfig.from_reference(_model_config(tiny_network_config, SIZES_B))
    source = randomised(HunyuanFoleyModel(config), 1, std=0.2)
    state = {**source.state_dict(), "ssl_proj.0.weight": torch.zeros(4, 4), "repa_head.bias": torch.zeros(4)}
    model = HunyuanFoleyModel(config)
    with caplog.at_level("INFO"):
        model.load_weights(state)
    assert "ignoring 2 tensors" in caplog.text and "repa_head, ssl_proj" in caplog.text
    assert all(torch.equal(model.state_dict()[k], v) for k, v in source.state_dict().items())
    with pytest.raises(InvalidInput, match=r"1 unexpected \(single_blocks\.0\.modulation"):
        model.load_weights({**source.state_dict(), "single_blocks.0.modulation.linear.bias": torch.zeros(4)})
