"""Where the drafting models run, decided from the hardware (no GPU needed to test the rule)."""

from __future__ import annotations

import pytest

from foleyline.server.notes.devices import Hardware, Placement, choose_placement, hardware

H100 = Hardware(gpu=True, gpu_free_gb=78.0, bf16=True, gpu_name="H100")
OLD_GPU = Hardware(gpu=True, gpu_free_gb=11.0, bf16=False)
CPU = Hardware(gpu=False)


def test_a_gpu_runs_the_models_in_bf16_and_a_cpu_in_float32() -> None:
    assert choose_placement(None, H100) == Placement("cuda", "bfloat16")
    assert choose_placement(None, OLD_GPU) == Placement("cuda", "float16")  # no bf16 on the card
    assert choose_placement(None, CPU) == Placement("cpu", "float32")
    assert choose_placement("cpu", H100) == Placement("cpu", "float32")    # asked for: the CPU even with a GPU
    assert choose_placement(None, H100).describe() == "cuda (bf16)"


def test_a_gpu_asked_for_where_there_is_none_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="no CUDA device"):
        choose_placement("cuda", CPU)
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        choose_placement("tpu", H100)


def test_this_machine_is_read_without_failing() -> None:
    found = hardware()
    assert found.gpu or (found.gpu_free_gb == 0.0 and choose_placement(None, found).device == "cpu")
