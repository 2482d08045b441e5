"""The engine manifest: which engines exist and what each one is, read by the registry
(``registry.py``: what can generate), the model folder (``server/models``: what ``models
pull|verify|list`` know) and the parity checks (``parity.py``: which fixture a config is).

Beside it, the drafter manifest (``BUILTIN_DRAFTERS``): the models that draft notes (a
vision-language model, or CLIP for zero-shot labels). They make no sound, so the registry never
sees them; the model folder pulls their packages from the same ``model_files`` modules, and the
notes ladder (``server/notes/drafters.py``) picks among the installed ones.

Each engine is one small ``EngineManifest`` entry. Everything it names is a dotted
``"module:attribute"`` (or module) string, imported only when someone asks for that part, so
reading the manifest never imports torch or an engine's weights code. To add an engine: write
its package under ``server/engines/`` and add one entry to ``BUILTIN_ENGINES`` below.

Discovery, in layers (as OTIO finds its adapters):

1. ``BUILTIN_ENGINES`` below;
2. the ``foleyline.engines`` entry-point group: an installed package registers
   ``name = "its.module:MANIFEST"`` (an ``EngineManifest``; a bare engine class is accepted
   too). A plugin adds engines; it cannot replace a built-in of the same name;
3. ``FOLEYLINE_ENGINES="name=module:EngineClass,..."``: an engine under development or a
   test's; it wins over both.

Discovery is lazy and cached; ``engine_manifests(force_reload=True)`` reads again (after an
install). An entry point that fails to load is logged and skipped: one broken plugin never
hides the others.
"""

from __future__ import annotations

import importlib
import logging
import threading
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from foleyline import config
from foleyline.errors import InvalidInput

log = logging.getLogger(__name__)

__all__ = [
    "BUILTIN_DRAFTERS", "BUILTIN_ENGINES", "DrafterManifest", "ENTRY_POINT_GROUP", "ENV_ENGINES",
    "EngineManifest", "ParityFixture", "drafter_manifests", "engine_manifests", "load_target", "model_licence",
]

ENTRY_POINT_GROUP = "foleyline.engines"
ENV_ENGINES = "FOLEYLINE_ENGINES"


@dataclass(frozen=True)
class ParityFixture:
    """One kind of reference fixture: a fixture config holding all of ``config_keys`` is this
    kind, and ``runner(config_path, config_data, weights_paths, io_path) -> ParityResult``
    checks it (see ``parity.py``)."""

    kind: str                       # what it checks, as the report names it ("mmaudio network")
    config_keys: tuple[str, ...]
    runner: str                     # "module:function"


@dataclass(frozen=True)
class EngineManifest:
    name: str
    engine: str                                 # "module:Class" implementing server.engines.base.Engine
    sample_rates: tuple[int, ...] = ()          # the rates it generates at (before the post's resample)
    max_seconds: float | None = None            # longest audio in one call; None: any length
    weights_licence: str = ""                   # what the weights' licence allows; "" for no weights
    memory: str = ""                            # what running it needs (GPU memory); "" when nothing notable
    model_files: str = ""                       # module declaring its model packages (PACKAGES/PACKAGE, DEPENDS)
    parity: tuple[ParityFixture, ...] = ()


_MMAUDIO = "foleyline.server.engines.mmaudio"
_THINKSOUND = "foleyline.server.engines.thinksound"
_HUNYUAN = "foleyline.server.engines.hunyuan_foley"

