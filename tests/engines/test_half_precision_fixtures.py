"""The shared reference fixtures, with their weights stored in fp16 or bf16 (as released
checkpoints often are), still pass through ``foleyline models parity``: the modules load the
half-precision tensors into float32 and compute in float32, so the outputs move only by what
rounding the weights explains.

The bounds are relative to each output's largest magnitude. Rounding a weight to fp16 moves it by
up to 2^-11 (4.9e-4) of itself, to bf16 by 2^-8 (3.9e-3); through a few transformer blocks that
stays near the same order (measured: fp16 1.2e-3, bf16 1.0e-2 at worst), while the random-weight
decoders (~40 layers, some 400k samples) amplify it (fp16: 1e-2 to 8e-2). A module left computing
in half precision, or a weight read wrongly, misses these by far."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from foleyline.server.engines.parity import run_parity

SAMPLING_INPUTS = ("in.noise", "in.x0", "in.sample.x0")
# fixture folder, config, weights, io, the outputs kept, stored dtype, bound
CASES = {
    "mmaudio-16k-network": ("mmaudio", "mmaudio_tiny_16k_config.json", ["mmaudio_tiny_16k.safetensors"],
                            "mmaudio_tiny_16k_io.safetensors", ("out.v_cond",), torch.bfloat16, 2e-2),
    "mmaudio-44k-network": ("mmaudio", "mmaudio_tiny_44k_config.json", ["mmaudio_tiny_44k.safetensors"],
                            "mmaudio_tiny_44k_io.safetensors", ("out.v_cond",), torch.float16, 5e-3),
    "mmaudio-16k-vae-vocoder": ("mmaudio", "vae_vocoder_tiny_16k_config.json",
                                ["vae_tiny_16k.safetensors", "vocoder_tiny_16k.safetensors"],
                                "vae_vocoder_tiny_16k_io.safetensors", ("out.mel", "out.wav"), torch.float16, 0.1),
    "thinksound-network": ("thinksound", "thinksound_tiny_config.json", ["thinksound_tiny.safetensors"],
                           "thinksound_tiny_io.safetensors", ("out.v_cond",), torch.bfloat16, 2e-2),
    "thinksound-vae": ("thinksound", "thinksound_tiny_config.json", ["vae_tiny.safetensors"],
                       "vae_tiny_io.safetensors", ("out.audio",), torch.float16, 0.15),
    "hunyuan-network": ("hunyuan_foley", "hunyuan_foley_tiny_config.json", ["hunyuan_foley_tiny.safetensors"],
                        "hunyuan_foley_tiny_io.safetensors", ("out.v_cond",), torch.bfloat16, 2e-2),
    "hunyuan-vae": ("hunyuan_foley", "vae_tiny_config.json", ["vae_tiny.safetensors"], "vae_tiny_io.safetensors",
                    ("out.audio",), torch.float16, 0.1),
    "hunyuan-synchformer": ("hunyuan_foley", "synchformer_tiny_config.json", ["synchformer_tiny.safetensors"],
                            "synchformer_tiny_io.safetensors", ("out.sync_feat",), torch.bfloat16, 2e-2),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_fixture_stored_in_half_precision_passes_within_its_rounding(fixtures_dir: Path, tmp_path: Path, case: str):
    folder, config, weights, io, outputs, dtype, bound = CASES[case]
    source = fixtures_dir / folder
    converted = []
    for name in weights:
        state = {k: v.to(dtype) if v.is_floating_point() else v for k, v in load_file(str(source / name)).items()}
        save_file(state, str(tmp_path / name))
        converted.append(tmp_path / name)
    reference = load_file(str(source / io))
    # the inputs of one call each, not the sampling runs' noise: this is about the weights
    kept = {k: v for k, v in reference.items() if (k.startswith("in.") and k not in SAMPLING_INPUTS) or k in outputs}
    save_file(kept, str(tmp_path / io))
    (tmp_path / config).write_text((source / config).read_text())

    result = run_parity(tmp_path / config, converted, tmp_path / io)
    assert {c.name for c in result.checks} >= set(outputs)
    worst = {c.name: c.worst_relative_error for c in result.checks}
    assert all(error <= bound for error in worst.values()), worst


def test_references_stored_in_half_precision_are_allowed_their_rounding(fixtures_dir: Path, tmp_path: Path):
    """Reference outputs rounded to bf16 after they were computed: each value moved by up to 2^-8
    of itself, far past the float32 tolerance; the check allows exactly that much more."""
    source = fixtures_dir / "mmaudio"
    io = load_file(str(source / "mmaudio_tiny_44k_io.safetensors"))
    kept = {k: v for k, v in io.items() if k.startswith("in.") and k not in SAMPLING_INPUTS}
    kept.update({k: io[k].bfloat16() for k in ("out.v_cond", "out.v_uncond", "const.latent_rot")})
    save_file(kept, str(tmp_path / "io.safetensors"))
    result = run_parity(source / "mmaudio_tiny_44k_config.json", [source / "mmaudio_tiny_44k.safetensors"],
                        tmp_path / "io.safetensors")
    assert result.passed, result.format()
    v_cond = next(c for c in result.checks if c.name == "out.v_cond")
    assert v_cond.worst_relative_error > 3e-4  # beyond the float32 tolerance: the rounding is real
    assert v_cond.tolerance == pytest.approx(3e-4 + 2.0**-8)  # bf16 eps is 2^-7: rounding moves 2^-8
