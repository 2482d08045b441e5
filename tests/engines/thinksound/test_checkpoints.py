"""Weight files are read without running code from them, in every layout ThinkSound ships."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from foleyline.errors import InvalidInput, NotFound
from foleyline.server.engines.checkpoints import read_weights
from foleyline.server.engines.thinksound.checkpoints import network_state, vae_state


class _RunsCommand:
    """A pickle payload that would run a shell command if unpickled unsafely."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _Config:
    def __init__(self) -> None:
        self.sample_rate = 44100


def test_wrapper_checkpoint_gives_the_network_without_prefix_or_vae(tmp_path: Path) -> None:
    path = tmp_path / "thinksound_light.ckpt"
    torch.save({"model.model.final_layer.conv.bias": torch.ones(64),
                "model.model.latent_rot": torch.zeros(3),
                "pretransform.model.decoder.layers.0.bias": torch.zeros(2)}, path)
    state = network_state(path)
    assert list(state) == ["final_layer.conv.bias"]  # the non-persistent table is dropped too


def test_lightning_vae_checkpoint_keeps_only_autoencoder_keys(tmp_path: Path) -> None:
    path = tmp_path / "vae.ckpt"
    torch.save({"state_dict": {"autoencoder.decoder.layers.0.bias": torch.ones(2),
                               "discriminator.w": torch.zeros(1)},
                "hyper_parameters": _Config(), "epoch": 7}, path)
    assert list(vae_state(path)) == ["decoder.layers.0.bias"]


def test_vae_copy_inside_the_wrapper_checkpoint_is_found(tmp_path: Path) -> None:
    path = tmp_path / "thinksound_light.ckpt"
    torch.save({"model.model.x": torch.ones(1), "pretransform.model.decoder.layers.0.bias": torch.ones(2)}, path)
    assert list(vae_state(path)) == ["decoder.layers.0.bias"]


def test_unprefixed_safetensors_are_used_as_they_are(tmp_path: Path) -> None:
    path = tmp_path / "net.safetensors"
    save_file({"final_layer.conv.bias": torch.ones(64)}, str(path))
    assert list(network_state(path)) == ["final_layer.conv.bias"]


def test_a_pickled_command_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "was-run"
    path = tmp_path / "evil.ckpt"
    torch.save({"state_dict": {"autoencoder.decoder.layers.0.bias": torch.ones(2)},
                "payload": _RunsCommand(marker)}, path)
    with pytest.raises(InvalidInput, match="cannot be read safely"):
        read_weights(path)
    assert not marker.exists()


def test_missing_file_names_the_pull_command(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="foleyline models pull"):
        read_weights(tmp_path / "vae.ckpt")


def test_a_corrupt_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "vae.ckpt"
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(InvalidInput):
        read_weights(path)


def test_a_file_without_network_weights_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "other.ckpt"
    torch.save({"pretransform.model.decoder.layers.0.bias": torch.ones(2)}, path)
    with pytest.raises(InvalidInput, match="no network weights"):
        network_state(path)
