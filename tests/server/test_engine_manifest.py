"""The engine manifest is the one list of engines: the registry, the model folder and the parity
checks all read it, so an engine added there (a built-in entry, or a plugin's entry point) is
known to all three; a broken plugin is logged and skipped."""

from __future__ import annotations

import json
import logging
import sys
import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from foleyline.server.engines import manifest as manifest_module
from foleyline.server.engines.manifest import BUILTIN_DRAFTERS, BUILTIN_ENGINES, engine_manifests
from foleyline.server.engines.parity import run_parity
from foleyline.server.engines.registry import EngineRegistry
from foleyline.server.models.packages import all_packages, dependencies

PLUGIN = '''
    import numpy as np
    import torch

    from foleyline.server.engines.base import Engine, EngineCapabilities
    from foleyline.server.engines.manifest import EngineManifest, ParityFixture
    from foleyline.server.engines.parity import ParityResult, compare
    from foleyline.server.models.catalog import ModelFile, ModelPackage

    MANIFEST = EngineManifest(
        name="tone", engine="tone_plugin:ToneEngine", sample_rates=(48000,), max_seconds=10.0,
        weights_licence="MIT", model_files="tone_plugin",
        parity=(ParityFixture("tone network", ("tone_args",), "tone_plugin:run_parity"),),
    )
    PACKAGES = (
        ModelPackage(name="tone-weights", engine="tone", description="a tone", licence="MIT", licence_id="MIT",
                     files=(ModelFile(local_name="tone.bin", sha256=None, url="file:///nowhere/tone.bin"),)),
        ModelPackage(name="tone-extras", engine="tone", description="more tone", licence="MIT", licence_id="MIT",
                     files=()),
    )
    DEPENDS = {"tone-weights": ("tone-extras",)}


    class ToneEngine(Engine):
        def capabilities(self):
            return EngineCapabilities(name="tone", model="tone", version="1", sample_rate=48000, channels=1,
                                      max_window_seconds=10.0, supports_text=False, supports_cot=False,
                                      supports_roi=False, supports_edit=False, supports_negative_prompt=False,
                                      device="cpu")

        def generate(self, shot, layer, seeds, settings, *, progress=None, cancel=None):
            return [np.zeros(48000, np.float32) for _ in seeds]


    def run_parity(config, data, weights, io):
        result = ParityResult(fixture=config.name, kind="tone network")
        result.add(compare("out.tone", torch.ones(3), torch.ones(3) * data["tone_args"]["gain"], 1e-6))
        return result
'''


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Install entry points of the ``foleyline.engines`` group for one test: a real module on
    sys.path (as an installed package would be), read again when the test ends."""
    (tmp_path / "tone_plugin.py").write_text(textwrap.dedent(PLUGIN))
    monkeypatch.syspath_prepend(str(tmp_path))
    installed: list[EntryPoint] = []

    def entry_points(*, group: str):
        return [ep for ep in installed if ep.group == group]

    monkeypatch.setattr(manifest_module, "entry_points", entry_points)

    def install(name: str, value: str) -> None:
        installed.append(EntryPoint(name=name, value=value, group=manifest_module.ENTRY_POINT_GROUP))

    yield install
    monkeypatch.undo()
    sys.modules.pop("tone_plugin", None)
    engine_manifests(force_reload=True)


def test_the_built_in_entries_say_what_their_engines_report() -> None:
    registry = EngineRegistry(discover=False)
    assert registry.names() == [m.name for m in BUILTIN_ENGINES]
    for entry in BUILTIN_ENGINES:
        caps = registry.status(entry.name).capabilities
        assert caps is not None, entry.name
        assert caps.sample_rate in entry.sample_rates, entry.name
        assert caps.max_window_seconds == entry.max_seconds, entry.name
        assert bool(entry.model_files) == bool(entry.weights_licence), entry.name  # weights come with a licence


def test_every_model_package_and_parity_kind_belongs_to_an_engine_of_the_manifest() -> None:
    names = {m.name for m in BUILTIN_ENGINES}
    drafting = {m.package for m in BUILTIN_DRAFTERS if m.model_files}  # the notes drafters' own packages
    for package in all_packages().values():
        assert package.engine in names or (package.engine == "notes" and package.name in drafting), package.name
    kinds = [fixture.kind for m in BUILTIN_ENGINES for fixture in m.parity]
    assert len(kinds) == len(set(kinds)) and kinds


def test_an_engine_added_by_an_entry_point_is_known_to_registry_models_and_parity(plugins, tmp_path: Path) -> None:
    assert "tone" not in EngineRegistry().names()
    plugins("tone", "tone_plugin:MANIFEST")
    registry = EngineRegistry()
    assert "tone" not in registry.names()  # discovery is cached...
    registry.reload()                      # ...until asked to read again
    assert registry.names()[-1] == "tone" and registry.get("tone").capabilities().name == "tone"
    assert registry.status("tone").manifest.weights_licence == "MIT"

    assert {"tone-weights", "tone-extras", "mmaudio-small-16k", "thinksound"} <= set(all_packages())
    assert dependencies("tone-weights") == ("tone-extras",)

    config, io = tmp_path / "tone_config.json", tmp_path / "tone_io.safetensors"
    config.write_text(json.dumps({"tone_args": {"gain": 1.0}}))
    io.write_bytes(b"")
    result = run_parity(config, [], io)
    assert result.kind == "tone network" and result.passed


def test_a_broken_plugin_is_logged_and_skipped(plugins, caplog: pytest.LogCaptureFixture) -> None:
    plugins("gone", "no_such_module_anywhere:MANIFEST")
    plugins("tone", "tone_plugin:MANIFEST")
    with caplog.at_level(logging.WARNING, logger="foleyline.server.engines.manifest"):
        names = list(engine_manifests(force_reload=True))
    assert "tone" in names and "gone" not in names
    assert "engine plugin gone" in caplog.text


def test_a_plugin_cannot_replace_a_built_in_and_the_environment_wins(plugins, monkeypatch) -> None:
    plugins("procedural", "tone_plugin:ToneEngine")  # an engine class under a built-in's name
    monkeypatch.setenv("FOLEYLINE_ENGINES", "mmaudio=tone_plugin:ToneEngine")
    manifests = engine_manifests(force_reload=True)
    assert manifests["procedural"].engine == "foleyline.server.engines.procedural.engine:ProceduralEngine"
    assert manifests["mmaudio"].engine == "tone_plugin:ToneEngine"
    assert "mmaudio" in engine_manifests(discover=False) and engine_manifests(discover=False)["mmaudio"].model_files
