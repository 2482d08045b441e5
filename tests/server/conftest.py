"""Fixtures of the server tests: a synthetic clip, the fake engine, an in-process server."""

from __future__ import annotations

from pathlib import Path

import pytest

from serverkit import TOKEN, FakeEngine, write_clip


@pytest.fixture(scope="session")
def clip_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("media") / "fall.mp4")


@pytest.fixture
def fake_engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def start(tmp_path: Path, clip_path: Path, fake_engine: FakeEngine):
    """``start(limits=None, engine=None)``: an in-process server on a free loopback port, with
    the fake engine as default and the clip's folder as the only allowed root; stopped after
    the test."""
    from foleyline.capacity import ServerLimits
    from foleyline.server.app import ServerConfig, start_server
    from foleyline.server.engines.registry import EngineRegistry

    started = []

    def make(limits: ServerLimits | None = None, engine: FakeEngine | None = None):
        registry = EngineRegistry.with_engines({"fake": engine or fake_engine}, default="fake")
        running = start_server(
            ServerConfig(address="127.0.0.1:0", data_dir=tmp_path / "store", allowed_roots=[clip_path.parent],
                         token=TOKEN, limits=limits or ServerLimits()),
            registry,
        )
        started.append(running)
        assert running.ready.wait(60)
        return running

    yield make
    for running in started:
        running.stop(grace=0.5)


@pytest.fixture
def server(start):
    return start()


@pytest.fixture
def client(server):
    from foleyline.plugin.client import FoleyClient

    with FoleyClient(server.address, TOKEN) as c:
        yield c
