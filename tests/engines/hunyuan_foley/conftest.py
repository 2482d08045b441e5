"""Fixtures of the HunyuanVideo-Foley tests: the shared reference fixtures and their manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def hy_fixtures(fixtures_dir: Path) -> Path:
    return fixtures_dir / "hunyuan_foley"


@pytest.fixture(scope="session")
def hy_manifest(hy_fixtures: Path) -> dict:
    return json.loads((hy_fixtures / "hunyuan_foley_state_dict_manifest.json").read_text())


@pytest.fixture(scope="session")
def tiny_network_config(hy_fixtures: Path) -> dict:
    return json.loads((hy_fixtures / "hunyuan_foley_tiny_config.json").read_text())
