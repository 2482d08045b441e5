"""`foleyline models parity` reproduces every output of the HunyuanVideo-Foley fixtures: the
network (constants, intermediates, velocities, the guided sampling run), the DAC VAE and the
Synchformer; a wrong reference output fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from safetensors.torch import load_file, save_file

from foleyline import cli


def _parity(capsys, config: Path, io: Path, *weights: Path) -> tuple[int, str]:
    args = ["models", "parity", "--config", str(config), "--io", str(io)]
    for w in weights:
        args += ["--weights", str(w)]
    code = cli.main(args)
    return code, capsys.readouterr().out


def test_the_network_fixture_passes_every_output(hy_fixtures, capsys):
    code, out = _parity(capsys, hy_fixtures / "hunyuan_foley_tiny_config.json",
                        hy_fixtures / "hunyuan_foley_tiny_io.safetensors", hy_fixtures / "hunyuan_foley_tiny.safetensors")
    assert code == 0, out
    io = load_file(str(hy_fixtures / "hunyuan_foley_tiny_io.safetensors"))
    expected = sorted(k for k in io if not k.startswith("in."))
    assert all(f" {key} " in out for key in expected), out
    assert f"{len(expected)} outputs compared, 0 over tolerance" in out


@pytest.mark.parametrize("stem", ["vae_tiny", "synchformer_tiny"])
def test_the_vae_and_synchformer_fixtures_pass_with_their_weights_found_beside_the_config(hy_fixtures, capsys, stem):
    code, out = _parity(capsys, hy_fixtures / f"{stem}_config.json", hy_fixtures / f"{stem}_io.safetensors")
    assert code == 0, out
    assert "0 over tolerance" in out and "out." in out


def test_a_wrong_reference_output_fails(hy_fixtures, tmp_path, capsys):
    io = load_file(str(hy_fixtures / "hunyuan_foley_tiny_io.safetensors"))
    io = {k: v for k, v in io.items() if k.startswith("in.") or k == "out.v_cond"}
    io["out.v_cond"] = io["out.v_cond"] * 1.01
    save_file(io, str(tmp_path / "io.safetensors"))
    code, out = _parity(capsys, hy_fixtures / "hunyuan_foley_tiny_config.json", tmp_path / "io.safetensors",
                        hy_fixtures / "hunyuan_foley_tiny.safetensors")
    assert code == 1
    assert "FAIL out.v_cond" in out


def test_applying_the_unused_final_modulation_would_be_caught(hy_fixtures, monkeypatch, capsys):
    """FIXTURES.md's first trap: the final adaLN, applied, moves v_cond by ~1.5."""
    from foleyline.server.engines.hunyuan_foley import modeling_hunyuan_foley as modeling
    from foleyline.server.engines.mmdit import modulate

    real_velocity = modeling.HunyuanFoleyModel.velocity

    def velocity(self, x, t, conditions, *, capture=None):
        self.final_layer.c = conditions.sync + self.time_in(t).unsqueeze(1)
        return real_velocity(self, x, t, conditions, capture=capture)

    def modulated_final(self, x):
        shift, scale = self.adaLN_modulation(self.c).chunk(2, dim=-1)
        return self.linear(modulate(self.norm_final(x), shift, scale))

    monkeypatch.setattr(modeling.HunyuanFoleyModel, "velocity", velocity)
    monkeypatch.setattr(modeling.FinalLayer, "forward", modulated_final)
    code, out = _parity(capsys, hy_fixtures / "hunyuan_foley_tiny_config.json",
                        hy_fixtures / "hunyuan_foley_tiny_io.safetensors", hy_fixtures / "hunyuan_foley_tiny.safetensors")
    assert code == 1 and "FAIL out.v_cond " in out
