"""Where Foleyline keeps its files, and the server's limits, in one place.

Every path can be overridden by an environment variable (tests point them at temp folders):

    FOLEYLINE_CONFIG_DIR   token, client config          (default: platformdirs user config dir)
    FOLEYLINE_DATA_DIR     store: SQLite + WAV files     (default: platformdirs user data dir)
    FOLEYLINE_MODELS_DIR   model weights                 (default: <data dir>/models)
    FOLEYLINE_SERVER       address of a running server   (default: none -> start one in-process)
    FOLEYLINE_TOKEN        the server's token            (default: the token file in the config dir)

What a server takes on at once (``ServerLimits``; each an environment variable too):

    FOLEYLINE_WORKERS            engine workers per device, e.g. "cpu=2,cuda=1" (unnamed: 1)
    FOLEYLINE_MAX_STREAMS        open streaming calls; more are answered RESOURCE_EXHAUSTED
    FOLEYLINE_STALLED_READER_S   a stream whose client reads nothing this long is closed
    FOLEYLINE_MAX_UPLOAD_BYTES   the largest upload (suffixes K, M, G: 2G)
    FOLEYLINE_UNFOLLOWED_JOBS    "cancel": a job ends when its last follower leaves; "continue"
    FOLEYLINE_SWEEP_INTERVAL_S   how often staged files and orphan WAVs are collected
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from foleyline.errors import InvalidInput, PermissionDenied
from foleyline.fsutil import write_text_atomic

log = logging.getLogger(__name__)

APP = "foleyline"
DEFAULT_PORT = 50551
TOKEN_FILE = "token"
# A token shorter than this is refused: it could be guessed.
MIN_TOKEN_CHARS = 16


def config_dir() -> Path:
    return Path(os.environ.get("FOLEYLINE_CONFIG_DIR") or platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    return Path(os.environ.get("FOLEYLINE_DATA_DIR") or platformdirs.user_data_dir(APP))


def models_dir() -> Path:
    return Path(os.environ.get("FOLEYLINE_MODELS_DIR") or data_dir() / "models")


def configured_server() -> str | None:
    """The address of a server the user configured, or None (start one in-process)."""
    return os.environ.get("FOLEYLINE_SERVER") or None


# ---- the token ----------------------------------------------------------------------------


def token_path() -> Path:
    return config_dir() / TOKEN_FILE


def read_token() -> str | None:
    """The token the local server created, or None when no server has ever started here (or
    its file is empty). A client reads it as it is; the server checks it (``ensure_token``)."""
    env = os.environ.get("FOLEYLINE_TOKEN")
    if env:
        return env
    path = token_path()
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return None


def check_token(token: str, where: str) -> str:
    """``token``, or InvalidInput saying what is wrong with it (too short, spaces, control
    characters), naming ``where`` it came from."""
    if len(token) < MIN_TOKEN_CHARS:
        raise InvalidInput(
            f"the token in {where} is {len(token)} characters; a token needs at least {MIN_TOKEN_CHARS} "
            "(delete the token file and a new one is made on the next start)"
        )
    if any(c.isspace() or not c.isprintable() for c in token):
        raise InvalidInput(f"the token in {where} holds spaces or control characters; use letters, digits and punctuation")
    return token


def _private(path: Path) -> None:
    """The token file readable by its owner only: fixed when others could read it."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        try:
            os.chmod(path, 0o600)
        except OSError as exc:
            raise PermissionDenied(
                f"{path} can be read by other users and cannot be made private ({exc.strerror}); "
                f"run `chmod 600 {path}` as its owner"
            ) from None
        log.warning("%s could be read by other users; made it private (0600)", path)


