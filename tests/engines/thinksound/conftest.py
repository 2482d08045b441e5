"""Tiny random-weight ThinkSound model folders, laid out exactly like the real package
(``files.py``) and loaded through the same code: official file names and key prefixes, a
Lightning-style vae.ckpt, transformers folders for T5 and MetaCLIP.

The network and VAE weights are the shared tiny fixtures (random, with known reference
outputs); T5, MetaCLIP and Synchformer are drawn here from a fixed seed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from foleyline.server.engines.thinksound import files

T5_WORDS = (
    "the a of and to in on at with from s door slam slams step steps footstep footsteps wood floor "
    "rain wind car engine glass break metal hit soft loud crowd bird birds water fire cloth rustle "
    "background ambience sound effects foley room tone"
).split()


class HyperParameters:
    """Stands for the non-tensor objects a Lightning checkpoint carries besides its weights."""

    def __init__(self, lr: float) -> None:
        self.lr = lr


@pytest.fixture(scope="session")
def ts_fixtures(fixtures_dir: Path) -> Path:
    return fixtures_dir / "thinksound"


@pytest.fixture(scope="session")
def tiny_config(ts_fixtures: Path) -> dict:
    return json.loads((ts_fixtures / "thinksound_tiny_config.json").read_text())


def build_t5_folder(folder: Path) -> None:
    from transformers import T5Config, T5EncoderModel, T5Tokenizer

    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    vocab += [("▁" + w, -float(i + 1)) for i, w in enumerate(T5_WORDS)]
    vocab += [(c, -50.0) for c in "abcdefghijklmnopqrstuvwxyz0123456789.,:;!?-"] + [("▁", -60.0)]
    tokenizer = T5Tokenizer(vocab=vocab, extra_ids=0)
    torch.manual_seed(1)
    config = T5Config(vocab_size=len(vocab), d_model=2048, d_kv=8, d_ff=32, num_layers=1, num_heads=2,
                      feed_forward_proj="gated-gelu", is_encoder_decoder=False)
    T5EncoderModel(config).save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))


def build_metaclip_folder(folder: Path, projection_dim: int) -> None:
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor, CLIPTokenizer

    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for c in "abcdefghijklmnopqrstuvwxyz.,:0123456789":
        vocab[c] = len(vocab)
        vocab[c + "</w>"] = len(vocab)
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[])
    images = CLIPImageProcessor(size={"shortest_edge": 224}, crop_size={"height": 224, "width": 224})
    torch.manual_seed(2)
    config = CLIPConfig(
        text_config=dict(hidden_size=1024, intermediate_size=32, num_hidden_layers=1, num_attention_heads=4,
                         vocab_size=len(vocab), max_position_embeddings=77, bos_token_id=0, eos_token_id=1,
                         pad_token_id=1),
        vision_config=dict(hidden_size=32, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                           image_size=224, patch_size=32),
        projection_dim=projection_dim,
    )
    CLIPModel(config).save_pretrained(str(folder))
    CLIPProcessor(image_processor=images, tokenizer=tokenizer).save_pretrained(str(folder))


def build_model_folder(root: Path, ts_fixtures: Path, tiny_config: dict) -> Path:
    """<root>/thinksound/ with every file the engine reads, tiny and random."""
    from foleyline.server.engines.synchformer import SynchformerConfig, SynchformerEncoder

    folder = files.package_dir(root)
    folder.mkdir(parents=True)
    args = tiny_config["mmmodule_constructor_args"]
    network = load_file(str(ts_fixtures / "thinksound_tiny.safetensors"))
    vae = load_file(str(ts_fixtures / "vae_tiny.safetensors"))
    # thinksound_light.ckpt: the whole wrapper's flat state dict (network + a VAE copy)
    wrapper = {f"model.model.{k}": v for k, v in network.items()}
    wrapper.update({f"pretransform.model.{k}": torch.zeros_like(v) for k, v in vae.items()})
    torch.save(wrapper, folder / files.NETWORK_FILE)
    # vae.ckpt: a Lightning checkpoint with non-tensor entries and other modules' weights
    lightning = {
        "state_dict": {**{f"autoencoder.{k}": v for k, v in vae.items()},
                       "discriminator.conv.weight": torch.zeros(3)},
        "hyper_parameters": HyperParameters(1e-4),
        "epoch": 3,
    }
    torch.save(lightning, folder / files.VAE_FILE)
    sync_config = {"embed_dim": args["sync_dim"], "depth": 1, "num_heads": 2}
    torch.manual_seed(3)
    synchformer = SynchformerEncoder(SynchformerConfig(**sync_config))
    torch.save({**synchformer.state_dict(), "audio_branch.weight": torch.zeros(2)}, folder / files.SYNCHFORMER_FILE)
    build_t5_folder(folder / files.T5_FOLDER)
    build_metaclip_folder(folder / files.METACLIP_FOLDER, args["clip_dim"])
    architecture = {
        "network": args,
        "vae": {"channels": 4},
        "synchformer": sync_config,
    }
    (folder / "foleyline_architecture.json").write_text(json.dumps(architecture))
    return folder


@pytest.fixture(scope="session")
def tiny_models_root(tmp_path_factory: pytest.TempPathFactory, ts_fixtures: Path, tiny_config: dict) -> Path:
    """A models root holding a complete tiny ``thinksound`` package (built once per session)."""
    root = tmp_path_factory.mktemp("models")
    build_model_folder(root, ts_fixtures, tiny_config)
    return root
