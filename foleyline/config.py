"""Where Foleyline keeps its files, in one place.

Every path can be overridden by an environment variable (tests point them at temp folders):

    FOLEYLINE_CONFIG_DIR   token, client config          (default: platformdirs user config dir)
    FOLEYLINE_DATA_DIR     store: SQLite + WAV files     (default: platformdirs user data dir)
    FOLEYLINE_MODELS_DIR   model weights                 (default: <data dir>/models)
    FOLEYLINE_SERVER       address of a running server   (default: none -> start one in-process)
    FOLEYLINE_COMPUTE_THREADS  torch/BLAS/OpenCV threads per engine worker (default: 0 -> the
                           cores shared out between the workers; foleyline.server.threads)
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


def config_dir() -> Path:
    return Path(os.environ.get("FOLEYLINE_CONFIG_DIR") or platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    return Path(os.environ.get("FOLEYLINE_DATA_DIR") or platformdirs.user_data_dir(APP))


def models_dir() -> Path:
    return Path(os.environ.get("FOLEYLINE_MODELS_DIR") or data_dir() / "models")


def configured_server() -> str | None:
    """The address of a server the user configured, or None (start one in-process)."""
    return os.environ.get("FOLEYLINE_SERVER") or None


def compute_threads() -> int | None:
    """Threads per engine worker the user asked for, or None (the cores shared out)."""
    raw = os.environ.get("FOLEYLINE_COMPUTE_THREADS", "").strip()
    if not raw or raw == "0":
        return None
    if not raw.isdigit():
        raise InvalidInput(f"FOLEYLINE_COMPUTE_THREADS must be a whole number of threads (0: automatic), got {raw!r}")
    return int(raw)


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
