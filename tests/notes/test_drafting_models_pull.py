"""`foleyline models pull` for the drafting models, from a fake hub (no network): the licence is
shown and must be accepted, every file is checked and recorded, and a sharded checkpoint whose
index names files the package does not list stops before the large downloads."""

from __future__ import annotations

import json

import pytest

from foleyline.cli import main
from foleyline.errors import Unavailable
from foleyline.server.models import pull
from foleyline.server.models.packages import find_package
from foleyline.server.notes.drafters import installed


def serve(fake_hub, package_name: str, *, index_names: list[str] | None = None) -> None:
    """Every file of the package on the fake hub; its weight index names ``index_names``
    (default: the package's own shards)."""
    package = find_package(package_name)
    shards = [f.local_name for f in package.files if f.local_name.startswith("model-")]
    for f in package.files:
        data = f"{f.local_name} bytes".encode()
        if f.local_name == "model.safetensors.index.json":
            names = shards if index_names is None else index_names
            data = json.dumps({"weight_map": {f"layer{i}": n for i, n in enumerate(names)}}).encode()
        path = fake_hub.root / f.hf_repo / f.hf_filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def test_a_research_only_model_shows_its_licence_and_needs_it_accepted(fake_hub, capsys) -> None:
    serve(fake_hub, "qwen2.5-vl-3b")
    assert main(["models", "pull", "qwen2.5-vl-3b"]) == 2
    err = capsys.readouterr().err
    assert "LicenseRef-Qwen-Research" in err and "NON-COMMERCIAL research and evaluation only" in err
    assert fake_hub.calls == []  # nothing downloaded before the licence is accepted
    assert main(["models", "pull", "qwen2.5-vl-3b", "--accept-licence"]) == 0
    out = capsys.readouterr().out
    assert "qwen2.5-vl-3b: licence LicenseRef-Qwen-Research: The Qwen RESEARCH License" in out
    assert {name for _repo, name in fake_hub.calls} == {f.local_name for f in find_package("qwen2.5-vl-3b").files}
    assert main(["models", "verify", "qwen2.5-vl-3b"]) == 0
    assert [d.name for d in installed("vlm")] == ["qwen2.5-vl-3b"]
    assert main(["models", "list"]) == 0
    assert "notes are drafted by the motion analysis alone" in capsys.readouterr().out  # a CPU: the VLM waits to be asked


@pytest.mark.parametrize("name", ["qwen3-vl-2b", "qwen2.5-vl-7b", "clip-vit-b32"])
def test_every_drafting_package_pulls_into_a_folder_its_drafter_counts_as_installed(fake_hub, name: str) -> None:
    serve(fake_hub, name)
    pull.pull_package(find_package(name), accept_licence=True, say=lambda _: None)
    kind = "clip" if name.startswith("clip") else "vlm"
    assert [d.name for d in installed(kind)] == [name]
    assert {s.state for s in pull.verify_package(find_package(name))} == {"ok"}


def test_an_index_naming_unknown_shards_stops_the_pull_before_the_shards(fake_hub) -> None:
    serve(fake_hub, "qwen2.5-vl-3b", index_names=["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                                                  "model-00003-of-00003.safetensors"])
    with pytest.raises(Unavailable, match="names weight files this Foleyline does not know.*00003-of-00003"):
        pull.pull_package(find_package("qwen2.5-vl-3b"), accept_licence=True, say=lambda _: None)
    assert not any(name.startswith("model-") for _repo, name in fake_hub.calls)
