"""The network reproduces the reference's tiny fixtures and has the official checkpoint layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

import tolerances

from foleyline.errors import InvalidInput
from foleyline.server.engines.thinksound.configuration_thinksound import SequenceLengths, ThinkSoundConfig
from foleyline.server.engines.thinksound.modeling_thinksound import ThinkSoundNetwork
from foleyline.server.engines.thinksound.sampling import sample_latent

# FIXTURES.md §3: float32 with t·f formed in float32 → 2e-5 (velocities), 5e-5 (24-step samples)
VELOCITY_TOL = tolerances.ACTIVATION
SAMPLE_TOL = tolerances.SAMPLE_TRAJECTORY


def close(ours: torch.Tensor, reference: torch.Tensor, tolerance: float) -> bool:
    assert ours.shape == reference.shape, f"{ours.shape=} {reference.shape=}"
    return bool((ours - reference).abs().max() <= tolerance * reference.abs().max())


@pytest.fixture(scope="module")
def net(ts_fixtures: Path, tiny_config: dict) -> ThinkSoundNetwork:
    network = ThinkSoundNetwork(ThinkSoundConfig.from_reference(tiny_config["mmmodule_constructor_args"])).eval()
    network.load_checkpoint_state(load_file(str(ts_fixtures / "thinksound_tiny.safetensors")))
    return network


@pytest.fixture(scope="module")
def io(ts_fixtures: Path) -> dict[str, torch.Tensor]:
    return load_file(str(ts_fixtures / "thinksound_tiny_io.safetensors"))


@pytest.fixture(scope="module")
def cond(io: dict) -> dict[str, torch.Tensor]:
    return dict(clip_f=io["in.clip_f"], sync_f=io["in.sync_f"], text_f=io["in.metaclip_text_f"], t5_f=io["in.t5_f"])


def test_derived_tables_equal_the_reference(net: ThinkSoundNetwork, io: dict) -> None:
    for ours, name in ((net.latent_rot, "latent_rot"), (net.clip_rot, "clip_rot"), (net.t_embed.freqs, "t_embed_freqs")):
        torch.testing.assert_close(ours, io[f"const.{name}"], rtol=tolerances.TABLE, atol=tolerances.TABLE, msg=name)


def test_conditional_velocity(net: ThinkSoundNetwork, io: dict, cond: dict) -> None:
    with torch.no_grad():
        trace: dict[str, torch.Tensor] = {}
        conditions = net.preprocess_conditions(**cond, trace=trace)
        v = net.predict_flow(io["in.x_t"].transpose(1, 2), io["in.t"], conditions, trace=trace).transpose(1, 2)
    for name, value in trace.items():  # every intermediate the reference recorded
        assert close(value, io[f"dbg.cond.{name}"], VELOCITY_TOL), name
    assert close(v, io["out.v_cond"], VELOCITY_TOL)


def test_unconditional_velocity_uses_the_learned_empties(net: ThinkSoundNetwork, io: dict) -> None:
    empties = dict(clip_f=net.empty_clip(2), sync_f=net.empty_sync(2), text_f=net.empty_text(2), t5_f=net.empty_t5(2))
    with torch.no_grad():
        v = net(io["in.x_t"], io["in.t"], **empties)
    assert close(v, io["out.v_uncond"], VELOCITY_TOL)
    assert torch.equal(empties["clip_f"], io["in_derived.empty_clip_f"])


def test_cfg_velocity(net: ThinkSoundNetwork, io: dict, cond: dict) -> None:
    with torch.no_grad():
        v = net(io["in.x_t"], io["in.t"], **cond, cfg_scale=5.0)
    assert close(v, io["out.v_cfg"], VELOCITY_TOL)


def test_cfg_velocity_with_a_global_text_vector(net: ThinkSoundNetwork, io: dict, cond: dict) -> None:
    with torch.no_grad():
        v = net(io["in.x_t"], io["in.t"], **cond, global_text_f=io["in.metaclip_global_f"], cfg_scale=5.0)
    assert close(v, io["out.v_cfg_global"], VELOCITY_TOL)


def test_cfg_velocity_without_video(net: ThinkSoundNetwork, io: dict, cond: dict) -> None:
    novideo = dict(cond, clip_f=net.empty_clip(2), sync_f=net.empty_sync(2))
    with torch.no_grad():
        v = net(io["in.x_t"], io["in.t"], **novideo, cfg_scale=5.0)
    assert close(v, io["out.v_cfg_novideo"], VELOCITY_TOL)


def test_24_step_cfg_sample(net: ThinkSoundNetwork, io: dict, cond: dict) -> None:
    trajectory: list[torch.Tensor] = []
    x0 = sample_latent(net, io["in.noise"], **cond, steps=24, cfg_scale=5.0, trajectory=trajectory)
    assert torch.equal(trajectory[0], io["in.noise"])
    assert close(torch.stack(trajectory), io["out.sample.trajectory"], SAMPLE_TOL)
    assert close(x0, io["out.sample.x0"], SAMPLE_TOL)


def test_24_step_sample_without_video(net: ThinkSoundNetwork, io: dict, cond: dict) -> None:
    novideo = dict(cond, clip_f=net.empty_clip(2), sync_f=net.empty_sync(2))
    x0 = sample_latent(net, io["in.noise"], **novideo, steps=24, cfg_scale=5.0)
    assert close(x0, io["out.sample_novideo.x0"], SAMPLE_TOL)


def test_cfg_pads_or_truncates_conditional_sequences_to_the_empties(net: ThinkSoundNetwork, io: dict, cond: dict) -> None:
    short = dict(cond, clip_f=cond["clip_f"][:, :70])
    conditions = net.cfg_conditions(**short)
    assert conditions.clip_f.shape[:2] == (4, 72)


def test_official_network_has_the_manifest_keys_shapes_and_size(ts_fixtures: Path) -> None:
    manifest = json.loads((ts_fixtures / "thinksound_state_dict_manifest.json").read_text())["thinksound_mmdit"]
    with torch.device("meta"):
        network = ThinkSoundNetwork(ThinkSoundConfig.official())
    state = network.state_dict()
    assert [(k, list(v.shape)) for k, v in state.items()] == [(k, shape) for k, shape, _ in manifest["state_dict"]]
    assert sum(p.numel() for p in network.parameters()) == manifest["params"] == 1_277_117_632
    buffers = {name for name, _ in network.named_buffers()}
    assert buffers == {name for name, _ in manifest["non_persistent_buffers"]}


@pytest.mark.parametrize("seconds", [5, 9, 10])
def test_sequence_lengths_follow_the_reference(ts_fixtures: Path, seconds: int) -> None:
    manifest = json.loads((ts_fixtures / "thinksound_state_dict_manifest.json").read_text())["thinksound_mmdit"]
    expected = manifest["config"]["sequence_lengths_per_duration_sec"][str(seconds)]
    assert ThinkSoundConfig.sequence_lengths(seconds) == SequenceLengths(
        expected["latent_seq_len"], expected["clip_seq_len"], expected["sync_seq_len"])


def test_changing_duration_rebuilds_only_the_tables(net: ThinkSoundNetwork, io: dict) -> None:
    before = {k: v.clone() for k, v in net.state_dict().items()}
    net.set_sequence_lengths(ThinkSoundConfig.sequence_lengths(5))
    try:
        assert net.latent_rot.shape[1] == 108 and net.clip_rot.shape[1] == 40
        assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    finally:
        net.set_sequence_lengths(ThinkSoundConfig.sequence_lengths(9))
    torch.testing.assert_close(net.latent_rot, io["const.latent_rot"], rtol=tolerances.TABLE, atol=tolerances.TABLE)


def test_wrongly_shaped_conditions_are_refused(net: ThinkSoundNetwork, cond: dict) -> None:
    with pytest.raises(InvalidInput, match="clip_f"):
        net.preprocess_conditions(**dict(cond, clip_f=cond["clip_f"][:, :10]))


def test_a_checkpoint_of_another_network_is_refused(ts_fixtures: Path, tiny_config: dict) -> None:
    weights = load_file(str(ts_fixtures / "thinksound_tiny.safetensors"))
    weights["unexpected.weight"] = torch.zeros(1)
    network = ThinkSoundNetwork(ThinkSoundConfig.from_reference(tiny_config["mmmodule_constructor_args"]))
    with pytest.raises(InvalidInput, match="unexpected"):
        network.load_checkpoint_state(weights)


def test_unsupported_reference_options_are_refused(tiny_config: dict) -> None:
    with pytest.raises(InvalidInput, match="use_inpaint"):
        ThinkSoundConfig.from_reference(dict(tiny_config["mmmodule_constructor_args"], use_inpaint=True))


def test_casting_to_bf16_keeps_the_derived_tables_float32(ts_fixtures: Path, tiny_config: dict, io: dict, cond: dict) -> None:
    network = ThinkSoundNetwork(ThinkSoundConfig.from_reference(tiny_config["mmmodule_constructor_args"])).eval()
    network.load_checkpoint_state(load_file(str(ts_fixtures / "thinksound_tiny.safetensors")))
    network = network.to(torch.bfloat16)
    assert network.audio_input_proj[0].weight.dtype == torch.bfloat16
    torch.testing.assert_close(network.t_embed.freqs, io["const.t_embed_freqs"], rtol=tolerances.TABLE, atol=tolerances.TABLE)
    torch.testing.assert_close(network.latent_rot, io["const.latent_rot"], rtol=tolerances.TABLE, atol=tolerances.TABLE)
    x0 = sample_latent(network, io["in.noise"], **cond, steps=4, cfg_scale=5.0)
    assert x0.dtype == torch.float32 and torch.isfinite(x0).all()
