"""HunyuanVideo-Foley's model packages: what ``foleyline models pull NAME`` downloads and where
the engine finds it (``<models dir>/<package>/<file>``), in the release's own file layout.

- ``hunyuan-foley``: the XXL flow network ``hunyuanvideo_foley.pth`` (5.1 B parameters);
- ``hunyuan-foley-xl``: the XL flow network ``hunyuanvideo_foley_xl.pth`` (2.9 B);
- ``hunyuan-foley-features``, pulled with either: the 48 kHz DAC VAE ``vae_128d_48k.pth`` and
  ``synchformer_state_dict.pth`` (both from the release repo), the SigLIP2 image model and the
  CLAP text model (their own hub repos) in transformers folders.

A network package folder may hold ``config.yaml`` in the reference's form
(``model_config.model_kwargs``); without it the released sizes are used.

Checksums: Tencent publishes none besides the hub's own. The pull checks every hub file against
the sha256 and size the hub publishes for it (the LFS pointer), then records the sha256 of what
it installed, which ``foleyline models verify`` checks later.
"""

from __future__ import annotations

from pathlib import Path

from foleyline.server.models.catalog import ModelFile, ModelPackage

__all__ = [
    "CLAP_FOLDER", "CONFIG_FILE", "DEPENDS", "FEATURES_PACKAGE", "NETWORK_FILES", "PACKAGES", "SIGLIP_FOLDER",
    "SYNCHFORMER_FILE", "VAE_FILE", "missing_files", "network_package",
]

RELEASE_REPO = "tencent/HunyuanVideo-Foley"
SIGLIP_REPO = "google/siglip2-base-patch16-512"
CLAP_REPO = "laion/larger_clap_general"

NETWORK_FILES = {"xxl": "hunyuanvideo_foley.pth", "xl": "hunyuanvideo_foley_xl.pth"}
CONFIG_FILE = "config.yaml"
VAE_FILE = "vae_128d_48k.pth"
SYNCHFORMER_FILE = "synchformer_state_dict.pth"
SIGLIP_FOLDER = "siglip2-base-patch16-512"
CLAP_FOLDER = "larger_clap_general"
FEATURES_PACKAGE = "hunyuan-foley-features"

LICENCE_ID = "LicenseRef-Tencent-Hunyuan-Community"
LICENCE = (
    "HunyuanVideo-Foley's code and trained weights (the flow networks, the DAC VAE and the "
    "Synchformer weights shipped with them) are licensed under the TENCENT HUNYUAN COMMUNITY "
    "LICENSE AGREEMENT, which is not an open-source licence. Its main conditions: "
    "(1) TERRITORY: it does not apply in, and grants no rights in, the European Union, the United "
    "Kingdom or South Korea; do not use these weights or their outputs there. "
    "(2) SCALE: if the products or services using it had more than 100 million monthly active "
    "users in the preceding calendar month, you must request a separate licence from Tencent and "
    "may not use it until Tencent grants one. "
    "(3) OTHER MODELS: you must not use the model or its outputs (takes made with this engine "
    "included) to train or otherwise improve any AI model other than HunyuanVideo-Foley and its "
    "derivatives. "
    "(4) USE: the Acceptable Use Policy attached to the licence applies (no unlawful, harmful or "
    "deceptive uses). "
    "(5) REDISTRIBUTION: copies of the weights must carry the licence text and the notice "
    "'Tencent Hunyuan is licensed under the Tencent Hunyuan Community License Agreement'. "
    "Commercial use is otherwise allowed. Read the LICENSE file of tencent/HunyuanVideo-Foley "
    "before use."
)
FEATURES_LICENCE = (
    LICENCE + " The package also holds two Hugging Face models under their own licences: SigLIP2 "
    "(google/siglip2-base-patch16-512, Apache-2.0 per its model card) and CLAP "
    "(laion/larger_clap_general, Apache-2.0 per its model card); read both cards."
)

# What transformers needs from each encoder's hub repo (SigLIP2's text tower comes with the
# weights but is never run; its tokenizer is not needed).
SIGLIP_FILES = ("config.json", "model.safetensors")
CLAP_FILES = ("config.json", "model.safetensors", "vocab.json", "merges.txt", "tokenizer_config.json",
              "special_tokens_map.json")


def network_package(variant: str) -> str:
    return "hunyuan-foley" if variant == "xxl" else f"hunyuan-foley-{variant}"


def _hub(repo: str, filename: str, local: str | None = None) -> ModelFile:
    return ModelFile(local_name=local or filename, sha256=None, hf_repo=repo, hf_filename=filename)


def _network(variant: str, parameters: str) -> ModelPackage:
    return ModelPackage(
        name=network_package(variant),
        engine="hunyuan_foley",
        description=f"HunyuanVideo-Foley {variant.upper()} flow network ({parameters} parameters, 48 kHz)",
        files=(_hub(RELEASE_REPO, NETWORK_FILES[variant]),),
        licence=LICENCE,
        licence_id=LICENCE_ID,
    )


FEATURES = ModelPackage(
    name=FEATURES_PACKAGE,
    engine="hunyuan_foley",
    description="HunyuanVideo-Foley's 48 kHz DAC VAE, Synchformer, SigLIP2 image and CLAP text encoders",
    files=(
        _hub(RELEASE_REPO, VAE_FILE),
        _hub(RELEASE_REPO, SYNCHFORMER_FILE),
        *(_hub(SIGLIP_REPO, name, f"{SIGLIP_FOLDER}/{name}") for name in SIGLIP_FILES),
        *(_hub(CLAP_REPO, name, f"{CLAP_FOLDER}/{name}") for name in CLAP_FILES),
    ),
    licence=FEATURES_LICENCE,
    licence_id=LICENCE_ID + "+Apache-2.0",
)

PACKAGES = (_network("xxl", "5.1 B"), _network("xl", "2.9 B"), FEATURES)
DEPENDS = {network_package(v): (FEATURES_PACKAGE,) for v in NETWORK_FILES}


def missing_files(models_root: Path, variant: str) -> list[Path]:
    """The files the engine cannot start without, for ``variant``, that are absent."""
    features = models_root / FEATURES_PACKAGE
    needed = [
        models_root / network_package(variant) / NETWORK_FILES[variant],
        features / VAE_FILE,
        features / SYNCHFORMER_FILE,
        features / SIGLIP_FOLDER / "config.json",
        features / CLAP_FOLDER / "config.json",
    ]
    return [p for p in needed if not p.is_file()]
