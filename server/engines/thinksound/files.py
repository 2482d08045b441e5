"""The ``thinksound`` model package: what ``foleyline models pull thinksound`` downloads into
``<models dir>/thinksound/`` and what the engine reads from there.

Checksums: the ThinkSound repository publishes none, and the Hugging Face hub's LFS sha256 of
these files could not be looked up while writing this (no network); ``sha256=None`` makes the
pull say so and record the hub's own LFS hash of what it downloaded. Fill them in from a
verified download.
"""

from __future__ import annotations

from pathlib import Path

from foleyline.config import models_dir
from foleyline.server.models.catalog import ModelFile, ModelPackage

__all__ = ["PACKAGE", "PACKAGE_NAME", "missing_files", "package_dir"]

PACKAGE_NAME = "thinksound"
THINKSOUND_REPO = "liuhuadai/ThinkSound"   # mirrored as FunAudioLLM/ThinkSound
T5_REPO = "google/t5-v1_1-xl"
METACLIP_REPO = "facebook/metaclip-h14-fullcc2.5b"

NETWORK_FILE = "thinksound_light.ckpt"
VAE_FILE = "vae.ckpt"
SYNCHFORMER_FILE = "synchformer_state_dict.pth"
T5_FOLDER = "t5-v1_1-xl"
METACLIP_FOLDER = "metaclip-h14-fullcc2.5b"

LICENCE = (
    "ThinkSound's code, models and data are for RESEARCH AND EDUCATIONAL PURPOSES ONLY; "
    "commercial use is NOT permitted (contact the authors for a commercial licence). "
    "Its VAE is fine-tuned from Stable Audio Open and falls under the Stability AI Community "
    "License: commercial use and redistribution need Stability AI's prior permission. "
    "T5 v1.1 (Apache-2.0) and MetaCLIP (CC-BY-NC-4.0, non-commercial) carry their own licences. "
    "Do not use takes made with this engine in commercial productions."
)


def _hub(repo: str, filename: str, local: str) -> ModelFile:
    return ModelFile(local_name=local, sha256=None, hf_repo=repo, hf_filename=filename)


PACKAGE = ModelPackage(
    name=PACKAGE_NAME,
    engine="thinksound",
    description=(
        "ThinkSound light (1.28 B parameter flow network), its fine-tuned Oobleck VAE (44.1 kHz "
        "stereo), Synchformer, T5 v1.1-XL text encoder and MetaCLIP H/14"
    ),
    files=(
        _hub(THINKSOUND_REPO, NETWORK_FILE, NETWORK_FILE),
        _hub(THINKSOUND_REPO, VAE_FILE, VAE_FILE),
        _hub(THINKSOUND_REPO, SYNCHFORMER_FILE, SYNCHFORMER_FILE),
        *(
            _hub(T5_REPO, name, f"{T5_FOLDER}/{name}")
            for name in ("config.json", "pytorch_model.bin", "spiece.model",
                         "special_tokens_map.json", "tokenizer_config.json")
        ),
        *(
            _hub(METACLIP_REPO, name, f"{METACLIP_FOLDER}/{name}")
            for name in ("config.json", "pytorch_model.bin", "preprocessor_config.json",
                         "tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt",
                         "special_tokens_map.json")
        ),
    ),
    licence=LICENCE,
    licence_id="LicenseRef-ThinkSound-research-only",
)

# The files the engine cannot start without (the others are tokenizer extras).
REQUIRED = (NETWORK_FILE, VAE_FILE, SYNCHFORMER_FILE, f"{T5_FOLDER}/config.json", f"{METACLIP_FOLDER}/config.json")


def package_dir(models_root: Path | None = None) -> Path:
    if models_root is None:
        models_root = models_dir()
    return Path(models_root) / PACKAGE_NAME


def missing_files(folder: Path, *, need_synchformer: bool = True) -> list[str]:
    """The required files absent from ``folder`` (relative names)."""
    return [
        name for name in REQUIRED
        if (need_synchformer or name != SYNCHFORMER_FILE) and not (folder / name).is_file()
    ]
