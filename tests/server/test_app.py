"""Starting the server: loopback by default, a free port on request, a clear error on a busy one."""

from __future__ import annotations

from pathlib import Path

import pytest

from foleyline.errors import InvalidInput, Unavailable
from foleyline.server.app import DEFAULT_ADDRESS, ServerConfig, start_server
from foleyline.server.engines.registry import EngineRegistry
from serverkit import TOKEN, FakeEngine


def test_the_default_address_is_loopback() -> None:
    assert DEFAULT_ADDRESS.startswith("127.0.0.1:")


def test_a_second_server_on_a_busy_port_says_so(server, tmp_path: Path) -> None:
    registry = EngineRegistry.with_engines({"fake": FakeEngine()}, default="fake")
    with pytest.raises(Unavailable, match=rf"cannot listen on 127.0.0.1:{server.port}: the port is in use"):
        start_server(ServerConfig(address=f"127.0.0.1:{server.port}", data_dir=tmp_path / "other", token=TOKEN), registry)


def test_a_malformed_address_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not HOST:PORT"):
        start_server(ServerConfig(address="localhost", data_dir=tmp_path, token=TOKEN))


def test_server_info_lists_engines_roots_and_version(client, clip_path: Path) -> None:
    info = client.server_info()
    assert info.version
    assert list(info.allowed_roots) == [str(clip_path.parent.resolve())]
    engine = info.engines[0]
    assert (engine.name, engine.sample_rate, engine.available, engine.device) == ("fake", 16000, True, "cpu")


def test_the_token_file_is_created_private_on_first_start(tmp_path: Path) -> None:
    from foleyline import config

    registry = EngineRegistry.with_engines({"fake": FakeEngine()}, default="fake")
    running = start_server(ServerConfig(address="127.0.0.1:0", data_dir=tmp_path / "store"), registry)
    try:
        path = config.token_path()
        assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
        assert running.token == path.read_text().strip()
    finally:
        running.stop(grace=0.1)


def test_a_default_engine_without_weights_stops_the_server_naming_the_pull_command(tmp_path: Path) -> None:
    registry = EngineRegistry(engines={"procedural": "serverkit:FakeEngine", "heavy": "test_registry:_NeedsWeights"},
                              default="heavy", discover=False)
    running = start_server(ServerConfig(address="127.0.0.1:0", data_dir=tmp_path / "s", token=TOKEN), registry)
    try:
        assert running.load_done.wait(60) and not running.ready.is_set()
        assert "heavy" in running.load_error and "foleyline models pull needs-weights" in running.load_error
    finally:
        running.stop(grace=0.1)
