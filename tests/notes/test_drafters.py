"""Which drafting models the ladder uses on which machine, and what it says about the others.
Installed models are stand-in folders here: nothing is loaded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from foleyline import config
from foleyline.errors import Unavailable
from foleyline.server.models.packages import all_packages
from foleyline.server.notes.devices import Hardware
from foleyline.server.notes.drafters import best, describe, installed, plan

CPU = Hardware(gpu=False)
BIG_GPU = Hardware(gpu=True, gpu_free_gb=78.0, bf16=True, gpu_name="H100")
SMALL_GPU = Hardware(gpu=True, gpu_free_gb=8.0, bf16=True)


def put(package: str, *, sharded: int = 0) -> Path:
    """A folder that looks like a pulled transformers model."""
    folder = config.models_dir() / package
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "preprocessor_config.json"):
        (folder / name).write_text("{}")
    if sharded:
        shards = [f"model-{i:05d}-of-{sharded:05d}.safetensors" for i in range(1, sharded + 1)]
        (folder / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {f"w{i}": s for i, s in enumerate(shards)}}))
        for shard in shards:
            (folder / shard).write_bytes(b"")
    else:
        (folder / "model.safetensors").write_bytes(b"")
    return folder


def put_mmaudio_features() -> Path:
    folder = config.models_dir() / "mmaudio-features"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("open_clip_pytorch_model.bin", "vocab.json", "merges.txt"):
        (folder / name).write_bytes(b"")
    return folder


def test_with_nothing_installed_the_motion_analysis_drafts_and_the_pulls_are_named() -> None:
    chosen = plan("auto", CPU)
    assert chosen.vlm is None and chosen.clip is None
    reasons = dict(chosen.skipped)
    assert "foleyline models pull qwen3-vl-2b --accept-licence" in reasons["vlm"] and "Apache-2.0" in reasons["vlm"]
    assert "foleyline models pull clip-vit-b32" in reasons["clip"] and "mmaudio-features" in reasons["clip"]
    with pytest.raises(Unavailable, match="cannot draft notes with the VLM: no VLM is installed"):
        plan("vlm", CPU)
    with pytest.raises(Unavailable, match="cannot label the frames: no CLIP is installed"):
        plan("clip", CPU)
    assert plan("analysis", CPU).skipped == []


def test_on_a_cpu_auto_leaves_the_vlm_to_an_explicit_ask_and_uses_clip() -> None:
    put("qwen3-vl-2b")
    put("qwen2.5-vl-7b", sharded=5)
    put("clip-vit-b32")
    chosen = plan("auto", CPU)
    assert chosen.vlm is None and chosen.clip.name == "clip-vit-b32"
    assert "not used on a CPU" in dict(chosen.skipped)["vlm"] and "--writer vlm" in dict(chosen.skipped)["vlm"]
    asked = plan("vlm", CPU)
    assert asked.vlm.name == "qwen3-vl-2b" and asked.cpu_vlm  # the smallest, on the CPU, as asked


def test_on_a_gpu_the_largest_model_that_fits_drafts() -> None:
    put("qwen3-vl-2b")
    put("qwen2.5-vl-3b", sharded=2)
    put("qwen2.5-vl-7b", sharded=5)
    assert plan("auto", BIG_GPU).vlm.name == "qwen2.5-vl-7b"
    assert plan("auto", SMALL_GPU).vlm.name == "qwen3-vl-2b"                # 7b (20 GB) and 3b (10 GB) do not fit 8 GB
    starved = plan("auto", Hardware(gpu=True, gpu_free_gb=2.0, bf16=True))
    assert starved.vlm is None and "needs about 6 GB of GPU memory and 2.0 GB is free" in dict(starved.skipped)["vlm"]
    assert plan("vlm", Hardware(gpu=True, gpu_free_gb=2.0, bf16=True)).vlm.name == "qwen3-vl-2b"  # asked: tried anyway


def test_a_partial_pull_is_not_installed() -> None:
    folder = put("qwen2.5-vl-3b", sharded=2)
    (folder / "model-00002-of-00002.safetensors").unlink()
    assert installed("vlm") == []
    (folder / "model-00002-of-00002.safetensors").write_bytes(b"")
    assert [d.name for d in installed("vlm")] == ["qwen2.5-vl-3b"]


def test_mmaudios_clip_is_reused_with_no_extra_download() -> None:
    put_mmaudio_features()
    found = installed("clip")
    assert [(d.name, d.origin) for d in found] == [("dfn5b-clip", "mmaudio-features")]
    assert plan("auto", CPU).clip.name == "dfn5b-clip"
    put("clip-vit-b32")
    assert plan("auto", CPU).clip.name == "clip-vit-b32"       # the small one on a CPU
    assert plan("auto", BIG_GPU).clip.name == "dfn5b-clip"     # the large one on a GPU


def test_a_folder_named_in_the_environment_comes_first(tmp_path: Path, monkeypatch) -> None:
    put("qwen3-vl-2b")
    own = tmp_path / "my-vl"
    own.mkdir()
    (own / "config.json").write_text(json.dumps({"model_type": "qwen2_5_vl"}))
    monkeypatch.setenv("FOLEYLINE_VLM_DIR", str(own))
    assert [d.name for d in installed("vlm")] == ["my-vl", "qwen3-vl-2b"]
    assert best("vlm", BIG_GPU).folder == own and plan("auto", BIG_GPU).vlm.origin == "$FOLEYLINE_VLM_DIR"
    (own / "config.json").write_text(json.dumps({"model_type": "llama"}))
    assert [d.name for d in installed("vlm")] == ["qwen3-vl-2b"]  # not a VLM: ignored (and logged)


def test_the_status_says_what_drafts_and_why_not_better() -> None:
    headline, details = describe(CPU)
    assert headline.startswith("the motion analysis alone") and len(details) == 2
    put("clip-vit-b32")
    put("qwen3-vl-2b")
    headline, details = describe(CPU)
    assert headline.startswith("CLIP clip-vit-b32 on the CPU")
    assert any("not used on a CPU" in line for line in details)
    assert "installed VLM: qwen3-vl-2b [Apache-2.0]" in details
    headline, _ = describe(BIG_GPU)
    assert headline.startswith("VLM qwen3-vl-2b on the GPU (H100)")


def test_every_drafting_model_is_a_package_of_the_one_catalogue() -> None:
    packages = all_packages()
    for name in ("qwen3-vl-2b", "qwen2.5-vl-3b", "qwen2.5-vl-7b", "clip-vit-b32"):
        assert packages[name].engine == "notes"
    assert packages["qwen2.5-vl-3b"].licence_id == "LicenseRef-Qwen-Research"
    assert "NON-COMMERCIAL" in packages["qwen2.5-vl-3b"].licence
    assert {packages[n].licence_id for n in ("qwen3-vl-2b", "qwen2.5-vl-7b")} == {"Apache-2.0"}
    assert packages["clip-vit-b32"].licence_id == "MIT"


def test_with_no_drafting_model_installed_the_gpu_is_never_asked_about(monkeypatch):
    # Asking means importing torch: seconds and 150 MB on every drafted shot, for nothing.
    from foleyline.server.notes import drafters

    def probe():
        raise AssertionError("the hardware was probed")

    monkeypatch.setattr(drafters, "hardware", probe)
    assert plan("auto").vlm is None and plan("auto").clip is None
    assert best("clip") is None


@pytest.mark.parametrize("writer", ["auto", "clip"])
def test_a_plan_looks_through_the_models_folders_once_per_kind(tmp_path: Path, monkeypatch, writer) -> None:
    from foleyline.server.notes import drafters

    looked: list[str] = []
    real_installed = drafters.installed
    monkeypatch.setattr(drafters, "installed", lambda kind, root=None: looked.append(kind) or real_installed(kind, root))
    try:
        plan(writer, None, tmp_path)  # no models there: the GPU is not asked about
    except Unavailable:
        pass  # "clip" with no CLIP installed says so; the looks are what is checked here
    assert sorted(looked) == ["clip", "vlm"]