def ensure_token() -> str:
    """The server's token, creating it on first start: a random secret in a file only the user
    reads. An empty file (a start that died writing it) gets a new token; a short one is
    refused; one others can read is made private."""
    env = os.environ.get("FOLEYLINE_TOKEN")
    if env:
        return check_token(env, "FOLEYLINE_TOKEN")
    path = token_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two servers starting at once must not overwrite each other's token.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        token = secrets.token_urlsafe(32)
        with os.fdopen(fd, "w") as handle:
            handle.write(token + "\n")
        return token
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file; remove it so that the token file can be made there")
    _private(path)
    try:
        text = path.read_text().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read the token file {path} ({exc}); delete it and a new one is made") from None
    if not text:
        token = secrets.token_urlsafe(32)
        write_text_atomic(path, token + "\n", mode=0o600)
        log.warning("the token file %s was empty; wrote a new token", path)
        return token
    return check_token(text, str(path))


# ---- the server's limits ------------------------------------------------------------------

UNFOLLOWED_POLICIES = ("cancel", "continue")


@dataclass(frozen=True)
class ServerLimits:
    """What one server takes on at once, and how it keeps its store tidy."""

    # Engine workers per device ("cpu", "cuda", "cuda:1": the device an engine reports; a
    # device kind covers its numbered devices). A device not named gets one worker.
    workers: Mapping[str, int] = field(default_factory=lambda: {"cpu": 2})
    max_streams: int = 100                  # open streaming calls at once
    stalled_reader_s: float = 30.0          # a client that reads nothing this long is dropped
    max_upload_bytes: int = 4 << 30         # the largest media upload
    unfollowed_jobs: str = "cancel"         # when the last follower leaves: "cancel" or "continue"
    sweep_interval_s: float = 600.0         # staged files and orphan WAVs collected this often

    def workers_for(self, device: str) -> int:
        kind = device.split(":", 1)[0]
        return max(1, int(self.workers.get(device, self.workers.get(kind, 1))))


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


def parse_size(text: str, name: str) -> int:
    """Bytes from "4096", "512M", "2G", "2GiB"."""
    match = _SIZE.match(text)
    if not match:
        raise InvalidInput(f"{name}={text!r} is not a size; write bytes or a number with K, M or G (e.g. 2G)")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def parse_workers(text: str, name: str = "FOLEYLINE_WORKERS") -> dict[str, int]:
    """{"cpu": 2, "cuda": 1} from "cpu=2,cuda=1"."""
    workers: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        device, sep, count = item.partition("=")
        if not sep or not device.strip() or not count.strip().isdigit() or not 1 <= int(count) <= 64:
            raise InvalidInput(f"{name}={text!r}: write DEVICE=COUNT pairs, e.g. cpu=2,cuda=1 (1 to 64 each)")
        workers[device.strip()] = int(count)
    return workers


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        raise InvalidInput(f"{name}={text!r} must be a number from {low:g} to {high:g}")
    return value


def server_limits(env: Mapping[str, str] | None = None) -> ServerLimits:
    """The limits in effect: the defaults, overridden by the environment."""
    env = os.environ if env is None else env
    default = ServerLimits()
    policy = env.get("FOLEYLINE_UNFOLLOWED_JOBS") or default.unfollowed_jobs
    if policy not in UNFOLLOWED_POLICIES:
        raise InvalidInput(f"FOLEYLINE_UNFOLLOWED_JOBS={policy!r}: use one of {', '.join(UNFOLLOWED_POLICIES)}")
    upload = env.get("FOLEYLINE_MAX_UPLOAD_BYTES")
    return ServerLimits(
        workers={**default.workers, **parse_workers(env.get("FOLEYLINE_WORKERS", ""))},
        max_streams=int(_number(env, "FOLEYLINE_MAX_STREAMS", default.max_streams, 1, 100_000)),
        stalled_reader_s=_number(env, "FOLEYLINE_STALLED_READER_S", default.stalled_reader_s, 0.1, 86_400),
        max_upload_bytes=parse_size(upload, "FOLEYLINE_MAX_UPLOAD_BYTES") if upload else default.max_upload_bytes,
        unfollowed_jobs=policy,
        sweep_interval_s=_number(env, "FOLEYLINE_SWEEP_INTERVAL_S", default.sweep_interval_s, 1, 7 * 86_400),
    )
