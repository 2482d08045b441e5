"""Where Foleyline keeps its files, in one place.

Every path can be overridden by an environment variable (tests point them at temp folders):

    FOLEYLINE_CONFIG_DIR   token, client config          (default: platformdirs user config dir)
    FOLEYLINE_DATA_DIR     store: SQLite + WAV files     (default: platformdirs user data dir)
    FOLEYLINE_MODELS_DIR   model weights                 (default: <data dir>/models)
    FOLEYLINE_SERVER       address of a running server   (default: none -> start one in-process)

Deliverables (how take files and Foley tracks are named, who signs the files):

    FOLEYLINE_TAKE_FILE_TEMPLATE  take WAV names       (default: {shot}_{layer}_T{take:02d}.wav;
                                                         see foleyline.plugin.take_files)
    FOLEYLINE_TRACK_NAMES         Foley track names    (default: foley = "Foley BG", "Foley FX",
                                                         "Foley"; short = BG, FX, FOL)
    FOLEYLINE_C2PA_KEY            the facility's signing key (PEM) and certificate chain (PEM,
    FOLEYLINE_C2PA_CERTS            leaf first) for the WAVs' C2PA manifests (default: a local
                                    CA and key made on first use in <config dir>/c2pa, 0600)
    FOLEYLINE_C2PA_TRUST          extra trust anchors (PEM) when reading manifests
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import platformdirs

from foleyline.errors import InvalidInput

APP = "foleyline"
DEFAULT_PORT = 50551
TOKEN_FILE = "token"
DEFAULT_TAKE_FILE_TEMPLATE = "{shot}_{layer}_T{take:02d}.wav"
DEFAULT_TRACK_NAMES = "foley"


def config_dir() -> Path:
    return Path(os.environ.get("FOLEYLINE_CONFIG_DIR") or platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    return Path(os.environ.get("FOLEYLINE_DATA_DIR") or platformdirs.user_data_dir(APP))


def models_dir() -> Path:
    return Path(os.environ.get("FOLEYLINE_MODELS_DIR") or data_dir() / "models")


def configured_server() -> str | None:
    """The address of a server the user configured, or None (start one in-process)."""
    return os.environ.get("FOLEYLINE_SERVER") or None


def take_file_template() -> str:
    """How take WAVs are named (checked where it is used: ``foleyline.plugin.take_files``)."""
    return os.environ.get("FOLEYLINE_TAKE_FILE_TEMPLATE") or DEFAULT_TAKE_FILE_TEMPLATE


def track_names() -> str:
    """The Foley track-name preset (checked where it is used: ``foleyline.plugin.timeline.track_names``)."""
    return os.environ.get("FOLEYLINE_TRACK_NAMES") or DEFAULT_TRACK_NAMES


def c2pa_dir() -> Path:
    """The local signing credentials made on first use: key.pem (0600), chain.pem, ca.pem."""
    return config_dir() / "c2pa"


def c2pa_ca_path() -> Path:
    return c2pa_dir() / "ca.pem"


def facility_signing_files() -> tuple[Path, Path] | None:
    """(key, certificate chain) the facility gave for signing, or None (sign with the local CA)."""
    key, certs = os.environ.get("FOLEYLINE_C2PA_KEY"), os.environ.get("FOLEYLINE_C2PA_CERTS")
    if bool(key) != bool(certs):
        raise InvalidInput("set both FOLEYLINE_C2PA_KEY (the signing key, PEM) and FOLEYLINE_C2PA_CERTS (its "
                           "certificate chain, PEM, leaf first), or neither to sign with the local CA")
    return (Path(key), Path(certs)) if key and certs else None


def c2pa_trust_anchors_path() -> Path | None:
    value = os.environ.get("FOLEYLINE_C2PA_TRUST")
    return Path(value) if value else None


def token_path() -> Path:
    return config_dir() / TOKEN_FILE


def read_token() -> str | None:
    """The token the local server created, or None when no server has ever started here."""
    env = os.environ.get("FOLEYLINE_TOKEN")
    if env:
        return env
    path = token_path()
    return path.read_text().strip() if path.exists() else None


def ensure_token() -> str:
    """Read the token, creating it on first start: a random secret in a file only the user reads."""
    existing = read_token()
    if existing:
        return existing
    path = token_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    # O_EXCL: two servers starting at once must not overwrite each other's token.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    return token
