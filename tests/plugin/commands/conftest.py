"""Fixtures of the CLI tests: a small clip and a two-shot timeline cut from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from .clikit import write_clip, write_timeline


@pytest.fixture(scope="session")
def cli_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("cli_media") / "drops.mp4")


@pytest.fixture
def timeline(tmp_path: Path, cli_clip: Path) -> Path:
    media = tmp_path / "media" / "drops.mp4"
    media.parent.mkdir()
    media.write_bytes(cli_clip.read_bytes())
    return write_timeline(tmp_path / "cut.otio", media, [(12, 24), (40, 30)], marker_on=1)
