"""``foleyline models parity`` accepts the ThinkSound fixtures (network and VAE)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from foleyline.errors import InvalidInput
from foleyline.server.engines.parity import run_parity as run_any_parity
from foleyline.server.engines.thinksound.parity import run_parity


def test_network_fixture_passes_every_output(ts_fixtures: Path) -> None:
    result = run_any_parity(ts_fixtures / "thinksound_tiny_config.json",
                            [ts_fixtures / "thinksound_tiny.safetensors"], ts_fixtures / "thinksound_tiny_io.safetensors")
    assert result.kind == "thinksound network" and result.passed, result.format()
    names = {check.name for check in result.checks}
    assert {"out.v_cond", "out.v_uncond", "out.v_cfg", "out.v_cfg_global", "out.v_cfg_novideo",
            "out.sample.x0", "out.sample_novideo.x0"} <= names


def test_vae_fixture_passes_decoder_and_encoder(ts_fixtures: Path) -> None:
    result = run_parity(ts_fixtures / "thinksound_tiny_config.json", ts_fixtures / "vae_tiny.safetensors",
                        ts_fixtures / "vae_tiny_io.safetensors")
    assert result.kind == "thinksound vae" and result.passed, result.format()
    assert {"out.audio", "out.audio_int16", "out.encoder_raw"} <= {c.name for c in result.checks}


def test_a_wrong_network_output_is_caught(ts_fixtures: Path, tmp_path: Path) -> None:
    io = load_file(str(ts_fixtures / "thinksound_tiny_io.safetensors"))
    partial = {k: v for k, v in io.items() if k.startswith(("in.", "const.")) and k != "in.noise"}
    partial["out.v_cond"] = io["out.v_cond"] * 1.001  # a 1e-3 relative error is a real bug
    save_file(partial, str(tmp_path / "io.safetensors"))
    result = run_parity(ts_fixtures / "thinksound_tiny_config.json", ts_fixtures / "thinksound_tiny.safetensors",
                        tmp_path / "io.safetensors")
    assert not result.passed
    assert [c.name for c in result.checks if not c.passed] == ["out.v_cond"]


def test_prefixed_checkpoint_weights_are_accepted(ts_fixtures: Path, tmp_path: Path) -> None:
    weights = {f"model.model.{k}": v for k, v in load_file(str(ts_fixtures / "thinksound_tiny.safetensors")).items()}
    save_file(weights, str(tmp_path / "w.safetensors"))
    io = {k: v for k, v in load_file(str(ts_fixtures / "thinksound_tiny_io.safetensors")).items()
          if k.startswith("const.")}
    save_file(io, str(tmp_path / "io.safetensors"))
    result = run_parity(ts_fixtures / "thinksound_tiny_config.json", tmp_path / "w.safetensors", tmp_path / "io.safetensors")
    assert result.passed and len(result.checks) >= 4


def test_an_io_file_of_neither_kind_is_refused(ts_fixtures: Path, tmp_path: Path) -> None:
    save_file({"x": torch.zeros(1)}, str(tmp_path / "io.safetensors"))
    with pytest.raises(InvalidInput, match="neither"):
        run_parity(ts_fixtures / "thinksound_tiny_config.json", ts_fixtures / "thinksound_tiny.safetensors",
                   tmp_path / "io.safetensors")
