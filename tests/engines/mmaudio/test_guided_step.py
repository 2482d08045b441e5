"""A guided step is one network pass over [conditional; unconditional], what does not change
between steps is computed once, and each device gets its dtype (bf16/fp16 on a GPU)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

import tolerances

from foleyline.server.engines.mmaudio.modeling_mmaudio import MMAudioModel
from foleyline.server.engines.mmaudio.parity import config_from_fixture
from foleyline.server.engines.mmdit import TokenRows, cfg_combine, compute_dtype, distinct_rows, upsample_tokens
from foleyline.server.engines.mmdit.blocks import adaln

# The float32 velocity tolerance (relative to the largest velocity): the doubled batch and the
# distinct-row adaLN sum the same terms in another order.
VELOCITY_RTOL = 1e-5


@pytest.fixture(scope="module")
def tiny(fixtures_dir: Path):
    folder = fixtures_dir / "mmaudio"
    data = json.loads((folder / "mmaudio_tiny_16k_config.json").read_text())
    model = MMAudioModel(config_from_fixture(data))
    model.load_weights(load_file(str(folder / "mmaudio_tiny_16k.safetensors")))
    io = load_file(str(folder / "mmaudio_tiny_16k_io.safetensors"))
    with torch.no_grad():
        cond = model.preprocess_conditions(io["in.clip_f"], io["in.sync_f"], io["in.text_f"])
        empty = model.get_empty_conditions(len(io["in.x_t"]))
    return model.eval(), io, cond, empty


@torch.no_grad()
def test_one_pass_gives_the_two_passes_velocity(tiny, monkeypatch):
    model, io, cond, empty = tiny
    x, t = io["in.x_t"], torch.tensor(0.37)
    tt = t * torch.ones(len(x))
    dense_cond, dense_empty = replace(cond, sync_rows=None), replace(empty, sync_rows=None)
    reference = cfg_combine(model.predict_flow(x, tt, dense_cond), model.predict_flow(x, tt, dense_empty), 4.5)
    passes, projections = [], []
    trunk, project = MMAudioModel.flow_of_projected, MMAudioModel.project_latent
    monkeypatch.setattr(MMAudioModel, "flow_of_projected",
                        lambda self, *a, **k: passes.append(len(a[0])) or trunk(self, *a, **k))
    monkeypatch.setattr(MMAudioModel, "project_latent", lambda self, x: projections.append(len(x)) or project(self, x))
    guided = model.ode_wrapper(t, x, cond, empty, 4.5)
    # one pass over the doubled batch; the latent, the same in both halves, projected once
    assert passes == [2 * len(x)] and projections == [len(x)]
    torch.testing.assert_close(guided, reference, rtol=0, atol=VELOCITY_RTOL * float(reference.abs().max()))


@torch.no_grad()
def test_the_doubled_conditions_are_built_once_per_sample(tiny, monkeypatch):
    model, io, cond, empty = tiny
    model._guided_cache = None  # as after loading
    built = []
    real = MMAudioModel.guided_conditions
    monkeypatch.setattr(MMAudioModel, "guided_conditions", lambda self, c, e: built.append(1) or real(self, c, e))
    for t in (0.0, 0.5, 0.9):
        model.ode_wrapper(torch.tensor(t), io["in.x_t"], cond, empty, 4.5)
    assert built == [1]
    other = model.get_empty_conditions(len(io["in.x_t"]))  # a new sample's conditions
    model.ode_wrapper(torch.tensor(0.5), io["in.x_t"], cond, other, 4.5)
    assert built == [1, 1]


def test_upsampled_sync_features_are_kept_as_their_rows():
    x = upsample_tokens(torch.randn(2, 192, 8), 250)
    rows = distinct_rows(x)
    assert isinstance(rows, TokenRows) and rows.rows.shape == (2 * 192, 8)
    torch.testing.assert_close(rows.dense(), x, rtol=0, atol=0)
    layer = torch.nn.Sequential(torch.nn.SiLU(), torch.nn.Linear(8, 12))
    torch.testing.assert_close(adaln(layer, rows), layer(x))
    shift = torch.randn(2, 1, 8)
    torch.testing.assert_close(rows.plus(shift).dense(), x + shift, rtol=0, atol=0)
    assert not isinstance(distinct_rows(upsample_tokens(torch.randn(1, 216, 8), 194)), TokenRows)  # nothing repeats


@torch.no_grad()
def test_the_unconditional_half_maps_few_conditioning_rows(tiny):
    model, io, cond, empty = tiny
    guided = model.guided_conditions(cond, empty)
    rows = guided.sync_rows
    latent_len = model.latent_seq_len
    distinct = torch.bincount(rows.owner, minlength=rows.batch)
    b = len(io["in.x_t"])
    # the conditional half repeats only through upsampling; the empty one is one feature repeated
    assert (distinct[:b] == model.sync_seq_len).all()
    assert (distinct[b:] < model.sync_seq_len // 4).all()
    torch.testing.assert_close(rows.dense(), guided.sync_f, rtol=0, atol=0)
    assert rows.index.shape == (2 * b, latent_len)


def test_a_keys_only_stream_leaves_the_other_streams_outputs_as_they_were():
    from foleyline.server.engines.mmdit import joint_attention

    streams = [tuple(torch.randn(2, 3, n, 16) for _ in range(3)) for n in (10, 4, 6)]
    full = joint_attention(streams)
    (latent_only,) = joint_attention(streams, queries=1)
    torch.testing.assert_close(latent_only, full[0])


def test_the_dtype_is_float32_on_the_cpu_and_half_precision_on_a_gpu(monkeypatch):
    assert compute_dtype("cpu") == torch.float32
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert compute_dtype("cuda") == torch.bfloat16
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert compute_dtype(torch.device("cuda", 0)) == torch.float16


@torch.no_grad()
def test_a_bf16_network_keeps_its_tables_and_statistics_float32_and_samples_in_float32(fixtures_dir: Path):
    # the v2 network: its timestep frequencies reach 1e4 rad per unit time
    folder = fixtures_dir / "mmaudio"
    model = MMAudioModel(config_from_fixture(json.loads((folder / "mmaudio_tiny_44k_config.json").read_text())))
    model.load_weights(load_file(str(folder / "mmaudio_tiny_44k.safetensors")))
    io = load_file(str(folder / "mmaudio_tiny_44k_io.safetensors"))
    model.eval()
    cond = model.preprocess_conditions(io["in.clip_f"], io["in.sync_f"], io["in.text_f"])
    empty = model.get_empty_conditions(len(io["in.x_t"]))
    t = torch.tensor(0.37)
    full = model.ode_wrapper(t, io["in.x_t"], cond, empty, 4.5)
    std = model.latent_std.detach().clone()

    model.to(torch.bfloat16)
    assert model.audio_input_proj[0].weight.dtype == torch.bfloat16
    for name in ("t_embed_freqs", "latent_rot", "clip_rot"):
        table = model.t_embed.freqs if name == "t_embed_freqs" else getattr(model, name)
        torch.testing.assert_close(table, io[f"const.{name}"], rtol=tolerances.TABLE, atol=tolerances.TABLE)
    assert torch.equal(model.latent_std, std)  # copied, not computed
    half = [c.to(torch.bfloat16) for c in (io["in.clip_f"], io["in.sync_f"], io["in.text_f"])]
    v = model.ode_wrapper(t, io["in.x_t"], model.preprocess_conditions(*half), model.get_empty_conditions(len(io["in.x_t"])), 4.5)
    assert v.dtype == torch.float32
    # bf16 keeps ~3 significant digits per product: the velocity stays that close overall
    assert float((v - full).norm() / full.norm()) < 0.05


@pytest.mark.parametrize("kernel_size, padding, bias", [(3, 1, False), (7, 3, True), (3, 0, True)])
def test_both_convolution_kernels_compute_the_same_convolution(kernel_size, padding, bias):
    from foleyline.server.engines.mmdit import ChannelLastConv1d, conv_kernel

    conv = ChannelLastConv1d(12, 20, kernel_size, padding=padding, bias=bias)
    x = torch.randn(2, 31, 12)
    with torch.no_grad():
        expected = torch.nn.functional.conv1d(x.transpose(1, 2), conv.weight, conv.bias, padding=padding).transpose(1, 2)
        outputs = {}
        for kernel in ("conv", "matmul"):
            with conv_kernel(kernel):
                outputs[kernel] = conv(x)
        chosen = conv(x)  # measured at first use, then kept for the shape
    for out in (*outputs.values(), chosen):
        torch.testing.assert_close(out, expected, rtol=0, atol=tolerances.ACTIVATION * float(expected.abs().max()))
