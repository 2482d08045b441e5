"""The engine manifest: which engines exist and what each one is, read by the registry
(``registry.py``: what can generate), the model folder (``server/models``: what ``models
pull|verify|list`` know) and the parity checks (``parity.py``: which fixture a config is).

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
    "BUILTIN_ENGINES", "ENTRY_POINT_GROUP", "ENV_ENGINES", "EngineManifest", "ParityFixture",
    "engine_manifests", "load_target",
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
    model_files: str = ""                       # module declaring its model packages (PACKAGES/PACKAGE, DEPENDS)
    parity: tuple[ParityFixture, ...] = ()


_MMAUDIO = "foleyline.server.engines.mmaudio"
_THINKSOUND = "foleyline.server.engines.thinksound"

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
)


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
