"""Fixtures and checkpoints of configurations other than the shared ones load and run: the network
and VAE sizes come from the fixture's config json (or the engine's architecture file), and a
file that does not fit is refused naming the file, the key and both shapes. Reference outputs
written here are our own modules' (tiny random weights): what is checked is that any
configuration, and any form a checkpoint arrives in, is carried through."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file
from state_dicts import randomised

from foleyline.errors import InvalidInput
from foleyline.server.engines.base import SamplingSettings
from foleyline.server.engines.thinksound import files
from foleyline.server.engines.thinksound.configuration_thinksound import SequenceLengths, ThinkSoundConfig
from foleyline.server.engines.thinksound.engine import ThinkSoundEngine
from foleyline.server.engines.thinksound.modeling_thinksound import ThinkSoundNetwork
from foleyline.server.engines.thinksound.parity import run_parity
from foleyline.server.engines.thinksound.vae import OobleckConfig, ThinkSoundVAE
from foleyline.server.engines.weight_norm import fold_weight_norm

from .conftest import HyperParameters, build_metaclip_folder, build_t5_folder
from .test_engine import STEPS, make_shot

# Not the shared fixture's: width 48 in 3 heads, 3 blocks of which 1 fused, MLP ratio 2, kernel 5
# in the latent path, sync kernel 3, a 32-channel latent, other feature widths.
NETWORK_ARGS = {"latent_dim": 32, "clip_dim": 40, "sync_dim": 24, "text_dim": 2048, "hidden_dim": 48, "depth": 3,
                "fused_depth": 1, "num_heads": 3, "mlp_ratio": 2.0, "kernel_size": 5, "sync_kernel": 3,
                "latent_seq_len": 108, "clip_seq_len": 40, "sync_seq_len": 120, "v2": True}
# A 3-block Oobleck (the release has 5) whose strides still give 2048 samples per latent frame.
VAE_CONFIG = OobleckConfig(channels=6, c_mults=(1, 2, 3), strides=(8, 16, 16), latent_dim=32, encoder_latent_dim=64)


def _reference_key(key: str, n_blocks: int) -> str:
    """diffusers' Oobleck name -> the reference's nested ``layers.N`` name (the inverse of the
    engine's mapping, written out here so the test does not lean on it)."""
    residual = {"snake1": 0, "conv1": 1, "snake2": 2, "conv2": 3}
    block = {"decoder": {"snake1": 0, "conv_t1": 1, "res_unit1": 2, "res_unit2": 3, "res_unit3": 4},
             "encoder": {"res_unit1": 0, "res_unit2": 1, "res_unit3": 2, "snake1": 3, "conv1": 4}}
    side, first, *rest = key.split(".")
    if first != "block":
        return ".".join([side, "layers", str({"conv1": 0, "snake1": n_blocks + 1, "conv2": n_blocks + 2}[first]), *rest])
    index, member, *tail = rest
    out = [side, "layers", str(int(index) + 1), "layers", str(block[side][member])]
    if member.startswith("res_unit"):
        out += ["layers", str(residual[tail[0]])]
        tail = tail[1:]
    return ".".join(out + tail)


def reference_vae_state(vae: ThinkSoundVAE, form: str) -> dict[str, torch.Tensor]:
    """The VAE's weights as the reference names them: legacy weight norm, the parametrization
    spelling, or plain folded convolution weights."""
    state = {_reference_key(k, len(vae.config.strides)): v.reshape(-1) if k.endswith((".alpha", ".beta")) else v
             for k, v in vae.model.state_dict().items()}
    if form == "plain":
        return fold_weight_norm(state)
    if form == "parametrizations":
        return {k.replace(".weight_g", ".parametrizations.weight.original0")
                 .replace(".weight_v", ".parametrizations.weight.original1"): v for k, v in state.items()}
    return state


def _network_fixture(folder: Path, args: dict, *, seed: int) -> tuple[Path, Path, Path]:
    """Config, release-layout weights (``model.model.`` prefixed, beside a VAE copy) and an io file
    holding this network's own velocity."""
    folder.mkdir(parents=True)
    net = randomised(ThinkSoundNetwork(ThinkSoundConfig.from_reference(args)), seed, std=0.1)
    gen = torch.Generator().manual_seed(seed)
    lengths = SequenceLengths(args["latent_seq_len"], args["clip_seq_len"], args["sync_seq_len"])
    io = {"in.x_t": torch.randn(2, args["latent_dim"], lengths.latent, generator=gen),
          "in.t": torch.tensor([0.2, 0.9]),
          "in.clip_f": torch.randn(2, lengths.clip, args["clip_dim"], generator=gen),
          "in.sync_f": torch.randn(2, lengths.sync, args["sync_dim"], generator=gen),
          "in.metaclip_text_f": torch.randn(2, 77, 1024, generator=gen),
          "in.t5_f": torch.randn(2, 77, 2048, generator=gen)}
    with torch.no_grad():
        cond = net.preprocess_conditions(clip_f=io["in.clip_f"], sync_f=io["in.sync_f"],
                                         text_f=io["in.metaclip_text_f"], t5_f=io["in.t5_f"])
        io["out.v_cond"] = net.predict_flow(io["in.x_t"].transpose(1, 2), io["in.t"], cond).transpose(1, 2).contiguous()
    save_file(io, str(folder / "io.safetensors"))
    weights = folder / "thinksound_light.ckpt"
    torch.save({**{f"model.model.{k}": v for k, v in net.state_dict().items()},
                "pretransform.model.decoder.layers.0.bias": torch.zeros(2)}, weights)
    config = folder / "config.json"
    config.write_text(json.dumps({"mmmodule_constructor_args": args}))
    return config, weights, folder / "io.safetensors"


def test_a_network_fixture_of_another_configuration_passes_parity(tmp_path):
    config, weights, io = _network_fixture(tmp_path / "net", NETWORK_ARGS, seed=3)
    result = run_parity(config, weights, io)
    assert [c.name for c in result.checks] == ["out.v_cond"]
    assert result.passed, result.format()


def test_the_config_sets_every_size_the_network_is_built_with():
    cfg = ThinkSoundConfig.from_reference(NETWORK_ARGS)
    net = ThinkSoundNetwork(cfg)
    assert (cfg.head_dim, cfg.joint_depth, cfg.ffn_hidden) == (16, 2, 256)
    assert net.audio_input_proj[0].kernel_size == (5,) and net.fused_blocks[0].linear1.kernel_size == (5,)
    assert net.sync_input_proj[0].kernel_size == (3,)
    assert net.t_embed.frequency_embedding_size == 48
    assert net.empty_t5_feat.shape == (77, 2048) and net.empty_string_feat.shape == (77, 1024)


def test_network_weights_of_another_configuration_are_refused_by_name(tmp_path):
    _config, weights, _io = _network_fixture(tmp_path / "a", NETWORK_ARGS, seed=3)
    config, _weights, io = _network_fixture(tmp_path / "b", {**NETWORK_ARGS, "hidden_dim": 64, "num_heads": 4}, seed=4)
    with pytest.raises(InvalidInput) as err:
        run_parity(config, weights, io)
    message = str(err.value)
    assert str(weights) in message
    assert "sync_pos_emb" not in message  # its shape does not depend on the width
    assert "audio_input_proj.0.weight expected (64, 32, 5) got (48, 32, 5)" in message


def _vae_fixture(folder: Path, config: OobleckConfig, form: str, *, seed: int) -> tuple[Path, Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    vae = randomised(ThinkSoundVAE(config), seed, std=0.2)
    latent = torch.randn(1, config.latent_dim, 3, generator=torch.Generator().manual_seed(seed))
    audio = torch.randn(1, config.audio_channels, 3 * config.hop_length, generator=torch.Generator().manual_seed(seed))
    save_file({"in.latent": latent, "out.audio": vae.decode(latent), "in.audio_for_encoder": audio,
               "out.encoder_raw": vae.encode_raw(audio)}, str(folder / "io.safetensors"))
    weights = folder / "vae.ckpt"
    torch.save({"state_dict": {f"autoencoder.{k}": v for k, v in reference_vae_state(vae, form).items()},
                "hyper_parameters": HyperParameters(1e-4)}, weights)
    enc = {"in_channels": config.audio_channels, "channels": config.encoder_width, "c_mults": list(config.c_mults),
           "strides": list(config.strides), "latent_dim": config.encoder_latent_dim, "use_snake": True}
    dec = {"out_channels": config.audio_channels, "channels": config.channels, "c_mults": list(config.c_mults),
           "strides": list(config.strides), "latent_dim": config.latent_dim, "use_snake": True, "final_tanh": False}
    pretransform = {"encoder": {"type": "oobleck", "config": enc}, "decoder": {"type": "oobleck", "config": dec},
                    "bottleneck": {"type": "vae"}, "latent_dim": config.latent_dim}
    (folder / "config.json").write_text(json.dumps(
        {"model_config_as_passed_to_create_model_from_config": {"model": {"pretransform": {"config": pretransform}}}}))
    return folder / "config.json", weights, folder / "io.safetensors"


@pytest.mark.parametrize(("form", "encoder_channels"), [("legacy", 5), ("parametrizations", None), ("plain", None)])
def test_a_vae_of_another_configuration_in_any_weight_form_passes_parity(tmp_path, form, encoder_channels):
    """Three blocks instead of five, other widths (the encoder's base width apart from the
    decoder's in one), a mono decoder; weight norm in either spelling or already folded into plain
    convolution weights."""
    config = OobleckConfig(channels=3, c_mults=(1, 2, 4), strides=(2, 4, 4), latent_dim=8, encoder_latent_dim=16,
                           audio_channels=1, encoder_channels=encoder_channels)
    result = run_parity(*_vae_fixture(tmp_path, config, form, seed=7))
    assert {c.name for c in result.checks} == {"out.audio", "out.encoder_raw"}
    assert result.passed, result.format()


def test_the_engine_loads_another_configuration_from_half_precision_files(tmp_path):
    """The network (fp16, release layout under a 'state_dict' wrapper) and a 3-block VAE (plain
    convolution weights, bf16) of other sizes, named by the package's architecture file; every
    parameter is the file's, and a take has the right length."""
    from foleyline.server.engines.synchformer import SynchformerConfig, SynchformerEncoder

    folder = files.package_dir(tmp_path)
    folder.mkdir(parents=True)
    net = randomised(ThinkSoundNetwork(ThinkSoundConfig.from_reference(NETWORK_ARGS)), 1, std=0.1)
    torch.save({"state_dict": {f"model.model.{k}": v.half() for k, v in net.state_dict().items()}},
               folder / files.NETWORK_FILE)
    vae = randomised(ThinkSoundVAE(VAE_CONFIG), 2, std=0.2)
    torch.save({"state_dict": {f"autoencoder.{k}": v.bfloat16() for k, v in reference_vae_state(vae, "plain").items()}},
               folder / files.VAE_FILE)
    sync_config = {"embed_dim": NETWORK_ARGS["sync_dim"], "depth": 1, "num_heads": 2}
    torch.save(randomised(SynchformerEncoder(SynchformerConfig(**sync_config)), 3, std=0.1).state_dict(),
               folder / files.SYNCHFORMER_FILE)
    build_t5_folder(folder / files.T5_FOLDER)
    build_metaclip_folder(folder / files.METACLIP_FOLDER, NETWORK_ARGS["clip_dim"])
    vae_fields = {"channels": 6, "c_mults": [1, 2, 3], "strides": [8, 16, 16], "latent_dim": 32, "encoder_latent_dim": 64}
    (folder / "foleyline_architecture.json").write_text(json.dumps(
        {"network": NETWORK_ARGS, "vae": vae_fields, "synchformer": sync_config}))

    engine = ThinkSoundEngine(models_root=tmp_path)
    engine.load()
    parts = engine._parts
    loaded = parts.network.state_dict()
    for key, value in net.state_dict().items():
        assert torch.equal(loaded[key], value.half().float()), key
    assert all(p.dtype == torch.float32 for p in parts.network.parameters())
    takes = engine.generate(make_shot(1.0), STEPS, [1], SamplingSettings(steps=2))
    assert takes[0].shape == (2, 44100) and np.isfinite(takes[0]).all()


def test_an_elu_oobleck_is_refused_by_name():
    config = {"encoder": {"config": {"channels": 4, "c_mults": [1, 2], "strides": [2, 2], "latent_dim": 8}},
              "decoder": {"config": {"channels": 4, "c_mults": [1, 2], "strides": [2, 2], "latent_dim": 4,
                                     "out_channels": 2}}}
    with pytest.raises(InvalidInput, match="use_snake"):
        OobleckConfig.from_reference(config)


def test_the_engine_refuses_a_vae_that_decodes_another_hop(tmp_path):
    folder = files.package_dir(tmp_path)
    folder.mkdir(parents=True)
    for name in files.REQUIRED:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"")
    (folder / "foleyline_architecture.json").write_text(json.dumps({"vae": {"strides": [2, 4, 4, 8, 4]}}))
    with pytest.raises(InvalidInput, match="1024 samples per latent frame"):
        ThinkSoundEngine(models_root=tmp_path).load()
