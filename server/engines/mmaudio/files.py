"""MMAudio's model packages: what ``foleyline models pull NAME`` downloads and where the engine
finds it (``<models dir>/<package>/<file>``).

- ``mmaudio-<variant>``: the flow network of one variant (hkchengrex/MMAudio on the hub).
- ``mmaudio-features``: the DFN5B CLIP ViT-H/14-384 (open_clip checkpoint + CLIP BPE tokenizer
  files) and the Synchformer visual encoder.
- ``mmaudio-decoder-16k`` / ``-44k``: the mel VAE and the BigVGAN vocoder of each sample rate.

Pulling a network package pulls the feature and decoder packages it needs (``DEPENDS``).

Checksums: MMAudio publishes MD5s (its ``download_utils.py``) for the networks, the VAEs, the
16 kHz vocoder and the Synchformer; the pull checks them and records the sha256 of what it
installed. The CLIP, tokenizer and BigVGAN-v2 files come with no published checksum: the pull
says so, records their sha256, and ``verify`` checks against that record afterwards.
"""

from __future__ import annotations

from pathlib import Path

from foleyline.server.models.catalog import ModelFile, ModelPackage

__all__ = [
    "DEPENDS", "PACKAGES", "VARIANT_PACKAGES", "decoder_package", "missing_files", "network_package",
]

MMAUDIO_REPO = "hkchengrex/MMAudio"
RELEASE = "https://github.com/hkchengrex/MMAudio/releases/download/v0.1"
CLIP_REPO = "apple/DFN5B-CLIP-ViT-H-14-384"
CLIP_TOKENIZER_REPO = "apple/DFN5B-CLIP-ViT-H-14-378"  # same CLIP BPE vocabulary, ships vocab/merges
BIGVGAN_44K_REPO = "nvidia/bigvgan_v2_44khz_128band_512x"

MMAUDIO_LICENCE = (
    "MMAudio's trained weights are released under CC BY-NC 4.0: non-commercial use only, with "
    "attribution (Cheng et al., 'MMAudio', CVPR 2025). Takes made with them must not be used "
    "commercially without the authors' permission."
)
FEATURES_LICENCE = (
    "apple/DFN5B-CLIP-ViT-H-14-384 is distributed under the Apple Sample Code License (hub "
    "licence tag 'apple-sample-code-license'; read the LICENSE file in the hub repo before use); "
    "the Synchformer weights come with MMAudio's release (the MMAudio code is MIT; trained "
    "weights CC BY-NC 4.0). Treat the package as non-commercial."
)
DECODER_LICENCE = (
    "The mel VAEs are MMAudio's (CC BY-NC 4.0, non-commercial). The 16 kHz vocoder is "
    "Make-An-Audio 2's BigVGAN as redistributed by MMAudio (same terms); the 44.1 kHz vocoder "
    "is NVIDIA BigVGAN-v2 (MIT)."
)

NETWORK_FILES = {
    "small_16k": "mmaudio_small_16k.pth",
    "small_44k": "mmaudio_small_44k.pth",
    "medium_44k": "mmaudio_medium_44k.pth",
    "large_44k": "mmaudio_large_44k.pth",
    "large_44k_v2": "mmaudio_large_44k_v2.pth",
}
CLIP_FILE = "open_clip_pytorch_model.bin"
TOKENIZER_FILES = ("vocab.json", "merges.txt")
SYNCHFORMER_FILE = "synchformer_state_dict.pth"
VAE_FILES = {"16k": "v1-16.pth", "44k": "v1-44.pth"}
VOCODER_FILES = {"16k": "best_netG.pt", "44k": "bigvgan_generator.pt"}
# The MD5s MMAudio publishes for its release files.
PUBLISHED_MD5 = {
    "mmaudio_small_16k.pth": "af93cde404179f58e3919ac085b8033b",
    "mmaudio_small_44k.pth": "babd74c884783d13701ea2820a5f5b6d",
    "mmaudio_medium_44k.pth": "5a56b6665e45a1e65ada534defa903d0",
    "mmaudio_large_44k.pth": "fed96c325a6785b85ce75ae1aafd2673",
    "mmaudio_large_44k_v2.pth": "01ad4464f049b2d7efdaa4c1a59b8dfe",
    "v1-16.pth": "69f56803f59a549a1a507c93859fd4d7",
    "best_netG.pt": "eeaf372a38a9c31c362120aba2dde292",
    "v1-44.pth": "fab020275fa44c6589820ce025191600",
    "synchformer_state_dict.pth": "5b2f5594b0730f70e41e549b7c94390c",
}
FEATURES_PACKAGE = "mmaudio-features"


