"""Presets and the sequence lengths derived from duration."""

from __future__ import annotations

import pytest

from foleyline.errors import InvalidInput
from foleyline.server.engines.mmaudio.configuration_mmaudio import PRESETS, MMAudioConfig


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_match_the_manifest_configs(manifest, name):
    ref = manifest[name]["config"]
    cfg = MMAudioConfig.preset(name)
    for key in ("latent_dim", "clip_dim", "sync_dim", "text_dim", "hidden_dim", "num_heads", "depth",
                "fused_depth", "v2", "head_dim", "joint_depth", "mode"):
        assert getattr(cfg, key) == ref[key], key
    seq = cfg.sequence
    assert (seq.latent_seq_len, seq.clip_seq_len, seq.sync_seq_len) == (
        ref["latent_seq_len"], ref["clip_seq_len"], ref["sync_seq_len"])
    assert seq.num_audio_frames == ref["num_audio_samples"]


@pytest.mark.parametrize(("name", "duration", "lengths"), [
    ("small_16k", 8.0, (250, 64, 192)),
    ("small_16k", 2.0, (63, 16, 40)),
    ("large_44k_v2", 5.0, (216, 40, 112)),
    ("large_44k_v2", 10.0, (431, 80, 240)),
])
def test_lengths_follow_the_duration(name, duration, lengths):
    seq = MMAudioConfig.preset(name, duration=duration).sequence
    assert (seq.latent_seq_len, seq.clip_seq_len, seq.sync_seq_len) == lengths


def test_unknown_preset_is_a_clear_error():
    with pytest.raises(InvalidInput, match="small_16k"):
        MMAudioConfig.preset("huge_96k")
