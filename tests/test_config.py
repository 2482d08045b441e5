"""foleyline.config: the server's token file is made, fixed or refused with one line; the
server's limits come from the environment, a bad value named."""

from __future__ import annotations

import os

import pytest

from foleyline import cli, config
from foleyline.errors import InvalidInput


def test_a_missing_token_file_is_created_private() -> None:
    token = config.ensure_token()
    assert len(token) >= config.MIN_TOKEN_CHARS
    assert config.token_path().read_text().strip() == token
    assert config.token_path().stat().st_mode & 0o777 == 0o600
    assert config.ensure_token() == token


def test_an_empty_token_file_gets_a_new_token() -> None:
    path = config.token_path()
    path.parent.mkdir(parents=True)
    path.write_text("\n")
    token = config.ensure_token()
    assert len(token) >= config.MIN_TOKEN_CHARS and path.read_text().strip() == token
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_token_file_others_can_read_is_made_private() -> None:
    path = config.token_path()
    path.parent.mkdir(parents=True)
    path.write_text("a-token-long-enough-to-keep\n")
    os.chmod(path, 0o644)
    assert config.ensure_token() == "a-token-long-enough-to-keep"
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("token", ["x", "short-token"])
def test_a_short_token_is_refused_saying_how_long_it_must_be(token: str, monkeypatch) -> None:
    path = config.token_path()
    path.parent.mkdir(parents=True)
    path.write_text(token)
    with pytest.raises(InvalidInput, match=rf"is {len(token)} characters; a token needs at least {config.MIN_TOKEN_CHARS}"):
        config.ensure_token()
    monkeypatch.setenv("FOLEYLINE_TOKEN", token)
    with pytest.raises(InvalidInput, match="FOLEYLINE_TOKEN"):
        config.ensure_token()


def test_serve_with_a_short_token_file_says_so_in_one_line(capsys) -> None:
    path = config.token_path()
    path.parent.mkdir(parents=True)
    path.write_text("x")
    assert cli.main(["serve", "--address", "127.0.0.1:0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert "at least 16" in err


def test_the_limits_have_defaults_and_environment_overrides() -> None:
    default = config.server_limits({})
    assert default == config.ServerLimits()
    assert default.workers_for("cpu") == 2 and default.workers_for("cuda:1") == 1
    limits = config.server_limits({
        "FOLEYLINE_WORKERS": "cpu=3,cuda=2,cuda:1=1", "FOLEYLINE_MAX_STREAMS": "7",
        "FOLEYLINE_STALLED_READER_S": "2.5", "FOLEYLINE_MAX_UPLOAD_BYTES": "512M",
        "FOLEYLINE_UNFOLLOWED_JOBS": "continue", "FOLEYLINE_SWEEP_INTERVAL_S": "60",
    })
    assert (limits.workers_for("cpu"), limits.workers_for("cuda:0"), limits.workers_for("cuda:1")) == (3, 2, 1)
    assert (limits.max_streams, limits.stalled_reader_s, limits.max_upload_bytes) == (7, 2.5, 512 << 20)
    assert (limits.unfollowed_jobs, limits.sweep_interval_s) == ("continue", 60.0)


@pytest.mark.parametrize("name, value", [
    ("FOLEYLINE_WORKERS", "cpu"), ("FOLEYLINE_WORKERS", "cpu=0"), ("FOLEYLINE_MAX_STREAMS", "nan"),
    ("FOLEYLINE_MAX_STREAMS", "0"), ("FOLEYLINE_MAX_UPLOAD_BYTES", "lots"), ("FOLEYLINE_UNFOLLOWED_JOBS", "maybe"),
])
def test_a_bad_limit_is_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(InvalidInput, match=name):
        config.server_limits({name: value})
