"""Tiny random-weight HunyuanVideo-Foley model folders in the release's file layout, loaded by
the engine through the same code as the real ones:

    <root>/hunyuan-foley/hunyuanvideo_foley.pth     flat state dict (torch.save), no prefix
    <root>/hunyuan-foley/config.yaml                the reference's config form (tiny sizes)
    <root>/hunyuan-foley-features/vae_128d_48k.pth  {"state_dict": weight-normed DAC, "metadata": {"kwargs"}}
    <root>/hunyuan-foley-features/synchformer_state_dict.pth   the whole Synchformer (audio branch too)
    <root>/hunyuan-foley-features/siglip2-base-patch16-512/    a transformers SigLIP folder
    <root>/hunyuan-foley-features/larger_clap_general/         a transformers CLAP folder + tokenizer

The network and VAE weights are the shared tiny fixtures; the encoders are drawn here from fixed
seeds at the network's feature widths.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
import yaml
from safetensors.torch import load_file

from foleyline.server.engines.hunyuan_foley import files

__all__ = ["build_model_folder"]


def _write_clap(folder: Path, width: int) -> None:
    from transformers import ClapTextConfig, ClapTextModelWithProjection, RobertaTokenizer

    from foleyline.server.engines.mmaudio.tokenizer import _bytes_to_unicode

    # byte-level BPE over single bytes (no merges): every character is a token
    symbols = ["<s>", "<pad>", "</s>", "<unk>"] + list(_bytes_to_unicode().values()) + ["<mask>"]
    RobertaTokenizer(vocab={s: i for i, s in enumerate(symbols)}, merges=[]).save_pretrained(str(folder))
    torch.manual_seed(11)
    config = ClapTextConfig(vocab_size=len(symbols), hidden_size=width, num_hidden_layers=1, num_attention_heads=2,
                            intermediate_size=32, max_position_embeddings=514, projection_dim=16)
    ClapTextModelWithProjection(config).save_pretrained(str(folder))


def _write_siglip(folder: Path, width: int) -> None:
    from transformers import SiglipConfig, SiglipModel

    torch.manual_seed(12)
    config = SiglipConfig(
        text_config=dict(hidden_size=16, intermediate_size=16, num_hidden_layers=1, num_attention_heads=2,
                         vocab_size=64, max_position_embeddings=16),
        vision_config=dict(hidden_size=width, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                           image_size=64, patch_size=16),
    )
    SiglipModel(config).save_pretrained(str(folder))


def _vae_state(fixtures: Path, channels: int) -> dict[str, torch.Tensor]:
    state = load_file(str(fixtures / "vae_tiny.safetensors"))
    if channels != 1:  # a multi-channel decoder (not a released model): widen the output conv
        for suffix, dim in (("weight_g", 0), ("weight_v", 0), ("bias", 0)):
            key = f"decoder.model.7.{suffix}"
            state[key] = torch.cat([state[key]] + [state[key] * (0.9 - 0.2 * i) for i in range(channels - 1)], dim=dim)
    return state


def build_model_folder(root: Path, fixtures: Path, *, vae_channels: int = 1) -> Path:
    """A complete tiny XXL-named installation under ``root`` (a models folder); returns root."""
    config = json.loads((fixtures / "hunyuan_foley_tiny_config.json").read_text())
    kwargs = config["constructor_model_config"]["model_config"]["model_kwargs"]
    network = root / files.network_package("xxl")
    network.mkdir(parents=True)
    torch.save(load_file(str(fixtures / "hunyuan_foley_tiny.safetensors")), network / files.NETWORK_FILES["xxl"])
    (network / files.CONFIG_FILE).write_text(yaml.safe_dump(config["constructor_model_config"]))

    features = root / files.FEATURES_PACKAGE
    features.mkdir(parents=True)
    vae_kwargs = json.loads((fixtures / "vae_tiny_config.json").read_text())["constructor_kwargs"]
    torch.save({"state_dict": _vae_state(fixtures, vae_channels), "metadata": {"kwargs": vae_kwargs}},
               features / files.VAE_FILE)
    from foleyline.server.engines.synchformer import SynchformerConfig, SynchformerEncoder

    sync_config = {"embed_dim": kwargs["sync_feat_dim"], "depth": 1, "num_heads": 2}
    torch.manual_seed(13)
    synchformer = SynchformerEncoder(SynchformerConfig(**sync_config))
    torch.save({**synchformer.state_dict(), "afeat_extractor.patch_embed.proj.weight": torch.zeros(2, 1, 2, 2),
                "transformer.pos_emb_cfg.weight": torch.zeros(3)}, features / files.SYNCHFORMER_FILE)
    (features / "foleyline_architecture.json").write_text(json.dumps({"synchformer": sync_config}))
    _write_siglip(features / files.SIGLIP_FOLDER, kwargs["clip_dim"])
    _write_clap(features / files.CLAP_FOLDER, kwargs["condition_dim"])
    return root
