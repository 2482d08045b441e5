"""Fixtures for the notes tests: a tiny random-weight Qwen2.5-VL saved in a temp folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
                 "<|image_pad|>", "<|video_pad|>"]


def _qwen_tokenizer():  # -> (PreTrainedTokenizerFast, {special: id})
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    # Byte-level BPE with no merges: the 256 byte symbols are the whole vocabulary.
    vocab = {symbol: i for i, symbol in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}
    bpe = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.add_special_tokens(QWEN_SPECIALS)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    return tokenizer, {s: tokenizer.convert_tokens_to_ids(s) for s in QWEN_SPECIALS}


def _qwen_text(tokenizer, ids: dict[str, int], **extra: object) -> dict[str, object]:
    return dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
                rope_parameters={"rope_type": "default", "mrope_section": [1, 1, 2], "rope_theta": 10000.0},
                bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"],
                **extra)


def _qwen_tokens(ids: dict[str, int]) -> dict[str, int]:
    return dict(image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
                vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"])


def build_tiny_qwen3_vl(folder: Path) -> Path:
    """The same for Qwen3-VL (16 px patches, deepstack): a newer member of the family."""
    import torch
    from transformers import Qwen2VLImageProcessor, Qwen3VLConfig, Qwen3VLForConditionalGeneration

    tokenizer, ids = _qwen_tokenizer()
    text = _qwen_text(tokenizer, ids, head_dim=8)
    text["rope_parameters"]["mrope_interleaved"] = True  # type: ignore[index]
    config = Qwen3VLConfig(
        text_config=text,
        vision_config=dict(depth=2, hidden_size=32, intermediate_size=64, num_heads=4, out_hidden_size=32,
                           patch_size=16, spatial_merge_size=2, temporal_patch_size=2, num_position_embeddings=64,
                           deepstack_visual_indexes=[1]),
        **_qwen_tokens(ids),
    )
    torch.manual_seed(0)
    Qwen3VLForConditionalGeneration(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    Qwen2VLImageProcessor(patch_size=16, min_pixels=64 * 64, max_pixels=128 * 128).save_pretrained(folder)
    return folder


def build_tiny_qwen25_vl(folder: Path) -> Path:
    """Config, random weights, a byte-level BPE tokenizer and the image processor of a
    Qwen2.5-VL small enough for CPU tests, saved as a real model folder is laid out."""
    import torch
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration, Qwen2VLImageProcessor

    tokenizer, ids = _qwen_tokenizer()
    config = Qwen2_5_VLConfig(
        text_config=_qwen_text(tokenizer, ids),
        vision_config=dict(depth=2, hidden_size=32, intermediate_size=64, num_heads=4, out_hidden_size=32,
                           patch_size=14, spatial_merge_size=2, temporal_patch_size=2, window_size=56,
                           fullatt_block_indexes=[1]),
        **_qwen_tokens(ids),
    )
    torch.manual_seed(0)
    Qwen2_5_VLForConditionalGeneration(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    Qwen2VLImageProcessor(min_pixels=56 * 56, max_pixels=112 * 112).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_qwen3_vl_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_qwen3_vl(tmp_path_factory.mktemp("models") / "tiny-qwen3-vl")


@pytest.fixture(scope="session")
def tiny_vlm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    return build_tiny_qwen25_vl(tmp_path_factory.mktemp("models") / "tiny-qwen2.5-vl")


def build_tiny_clip(folder: Path) -> Path:
    """A CLIP with random weights, a byte-level BPE tokenizer and a 32 px image processor."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, PreTrainedTokenizerFast

    vocab = {symbol: i for i, symbol in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}
    bpe = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.add_special_tokens(["<|startoftext|>", "<|endoftext|>"])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<|startoftext|>", eos_token="<|endoftext|>",
                                        pad_token="<|endoftext|>")
    eos = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    config = CLIPConfig(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, max_position_embeddings=128, eos_token_id=eos, pad_token_id=eos,
                         bos_token_id=tokenizer.convert_tokens_to_ids("<|startoftext|>")),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                           image_size=32, patch_size=8),
        projection_dim=16,
    )
    torch.manual_seed(0)
    CLIPModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_clip(tmp_path_factory.mktemp("models") / "tiny-clip")


def build_tiny_dfn5b(folder: Path) -> Path:
    """MMAudio's features folder with a random tiny DFN5B CLIP (open_clip layout) and a byte-level
    CLIP vocabulary (no merges): what ``mmaudio-features`` holds, small."""
    import json

    import torch

    from foleyline.server.engines.mmaudio.clip import DFN5BCLIP, DFN5BCLIPConfig
    from foleyline.server.engines.mmaudio.tokenizer import _bytes_to_unicode

    symbols = list(_bytes_to_unicode().values())
    vocab = [*symbols, *(s + "</w>" for s in symbols), "<|startoftext|>", "<|endoftext|>"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps({token: i for i, token in enumerate(vocab)}))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    config = DFN5BCLIPConfig(embed_dim=16, image_size=64, patch_size=16, vision_layers=1, vision_width=32,
                             vision_head_width=32, vocab_size=len(vocab), text_width=32, text_heads=1,
                             text_layers=1, input_size=64)
    torch.manual_seed(0)
    model = DFN5BCLIP(config)
    with torch.no_grad():
        model.positional_embedding.normal_(std=0.02)
        model.text_projection.normal_(std=0.1)
    torch.save(model.state_dict(), folder / "open_clip_pytorch_model.bin")
    return folder


@pytest.fixture(scope="session")
def tiny_dfn5b_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_dfn5b(tmp_path_factory.mktemp("models") / "mmaudio-features")


def install_as_package(source: Path, models: Path, package: str) -> Path:
    """Copy a model folder into ``<models>/<package>``, as `foleyline models pull` lays it out;
    a transformers safetensors file becomes pytorch_model.bin where the package ships that."""
    import shutil

    import torch
    from safetensors.torch import load_file

    target = models / package
    shutil.copytree(source, target, dirs_exist_ok=True)
    if package == "clip-vit-b32" and (target / "model.safetensors").is_file():
        torch.save(load_file(str(target / "model.safetensors")), target / "pytorch_model.bin")
        (target / "model.safetensors").unlink()
    return target
