"""Licence acceptance: each package's licence is shown and accepted once before its first pull.

Acceptances are kept in ``<config dir>/licences.json`` as {package: licence_id}; a package whose
licence id changes must be accepted again.
"""

from __future__ import annotations

import json
from pathlib import Path

from foleyline.config import config_dir
from foleyline.fsutil import write_text_atomic
from foleyline.server.models.catalog import ModelPackage

__all__ = ["accept", "accepted_path", "is_accepted"]


def accepted_path() -> Path:
    return config_dir() / "licences.json"


def _read() -> dict[str, str]:
    path = accepted_path()
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}  # a damaged file only means asking again
    return data if isinstance(data, dict) else {}


def is_accepted(package: ModelPackage) -> bool:
    return _read().get(package.name) == package.licence_id


def accept(package: ModelPackage) -> None:
    data = _read()
    data[package.name] = package.licence_id
    write_text_atomic(accepted_path(), json.dumps(data, indent=2, sort_keys=True) + "\n")
