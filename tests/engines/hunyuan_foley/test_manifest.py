"""The released modules, built on the meta device (no memory), hold exactly the official
state_dict keys and shapes: the XXL and XL networks, the DAC VAE (after folding its weight
norm) and the Synchformer's visual branch."""

from __future__ import annotations

import pytest
import torch

from foleyline.server.engines.hunyuan_foley.configuration_hunyuan_foley import HunyuanFoleyConfig
from foleyline.server.engines.hunyuan_foley.dac_vae import DacVAE, DacVAEConfig, convert_reference_state
from foleyline.server.engines.hunyuan_foley.modeling_hunyuan_foley import HunyuanFoleyModel
from foleyline.server.engines.synchformer import SynchformerEncoder

from state_dicts import assert_same_layout, layout, manifest_layout


@pytest.mark.parametrize(("size", "key"), [("xxl", "hunyuanvideo_foley_xxl"), ("xl", "hunyuanvideo_foley_xl")])
def test_released_networks_hold_the_official_keys_and_shapes(hy_manifest, size, key):
    entry = hy_manifest[key]
    with torch.device("meta"):
        model = HunyuanFoleyModel(HunyuanFoleyConfig.preset(size))
    assert_same_layout(layout(model), manifest_layout(entry["state_dict"]))
    assert len(model.state_dict()) == entry["num_keys"]
    assert sum(p.numel() for p in model.parameters()) == entry["params"]


@pytest.mark.parametrize(("size", "key"), [("xxl", "hunyuanvideo_foley_xxl"), ("xl", "hunyuanvideo_foley_xl")])
def test_the_release_yaml_reads_as_the_preset(hy_manifest, size, key):
    assert HunyuanFoleyConfig.from_reference(hy_manifest[key]["config"]) == HunyuanFoleyConfig.preset(size)


def test_a_meta_built_network_loads_the_official_layout_strictly(hy_manifest):
    """The checkpoint keys load into the module itself (the shared single-stream block reads
    HunyuanVideo's names), with nothing left over or missing."""
    with torch.device("meta"):
        model = HunyuanFoleyModel(HunyuanFoleyConfig.preset("xl"))
        state = {k: torch.empty(s) for k, s, _ in hy_manifest["hunyuanvideo_foley_xl"]["state_dict"]}
    model.load_weights(state, assign=True)
    assert model.single_blocks[0].attn.qkv.weight.shape == (3 * 1408, 1408)


def test_the_dac_vae_in_both_spellings(hy_manifest):
    entry = hy_manifest["dac_vae_128d_48k"]
    config = DacVAEConfig.from_kwargs(entry["config"])
    with torch.device("meta"):
        vae = DacVAE(config)
        weight_normed = {k: torch.empty(s) for k, s, _ in entry["state_dict"]}
        plain = {k: torch.empty(s) for k, s, _ in entry["state_dict_after_remove_weight_norm"]}
    ours = layout(vae)
    for spelling in (weight_normed, plain):
        assert_same_layout({k: list(v.shape) for k, v in convert_reference_state(spelling).items()}, ours)
    # the manifest counts the weight-normed module (g and v); folded, each conv has one tensor
    assert sum(p.numel() for p in vae.parameters()) == sum(v.numel() for v in plain.values())
    assert config.hop_length == entry["hop_length"] == 960


def test_the_synchformer_visual_branch_is_the_shared_encoder(hy_manifest):
    entry = hy_manifest["synchformer"]
    visual = {k: s for k, s, _ in entry["state_dict"] if k.startswith("vfeat_extractor.")}
    with torch.device("meta"):
        model = SynchformerEncoder()
    assert_same_layout(layout(model), {k: list(s) for k, s in visual.items()})
    assert sum(p.numel() for p in model.parameters()) == entry["parts"]["vfeat_extractor"]["numel"]
