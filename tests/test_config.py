"""Settings: one definition, read from the command line, the environment, foleyline.toml or the
default, in that order; every setting documented in docs/configuration.md; every FOLEYLINE_*
variable the code reads is a setting."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from foleyline import capacity, cli, config
from foleyline.errors import InvalidInput, PermissionDenied

ROOT = Path(__file__).resolve().parents[1]


def write_config(text: str) -> Path:
    path = config.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_command_line_wins_then_the_environment_then_the_file_then_the_default(monkeypatch):
    assert config.lookup("address") == (f"127.0.0.1:{config.DEFAULT_PORT}", "default")
    path = write_config('address = "127.0.0.1:6000"\nallowed_roots = ["/srv/media", "~/clips"]\nmax_streams = 4\n')
    assert config.lookup("address") == ("127.0.0.1:6000", str(path))
    assert config.value("allowed_roots") == [Path("/srv/media"), Path.home() / "clips"]
    assert config.value("max_streams") == 4
    monkeypatch.setenv("FOLEYLINE_ADDRESS", "127.0.0.1:7000")
    assert config.lookup("address") == ("127.0.0.1:7000", "environment FOLEYLINE_ADDRESS")
    assert config.lookup("address", "127.0.0.1:8000") == ("127.0.0.1:8000", "command line")


def test_environment_lists_use_the_path_separator_and_booleans_read_as_people_write_them(monkeypatch):
    monkeypatch.setenv("FOLEYLINE_ALLOWED_ROOTS", f"/a{__import__('os').pathsep}/b")
    monkeypatch.setenv("FOLEYLINE_INSECURE", "yes")
    assert config.value("allowed_roots") == [Path("/a"), Path("/b")] and config.value("insecure") is True


def test_a_wrong_type_or_an_unknown_key_names_the_file_and_the_setting():
    path = write_config("max_streams = \"many\"\n")
    with pytest.raises(InvalidInput, match=rf"max_streams in {re.escape(str(path))} must be a whole number"):
        config.value("max_streams")
    write_config("adress = \"0.0.0.0:1\"\n")
    with pytest.raises(InvalidInput, match="unknown setting.*adress.*foleyline config show"):
        config.value("address")
    write_config("config_dir = \"/x\"\n")  # environment-only: it locates the file itself
    with pytest.raises(InvalidInput, match="unknown setting.*config_dir"):
        config.value("address")


def test_the_file_is_parsed_once_per_text_and_an_edit_is_seen_at_once(monkeypatch):
    parsed = []
    real = config.tomllib.loads
    monkeypatch.setattr(config.tomllib, "loads", lambda text: parsed.append(text) or real(text))
    write_config("max_streams = 4\n")
    assert [config.value("max_streams") for _ in range(3)] == [4, 4, 4] and len(parsed) == 1
    write_config("max_streams = 5\n")  # the same size, at once: nothing about the file's dates to go by
    assert config.value("max_streams") == 5 and len(parsed) == 2
    config.config_file().unlink()
    assert config.lookup("max_streams")[1] == "default"


def test_config_show_says_where_each_value_came_from(monkeypatch, capsys):
    write_config('engine = "procedural"\ntoken = "s3cret"\n')
    monkeypatch.setenv("FOLEYLINE_MAX_STREAMS", "3")
    assert cli.main(["config", "show"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert set(lines) == {s.key for s in config.SETTINGS}
    assert lines["max_streams"].split()[1] == "3" and "[environment FOLEYLINE_MAX_STREAMS]" in lines["max_streams"]
    assert str(config.config_file()) in lines["engine"] and "[default]" in lines["address"]
    assert "s3cret" not in out and "(set)" in lines["token"]


def test_docs_configuration_holds_the_table_of_every_setting():
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert config.settings_table() in doc, "run `foleyline config table` and paste it into docs/configuration.md"


def test_every_foleyline_variable_the_code_reads_is_a_setting():
    sources = [p for folder in ("foleyline", "server", "plugin", "desktop", "packaging") for p in (ROOT / folder).rglob("*.py")]
    named = {m for p in sources for m in re.findall(r"FOLEYLINE_[A-Z_]+[A-Z]", p.read_text(encoding="utf-8"))}
    assert sorted(named - {s.env for s in config.SETTINGS}) == []


# ---- the server's token and limits -----------------------------------------------------


def test_a_missing_token_file_is_created_private() -> None:
    token = config.ensure_token()
    assert len(token) >= config.MIN_TOKEN_CHARS
    assert config.token_path().read_text().strip() == token
    assert config.token_path().stat().st_mode & 0o777 == 0o600
    assert config.ensure_token() == token


def test_a_token_file_that_cannot_be_made_names_the_setting_to_change(tmp_path, monkeypatch) -> None:
    # A file where its folder should be: unwritable even for root, as a read-only home is for a user.
    (tmp_path / "home").write_text("", encoding="utf-8")
    monkeypatch.setenv("FOLEYLINE_TOKEN_FILE", str(tmp_path / "home" / "config" / "token"))
    with pytest.raises(PermissionDenied, match="cannot make the token file .*FOLEYLINE_TOKEN_FILE"):
        config.ensure_token()


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


def test_the_server_limits_have_defaults_and_come_from_the_settings(monkeypatch) -> None:
    default = capacity.server_limits()
    assert default == capacity.ServerLimits()
    assert default.workers_for("cpu") == 2 and default.workers_for("cuda:1") == 1
    write_config('workers = "cpu=3,cuda=2,cuda:1=1"\nmax_upload_bytes = "512M"\nstalled_reader_s = 2.5\n')
    for name, text in {"FOLEYLINE_MAX_STREAMS": "7", "FOLEYLINE_UNFOLLOWED_JOBS": "continue",
                       "FOLEYLINE_SWEEP_INTERVAL_S": "60"}.items():
        monkeypatch.setenv(name, text)
    limits = capacity.server_limits()
    assert (limits.workers_for("cpu"), limits.workers_for("cuda:0"), limits.workers_for("cuda:1")) == (3, 2, 1)
    assert (limits.max_streams, limits.stalled_reader_s, limits.max_upload_bytes) == (7, 2.5, 512 << 20)
    assert (limits.unfollowed_jobs, limits.sweep_interval_s) == ("continue", 60.0)


@pytest.mark.parametrize("name, value", [
    ("FOLEYLINE_WORKERS", "cpu"), ("FOLEYLINE_WORKERS", "cpu=0"), ("FOLEYLINE_MAX_STREAMS", "nan"),
    ("FOLEYLINE_MAX_STREAMS", "0"), ("FOLEYLINE_MAX_UPLOAD_BYTES", "lots"), ("FOLEYLINE_UNFOLLOWED_JOBS", "maybe"),
])
def test_a_bad_limit_is_refused_naming_the_setting(name: str, value: str, monkeypatch) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(InvalidInput, match=name.removeprefix("FOLEYLINE_").lower()):
        capacity.server_limits()
