"""The client library: errors as Foleyline errors with the server's words, atomic downloads."""

from __future__ import annotations

from pathlib import Path

import pytest

from foleyline import errors
from foleyline.plugin.client import FoleyClient


def test_local_uses_the_configured_server_and_token(monkeypatch) -> None:
    monkeypatch.setenv("FOLEYLINE_SERVER", "127.0.0.1:5999")
    monkeypatch.setenv("FOLEYLINE_TOKEN", "abc")
    with FoleyClient.configured() as client:
        assert (client.address, client.token) == ("127.0.0.1:5999", "abc")


def test_an_unreachable_server_is_unavailable_with_what_to_do() -> None:
    with FoleyClient("127.0.0.1:1", "t", timeout=30) as client:
        with pytest.raises(errors.Unavailable, match=r"cannot reach the Foleyline server at 127.0.0.1:1 .*foleyline serve"):
            client.server_info()
        with pytest.raises(errors.Unavailable):
            client.health(wait=0.5)


def test_a_failed_download_leaves_nothing_behind(client, tmp_path: Path) -> None:
    target = tmp_path / "out" / "x.wav"
    with pytest.raises(errors.NotFound):
        client.fetch_audio("cd" * 32, target)
    assert list((tmp_path / "out").iterdir()) == []


def test_server_side_errors_keep_their_message(client) -> None:
    with pytest.raises(errors.NotFound, match="no job 'job-nope'"):
        list(client.resume("job-nope"))
    with pytest.raises(errors.NotFound, match="no job 'job-nope'"):
        client.cancel_job("job-nope")


def test_uploading_a_missing_file_is_a_media_error(client, tmp_path: Path) -> None:
    with pytest.raises(errors.MediaError, match="no such file"):
        client.upload_media(tmp_path / "nope.mov")
