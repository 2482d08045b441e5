"""Where Foleyline keeps its files, and the settings of the config file, in one place.

Every path can be overridden by an environment variable (tests point them at temp folders):

    FOLEYLINE_CONFIG_DIR   token, config file            (default: platformdirs user config dir)
    FOLEYLINE_DATA_DIR     store: SQLite + WAV files     (default: platformdirs user data dir)
    FOLEYLINE_MODELS_DIR   model weights                 (default: <data dir>/models)
    FOLEYLINE_SERVER       address of a running server   (default: none -> start one in-process)
    FOLEYLINE_SFX_LIBRARY  the editor's sound library    (overrides ``sfx_library`` in the file)

The config file is ``<config dir>/foleyline.toml``. Settings it holds:

    sfx_library = "/Volumes/SFX"   # a folder of sound files used before synthesis (the panel's
                                   # server settings and `--sfx-library` set it too)
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path

import platformdirs
import tomlkit

from foleyline.errors import InvalidInput
from foleyline.fsutil import write_text_atomic

APP = "foleyline"
DEFAULT_PORT = 50551
TOKEN_FILE = "token"
CONFIG_FILE = "foleyline.toml"
SFX_INDEX_FILE = "sfx-library-index.sqlite3"
ENV_SFX_LIBRARY = "FOLEYLINE_SFX_LIBRARY"


def config_dir() -> Path:
    return Path(os.environ.get("FOLEYLINE_CONFIG_DIR") or platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    return Path(os.environ.get("FOLEYLINE_DATA_DIR") or platformdirs.user_data_dir(APP))


def models_dir() -> Path:
    return Path(os.environ.get("FOLEYLINE_MODELS_DIR") or data_dir() / "models")


def configured_server() -> str | None:
    """The address of a server the user configured, or None (start one in-process)."""
    return os.environ.get("FOLEYLINE_SERVER") or None


def config_file() -> Path:
    return config_dir() / CONFIG_FILE


def settings() -> dict[str, object]:
    """The config file's settings; empty when there is no file."""
    path = config_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"the config file {path} is not valid TOML ({exc}); fix it or delete it") from None


def save_setting(key: str, value: str | None) -> Path:
    """Set (or, with None, remove) one top-level setting, keeping the rest of the file and its
    comments as they were."""
    path = config_file()
    settings()  # a malformed file is reported, not overwritten
    document = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    if value is None:
        document.pop(key, None)
    else:
        document[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_text_atomic(path, tomlkit.dumps(document))


def sfx_library() -> Path | None:
    """The editor's sound library folder: FOLEYLINE_SFX_LIBRARY when set, else ``sfx_library``
    in the config file; None when neither names one."""
    value = os.environ.get(ENV_SFX_LIBRARY) or settings().get("sfx_library")
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"sfx_library in {config_file()} must be a folder path in quotes, got {value!r}")
    return Path(value).expanduser()


def sfx_index_path(data: Path | None = None) -> Path:
    """The persistent index of sound libraries, in the data folder."""
    return (data or data_dir()) / SFX_INDEX_FILE


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
