"""The drafting models' packages: what ``foleyline models pull NAME`` downloads for the notes
ladder (``drafters.py``) and where it finds them (``<models dir>/<package>/``). The drafter
manifest (``foleyline.server.engines.manifest.BUILTIN_DRAFTERS``) names this module.

- ``qwen3-vl-2b``: Qwen3-VL-2B-Instruct, the small vision-language model (Apache-2.0);
- ``qwen2.5-vl-3b``: Qwen2.5-VL-3B-Instruct (the Qwen Research License: research only);
- ``qwen2.5-vl-7b``: Qwen2.5-VL-7B-Instruct, the larger one (Apache-2.0);
- ``clip-vit-b32``: OpenAI CLIP ViT-B/32 in the transformers layout (MIT), for zero-shot labels
  where MMAudio's DFN5B CLIP is not installed.

Only the files the loaders read are pulled (weights, config, tokenizer, image processor).
Checksums: none is written here (they could not be looked up offline); the pull checks hub
files against the sha256 and size the hub publishes and records what it installed, so
``models verify`` catches corruption afterwards. A sharded checkpoint's index is checked against
the shards listed here, so a changed upstream file list fails the pull instead of installing a
model that cannot load.
"""

from __future__ import annotations

from foleyline.server.models.catalog import ModelFile, ModelPackage

__all__ = ["PACKAGES", "VLM_PACKAGES", "CLIP_PACKAGE"]

_QWEN_SETUP = ("config.json", "generation_config.json", "preprocessor_config.json", "tokenizer.json",
               "tokenizer_config.json", "vocab.json", "merges.txt")

APACHE = ("Apache License 2.0: use, modify and redistribute, commercially too, keeping the licence "
          "and notices; no trademark rights; no warranty.")
QWEN_RESEARCH = (
    "The Qwen RESEARCH License Agreement (Alibaba Cloud): the weights may be used, copied and "
    "modified for NON-COMMERCIAL research and evaluation only. Commercial use, including notes "
    "drafted for a commercial production, needs a separate licence from Alibaba Cloud. "
    "Redistribution must carry the licence, and products built on it must say 'Built with Qwen'. "
    "No warranty. Read the LICENSE file the pull installs beside the weights before use; for "
    "commercial work pull qwen3-vl-2b or qwen2.5-vl-7b (Apache-2.0) instead."
)
MIT = "MIT licence: any use, commercial included, keeping the copyright notice; no warranty."


def _hub(repo: str, names: tuple[str, ...]) -> tuple[ModelFile, ...]:
    return tuple(ModelFile(local_name=name, sha256=None, hf_repo=repo, hf_filename=name) for name in names)


def _shards(count: int) -> tuple[str, ...]:
    return ("model.safetensors.index.json",
            *(f"model-{i:05d}-of-{count:05d}.safetensors" for i in range(1, count + 1)))


VLM_PACKAGES = (
    ModelPackage(
        name="qwen3-vl-2b",
        engine="notes",
        description="Qwen3-VL-2B-Instruct vision-language model: drafts notes from the frames "
                    "(2.1 B parameters, 4.3 GB; about 6 GB of GPU memory in bf16)",
        files=_hub("Qwen/Qwen3-VL-2B-Instruct", (*_QWEN_SETUP, "model.safetensors")),
        licence=APACHE,
        licence_id="Apache-2.0",
    ),
    ModelPackage(
        name="qwen2.5-vl-3b",
        engine="notes",
        description="Qwen2.5-VL-3B-Instruct vision-language model: drafts notes from the frames "
                    "(3.8 B parameters, 7.5 GB; about 10 GB of GPU memory in bf16). RESEARCH USE ONLY",
        files=_hub("Qwen/Qwen2.5-VL-3B-Instruct", (*_QWEN_SETUP, "LICENSE", *_shards(2))),
        licence=QWEN_RESEARCH,
        licence_id="LicenseRef-Qwen-Research",
    ),
    ModelPackage(
        name="qwen2.5-vl-7b",
        engine="notes",
        description="Qwen2.5-VL-7B-Instruct vision-language model: the larger drafter "
                    "(8.3 B parameters, 16.6 GB; about 20 GB of GPU memory in bf16)",
        files=_hub("Qwen/Qwen2.5-VL-7B-Instruct", (*_QWEN_SETUP, *_shards(5))),
        licence=APACHE,
        licence_id="Apache-2.0",
    ),
)

CLIP_PACKAGE = ModelPackage(
    name="clip-vit-b32",
    engine="notes",
    description="OpenAI CLIP ViT-B/32: zero-shot labels of what the frames show, for the motion "
                "analysis' layers (0.15 B parameters, 605 MB; runs on a CPU)",
    files=_hub("openai/clip-vit-base-patch32", (
        "config.json", "pytorch_model.bin", "preprocessor_config.json", "tokenizer.json",
        "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt")),
    licence=MIT,
    licence_id="MIT",
)

PACKAGES = (*VLM_PACKAGES, CLIP_PACKAGE)
