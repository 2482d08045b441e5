"""Fixtures of the MMAudio tests: the shared reference fixtures and a tiny random model set
written to a temporary model folder in the real file layout."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import torch

from foleyline.server.engines.mmaudio import files
from foleyline.server.engines.mmaudio.bigvgan import BIGVGAN_PRESETS, BigVGANVocoder
from foleyline.server.engines.mmaudio.clip import DFN5BCLIP, DFN5BCLIPConfig
from foleyline.server.engines.mmaudio.configuration_mmaudio import MMAudioConfig
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


def _wrapped(state: dict, *, key: str | None, prefix: str, dtype: torch.dtype | None) -> dict:
    """``state`` as a trainer might have saved it: under a wrapping key, with a prefix on every
    key, its floating tensors in another dtype."""
    state = {prefix + k: (v.to(dtype) if dtype is not None and v.is_floating_point() else v) for k, v in state.items()}
    return {key: state} if key else state


def _weight_normed(state: dict, spelling: str) -> dict:
    """A plain-conv vocoder state dict in a weight-norm spelling (g = ‖w‖, v = w)."""
    if spelling == "plain":
        return state
    g_name, v_name = {"legacy": ("weight_g", "weight_v"),
                      "parametrizations": ("parametrizations.weight.original0", "parametrizations.weight.original1")}[spelling]
    out = {}
    for key, value in state.items():
        if key.endswith(".weight") and value.dim() == 3:
            layer = key[: -len(".weight")]
            out[f"{layer}.{g_name}"] = torch.linalg.vector_norm(value, dim=(1, 2), keepdim=True)
            out[f"{layer}.{v_name}"] = value
        else:
            out[key] = value
    return out


def build_tiny_model_set(root: Path, *, seed: int = 0, window_seconds: float = 8.0, variant: str = "small_16k",
                         hidden_dim: int = 32, num_heads: int = 2, depth: int = 2, fused_depth: int = 1,
                         mlp_ratio: float = 4.0, wrapper: str | None = None, prefix: str = "",
                         dtype: torch.dtype | None = None, vocoder_form: str = "plain",
                         vocoder_filters: bool = True) -> TinyModelSet:
    """Random tiny networks of the real architecture, saved as the engine expects them.

    ``variant`` picks the file names and the 16k/44k and v1/v2 code paths; the sizes and the
    quirks of real files (``wrapper`` key, key ``prefix``, stored ``dtype``, the vocoder's
    weight-norm form and whether it stores its fixed filters) are the caller's."""
    torch.manual_seed(seed)
    mode = "16k" if variant.endswith("16k") else "44k"
    features = root / files.FEATURES_PACKAGE
    vocab_size = write_tiny_tokenizer(features)
    clip_cfg = DFN5BCLIPConfig(embed_dim=24, image_size=384, patch_size=64, vision_layers=1, vision_width=32,
                               vision_head_width=16, vocab_size=vocab_size, text_width=16, text_heads=2,
                               text_layers=1)
    sync_cfg = SynchformerConfig(embed_dim=32, depth=1, num_heads=2, patch_size=56)
    preset = MMAudioConfig.preset(variant)
    net_cfg = MMAudioConfig(latent_dim=preset.latent_dim, clip_dim=24, sync_dim=32, text_dim=16, hidden_dim=hidden_dim,
                            depth=depth, fused_depth=fused_depth, num_heads=num_heads, mlp_ratio=mlp_ratio,
                            v2=preset.v2, mode=mode, sequence=preset.sequence)
    vae_dims = {"data_dim": {"16k": 80, "44k": 128}[mode], "embed_dim": preset.latent_dim, "hidden_dim": 8}
    voc_cfg = replace(BIGVGAN_PRESETS[mode], upsample_initial_channel=64)

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

    def quirky(state: dict) -> dict:
        return _wrapped(state, key=wrapper, prefix=prefix, dtype=dtype)

    save(quirky(net.state_dict()), root / files.network_package(variant) / files.NETWORK_FILES[variant])
    save(clip.state_dict(), features / files.CLIP_FILE)
    # real Synchformer files also hold the audio branch; the loader keeps only vfeat_extractor.*
    save({**sync.state_dict(), "afeat_extractor.unused": torch.zeros(3)}, features / files.SYNCHFORMER_FILE)
    decoder = root / files.decoder_package(mode)
    save(quirky(vae.state_dict()), decoder / files.VAE_FILES[mode])
    vocoder_state = {k: v for k, v in vocoder.state_dict().items() if vocoder_filters or not k.endswith(".filter")}
    save({"generator": _weight_normed(vocoder_state, vocoder_form)}, decoder / files.VOCODER_FILES[mode])
    arch = MMAudioArchitecture(network=net_cfg, vae=vae_dims, vocoder=voc_cfg, clip=clip_cfg,
                               synchformer=sync_cfg, window_seconds=window_seconds)
    return TinyModelSet(root=root, variant=variant, architecture=arch)