def network_package(variant: str) -> str:
    return "mmaudio-" + variant.replace("_", "-")


def decoder_package(mode: str) -> str:
    return f"mmaudio-decoder-{mode}"


def _network(variant: str) -> ModelPackage:
    name = NETWORK_FILES[variant]
    return ModelPackage(
        name=network_package(variant),
        engine="mmaudio",
        description=f"MMAudio {variant} flow network",
        files=(ModelFile(local_name=name, sha256=None, md5=PUBLISHED_MD5[name], hf_repo=MMAUDIO_REPO, hf_filename=f"weights/{name}"),),
        licence=MMAUDIO_LICENCE,
        licence_id="CC-BY-NC-4.0",
    )


FEATURES = ModelPackage(
    name=FEATURES_PACKAGE,
    engine="mmaudio",
    description="DFN5B CLIP ViT-H/14-384 (image + text towers, tokenizer) and the Synchformer video encoder",
    files=(
        ModelFile(local_name=CLIP_FILE, sha256=None, hf_repo=CLIP_REPO, hf_filename=CLIP_FILE),
        *(ModelFile(local_name=f, sha256=None, hf_repo=CLIP_TOKENIZER_REPO, hf_filename=f) for f in TOKENIZER_FILES),
        ModelFile(local_name=SYNCHFORMER_FILE, sha256=None, md5=PUBLISHED_MD5[SYNCHFORMER_FILE], url=f"{RELEASE}/{SYNCHFORMER_FILE}"),
    ),
    licence=FEATURES_LICENCE,
    licence_id="LicenseRef-Apple-Sample-Code+CC-BY-NC-4.0",
)

DECODERS = (
    ModelPackage(
        name=decoder_package("16k"),
        engine="mmaudio",
        description="16 kHz mel VAE and BigVGAN vocoder",
        files=(
            ModelFile(local_name=VAE_FILES["16k"], sha256=None, md5=PUBLISHED_MD5[VAE_FILES["16k"]], url=f"{RELEASE}/{VAE_FILES['16k']}"),
            ModelFile(local_name=VOCODER_FILES["16k"], sha256=None, md5=PUBLISHED_MD5[VOCODER_FILES["16k"]], url=f"{RELEASE}/{VOCODER_FILES['16k']}"),
        ),
        licence=DECODER_LICENCE,
        licence_id="CC-BY-NC-4.0",
    ),
    ModelPackage(
        name=decoder_package("44k"),
        engine="mmaudio",
        description="44.1 kHz mel VAE and NVIDIA BigVGAN-v2 vocoder",
        files=(
            ModelFile(local_name=VAE_FILES["44k"], sha256=None, md5=PUBLISHED_MD5[VAE_FILES["44k"]], url=f"{RELEASE}/{VAE_FILES['44k']}"),
            ModelFile(local_name=VOCODER_FILES["44k"], sha256=None, hf_repo=BIGVGAN_44K_REPO,
                      hf_filename=VOCODER_FILES["44k"]),
            ModelFile(local_name="config.json", sha256=None, hf_repo=BIGVGAN_44K_REPO, hf_filename="config.json"),
        ),
        licence=DECODER_LICENCE,
        licence_id="CC-BY-NC-4.0+MIT",
    ),
)

VARIANT_PACKAGES = {variant: _network(variant) for variant in NETWORK_FILES}
PACKAGES = (*VARIANT_PACKAGES.values(), FEATURES, *DECODERS)
DEPENDS = {
    network_package(v): (FEATURES_PACKAGE, decoder_package("16k" if v.endswith("16k") else "44k"))
    for v in NETWORK_FILES
}


def missing_files(models_root: Path, variant: str) -> list[Path]:
    """Files the engine needs for ``variant`` that are absent (tokenizer and configs included)."""
    mode = "16k" if variant.endswith("16k") else "44k"
    needed = [
        models_root / network_package(variant) / NETWORK_FILES[variant],
        models_root / FEATURES_PACKAGE / CLIP_FILE,
        *(models_root / FEATURES_PACKAGE / f for f in TOKENIZER_FILES),
        models_root / FEATURES_PACKAGE / SYNCHFORMER_FILE,
        models_root / decoder_package(mode) / VAE_FILES[mode],
        models_root / decoder_package(mode) / VOCODER_FILES[mode],
    ]
    return [p for p in needed if not p.is_file()]
