"""Fixtures of the MMAudio tests: the shared reference fixtures and a tiny random model set
written to a temporary model folder in the real file layout."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from foleyline.server.engines.mmaudio import files
from foleyline.server.engines.mmaudio.bigvgan import BigVGANConfig, BigVGANVocoder
from foleyline.server.engines.mmaudio.clip import DFN5BCLIP, DFN5BCLIPConfig
from foleyline.server.engines.mmaudio.configuration_mmaudio import MMAudioConfig, SequenceConfig
from foleyline.server.engines.mmaudio.engine import MMAudioArchitecture
from foleyline.server.engines.mmaudio.modeling_mmaudio import MMAudioModel
from foleyline.server.engines.mmaudio.tokenizer import _bytes_to_unicode
from foleyline.server.engines.mmaudio.vae import MMAudioVAE
from foleyline.server.engines.synchformer import SynchformerConfig, SynchformerEncoder


@pytest.fixture(scope="session")
def mmaudio_fixtures(fixtures_dir: Path) -> Path:
    return fixtures_dir / "mmaudio"


@pytest.fixture(scope="session")
def manifest(mmaudio_fixtures: Path) -> dict:
    return json.loads((mmaudio_fixtures / "mmaudio_state_dict_manifest.json").read_text())


def write_tiny_tokenizer(folder: Path) -> int:
    """A CLIP-style BPE vocabulary: every byte symbol (alone and word-final) plus a few merges.
    Returns the vocabulary size."""
    symbols = list(_bytes_to_unicode().values())
    vocab = symbols + [s + "</w>" for s in symbols]
    merges = [("f", "o"), ("fo", "o</w>"), ("s", "t"), ("st", "e"), ("ste", "p</w>")]
    vocab += ["fo", "foo</w>", "st", "ste", "step</w>", "<|startoftext|>", "<|endoftext|>"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps({tok: i for i, tok in enumerate(vocab)}))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(f"{a} {b}" for a, b in merges) + "\n")
    return len(vocab)


@dataclass
class TinyModelSet:
    root: Path
    variant: str
    architecture: MMAudioArchitecture


def build_tiny_model_set(root: Path, *, seed: int = 0, window_seconds: float = 8.0) -> TinyModelSet:
    """Random tiny networks of the real architecture, saved as the engine expects them."""
    torch.manual_seed(seed)
    variant = "small_16k"
    features = root / files.FEATURES_PACKAGE
    vocab_size = write_tiny_tokenizer(features)
    clip_cfg = DFN5BCLIPConfig(embed_dim=24, image_size=384, patch_size=64, vision_layers=1, vision_width=32,
                               vision_head_width=16, vocab_size=vocab_size, text_width=16, text_heads=2,
                               text_layers=1)
    sync_cfg = SynchformerConfig(embed_dim=32, depth=1, num_heads=2, patch_size=56)
    net_cfg = MMAudioConfig(latent_dim=20, clip_dim=24, sync_dim=32, text_dim=16, hidden_dim=32, depth=2,
                            fused_depth=1, num_heads=2, mode="16k",
                            sequence=SequenceConfig(sampling_rate=16000, spectrogram_frame_rate=256))
    vae_dims = {"data_dim": 80, "embed_dim": 20, "hidden_dim": 8}
    voc_cfg = BigVGANConfig(upsample_initial_channel=64)

    net = MMAudioModel(net_cfg)
    with torch.no_grad():
        net.latent_mean.zero_()
        net.latent_std.fill_(1.0)
        net.empty_string_feat.normal_()
        net.empty_clip_feat.normal_()
        net.empty_sync_feat.normal_()
    clip = DFN5BCLIP(clip_cfg)
    with torch.no_grad():
        clip.positional_embedding.normal_(std=0.02)
        clip.text_projection.normal_(std=0.1)
    sync = SynchformerEncoder(sync_cfg)
    vae = MMAudioVAE(**vae_dims)
    vocoder = BigVGANVocoder(voc_cfg)

    def save(obj: dict, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(obj, path)

    save(net.state_dict(), root / files.network_package(variant) / files.NETWORK_FILES[variant])
    save(clip.state_dict(), features / files.CLIP_FILE)
    # real Synchformer files also hold the audio branch; the loader keeps only vfeat_extractor.*
    save({**sync.state_dict(), "afeat_extractor.unused": torch.zeros(3)}, features / files.SYNCHFORMER_FILE)
    decoder = root / files.decoder_package("16k")
    save(vae.state_dict(), decoder / files.VAE_FILES["16k"])
    save({"generator": vocoder.state_dict()}, decoder / files.VOCODER_FILES["16k"])
    arch = MMAudioArchitecture(network=net_cfg, vae=vae_dims, vocoder=voc_cfg, clip=clip_cfg,
                               synchformer=sync_cfg, window_seconds=window_seconds)
    return TinyModelSet(root=root, variant=variant, architecture=arch)
