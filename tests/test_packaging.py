"""What ships: the wheel holds the Resolve script, the licence, the proto stubs and the
default texts' sentence embeddings, with the licence in its metadata; the Docker images and the systemd unit are well formed and use only
settings that exist. (No Docker engine runs here: the Dockerfiles are linted with hadolint.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from foleyline import config

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILES = sorted((ROOT / "packaging" / "docker").glob("*/Dockerfile"))
UNIT = ROOT / "packaging" / "systemd" / "foleyline.service"


# What a build reads: setup.py's folders and the metadata files pyproject.toml names.
BUILD_SOURCES = ("pyproject.toml", "setup.py", "README.md", "LICENSE", "foleyline", "server", "plugin", "desktop", "protos",
                 "packaging")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    # Built from a copy: setuptools writes build/ and the egg-info into the folder it builds, and
    # the checkout may be read-only (a CI that mounts it so) and is never the tests' to write.
    source = tmp_path_factory.mktemp("source")
    for name in BUILD_SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    # no build isolation: the environment's setuptools builds it, nothing is downloaded
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)],
                   check=True, capture_output=True, timeout=300)
    return zipfile.ZipFile(next(out.glob("foleyline-*.whl")))


def test_the_wheel_holds_the_resolve_script_the_licence_the_stubs_and_the_embeddings(wheel):
    names = set(wheel.namelist())
    assert "foleyline/resolve_menu/Foleyline.py" in names
    assert any(re.fullmatch(r"foleyline/server/engines/procedural/embeddings/all-MiniLM-L6-v2-[^/]+\.npz", n) for n in names)
    assert "foleyline/protos/v1/foley_pb2.py" in names and "foleyline/protos/v1/foley_pb2_grpc.py" in names
    assert any(re.fullmatch(r"foleyline-[^/]+\.dist-info/licenses/LICENSE", n) for n in names)
    metadata = Parser().parsestr(wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode())
    assert metadata["License-Expression"] == "GPL-3.0-or-later"
    requires = metadata.get_all("Requires-Dist")
    core = [r for r in requires if "extra ==" not in r]
    assert not [r for r in core if re.match(r"(torch|PyQt6|transformers|diffusers)\b", r)], core


def test_the_dockerfiles_pass_hadolint():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    done = subprocess.run([hadolint, *map(str, DOCKERFILES)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {p.parent.name for p in DOCKERFILES} == {"cpu", "cuda"}


def test_the_images_run_the_server_with_tls_settings_that_exist():
    for dockerfile in DOCKERFILES:
        text = dockerfile.read_text()
        assert 'ENTRYPOINT ["foleyline", "serve"]' in text and "USER 10001" in text
        named = set(re.findall(r"FOLEYLINE_[A-Z_]+[A-Z]", text))
        assert named <= {s.env for s in config.SETTINGS}, named
        assert {"FOLEYLINE_TLS_CERT", "FOLEYLINE_TLS_KEY"} <= named


def unit_entries() -> dict[str, list[str]]:
    entries: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            entries.setdefault(key, []).append(value)
    return entries


def test_the_systemd_unit_runs_serve_hardened_with_settings_that_exist():
    entries = unit_entries()
    assert entries["ExecStart"][0].endswith("/foleyline serve")
    hardening = {"DynamicUser": "yes", "ProtectSystem": "strict", "NoNewPrivileges": "yes", "PrivateTmp": "yes",
                 "ProtectHome": "read-only", "CapabilityBoundingSet": ""}
    assert {k: entries[k][0] for k in hardening} == hardening
    named = {m for value in entries["Environment"] for m in re.findall(r"(FOLEYLINE_[A-Z_]+)=", value)}
    assert named <= {s.env for s in config.SETTINGS} and "FOLEYLINE_CONFIG_DIR" in named


def _serve_options() -> set[str]:
    import argparse

    from foleyline.server.commands.serve import add_arguments

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return {option for action in parser._actions for option in action.option_strings}


def test_the_ray_cluster_files_parse_and_use_settings_and_serve_options_that_exist():
    import yaml  # PyYAML comes with ray[serve] (the cluster extra, in dev)

    folder = ROOT / "packaging" / "ray"
    cluster = yaml.safe_load((folder / "cluster.yaml").read_text())
    service, front = yaml.safe_load_all((folder / "rayservice.yaml").read_text())
    assert cluster["provider"]["type"] == "local" and cluster["head_start_ray_commands"]
    assert service["kind"] == "RayService" and front["kind"] == "Service"
    head = service["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]
    assert front["spec"]["selector"].items() <= head["metadata"]["labels"].items()
    options = _serve_options()
    for name in ("cluster.yaml", "rayservice.yaml"):
        text = (folder / name).read_text()
        named = set(re.findall(r"FOLEYLINE_[A-Z_]+[A-Z]", text))
        assert named <= {s.env for s in config.SETTINGS}, named
        for command in re.findall(r"foleyline serve ([^\n#]*(?:\n\s+[^\n#-][^\n#]*)*)", text):
            used = set(re.findall(r"(--[a-z][a-z-]+)", command))
            assert used and used <= options, used - options
