"""The shared MM-DiT pieces, against the reference constants and small exact cases."""

from __future__ import annotations

import threading

import pytest
import torch
from safetensors.torch import load_file

import tolerances

from foleyline.errors import Cancelled
from foleyline.server.engines.mmdit import (
    MLP,
    ConvMLP,
    SelfAttention,
    TimestepEmbedder,
    apply_rope,
    cfg_combine,
    compute_rope_rotations,
    euler_sample,
    euler_times,
    ffn_hidden_dim,
    nearest_exact_index,
    upsample_tokens,
)


@pytest.fixture(scope="module")
def io44(mmaudio_fixtures):
    return load_file(str(mmaudio_fixtures / "mmaudio_tiny_44k_io.safetensors"))


def test_rotary_tables_equal_the_reference(io44):
    latent = compute_rope_rotations(345, 16, 10000)
    clip = compute_rope_rotations(64, 16, 10000, freq_scaling=345 / 64)
    torch.testing.assert_close(latent, io44["const.latent_rot"], rtol=tolerances.TABLE, atol=tolerances.TABLE)
    torch.testing.assert_close(clip, io44["const.clip_rot"], rtol=tolerances.TABLE, atol=tolerances.TABLE)


def test_rope_rotates_adjacent_pairs_not_halves():
    rot = compute_rope_rotations(2, 4, 10000)
    x = torch.tensor([[[[1.0, 0.0, 1.0, 0.0], [1.0, 0.0, 1.0, 0.0]]]])  # (1, 1, 2, 4)
    out = apply_rope(x, rot)
    # position 0 is the identity; position 1 rotates pair (0, 1) by 1 rad and pair (2, 3) by 0.01 rad
    assert torch.allclose(out[0, 0, 0], x[0, 0, 0])
    assert torch.allclose(out[0, 0, 1], torch.tensor([torch.cos(torch.tensor(1.0)), torch.sin(torch.tensor(1.0)),
                                                       torch.cos(torch.tensor(0.01)), torch.sin(torch.tensor(0.01))]))


def test_timestep_frequencies_match_reference(io44):
    emb = TimestepEmbedder(48, frequency_embedding_size=48, max_period=1)
    torch.testing.assert_close(emb.freqs, io44["const.t_embed_freqs"], rtol=tolerances.TABLE, atol=tolerances.TABLE)


def test_nearest_exact_follows_pytorch_float32_rule(io44):
    idx = nearest_exact_index(192, 345)
    assert torch.equal(idx, io44["const.sync_upsample_index"])
    # the documented float32 cases: exact arithmetic would read 32 and 96
    assert idx[57].item() == 31 and idx[172].item() == 95
    x = torch.randn(1, 192, 3)
    assert torch.equal(upsample_tokens(x, 345), x[:, idx])


def test_ffn_hidden_width_rounds_up_to_256():
    assert ffn_hidden_dim(4 * 448) == 1280
    assert ffn_hidden_dim(4 * 64) == 256
    assert MLP(64, 256).w1.weight.shape == (256, 64)
    assert ConvMLP(64, 256, kernel_size=3, padding=1).w2.weight.shape == (64, 256, 3)


def test_fused_qkv_is_interleaved_with_stride_three():
    attn = SelfAttention(4, 2)  # head_dim 2
    with torch.no_grad():
        attn.qkv.weight.zero_()
        attn.qkv.bias.copy_(torch.arange(12, dtype=torch.float32))
        attn.q_norm.weight.fill_(1.0)
        attn.k_norm.weight.fill_(1.0)
    q, k, v = attn.pre_attention(torch.zeros(1, 1, 4))
    # output index ((head * head_dim) + d) * 3 + j
    assert v[0, :, 0].tolist() == [[2.0, 5.0], [8.0, 11.0]]


def test_euler_integrates_a_constant_field_exactly_both_directions():
    x0 = torch.zeros(3)
    forward = euler_sample(lambda t, x: torch.ones_like(x) * 2, x0, euler_times(4))
    assert torch.allclose(forward, torch.full((3,), 2.0))
    backward = euler_sample(lambda t, x: torch.ones_like(x), x0, euler_times(5, start=1.0, end=0.0))
    assert torch.allclose(backward, torch.full((3,), -1.0))


def test_euler_hands_the_grid_times_and_records_the_trajectory():
    seen, traj = [], []
    euler_sample(lambda t, x: (seen.append(float(t)), x)[1], torch.ones(1), euler_times(4), trajectory=traj)
    assert seen == [0.0, 0.25, 0.5, 0.75]
    assert len(traj) == 4


def test_euler_stops_when_cancelled():
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        euler_sample(lambda t, x: x, torch.ones(1), euler_times(3), cancel=cancel)


def test_cfg_uses_the_reference_form_and_strength_below_one_returns_conditional():
    vc, vu = torch.tensor([1.0, 2.0]), torch.tensor([0.5, -1.0])
    assert torch.equal(cfg_combine(vc, vu, 4.5), 4.5 * vc + (1 - 4.5) * vu)
    assert torch.equal(cfg_combine(vc, vu, 0.5), vc)
