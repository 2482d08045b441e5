"""The Oobleck VAE runs through diffusers' AutoencoderOobleck with the reference's weights."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

import tolerances

from foleyline.errors import InvalidInput
from foleyline.server.engines.thinksound.vae import (
    OobleckConfig,
    ThinkSoundVAE,
    convert_reference_key,
    convert_reference_state,
    reference_int16,
)


@pytest.fixture(scope="module")
def tiny_vae(ts_fixtures: Path, tiny_config: dict) -> ThinkSoundVAE:
    vae = ThinkSoundVAE(OobleckConfig.from_reference(tiny_config["vae_constructor"])).eval()
    vae.load_reference_state(load_file(str(ts_fixtures / "vae_tiny.safetensors")))
    return vae


@pytest.fixture(scope="module")
def vae_io(ts_fixtures: Path) -> dict[str, torch.Tensor]:
    return load_file(str(ts_fixtures / "vae_tiny_io.safetensors"))


@pytest.mark.parametrize(
    "reference, ours",
    [
        ("decoder.layers.0.weight_v", "decoder.conv1.weight_v"),
        ("decoder.layers.1.layers.0.alpha", "decoder.block.0.snake1.alpha"),
        ("decoder.layers.1.layers.1.weight_g", "decoder.block.0.conv_t1.weight_g"),
        ("decoder.layers.3.layers.4.layers.3.bias", "decoder.block.2.res_unit3.conv2.bias"),
        ("decoder.layers.6.beta", "decoder.snake1.beta"),
        ("decoder.layers.7.weight_v", "decoder.conv2.weight_v"),
        ("encoder.layers.1.layers.0.layers.2.alpha", "encoder.block.0.res_unit1.snake2.alpha"),
        ("encoder.layers.5.layers.3.beta", "encoder.block.4.snake1.beta"),
        ("encoder.layers.5.layers.4.weight_v", "encoder.block.4.conv1.weight_v"),
    ],
)
def test_reference_keys_map_to_diffusers_names(reference: str, ours: str) -> None:
    assert convert_reference_key(reference) == ours


@pytest.mark.parametrize("bad", ["decoder.layers.9.weight_v", "bottleneck.proj.weight", "decoder.layers.1.layers.7.alpha"])
def test_unknown_keys_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput):
        convert_reference_key(bad)


def test_snake_parameters_are_reshaped_for_diffusers() -> None:
    converted = convert_reference_state({"decoder.layers.6.alpha": torch.zeros(4)})
    assert converted["decoder.snake1.alpha"].shape == (1, 4, 1)


def test_official_key_set_and_shapes_match_the_manifest(ts_fixtures: Path) -> None:
    manifest = json.loads((ts_fixtures / "thinksound_state_dict_manifest.json").read_text())["oobleck_vae"]
    reference = {key: torch.empty(shape, device="meta") for key, shape, _ in manifest["state_dict"]}
    with torch.device("meta"):
        vae = ThinkSoundVAE(OobleckConfig())
    ours = vae.model.state_dict()
    converted = convert_reference_state(reference)
    assert set(converted) == set(ours)
    assert all(converted[k].shape == ours[k].shape for k in ours)
    assert sum(p.numel() for p in vae.parameters()) == manifest["params"]


def test_tiny_decoder_reproduces_the_reference_waveform(tiny_vae: ThinkSoundVAE, vae_io: dict) -> None:
    audio = tiny_vae.decode(vae_io["in.latent"])
    reference = vae_io["out.audio"]
    assert audio.shape == reference.shape == (1, 2, 194 * 2048)
    assert (audio - reference).abs().max() <= 2e-4 * reference.abs().max()


def test_tiny_decoder_file_output_matches_the_reference_int16(tiny_vae: ThinkSoundVAE, vae_io: dict) -> None:
    ours = reference_int16(tiny_vae.decode(vae_io["in.latent"])).int()
    assert (ours - vae_io["out.audio_int16"].int()).abs().max() <= 8  # a few LSB of float noise


def test_tiny_encoder_reproduces_the_reference_posterior(tiny_vae: ThinkSoundVAE, vae_io: dict) -> None:
    raw = tiny_vae.encode_raw(vae_io["in.audio_for_encoder"])
    reference = vae_io["out.encoder_raw"]
    assert (raw - reference).abs().max() <= tolerances.ACTIVATION * reference.abs().max()
    assert torch.equal(tiny_vae.encode_mean(vae_io["in.audio_for_encoder"]), raw[:, :64])


def test_decoder_only_loading_ignores_the_encoder(ts_fixtures: Path, tiny_config: dict, vae_io: dict) -> None:
    weights = load_file(str(ts_fixtures / "vae_tiny.safetensors"))
    vae = ThinkSoundVAE(OobleckConfig.from_reference(tiny_config["vae_constructor"])).eval()
    vae.load_reference_state({k: v for k, v in weights.items() if k.startswith("decoder.")}, decoder_only=True)
    latent = vae_io["in.latent"][..., :8]
    assert vae.decode(latent).shape == (1, 2, 8 * 2048)


def test_mismatched_weights_are_refused_with_what_is_wrong(ts_fixtures: Path, tiny_config: dict) -> None:
    weights = load_file(str(ts_fixtures / "vae_tiny.safetensors"))
    weights.pop("decoder.layers.0.bias")
    vae = ThinkSoundVAE(OobleckConfig.from_reference(tiny_config["vae_constructor"]))
    with pytest.raises(InvalidInput, match="missing"):
        vae.load_reference_state(weights)


def test_decode_refuses_a_wrongly_shaped_latent(tiny_vae: ThinkSoundVAE) -> None:
    with pytest.raises(InvalidInput, match="latent"):
        tiny_vae.decode(torch.zeros(1, 32, 10))
