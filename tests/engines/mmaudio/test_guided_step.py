"""A guided step is one network pass over [conditional; unconditional], what does not change
between steps is computed once, and each device gets its dtype (bf16/fp16 on a GPU)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from foleyline.server.engines.mmaudio.modeling_mmaudio import MMAudioModel
from foleyline.server.engines.mmaudio.parity import config_from_fixture
from foleyline.server.engines.mmdit import TokenRows, cfg_combine, compute_dtype, nearest_exact_index, upsample_rows
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
    passes = []
    real = MMAudioModel.predict_flow
    monkeypatch.setattr(MMAudioModel, "predict_flow", lambda self, *a, **k: passes.append(a[0].shape) or real(self, *a, **k))
    guided = model.ode_wrapper(t, x, cond, empty, 4.5)
    assert passes == [torch.Size([2 * len(x), *x.shape[1:]])]
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
    x = torch.randn(2, 192, 8)
    rows = upsample_rows(x, 250)
    assert isinstance(rows, TokenRows) and rows.rows.shape[1] == 192
    torch.testing.assert_close(rows.dense(), x.index_select(1, nearest_exact_index(192, 250)))
    layer = torch.nn.Sequential(torch.nn.SiLU(), torch.nn.Linear(8, 12))
    torch.testing.assert_close(adaln(layer, rows), layer(rows.dense()))
    assert not isinstance(upsample_rows(torch.randn(1, 216, 8), 194), TokenRows)  # nothing repeats


def test_the_dtype_is_float32_on_the_cpu_and_half_precision_on_a_gpu(monkeypatch):
    assert compute_dtype("cpu") == torch.float32
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert compute_dtype("cuda") == torch.bfloat16
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert compute_dtype(torch.device("cuda", 0)) == torch.float16