BUILTIN_ENGINES: tuple[EngineManifest, ...] = (
    EngineManifest(
        name="procedural",
        engine="foleyline.server.engines.procedural.engine:ProceduralEngine",
        sample_rates=(48000,),
        max_seconds=120.0,
        weights_licence="",
    ),
    EngineManifest(
        name="mmaudio",
        engine=f"{_MMAUDIO}.engine:MMAudioEngine",
        sample_rates=(16000, 44100),
        max_seconds=8.0,
        weights_licence="CC-BY-NC-4.0: non-commercial use only, with attribution",
        model_files=f"{_MMAUDIO}.files",
        parity=(
            ParityFixture("mmaudio network", ("constructor_args",), f"{_MMAUDIO}.parity:run_network_parity"),
            ParityFixture("mmaudio vae+vocoder", ("vae", "vocoder"), f"{_MMAUDIO}.parity:run_chain_parity"),
        ),
    ),
    EngineManifest(
        name="thinksound",
        engine=f"{_THINKSOUND}.engine:ThinkSoundEngine",
        sample_rates=(44100,),
        max_seconds=None,  # longer shots are windowed and crossfaded inside the engine
        weights_licence="research and educational use only; no commercial use",
        model_files=f"{_THINKSOUND}.files",
        parity=(ParityFixture("thinksound", ("mmmodule_constructor_args",), f"{_THINKSOUND}.parity:run_fixture"),),
    ),
    EngineManifest(
        name="hunyuan_foley",
        engine=f"{_HUNYUAN}.engine:HunyuanFoleyEngine",
        sample_rates=(48000,),
        max_seconds=15.0,  # the reference reads no frame after 15 s; the server windows longer shots
        weights_licence=(
            "Tencent Hunyuan Community Licence: commercial use allowed, but no rights in the EU, the UK "
            "or South Korea; above 100 M monthly active users Tencent's separate licence is needed; its "
            "outputs must not be used to improve any other AI model"
        ),
        memory=("GPU memory: about 20 GB for XXL, 16 GB for XL (12 GB / 8 GB with the encoders offloaded); "
                "the CPU runs it in float32 (XL: 11.6 GB of weights)"),
        model_files=f"{_HUNYUAN}.files",
        parity=(
            ParityFixture("hunyuan-foley network", ("constructor_model_config",), f"{_HUNYUAN}.parity:run_network_parity"),
            ParityFixture("hunyuan-foley DAC VAE", ("constructor_kwargs",), f"{_HUNYUAN}.parity:run_vae_parity"),
            ParityFixture("hunyuan-foley Synchformer", ("vit_overrides",), f"{_HUNYUAN}.parity:run_synchformer_parity"),
        ),
    ),
)


@dataclass(frozen=True)
class DrafterManifest:
    """One model the notes ladder can draft with.

    ``kind``: "vlm" (writes the notes from the frames) or "clip" (labels the frames zero-shot
    for the motion analysis' layers). ``loader``: "module:attribute" called with the model's
    folder (a VLM's with its settings too). ``package``: the model package whose folder holds
    it: its own (declared in ``model_files``), or another one's (MMAudio's CLIP is reused from
    ``mmaudio-features``). It counts as installed when ``required`` are there, or, with none
    named, when the folder is a complete transformers model (config, tokenizer, image processor
    and every weight file).
    ``gpu_memory_gb``: what one shot needs on a GPU in bf16, weights and activations;
    ``params_b``: its size, which ranks it (the largest that fits a GPU, the smallest on a CPU).
    """

    name: str
    kind: str                                   # "vlm" or "clip"
    loader: str                                 # "module:attribute", called with the folder
    package: str                                # the model package (folder) it lives in
    weights_licence: str                        # plain words
    params_b: float                             # billions of parameters
    gpu_memory_gb: float
    model_files: str = ""                       # module declaring its package; "" when another entry pulls it
    required: tuple[str, ...] = ()              # the files it needs; () for a transformers folder


_NOTES = "foleyline.server.notes"

