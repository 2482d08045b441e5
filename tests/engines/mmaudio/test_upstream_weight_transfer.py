"""The step benchmarks' ``--upstream`` weight transfer (benchmarks/upstream.py), on tiny networks
and without any upstream code: our weights go into another network by name, strictly, and
a network they do not fit is refused with every differing name and shape listed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch
from tolerances import ACTIVATION
from torch import nn

from foleyline.server.engines.mmaudio.configuration_mmaudio import MMAudioConfig
from foleyline.server.engines.mmaudio.modeling_mmaudio import MMAudioModel

BENCHMARK_HELPERS = Path(__file__).resolve().parents[3] / "benchmarks" / "upstream.py"
TINY = dict(latent_dim=4, clip_dim=8, sync_dim=8, text_dim=8, hidden_dim=16, depth=3, fused_depth=1, num_heads=2)


@pytest.fixture(scope="module")
def upstream():
    spec = importlib.util.spec_from_file_location("benchmark_upstream", BENCHMARK_HELPERS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _network(seed: int, **changes) -> MMAudioModel:
    torch.manual_seed(seed)
    model = MMAudioModel(MMAudioConfig(**{**TINY, **changes})).eval()
    with torch.no_grad():  # a checkpoint's statistics, not the NaN placeholders
        model.latent_mean.normal_()
        model.latent_std.uniform_(0.5, 2.0)
    return model


def test_every_tensor_arrives_under_its_name(upstream):
    ours, theirs = _network(0), _network(1)
    count = upstream.transfer_weights(ours, theirs)
    source, target = ours.state_dict(), theirs.state_dict()
    assert count == len(source) == len(target)
    assert all(torch.equal(source[name], target[name]) for name in source)  # copied, not computed
    assert all(source[name].data_ptr() != target[name].data_ptr() for name in source)


def test_shared_weights_fill_a_network_built_on_the_meta_device(upstream):
    ours = _network(0)
    theirs = upstream.share_into(lambda: MMAudioModel(MMAudioConfig(**TINY)), ours)
    target = theirs.state_dict()
    assert all(tensor.data_ptr() == target[name].data_ptr() for name, tensor in ours.state_dict().items())


def test_a_differing_shape_is_named_with_both_shapes(upstream):
    with pytest.raises(upstream.WeightMismatch) as error:
        upstream.transfer_weights(_network(0), _network(0, latent_dim=6))
    message = str(error.value)
    assert "shape differs: latent_mean: ours (1, 1, 4), reference (1, 1, 6)" in message
    assert "final_layer.conv.weight" in message


def test_names_only_one_side_has_are_listed(upstream):
    ours, theirs = _network(0), _network(1)
    theirs.extra_scale = nn.Parameter(torch.ones(3))
    del theirs.empty_sync_feat
    with pytest.raises(upstream.WeightMismatch) as error:
        upstream.transfer_weights(ours, theirs)
    assert "only in ours: empty_sync_feat" in str(error.value)
    assert "only in the reference: extra_scale" in str(error.value)


def test_the_parity_tolerance_is_the_tests_activation_tolerance(upstream):
    assert upstream.parity_tolerance() == ACTIVATION
