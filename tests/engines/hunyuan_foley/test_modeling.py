"""The network's traps, checked against their literal definitions at sizes and lengths other than
the fixture's: the interleaved audio/visual rotary positions, the two fused-projection layouts,
the sequence lengths of a clip, and configs of other code paths refused by name."""

from __future__ import annotations

import dataclasses

import pytest
import torch
import torch.nn.functional as F

from foleyline.errors import InvalidInput
from foleyline.server.engines.hunyuan_foley.blocks import Rotary
from foleyline.server.engines.hunyuan_foley.configuration_hunyuan_foley import HunyuanFoleyConfig, SequenceLengths
from foleyline.server.engines.hunyuan_foley.modeling_hunyuan_foley import HunyuanFoleyModel
from foleyline.server.engines.mmdit import apply_rope, compute_rope_rotations, split_heads

TINY = HunyuanFoleyConfig.preset("tiny")


def _stretch(x: torch.Tensor, length: int) -> torch.Tensor:
    """(B, N, H, D) resampled along N with PyTorch's nearest-exact, as the reference does."""
    b, n, h, d = x.shape
    return F.interpolate(x.reshape(b, n, h * d).transpose(1, 2), size=length, mode="nearest-exact") \
        .transpose(1, 2).reshape(b, length, h, d)


def _reference_interleaved(audio: torch.Tensor, visual: torch.Tensor, head_dim: int):
    """The reference's procedure in (B, N, heads, D): stretch the visual to N, interleave
    (audio at even slots), rotate 2N positions, split, shrink the visual back."""
    n, nv = audio.shape[1], visual.shape[1]
    both = torch.stack([audio, _stretch(visual, n)], dim=2).reshape(audio.shape[0], 2 * n, *audio.shape[2:])
    rotated = apply_rope(both.transpose(1, 2), compute_rope_rotations(2 * n, head_dim)).transpose(1, 2)
    rotated = rotated.reshape(audio.shape[0], n, 2, *audio.shape[2:])
    return rotated[:, :, 0], _stretch(rotated[:, :, 1], nv)


@pytest.mark.parametrize(("n", "nv"), [(400, 64), (250, 40), (750, 120), (32, 6), (37, 11), (90, 90), (10, 30)])
def test_interleaved_rotary_positions_equal_the_references_procedure(n: int, nv: int) -> None:
    config = dataclasses.replace(TINY, hidden_size=24, num_heads=2)
    g = torch.Generator().manual_seed(n * 1000 + nv)
    audio = torch.randn(1, n, 2, 12, generator=g)
    visual = torch.randn(1, nv, 2, 12, generator=g)
    want_audio, want_visual = _reference_interleaved(audio, visual, 12)
    plan = Rotary.plan(config, n, nv, 5, torch.device("cpu"))
    got_audio = apply_rope(audio.transpose(1, 2), plan.audio_self).transpose(1, 2)
    heads_first = visual.transpose(1, 2)
    if plan.visual_source is not None:
        heads_first = heads_first[:, :, plan.visual_source]
    got_visual = apply_rope(heads_first, plan.visual_self).transpose(1, 2)
    torch.testing.assert_close(got_audio, want_audio, rtol=0, atol=1e-6)
    torch.testing.assert_close(got_visual, want_visual, rtol=0, atol=1e-6)


def test_the_two_fused_projection_layouts() -> None:
    heads, head_dim = 3, 4
    width = heads * head_dim
    index = torch.arange(3 * width, dtype=torch.float32).view(1, 1, -1)
    blocked = split_heads(index, heads, 3, layout="blocked")
    interleaved = split_heads(index, heads, 3, layout="interleaved")
    for j in range(3):
        for h in range(heads):
            for d in range(head_dim):
                assert blocked[j][0, h, 0, d] == j * width + h * head_dim + d
                assert interleaved[j][0, h, 0, d] == (h * head_dim + d) * 3 + j


@pytest.mark.parametrize("seconds", [0.64, 1.0, 2.5, 5.0, 8.0, 10.04, 15.0])
def test_sequence_lengths_follow_the_25_fps_frame_count(seconds: float) -> None:
    frames = round(seconds * 25)
    lengths = SequenceLengths.for_sync_frames(frames)
    assert lengths.latent == 2 * frames
    assert lengths.sync == 8 * ((frames - 16) // 8 + 1)
    assert (lengths.clip - 1) / 8 < frames / 25 <= lengths.clip / 8 + 1e-9


def test_other_sizes_and_lengths_run_through_the_same_code() -> None:
    config = dataclasses.replace(TINY, hidden_size=36, num_heads=3, depth_triple_blocks=1, depth_single_blocks=3,
                                 clip_dim=20, sync_feat_dim=12, condition_dim=28)
    torch.manual_seed(0)
    model = HunyuanFoleyModel(config).eval()
    lengths = SequenceLengths.for_seconds(2.52)
    x = torch.randn(2, 128, lengths.latent)
    with torch.no_grad():
        v = model(x, torch.tensor([1000.0, 3.5]), torch.randn(2, lengths.clip, 20), torch.randn(2, 9, 28),
                  torch.randn(2, lengths.sync, 12))
    assert v.shape == x.shape and torch.isfinite(v).all()


def test_configs_of_other_code_paths_are_refused_by_name() -> None:
    kwargs = {"hidden_size": 64, "num_heads": 4, "condition_dim": 56, "add_sync_feat_to_audio": True,
              "interleaved_audio_visual_rope": True}
    assert HunyuanFoleyConfig.from_reference({"model_config": {"model_kwargs": kwargs}}).hidden_size == 64
    for flag, value in (("sync_modulation", True), ("use_attention_mask", True), ("patch_size", 2)):
        with pytest.raises(InvalidInput, match=flag):
            HunyuanFoleyConfig.from_reference({"model_config": {"model_kwargs": {**kwargs, flag: value}}})
    with pytest.raises(InvalidInput, match="hidden_size"):
        HunyuanFoleyConfig.from_reference({"something": 1})
