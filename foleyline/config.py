"""Every setting of Foleyline, where it comes from, and where Foleyline keeps its files.

One definition (``SETTINGS`` below) drives everything: ``value(key)`` reads a setting, ``foleyline
config show`` prints the values in effect and where each came from, and docs/configuration.md is
the table ``settings_table()`` writes (a test keeps it in step). Adding a setting is one line.

A setting's value comes from, first to last: the command line (where a command has an option for
it), the environment variable ``FOLEYLINE_<KEY>``, the config file ``<config dir>/foleyline.toml``
(``key = value`` at the top level), the default. Only ``config_dir`` (it locates the file) and
``site`` (read inside DaVinci Resolve before foleyline can be imported) are environment-only.

What one server takes on at once (workers per device, open streams, stalled readers, uploads,
unfollowed jobs, sweeps) is read as one ``ServerLimits`` (``foleyline.capacity``; docs/server.md).
The server's token is checked where it is read (``ensure_token``).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import secrets
import stat
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from foleyline.errors import InvalidInput, PermissionDenied
from foleyline.fsutil import write_text_atomic

log = logging.getLogger(__name__)

APP = "foleyline"
DEFAULT_PORT = 50551
TOKEN_FILE = "token"
CONFIG_FILE = "foleyline.toml"
SFX_INDEX_FILE = "sfx-library-index.sqlite3"
ENV_PREFIX = "FOLEYLINE_"
# A token shorter than this is refused: it could be guessed.
MIN_TOKEN_CHARS = 16

Kind = str  # "text", "path", "paths", "int", "float", "bool", "secret"


@dataclass(frozen=True)
class Setting:
    key: str
    kind: Kind
    default: Callable[[], Any] | Any
    doc: str
    used_by: str                 # "server", "client", "both"
    in_file: bool = True         # False: environment only

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.key.upper()

    def default_value(self) -> Any:
        return self.default() if callable(self.default) else self.default


def _home() -> list[Path]:
    return [Path.home()]


SETTINGS: tuple[Setting, ...] = (
    Setting("config_dir", "path", lambda: Path(platformdirs.user_config_dir(APP)),
            "folder of foleyline.toml, the token and accepted licences", "both", in_file=False),
    Setting("data_dir", "path", lambda: Path(platformdirs.user_data_dir(APP)),
            "the store: SQLite database and content-addressed WAVs, sound-library index", "server"),
    Setting("models_dir", "path", lambda: value("data_dir") / "models",
            "model weights (`foleyline models pull` writes here)", "server"),
    Setting("address", "text", f"127.0.0.1:{DEFAULT_PORT}",
            "HOST:PORT `foleyline serve` listens on; beyond loopback it needs TLS or `insecure`", "server"),
    Setting("allowed_roots", "paths", _home,
            "folders whose media the server may read (environment: separated by the path separator)", "server"),
    Setting("engine", "text", "procedural", "the server's default engine", "server"),
    Setting("engines", "text", "",
            "extra engines, name=module:Class, comma-separated (an engine under development)", "server"),
    Setting("workers", "text", "cpu=2",
            "engine workers per device, DEVICE=COUNT comma-separated (cpu, cuda, cuda:1; a device not named: 1)",
            "server"),
    Setting("max_streams", "int", 100, "streaming calls the server keeps open at once; one more is refused", "server"),
    Setting("stalled_reader_s", "float", 30.0,
            "seconds a client may take no message of a stream (or send nothing of an upload) before it is dropped",
            "server"),
    Setting("max_upload_bytes", "text", "4G", "the largest media upload (bytes, or a number with K, M or G)", "server"),
    Setting("unfollowed_jobs", "text", "cancel",
            "when a job's last follower leaves: cancel (it stays resumable) or continue", "server"),
    Setting("sweep_interval_s", "float", 600.0, "seconds between sweeps of staged files and orphan WAVs", "server"),
    Setting("compute_threads", "int", 0,
            "torch, BLAS and OpenCV threads per engine worker (0: the cores shared out between the workers)",
            "server"),
    Setting("token_file", "path", lambda: value("config_dir") / TOKEN_FILE,
            "the server's token, created on first start (mode 0600); local clients read it", "both"),
    Setting("tls_cert", "path", None, "PEM certificate (chain) the server presents; with tls_key turns TLS on",
            "server"),
    Setting("tls_key", "path", None, "PEM private key of tls_cert", "server"),
    Setting("insecure", "bool", False,
            "let the server listen beyond loopback without TLS (token and media in clear text)", "server"),
    Setting("ray", "bool", False, "serve on a Ray Serve cluster: engine replicas per GPU (the cluster extra; "
            "docs/cluster.md)", "server"),
    Setting("ray_address", "text", "", "the Ray cluster to join (e.g. 10.0.0.5:6379); empty: start Ray on this "
            "machine, on loopback", "server"),
    Setting("ray_replicas", "int", 1, "engine replicas on the cluster (one per GPU)", "server"),
    Setting("ray_autoscale", "text", "", "MIN:MAX replicas, scaled by Ray Serve with the queue (instead of "
            "ray_replicas)", "server"),
    Setting("ray_gpus_per_replica", "float", 0.0, "GPUs each replica holds (0: CPU replicas)", "server"),
    Setting("sfx_library", "path", None, "a folder of the editor's sound files, used before synthesis", "server"),
    Setting("mmaudio_model", "text", "", "which installed MMAudio variant to load (default: the best installed)",
            "server"),
    Setting("hunyuan_foley_model", "text", "",
            "which installed HunyuanVideo-Foley size to load, xxl or xl (default: the installed one, XXL first)",
            "server"),
    Setting("vlm_dir", "path", None, "a VLM folder for drafting notes, used before the ones `models pull` installed", "server"),
    Setting("clip_dir", "path", None, "a CLIP folder for zero-shot scene labels, used before the ones `models pull` installed",
            "server"),
    Setting("vlm_device", "text", "", "\"cpu\": the VLM drafts notes on the CPU too (slow; by default only on a GPU)",
            "server"),
    Setting("server", "text", "", "HOST:PORT of the server clients use (empty: start one in-process)", "client"),
    Setting("token", "secret", "",
            "the token clients send to a remote server (its token file's content); a server given one uses it "
            "instead of its token file", "both"),
    Setting("tls_ca", "path", None, "PEM certificate(s) to trust for a TLS server; set: clients use TLS",
            "client"),
    Setting("take_file_template", "text", "{shot}_{layer}_T{take:02d}.wav",
            "how take WAVs are named; fields {shot} {layer} {kind} {take} {take_id} {engine} {seed}", "client"),
    Setting("track_names", "text", "foley",
            'Foley track names: foley ("Foley BG", "Foley FX", "Foley") or short (BG, FX, FOL)', "client"),
    Setting("c2pa_key", "path", None,
            "the facility's key (PEM) signing the WAVs' C2PA manifests, with c2pa_certs (unset: a local CA "
            "made on first use in <config_dir>/c2pa)", "server"),
    Setting("c2pa_certs", "path", None, "the certificate chain of c2pa_key (PEM, leaf first)", "server"),
    Setting("c2pa_trust", "path", None, "CA certificates (PEM) trusted when reading manifests (`foleyline provenance`)",
            "client"),
    Setting("debug", "bool", False, "full tracebacks instead of one-line errors", "both"),
    Setting("dev_media", "path", lambda: Path.cwd().parent / "shared" / "media",
            "the development clips `foleyline eval --split` reads (docs/evaluation.md)", "client"),
    Setting("site", "path", None,
            "site-packages holding foleyline, for the DaVinci Resolve script (written by `foleyline resolve "
            "install`)", "client", in_file=False),
)
BY_KEY = {setting.key: setting for setting in SETTINGS}


# ---- reading -------------------------------------------------------------------------------

def config_file() -> Path:
    return config_dir() / CONFIG_FILE


def settings() -> dict[str, Any]:
    """The config file's settings as written; empty when there is no file. The file is read at
    every lookup (a server looks settings up a few dozen times per shot), but parsed and
    checked once per text: an edit is seen at the next lookup, however soon."""
    path = config_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    return dict(_parsed(path, text))


@functools.lru_cache(maxsize=8)
def _parsed(path: Path, text: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"the config file {path} is not valid TOML ({exc}); fix it or delete it") from None
    unknown = sorted(k for k in data if k not in BY_KEY or not BY_KEY[k].in_file)
    if unknown:
        raise InvalidInput(f"{path}: unknown setting(s) {', '.join(unknown)}; the settings are listed by "
                           "`foleyline config show`")
    return data


def save_setting(key: str, value: str | None) -> Path:
    """Set (or, with None, remove) one setting in the config file, keeping the rest of the file
    and its comments as they were (the panel's settings write through this)."""
    if key not in BY_KEY or not BY_KEY[key].in_file:
        raise InvalidInput(f"{key} is not a setting of the config file; the settings are listed by `foleyline config show`")
    path = config_file()
    settings()  # a malformed file is reported, not overwritten
    import tomlkit  # only editing needs it (reading is tomllib): ~6 ms off every command's start

    document = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    if value is None:
        document.pop(key, None)
    else:
        document[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_text_atomic(path, tomlkit.dumps(document))


def _from_env(setting: Setting, raw: str) -> Any:
    if setting.kind == "paths":
        return [Path(p).expanduser() for p in raw.split(os.pathsep) if p]
    return _convert(setting, raw, f"the environment variable {setting.env}")


def _convert(setting: Setting, raw: Any, where: str) -> Any:
    kind = setting.kind
    try:
        if kind == "path":
            if not isinstance(raw, str):
                raise TypeError
            return Path(raw).expanduser() if raw else None
        if kind == "paths":
            items = [raw] if isinstance(raw, str) else raw
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise TypeError
            return [Path(i).expanduser() for i in items if i]
        if kind == "int":
            if isinstance(raw, bool):
                raise TypeError
            return int(raw)
        if kind == "float":
            if isinstance(raw, bool):
                raise TypeError
            return float(raw)
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            lowered = str(raw).strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("", "0", "false", "no", "off"):
                return False
            raise ValueError
        if not isinstance(raw, str):
            raise TypeError
        return raw
    except (TypeError, ValueError):
        wanted = {"path": "a path in quotes", "paths": "a list of paths in quotes", "int": "a whole number",
                  "float": "a number", "bool": "true or false", "text": "text in quotes", "secret": "text in quotes"}[kind]
        raise InvalidInput(f"{setting.key} in {where} must be {wanted}, got {raw!r}") from None


def lookup(key: str, override: Any = None) -> tuple[Any, str]:
    """(value, where it came from) of one setting. ``override``: the command line's value, when
    the command has an option for it (None: not given)."""
    setting = BY_KEY[key]
    if override is not None and override != []:
        return override, "command line"
    raw = os.environ.get(setting.env)
    if raw not in (None, ""):
        return _from_env(setting, raw), f"environment {setting.env}"
    if setting.in_file:
        data = settings()
        if key in data:
            return _convert(setting, data[key], str(config_file())), str(config_file())
    return setting.default_value(), "default"


def value(key: str, override: Any = None) -> Any:
    return lookup(key, override)[0]


def effective() -> list[tuple[Setting, Any, str]]:
    """Every setting with its value in effect and where that came from."""
    return [(setting, *lookup(setting.key)) for setting in SETTINGS]


def shown(setting: Setting, current: Any) -> str:
    """A value as `config show` prints it: secrets masked, lists joined, None as (none)."""
    if setting.kind == "secret":
        return "(set)" if current else "(none)"
    if isinstance(current, list):
        return os.pathsep.join(str(p) for p in current) or "(none)"
    if current is None or current == "":
        return "(none)"
    return str(current).lower() if isinstance(current, bool) else str(current)


def settings_table() -> str:
    """The Markdown table of every setting (docs/configuration.md)."""
    rows = ["| key in foleyline.toml | environment | used by | default | what it is |",
            "|---|---|---|---|---|"]
    defaults = {"config_dir": "platform user config folder", "data_dir": "platform user data folder",
                "models_dir": "<data_dir>/models", "allowed_roots": "your home folder",
                "token_file": "<config_dir>/token", "dev_media": "../shared/media from the working folder"}
    for s in SETTINGS:
        default = defaults.get(s.key) or shown(s, s.default if not callable(s.default) else None)
        rows.append(f"| {('`' + s.key + '`') if s.in_file else '(environment only)'} | `{s.env}` | {s.used_by} "
                    f"| {default} | {s.doc} |")
    return "\n".join(rows) + "\n"


# ---- folders and the token ------------------------------------------------------------------

def config_dir() -> Path:
    return value("config_dir")


def data_dir() -> Path:
    return value("data_dir")


def models_dir() -> Path:
    return value("models_dir")


def configured_server() -> str | None:
    """The address of a server the user configured, or None (start one in-process)."""
    return value("server") or None


def sfx_library() -> Path | None:
    """The editor's sound library folder, or None."""
    return value("sfx_library")


def sfx_index_path(data: Path | None = None) -> Path:
    """The persistent index of sound libraries, in the data folder."""
    return (data or data_dir()) / SFX_INDEX_FILE


def compute_threads() -> int | None:
    """Threads per engine worker the user asked for, or None (the cores shared out)."""
    threads = value("compute_threads")
    if threads < 0:
        raise InvalidInput(f"compute_threads must be 0 (automatic) or a number of threads, got {threads}")
    return threads or None


def take_file_template() -> str:
    """How take WAVs are named (checked where it is used: ``foleyline.plugin.take_files``)."""
    return value("take_file_template") or BY_KEY["take_file_template"].default


def track_names() -> str:
    """The Foley track-name preset (checked where it is used: ``foleyline.plugin.timeline.track_names``)."""
    return value("track_names") or BY_KEY["track_names"].default


def c2pa_dir() -> Path:
    """The local signing credentials made on first use: key.pem (0600), chain.pem, ca.pem."""
    return config_dir() / "c2pa"


def c2pa_ca_path() -> Path:
    return c2pa_dir() / "ca.pem"


def facility_signing_files() -> tuple[Path, Path] | None:
    """(key, certificate chain) the facility gave for signing, or None (sign with the local CA)."""
    key, certs = value("c2pa_key"), value("c2pa_certs")
    if bool(key) != bool(certs):
        raise InvalidInput("set both c2pa_key (the signing key, PEM) and c2pa_certs (its certificate chain, PEM, "
                           "leaf first; FOLEYLINE_C2PA_KEY, FOLEYLINE_C2PA_CERTS), or neither to sign with the local CA")
    return (key, certs) if key and certs else None


def c2pa_trust_anchors_path() -> Path | None:
    return value("c2pa_trust")


def token_path() -> Path:
    return value("token_file")


def read_token() -> str | None:
    """The token for the configured server: ``token`` when set, else the local server's token
    file; None when neither exists (or the file is empty). A client sends it as it is; the
    server checks it (``ensure_token``)."""
    given = value("token")
    if given:
        return given
    try:
        return token_path().read_text(encoding="utf-8").strip() or None
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
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        try:
            os.chmod(path, 0o600)
        except OSError as exc:
            raise PermissionDenied(
                f"{path} can be read by other users and cannot be made private ({exc.strerror}); "
                f"run `chmod 600 {path}` as its owner"
            ) from None
        log.warning("%s could be read by other users; made it private (0600)", path)


def ensure_token() -> str:
    """The server's token: ``token`` when set, else the token file, created on first start: a
    random secret in a file only the user reads. An empty file (a start that died writing it)
    gets a new token; a short token is refused; a file others can read is made private."""
    given, source = lookup("token")
    if given:
        return check_token(given, source)
    path = token_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two servers starting at once must not overwrite each other's token.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if not path.parent.is_dir():
            raise PermissionDenied(f"cannot make the token file {path}: {path.parent} is not a folder; "
                                   "set token_file (FOLEYLINE_TOKEN_FILE) to a path you can write") from None
    except OSError as exc:  # a read-only home folder (a service account, a CI runner)
        raise PermissionDenied(f"cannot make the token file {path} ({exc.strerror}); set token_file "
                               "(FOLEYLINE_TOKEN_FILE) to a path you can write, or token (FOLEYLINE_TOKEN)") from None
    else:
        token = secrets.token_urlsafe(32)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
        return token
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file; remove it so that the token file can be made there")
    _private(path)
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read the token file {path} ({exc}); delete it and a new one is made") from None
    if not text:
        token = secrets.token_urlsafe(32)
        write_text_atomic(path, token + "\n", mode=0o600)
        log.warning("the token file %s was empty; wrote a new token", path)
        return token
    return check_token(text, str(path))


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


def parse_size(text: str, name: str) -> int:
    """Bytes from "4096", "512M", "2G", "2GiB"."""
    match = _SIZE.match(text)
    if not match:
        raise InvalidInput(f"{name} = {text!r} is not a size; write bytes or a number with K, M or G (e.g. 2G)")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)
