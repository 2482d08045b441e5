"""The MMAudio network against the tiny reference fixtures (FIXTURES.md §1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

import tolerances

from foleyline.errors import InvalidInput
from foleyline.server.engines.mmaudio.configuration_mmaudio import MMAudioConfig
from foleyline.server.engines.mmaudio.modeling_mmaudio import MMAudioModel
from foleyline.server.engines.mmaudio.parity import config_from_fixture, run_network_parity


def _tiny(mmaudio_fixtures: Path, tag: str) -> tuple[MMAudioModel, dict]:
    data = json.loads((mmaudio_fixtures / f"mmaudio_tiny_{tag}_config.json").read_text())
    model = MMAudioModel(config_from_fixture(data))
    model.load_weights(load_file(str(mmaudio_fixtures / f"mmaudio_tiny_{tag}.safetensors")))
    return model.eval(), load_file(str(mmaudio_fixtures / f"mmaudio_tiny_{tag}_io.safetensors"))


@pytest.mark.parametrize("tag", ["16k", "44k"])
def test_every_reference_output_is_reproduced_within_tolerance(mmaudio_fixtures, tag):
    config = mmaudio_fixtures / f"mmaudio_tiny_{tag}_config.json"
    result = run_network_parity(config, json.loads(config.read_text()),
                                [mmaudio_fixtures / f"mmaudio_tiny_{tag}.safetensors"],
                                mmaudio_fixtures / f"mmaudio_tiny_{tag}_io.safetensors")
    names = {c.name for c in result.checks}
    for required in ("out.v_cond", "out.v_uncond", "out.v_uncond_neg", "out.v_cfg", "out.v_cfg_neg",
                     "out.sample.trajectory", "out.sample.x1", "out.sample.x1_unnormalized",
                     "out.sample_neg.x1", "out.sample_neg.x1_unnormalized", "out.x_t_normalized",
                     "cond.sync_f", "empty.text_f", "empty_neg.text_f_c", "const.latent_rot"):
        assert required in names
    failed = [c for c in result.checks if not c.passed]
    assert not failed, result.format()


@torch.no_grad()
def test_intermediate_activations_match_the_reference(mmaudio_fixtures):
    model, io = _tiny(mmaudio_fixtures, "16k")
    cond = model.preprocess_conditions(io["in.clip_f"], io["in.sync_f"], io["in.text_f"])
    captured: dict[str, torch.Tensor] = {}
    model.predict_flow(io["in.x_t"], io["in.t"], cond, capture=captured)
    compared = [name for name in captured if f"dbg.cond.{name}" in io]
    assert len(compared) >= 10
    for name in compared:
        ours, ref = captured[name], io[f"dbg.cond.{name}"]
        assert torch.allclose(ours, ref, atol=tolerances.ACTIVATION * float(ref.abs().max())), name
    # the last joint block is pre-only: clip/text streams pass through unchanged
    assert torch.equal(captured["joint_block_1.clip_f"], captured["joint_block_0.clip_f"])


def test_the_pre_only_block_has_no_clip_or_text_ffn():
    model = MMAudioModel(MMAudioConfig(latent_dim=4, clip_dim=8, sync_dim=8, text_dim=8, hidden_dim=16,
                                       depth=3, fused_depth=1, num_heads=2))
    keys = set(model.state_dict())
    assert "joint_blocks.0.clip_block.ffn.w1.weight" in keys
    assert "joint_blocks.1.clip_block.ffn.w1.weight" not in keys
    assert "joint_blocks.1.latent_block.ffn.w1.weight" in keys
    assert model.joint_blocks[1].text_block.adaLN_modulation[1].out_features == 32


def test_wrong_checkpoint_names_the_problem(mmaudio_fixtures):
    other = MMAudioConfig(latent_dim=20, clip_dim=96, sync_dim=80, text_dim=112, hidden_dim=32, depth=4,
                          fused_depth=2, num_heads=2)
    model = MMAudioModel(other)
    with pytest.raises(InvalidInput, match="does not fit"):
        model.load_weights(load_file(str(mmaudio_fixtures / "mmaudio_tiny_16k.safetensors")))


def test_optional_tables_in_a_checkpoint_are_dropped(mmaudio_fixtures):
    model, _ = _tiny(mmaudio_fixtures, "16k")
    sd = dict(model.state_dict())
    sd.update({"latent_rot": model.latent_rot, "clip_rot": model.clip_rot, "t_embed.freqs": model.t_embed.freqs})
    model.load_weights(sd)


def test_feature_lengths_are_checked_with_a_clear_message(mmaudio_fixtures):
    model, io = _tiny(mmaudio_fixtures, "16k")
    with pytest.raises(InvalidInput, match="clip features have 10 frames, expected 64"):
        model.preprocess_conditions(io["in.clip_f"][:, :10], io["in.sync_f"], io["in.text_f"])
