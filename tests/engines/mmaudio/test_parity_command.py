"""`foleyline models parity` on the MMAudio fixtures, including a tampered one."""

from __future__ import annotations

import json

from safetensors.torch import load_file, save_file

from foleyline import cli


def test_network_fixture_passes(mmaudio_fixtures, capsys):
    d = mmaudio_fixtures
    code = cli.main(["models", "parity", "--config", str(d / "mmaudio_tiny_44k_config.json"),
                     "--weights", str(d / "mmaudio_tiny_44k.safetensors"),
                     "--io", str(d / "mmaudio_tiny_44k_io.safetensors")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "out.sample.x1 " in out and "0 over tolerance" in out


def test_chain_fixture_passes_with_its_two_weight_files(mmaudio_fixtures, capsys):
    d = mmaudio_fixtures
    code = cli.main(["models", "parity", "--config", str(d / "vae_vocoder_tiny_16k_config.json"),
                     "--weights", str(d / "vae_tiny_16k.safetensors"),
                     "--weights", str(d / "vocoder_tiny_16k.safetensors"),
                     "--io", str(d / "vae_vocoder_tiny_16k_io.safetensors")])
    assert code == 0, capsys.readouterr().out


def test_a_wrong_reference_output_fails_with_exit_one(mmaudio_fixtures, tmp_path, capsys):
    d = mmaudio_fixtures
    io = load_file(str(d / "mmaudio_tiny_16k_io.safetensors"))
    io = {k: v for k, v in io.items() if k.startswith(("in.", "out.v_cond"))}
    io["out.v_cond"] = io["out.v_cond"] * 1.01
    save_file(io, str(tmp_path / "io.safetensors"))
    code = cli.main(["models", "parity", "--config", str(d / "mmaudio_tiny_16k_config.json"),
                     "--weights", str(d / "mmaudio_tiny_16k.safetensors"), "--io", str(tmp_path / "io.safetensors")])
    assert code == 1
    assert "FAIL out.v_cond" in capsys.readouterr().out


def test_unknown_config_kind_is_a_clear_error(tmp_path, mmaudio_fixtures, capsys):
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"something": 1}))
    code = cli.main(["models", "parity", "--config", str(config), "--weights", str(config),
                     "--io", str(mmaudio_fixtures / "mmaudio_tiny_16k_io.safetensors")])
    assert code == 2
    assert "not a fixture config" in capsys.readouterr().err


def test_thinksound_configs_are_handed_to_the_thinksound_parity(tmp_path, monkeypatch, capsys):
    import foleyline.server.engines.thinksound.parity as thinksound_parity
    from foleyline.server.engines.parity import ParityResult, compare
    import torch

    seen = {}

    def fake(config, weights, io):
        seen.update(config=config, weights=weights, io=io)
        result = ParityResult(fixture=config.name, kind="thinksound network")
        result.add(compare("out.v_cond", torch.ones(2), torch.ones(2), 1e-4))
        return result

    monkeypatch.setattr(thinksound_parity, "run_parity", fake)
    config = tmp_path / "ts.json"
    config.write_text(json.dumps({"mmmodule_constructor_args": {}}))
    weights, io = tmp_path / "w.safetensors", tmp_path / "io.safetensors"
    save_file({"x": torch.zeros(1)}, str(weights))
    save_file({"x": torch.zeros(1)}, str(io))
    assert cli.main(["models", "parity", "--config", str(config), "--weights", str(weights), "--io", str(io)]) == 0
    assert seen == {"config": config, "weights": weights, "io": io}
    assert "thinksound network" in capsys.readouterr().out
