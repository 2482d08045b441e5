"""Which engines can generate, loaded lazily from the engine manifest (``manifest.py``).

An engine is only imported when someone asks for it (listing or generating), so a broken or
heavy engine never slows down or breaks the others: an import or load failure is logged,
remembered as the reason the engine is unavailable, and a request for it is an error saying
what is missing and how to get it (the weights and the pull command, or the extra to install).
Never a silent stand-in: the procedural engine sounds nothing like the one the editor asked for.

An engine class may offer ``unavailable_reason(cls) -> str | None`` (a classmethod that checks,
without loading, whether its weights are present); the registry probes for it with ``hasattr``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from foleyline.errors import FoleylineError, InvalidInput, Unavailable
from foleyline.extras import missing_extra
from foleyline.notes import Notes
from foleyline.notes.tokens import TokenCount
from foleyline.server.engines.base import Engine, EngineCapabilities
from foleyline.server.engines.manifest import EngineManifest, engine_manifests, load_target
from foleyline.server.threads import apply_compute_threads

log = logging.getLogger(__name__)

DEFAULT_ENGINE = "procedural"
_INSTANCE = "<instance>"  # the engine target of an engine handed in ready-made


@dataclass(frozen=True)
class EngineStatus:
    name: str
    target: str
    available: bool
    reason: str = ""                        # why not, and what to do
    capabilities: EngineCapabilities | None = None
    manifest: EngineManifest | None = None


class EngineRegistry:
    def __init__(self, engines: dict[str, str] | None = None, *, default: str = DEFAULT_ENGINE, discover: bool = True,
                 options: dict[str, dict[str, object]] | None = None) -> None:
        """The engines of the manifest (with ``discover``: plugins and FOLEYLINE_ENGINES too),
        or exactly ``engines`` (name -> "module:EngineClass") when given. ``options``: keyword
        arguments an engine is built with when loaded, by engine name (the server's settings
        for it, e.g. the procedural engine's sound library)."""
        self._discover = discover if engines is None else False
        if engines is None:
            self._manifests = engine_manifests(discover=discover)
        else:
            self._manifests = {name: EngineManifest(name=name, engine=target) for name, target in engines.items()}
        self._from_manifest = engines is None
        self._options = dict(options or {})
        self.default = default
        self._loaded: dict[str, Engine] = {}
        self._failures: dict[str, str] = {}
        self._lock = threading.Lock()

    @classmethod
    def with_engines(cls, engines: dict[str, Engine], *, default: str) -> EngineRegistry:
        """A registry over ready-made engine objects (tests and embedding)."""
        registry = cls(engines={}, default=default, discover=False)
        for name, engine in engines.items():
            registry._manifests[name] = EngineManifest(name=name, engine=f"{_INSTANCE} {type(engine).__name__}")
            registry._loaded[name] = engine
        return registry

    def names(self) -> list[str]:
        return list(self._manifests)

    def manifest(self, name: str) -> EngineManifest:
        self._require_known(name)
        return self._manifests[name]

    def reload(self) -> None:
        """Forget loaded engines and failures (e.g. after ``foleyline models pull``), and read
        the manifest again (a plugin installed since)."""
        with self._lock:
            if self._from_manifest:
                self._manifests = engine_manifests(discover=self._discover, force_reload=True)
            # engines handed in ready-made stay; the others load again when next asked for
            self._loaded = {n: e for n, e in self._loaded.items()
                            if n in self._manifests and self._manifests[n].engine.startswith(_INSTANCE)}
            self._failures.clear()

    def _require_known(self, name: str) -> None:
        if name not in self._manifests:
            raise InvalidInput(f"no engine named {name!r}; the engines are {', '.join(self._manifests)}")

    def _engine_class(self, name: str) -> type[Engine]:
        target = self._manifests[name].engine
        module_name, _, attribute = target.partition(":")
        try:
            return load_target(target)
        except ModuleNotFoundError as exc:
            hint = missing_extra(exc) or f"{exc.name} is missing"
            raise Unavailable(f"the {name} engine is not installed in this build: {hint}") from exc
        except AttributeError as exc:
            raise Unavailable(f"the {name} engine's module {module_name} has no {attribute}") from exc
        except Exception as exc:  # a broken engine is reported, never fatal to the others
            log.debug("engine %s failed to import", name, exc_info=True)
            raise Unavailable(f"the {name} engine failed to import: {type(exc).__name__}: {exc}") from exc

    def get(self, name: str) -> Engine:
        """The engine, loaded (weights and all). Raises Unavailable saying why not."""
        self._require_known(name)
        with self._lock:
            if name in self._loaded:
                return self._loaded[name]
            if name in self._failures:
                raise Unavailable(self._failures[name])
            try:
                # Before the engine imports torch or starts a pool: every engine, one setting.
                apply_compute_threads()
                engine = self._engine_class(name)(**self._options.get(name, {}))
                engine.load()
            except FoleylineError as exc:
                self._failures[name] = str(exc)
                log.warning("engine %s unavailable: %s", name, exc)
                raise Unavailable(str(exc)) from exc
            except Exception as exc:  # a broken engine must not take the server down
                reason = f"the {name} engine failed to load: {type(exc).__name__}: {exc}"
                self._failures[name] = reason
                log.exception("engine %s failed to load", name)
                raise Unavailable(reason) from exc
            self._loaded[name] = engine
            return engine

    def resolve(self, requested: str) -> tuple[str, Engine]:
        """(name, engine) for a request: the named engine, else the default. Raises Unavailable
        saying what is missing when it cannot run, InvalidInput for an unknown name."""
        name = requested or self.default
        return name, self.get(name)

    def token_counts(self, name: str, notes: Notes) -> list[TokenCount]:
        """Per-layer text tokens of ``notes`` against the named engine's limit (weights not needed)."""
        self._require_known(name)
        engine = self._loaded.get(name) or self._engine_class(name)()
        return engine.count_text_tokens(notes)

    def status(self, name: str) -> EngineStatus:
        """What is known about an engine without loading weights (loaded engines report their
        capabilities; others are probed with ``unavailable_reason`` when they offer it)."""
        manifest = self._manifests[name]
        target = manifest.engine
        if name in self._loaded:
            return EngineStatus(name, target, True, "", self._loaded[name].capabilities(), manifest)
        if name in self._failures:
            return EngineStatus(name, target, False, self._failures[name], manifest=manifest)
        try:
            cls = self._engine_class(name)
        except Unavailable as exc:
            return EngineStatus(name, target, False, str(exc), manifest=manifest)
        reason = None
        if hasattr(cls, "unavailable_reason"):
            try:
                reason = cls.unavailable_reason()
            except Exception as exc:  # probing must never break listing
                reason = f"could not check the {name} engine: {exc}"
        capabilities = None
        try:
            capabilities = cls().capabilities()
        except Exception:  # capabilities may need loaded weights; listing goes on without them
            log.debug("engine %s reports no capabilities before loading", name, exc_info=True)
        return EngineStatus(name, target, reason is None, reason or "", capabilities, manifest)

    def statuses(self) -> list[EngineStatus]:
        return [self.status(name) for name in self._manifests]
