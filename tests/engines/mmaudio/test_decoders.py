"""The mel VAE and the BigVGAN vocoders against the latent -> mel -> waveform fixtures."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file

import tolerances

from foleyline.errors import InvalidInput
from foleyline.server.engines.mmaudio.bigvgan import BigVGANConfig, fold_weight_norm, kaiser_sinc_filter1d, load_bigvgan
from foleyline.server.engines.mmaudio.parity import run_chain_parity
from foleyline.server.engines.mmaudio.vae import load_vae


@pytest.mark.parametrize("tag", ["16k", "44k"])
def test_chain_reproduces_mel_encoder_moments_and_waveform(mmaudio_fixtures, tag):
    config = mmaudio_fixtures / f"vae_vocoder_tiny_{tag}_config.json"
    result = run_chain_parity(config, json.loads(config.read_text()), [],
                              mmaudio_fixtures / f"vae_vocoder_tiny_{tag}_io.safetensors")
    assert {"out.mel", "out.encoder_moments", "out.wav"} <= {c.name for c in result.checks}
    assert result.passed, result.format()


def test_stored_antialiasing_filters_equal_the_computed_kaiser_sinc(mmaudio_fixtures):
    sd = load_file(str(mmaudio_fixtures / "vocoder_tiny_44k.safetensors"))
    expected = kaiser_sinc_filter1d(0.25, 0.3, 12)
    filters = [v for k, v in sd.items() if k.endswith(".filter")]
    assert filters and all(torch.allclose(f, expected, rtol=tolerances.TABLE, atol=tolerances.TABLE) for f in filters)


def test_weight_norm_folds_over_all_axes_but_the_first():
    g = torch.tensor([[[2.0]], [[3.0]]])
    v = torch.tensor([[[3.0, 4.0]], [[0.0, 1.0]]])
    out = fold_weight_norm({"conv.weight_g": g, "conv.weight_v": v, "conv.bias": torch.zeros(2)})
    assert torch.allclose(out["conv.weight"], torch.tensor([[[1.2, 1.6]], [[0.0, 3.0]]]))
    native = fold_weight_norm({"conv.parametrizations.weight.original0": g,
                               "conv.parametrizations.weight.original1": v})
    assert torch.equal(native["conv.weight"], out["conv.weight"])


def test_incomplete_weight_norm_pair_is_reported():
    with pytest.raises(InvalidInput, match="incomplete"):
        fold_weight_norm({"conv.weight_g": torch.ones(1, 1, 1)})


def test_vae_built_without_encoder_still_loads_a_full_checkpoint(mmaudio_fixtures):
    vae = load_vae(load_file(str(mmaudio_fixtures / "vae_tiny_16k.safetensors")), data_dim=80, embed_dim=20,
                   hidden_dim=16, with_encoder=False)
    assert not hasattr(vae, "encoder")
    with pytest.raises(InvalidInput, match="without its encoder"):
        vae.encode_moments(torch.zeros(1, 80, 4))


def test_vocoder_checkpoint_for_another_config_is_rejected(mmaudio_fixtures):
    with pytest.raises(InvalidInput, match="does not fit"):
        load_bigvgan(load_file(str(mmaudio_fixtures / "vocoder_tiny_16k.safetensors")), BigVGANConfig())


def test_checkpoints_load_without_executing_pickled_code(tmp_path):
    import pickle

    from foleyline.server.engines.checkpoints import load_state_dict

    class Evil:
        def __reduce__(self):
            return (print, ("pickled code ran",))

    path = tmp_path / "evil.pth"
    path.write_bytes(pickle.dumps({"w": Evil()}))
    with pytest.raises(InvalidInput, match="cannot be read safely"):
        load_state_dict(path)
    torch.save({"generator": {"w": torch.ones(2)}}, tmp_path / "ok.pt")
    assert torch.equal(load_state_dict(tmp_path / "ok.pt", key="generator")["w"], torch.ones(2))
