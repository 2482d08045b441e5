"""Shared test fixtures. Real material lives beside the project in ../shared (never copied in)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FOLEYLINE_SHARED", ROOT.parent / "shared")).resolve()

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"the shared test material is missing: expected it at {SHARED} (set FOLEYLINE_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def media_dir(shared_dir: Path) -> Path:
    return shared_dir / "media"


@pytest.fixture(scope="session")
def otio_samples_dir(shared_dir: Path) -> Path:
    return shared_dir / "otio-samples"


@pytest.fixture(scope="session")
def fixtures_dir(shared_dir: Path) -> Path:
    return shared_dir / "fixtures"


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's config, data or models."""
    base = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("FOLEYLINE_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("FOLEYLINE_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("FOLEYLINE_MODELS_DIR", str(base / "models"))
    monkeypatch.delenv("FOLEYLINE_SERVER", raising=False)
    monkeypatch.delenv("FOLEYLINE_TOKEN", raising=False)
