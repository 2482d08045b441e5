"""Every official module, built on the meta device (no memory), has exactly the manifest's
state_dict keys and shapes."""

from __future__ import annotations

import pytest
import torch

from foleyline.server.engines.mmaudio.bigvgan import BIGVGAN_PRESETS, BigVGANVocoder, fold_weight_norm
from foleyline.server.engines.mmaudio.clip import DFN5BCLIP
from foleyline.server.engines.mmaudio.configuration_mmaudio import MMAudioConfig
from foleyline.server.engines.mmaudio.modeling_mmaudio import MMAudioModel
from foleyline.server.engines.mmaudio.vae import MMAudioVAE
from foleyline.server.engines.synchformer import SynchformerEncoder

from state_dicts import assert_same_layout, layout, manifest_layout


@pytest.mark.parametrize("variant", ["small_16k", "small_44k", "medium_44k", "large_44k", "large_44k_v2"])
def test_network_variants(manifest, variant):
    entry = manifest[variant]
    with torch.device("meta"):
        model = MMAudioModel(MMAudioConfig.preset(variant))
    assert_same_layout(layout(model), manifest_layout(entry["state_dict"]))
    assert sum(p.numel() for p in model.parameters()) == entry["params"]
    buffers = {name: list(b.shape) for name, b in model.named_buffers()}
    for name, shape, _ in entry["non_persistent_buffers"]:
        assert buffers[name] == list(shape)


@pytest.mark.parametrize(("mode", "key"), [("16k", "vae_16k"), ("44k", "vae_44k")])
def test_vaes(manifest, mode, key):
    with torch.device("meta"):
        vae = MMAudioVAE.preset(mode)
    assert_same_layout(layout(vae), manifest_layout(manifest[key]["state_dict"]))
    assert sum(p.numel() for p in vae.parameters()) == manifest[key]["params"]


@pytest.mark.parametrize(("mode", "key"), [("16k", "bigvgan_16k"), ("44k", "bigvgan_v2_44k")])
def test_vocoders_plain_and_both_weight_norm_spellings(manifest, mode, key):
    with torch.device("meta"):
        vocoder = BigVGANVocoder(BIGVGAN_PRESETS[mode])
    plain = manifest_layout(manifest[key]["state_dict_after_remove_weight_norm"])
    assert_same_layout(layout(vocoder), plain)
    assert sum(p.numel() for p in vocoder.parameters()) == manifest[key]["params"]
    for spelling in ("state_dict", "state_dict_legacy_weight_norm_names"):
        weight_normed = {k: torch.empty(shape, device="meta") for k, shape, _ in manifest[key][spelling]}
        assert_same_layout({k: list(v.shape) for k, v in fold_weight_norm(weight_normed).items()}, plain)


def test_synchformer(manifest):
    with torch.device("meta"):
        model = SynchformerEncoder()
    assert_same_layout(layout(model), manifest_layout(manifest["synchformer"]["state_dict"]))
    assert sum(p.numel() for p in model.parameters()) == manifest["synchformer"]["params"]


def test_dfn5b_clip(manifest):
    entry = manifest["clip_dfn5b_vit_h_14_384"]
    with torch.device("meta"):
        model = DFN5BCLIP()
    assert_same_layout(layout(model), manifest_layout(entry["state_dict"]))
    assert sum(p.numel() for p in model.parameters()) == entry["params"]
    assert list(model.attn_mask.shape) == entry["non_persistent_buffers"][0][1]
