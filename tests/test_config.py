"""Settings: one definition, read from the command line, the environment, foleyline.toml or the
default, in that order; every setting documented in docs/configuration.md; every FOLEYLINE_*
variable the code reads is a setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from foleyline import cli, config
from foleyline.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[1]


def write_config(text: str) -> Path:
    path = config.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_command_line_wins_then_the_environment_then_the_file_then_the_default(monkeypatch):
    assert config.lookup("address") == (f"127.0.0.1:{config.DEFAULT_PORT}", "default")
    path = write_config('address = "127.0.0.1:6000"\nallowed_roots = ["/srv/media", "~/clips"]\nthreads = 4\n')
    assert config.lookup("address") == ("127.0.0.1:6000", str(path))
    assert config.value("allowed_roots") == [Path("/srv/media"), Path.home() / "clips"]
    assert config.value("threads") == 4
    monkeypatch.setenv("FOLEYLINE_ADDRESS", "127.0.0.1:7000")
    assert config.lookup("address") == ("127.0.0.1:7000", "environment FOLEYLINE_ADDRESS")
    assert config.lookup("address", "127.0.0.1:8000") == ("127.0.0.1:8000", "command line")


def test_environment_lists_use_the_path_separator_and_booleans_read_as_people_write_them(monkeypatch):
    monkeypatch.setenv("FOLEYLINE_ALLOWED_ROOTS", f"/a{__import__('os').pathsep}/b")
    monkeypatch.setenv("FOLEYLINE_INSECURE", "yes")
    assert config.value("allowed_roots") == [Path("/a"), Path("/b")] and config.value("insecure") is True


def test_a_wrong_type_or_an_unknown_key_names_the_file_and_the_setting():
    path = write_config("threads = \"many\"\n")
    with pytest.raises(InvalidInput, match=rf"threads in {re.escape(str(path))} must be a whole number"):
        config.value("threads")
    write_config("adress = \"0.0.0.0:1\"\n")
    with pytest.raises(InvalidInput, match="unknown setting.*adress.*foleyline config show"):
        config.value("address")
    write_config("config_dir = \"/x\"\n")  # environment-only: it locates the file itself
    with pytest.raises(InvalidInput, match="unknown setting.*config_dir"):
        config.value("address")


def test_config_show_says_where_each_value_came_from(monkeypatch, capsys):
    write_config('engine = "procedural"\ntoken = "s3cret"\n')
    monkeypatch.setenv("FOLEYLINE_THREADS", "3")
    assert cli.main(["config", "show"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert set(lines) == {s.key for s in config.SETTINGS}
    assert lines["threads"].split()[1] == "3" and "[environment FOLEYLINE_THREADS]" in lines["threads"]
    assert str(config.config_file()) in lines["engine"] and "[default]" in lines["address"]
    assert "s3cret" not in out and "(set)" in lines["token"]


def test_docs_configuration_holds_the_table_of_every_setting():
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert config.settings_table() in doc, "run `foleyline config table` and paste it into docs/configuration.md"


def test_every_foleyline_variable_the_code_reads_is_a_setting():
    sources = [p for folder in ("foleyline", "server", "plugin", "desktop", "packaging") for p in (ROOT / folder).rglob("*.py")]
    named = {m for p in sources for m in re.findall(r"FOLEYLINE_[A-Z_]+[A-Z]", p.read_text(encoding="utf-8"))}
    assert sorted(named - {s.env for s in config.SETTINGS}) == []
