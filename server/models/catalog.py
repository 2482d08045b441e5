"""What a model package is made of: the files to download, where from, their checksums and the
licence the user accepts before the first pull. Each engine declares its packages in its own
``files.py``; ``foleyline.server.models`` pulls and verifies them on request only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelFile:
    """One file of a model package, stored at ``<models dir>/<package>/<local_name>``."""

    local_name: str
    sha256: str | None          # None where upstream publishes no sha256 (said at pull)
    size: int | None = None
    hf_repo: str | None = None  # Hugging Face repo id, when the file comes from the hub
    hf_filename: str | None = None
    hf_revision: str | None = None
    url: str | None = None      # an upstream release URL, when it does not
    md5: str | None = None      # the checksum upstream publishes, where it publishes MD5 only


@dataclass(frozen=True)
class ModelPackage:
    name: str                   # e.g. "mmaudio-small-16k", "thinksound"
    engine: str
    description: str
    files: tuple[ModelFile, ...]
    licence: str                # plain words: what the weights' licence allows
    licence_id: str             # e.g. "CC-BY-NC-4.0"