BUILTIN_DRAFTERS: tuple[DrafterManifest, ...] = (
    DrafterManifest(
        name="qwen3-vl-2b", kind="vlm", loader=f"{_NOTES}.draft_vlm:load_vlm", package="qwen3-vl-2b",
        weights_licence="Apache-2.0", params_b=2.1, gpu_memory_gb=6.0, model_files=f"{_NOTES}.files",
    ),
    DrafterManifest(
        name="qwen2.5-vl-3b", kind="vlm", loader=f"{_NOTES}.draft_vlm:load_vlm", package="qwen2.5-vl-3b",
        weights_licence="Qwen Research License: research and evaluation only, no commercial use",
        params_b=3.8, gpu_memory_gb=10.0, model_files=f"{_NOTES}.files",
    ),
    DrafterManifest(
        name="qwen2.5-vl-7b", kind="vlm", loader=f"{_NOTES}.draft_vlm:load_vlm", package="qwen2.5-vl-7b",
        weights_licence="Apache-2.0", params_b=8.3, gpu_memory_gb=20.0, model_files=f"{_NOTES}.files",
    ),
    DrafterManifest(
        name="clip-vit-b32", kind="clip", loader=f"{_NOTES}.clip_models:HfClip", package="clip-vit-b32",
        weights_licence="MIT", params_b=0.15, gpu_memory_gb=1.0, model_files=f"{_NOTES}.files",
    ),
    DrafterManifest(
        name="dfn5b-clip", kind="clip", loader=f"{_NOTES}.clip_models:Dfn5bClip", package="mmaudio-features",
        weights_licence="Apple Sample Code License (pulled with MMAudio's features)",
        params_b=0.99, gpu_memory_gb=3.0,
        required=("open_clip_pytorch_model.bin", "vocab.json", "merges.txt"),
    ),
)


def drafter_manifests() -> dict[str, DrafterManifest]:
    """Every drafting model by name, in the manifest's order."""
    return {m.name: m for m in BUILTIN_DRAFTERS}


def load_target(target: str) -> Any:
    """The object a ``"module:attribute"`` string names (a module for a bare module name)."""
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def engines_from_env() -> list[EngineManifest]:
    """Engines named in FOLEYLINE_ENGINES ("name=module:EngineClass,...")."""
    found = []
    for item in config.value("engines").split(","):
        if not item.strip():
            continue
        name, sep, target = item.strip().partition("=")
        if not sep or ":" not in target:
            raise InvalidInput(f"{ENV_ENGINES} entry {item!r} is not name=module:attribute")
        found.append(EngineManifest(name=name.strip(), engine=target.strip()))
    return found


def _from_entry_points() -> list[EngineManifest]:
    found = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = entry.load()
        except Exception:  # a broken plugin is reported and skipped, never fatal to the others
            log.warning("engine plugin %s (%s) failed to load; skipping it", entry.name, entry.value, exc_info=True)
            continue
        if isinstance(loaded, EngineManifest):
            found.append(loaded)
        elif isinstance(loaded, type):
            found.append(EngineManifest(name=entry.name, engine=entry.value))
        else:
            log.warning("engine plugin %s (%s) is neither an EngineManifest nor an engine class; skipping it",
                        entry.name, entry.value)
    return found


_lock = threading.Lock()
_cache: dict[bool, dict[str, EngineManifest]] = {}


def engine_manifests(*, discover: bool = True, force_reload: bool = False) -> dict[str, EngineManifest]:
    """Every engine's manifest by name: the built-ins, and with ``discover`` the entry points
    and FOLEYLINE_ENGINES too. The environment is read on every call (it is cheap and tests
    change it); entry points once, until ``force_reload``."""
    with _lock:
        if force_reload or discover not in _cache:
            found = {m.name: m for m in BUILTIN_ENGINES}
            if discover:
                for manifest in _from_entry_points():
                    found.setdefault(manifest.name, manifest)
            _cache[discover] = found
        manifests = dict(_cache[discover])
    if discover:
        manifests.update((m.name, m) for m in engines_from_env())
    return manifests


def model_licence(name: str) -> str:
    """What an engine's take files say of its model's licence (their C2PA manifest)."""
    manifest = engine_manifests().get(name)
    if manifest is None:
        return "not stated (the engine is not in the manifest)"
    return manifest.weights_licence or "none: no model weights"
