"""The known model packages, gathered from the modules the engine and drafter manifests name
(``model_files`` of each entry in ``foleyline.server.engines.manifest``; usually the engine's
``files.py``, and ``server/notes/files.py`` for the drafting models).

Such a module exposes ``PACKAGE`` (one ModelPackage) or ``PACKAGES`` (several), and optionally
``DEPENDS`` (package name -> names of packages it needs, pulled along with it). A module that
fails to import is logged and skipped, so one broken engine never hides the others' models.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from foleyline.config import models_dir
from foleyline.errors import NotFound
from foleyline.server.engines.manifest import drafter_manifests, engine_manifests
from foleyline.server.models.catalog import ModelPackage

log = logging.getLogger(__name__)

__all__ = ["all_packages", "dependencies", "find_package", "package_dir"]


def _modules():
    named = [*engine_manifests().values(), *drafter_manifests().values()]
    seen: set[str] = set()
    for manifest in named:
        if not manifest.model_files or manifest.model_files in seen:
            continue  # no weights of its own, or a module already read
        seen.add(manifest.model_files)
        try:
            yield importlib.import_module(manifest.model_files)
        except Exception:  # a broken engine must not break `models list`
            log.warning("could not read the %s model packages from %s", manifest.name, manifest.model_files, exc_info=True)


def all_packages() -> dict[str, ModelPackage]:
    found: dict[str, ModelPackage] = {}
    for module in _modules():
        packages = getattr(module, "PACKAGES", None)
        if packages is None and hasattr(module, "PACKAGE"):
            packages = (module.PACKAGE,)
        for package in packages or ():
            found[package.name] = package
    return found


def dependencies(name: str) -> tuple[str, ...]:
    """The packages ``name`` needs besides itself (one level; packages have no deep chains)."""
    for module in _modules():
        depends = getattr(module, "DEPENDS", {})
        if name in depends:
            return tuple(depends[name])
    return ()


def find_package(name: str) -> ModelPackage:
    packages = all_packages()
    if name not in packages:
        raise NotFound(f"no model package named {name!r}; known packages: {', '.join(sorted(packages)) or 'none'}")
    return packages[name]


def package_dir(package: ModelPackage | str, models_root: Path | None = None) -> Path:
    if models_root is None:
        models_root = models_dir()
    name = package if isinstance(package, str) else package.name
    return Path(models_root) / name
