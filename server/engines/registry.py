"""Which engines exist, found lazily: built-ins plus the ``foleyline.engines`` entry-point group.

Discovery, in order: built-ins, the entry-point group, then FOLEYLINE_ENGINES (which wins).
An engine is named by ``"module:attribute"`` and only imported when someone asks for it (listing
or generating), so a broken or heavy engine never slows down or breaks the others: an import or
load failure is logged, remembered as the reason the engine is unavailable, and a request for it
falls back to the default engine (``procedural``, which needs no weights) with a warning saying
why.

An engine class may offer ``unavailable_reason(cls) -> str | None`` (a classmethod that checks,
without loading, whether its weights are present); the registry probes for it with ``hasattr``.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from dataclasses import dataclass
from importlib.metadata import entry_points

from foleyline.errors import FoleylineError, InvalidInput, Unavailable
from foleyline.notes import Notes
from foleyline.notes.tokens import TokenCount
from foleyline.server.engines.base import Engine, EngineCapabilities

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "foleyline.engines"
ENV_ENGINES = "FOLEYLINE_ENGINES"
DEFAULT_ENGINE = "procedural"

BUILTIN_ENGINES: dict[str, str] = {
    "procedural": "foleyline.server.engines.procedural:ProceduralEngine",
    "mmaudio": "foleyline.server.engines.mmaudio:MMAudioEngine",
    "thinksound": "foleyline.server.engines.thinksound:ThinkSoundEngine",
    "hunyuan_foley": "foleyline.server.engines.hunyuan_foley:HunyuanFoleyEngine",
}


def engines_from_env() -> dict[str, str]:
    """Extra engines named in FOLEYLINE_ENGINES ("name=module:attribute,..."): an engine under
    development, or a test engine, without installing an entry point."""
    extra: dict[str, str] = {}
    for item in os.environ.get(ENV_ENGINES, "").split(","):
        name, sep, target = item.strip().partition("=")
        if not item.strip():
            continue
        if not sep or ":" not in target:
            raise InvalidInput(f"{ENV_ENGINES} entry {item!r} is not name=module:attribute")
        extra[name.strip()] = target.strip()
    return extra


@dataclass(frozen=True)
class EngineStatus:
    name: str
    target: str
    available: bool
    reason: str = ""                        # why not, and what to do
    capabilities: EngineCapabilities | None = None


class EngineRegistry:
    def __init__(self, engines: dict[str, str] | None = None, *, default: str = DEFAULT_ENGINE, discover: bool = True) -> None:
        self._targets = dict(BUILTIN_ENGINES if engines is None else engines)
        if discover:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                self._targets.setdefault(ep.name, ep.value)
            self._targets.update(engines_from_env())
        self.default = default
        self._loaded: dict[str, Engine] = {}
        self._failures: dict[str, str] = {}
        self._lock = threading.Lock()

    @classmethod
    def with_engines(cls, engines: dict[str, Engine], *, default: str) -> EngineRegistry:
        """A registry over ready-made engine objects (tests and embedding)."""
        registry = cls(engines={}, default=default, discover=False)
        for name, engine in engines.items():
            registry._targets[name] = f"<instance {type(engine).__name__}>"
            registry._loaded[name] = engine
        return registry

    def names(self) -> list[str]:
        return list(self._targets)

    def reload(self) -> None:
        """Forget loaded engines and failures (e.g. after ``foleyline models pull``)."""
        with self._lock:
            self._loaded = {n: e for n, e in self._loaded.items() if self._targets[n].startswith("<instance")}
            self._failures.clear()

    def _engine_class(self, name: str) -> type[Engine]:
        module_name, _, attribute = self._targets[name].partition(":")
        try:
            module = importlib.import_module(module_name)
            return getattr(module, attribute)
        except ModuleNotFoundError as exc:
            raise Unavailable(f"the {name} engine is not installed in this build ({exc.name} is missing)") from exc
        except AttributeError as exc:
            raise Unavailable(f"the {name} engine's module {module_name} has no {attribute}") from exc
        except Exception as exc:  # a broken engine is reported, never fatal to the others
            log.debug("engine %s failed to import", name, exc_info=True)
            raise Unavailable(f"the {name} engine failed to import: {type(exc).__name__}: {exc}") from exc

    def get(self, name: str) -> Engine:
        """The engine, loaded (weights and all). Raises Unavailable saying why not."""
        if name not in self._targets:
            raise InvalidInput(f"no engine named {name!r}; the engines are {', '.join(self._targets)}")
        with self._lock:
            if name in self._loaded:
                return self._loaded[name]
            if name in self._failures:
                raise Unavailable(self._failures[name])
            try:
                engine = self._engine_class(name)()
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

    def resolve(self, requested: str) -> tuple[str, Engine, list[str]]:
        """(name, engine, warnings) for a request; an unavailable engine falls back to the
        default with a warning that says what is missing."""
        name = requested or self.default
        try:
            return name, self.get(name), []
        except Unavailable as exc:
            if name == self.default:
                raise
            warning = f"{name} unavailable ({exc}); using {self.default} instead"
            return self.default, self.get(self.default), [warning]

    def token_counts(self, name: str, notes: Notes) -> list[TokenCount]:
        """Per-layer text tokens of ``notes`` against the named engine's limit (weights not needed)."""
        if name not in self._targets:
            raise InvalidInput(f"no engine named {name!r}; the engines are {', '.join(self._targets)}")
        engine = self._loaded.get(name) or self._engine_class(name)()
        return engine.count_text_tokens(notes)

    def status(self, name: str) -> EngineStatus:
        """What is known about an engine without loading weights (loaded engines report their
        capabilities; others are probed with ``unavailable_reason`` when they offer it)."""
        target = self._targets[name]
        if name in self._loaded:
            return EngineStatus(name, target, True, "", self._loaded[name].capabilities())
        if name in self._failures:
            return EngineStatus(name, target, False, self._failures[name])
        try:
            cls = self._engine_class(name)
        except Unavailable as exc:
            return EngineStatus(name, target, False, str(exc))
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
        return EngineStatus(name, target, reason is None, reason or "", capabilities)

    def statuses(self) -> list[EngineStatus]:
        return [self.status(name) for name in self._targets]
