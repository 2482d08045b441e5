"""Every engine reads its weight files through one reader: the tensors come out the same whatever
wrapping, prefix or container a trainer gave them, and a file that does not fit a module is
refused with the file, the keys and both shapes named."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from foleyline.errors import InvalidInput
from foleyline.server.engines.checkpoints import fit_report, load_state_dict, naming, state_dict_of

WEIGHTS = {"proj.weight": torch.arange(6.0).reshape(2, 3), "proj.bias": torch.ones(2)}


def _same(state: dict) -> bool:
    return set(state) == set(WEIGHTS) and all(torch.equal(state[k], WEIGHTS[k]) for k in WEIGHTS)


@pytest.mark.parametrize("layout", [
    WEIGHTS,
    {"state_dict": WEIGHTS, "epoch": 4, "optimizer": {"lr": 1e-4}},
    {"model": WEIGHTS},
    {"ema": WEIGHTS},
    {"module": WEIGHTS},
    {"weights": WEIGHTS, "it": 1000, "optimizer": {"state": {}}},       # a training run's checkpoint
    {"state_dict": {"module." + k: v for k, v in WEIGHTS.items()}},              # DataParallel / DDP
    {"module." + k: v for k, v in WEIGHTS.items()} | {"n_averaged": torch.tensor(7)},  # AveragedModel
    {"_orig_mod." + k: v for k, v in WEIGHTS.items()},                          # torch.compile
    {"state_dict": {"ema": WEIGHTS}},
], ids=["flat", "lightning", "model", "ema", "module", "weights", "ddp", "averaged-model", "compiled", "nested"])
def test_the_weights_come_out_of_every_wrapping(tmp_path: Path, layout: dict):
    path = tmp_path / "weights.pth"
    torch.save(layout, path)
    assert _same(load_state_dict(path))


def test_ema_weights_are_preferred_to_the_raw_ones():
    other = {k: v + 1 for k, v in WEIGHTS.items()}
    assert _same(state_dict_of({"model": other, "ema": WEIGHTS}))


def test_a_family_key_is_followed_first():
    assert _same(state_dict_of({"generator": WEIGHTS, "discriminator": {"d.weight": torch.zeros(1)}}, key="generator"))


def test_safetensors_and_pickles_read_alike(tmp_path: Path):
    save_file(WEIGHTS, str(tmp_path / "w.safetensors"))
    torch.save(WEIGHTS, tmp_path / "w.pt")
    assert _same(load_state_dict(tmp_path / "w.safetensors")) and _same(load_state_dict(tmp_path / "w.pt"))


def test_the_stored_dtype_is_kept_for_the_module_to_cast():
    half = {k: v.half() for k, v in WEIGHTS.items()}
    assert all(v.dtype == torch.float16 for v in state_dict_of(half).values())


def test_a_prefix_only_some_keys_carry_is_kept():
    state = {"module.a": torch.zeros(1), "b": torch.zeros(1)}
    assert set(state_dict_of(state)) == {"module.a", "b"}


def test_a_file_without_tensors_is_refused_naming_its_keys():
    with pytest.raises(InvalidInput, match=r"holds no tensors \(top-level keys: \['epoch', 'hparams'\]\)"):
        state_dict_of({"epoch": 3, "hparams": {"lr": 1}}, source="x.ckpt")


def test_the_fit_report_names_missing_unexpected_and_misshapen_keys():
    expected = {"a": torch.zeros(2, 3), "b": torch.zeros(4), "c": torch.zeros(1)}
    given = {"a": torch.zeros(3, 2), "b": torch.zeros(4), "d": torch.zeros(1)}
    assert fit_report(expected, given) == "1 missing (c); 1 unexpected (d); 1 with the wrong shape (a expected (2, 3) got (3, 2))"
    assert fit_report(expected, dict(expected)) is None


def test_a_long_report_says_how_many_more():
    expected = {f"k{i}": torch.zeros(1) for i in range(8)}
    assert fit_report(expected, {}, limit=2) == "8 missing (k0, k1 and 6 more)"


def test_load_errors_name_the_file(tmp_path: Path):
    path = tmp_path / "net.pth"
    with pytest.raises(InvalidInput, match=f"^{path}: the weights do not fit"):
        with naming(path):
            raise InvalidInput("the weights do not fit")
