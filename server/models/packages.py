"""The known model packages, gathered from the engines' ``files.py`` modules.

A ``files.py`` exposes ``PACKAGE`` (one ModelPackage) or ``PACKAGES`` (several), and optionally
``DEPENDS`` (package name -> names of packages it needs, pulled along with it). A module that
fails to import is logged and skipped, so one broken engine never hides the others' models.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from foleyline.errors import NotFound
from foleyline.server.models.catalog import ModelPackage

log = logging.getLogger(__name__)

__all__ = ["FILES_MODULES", "all_packages", "dependencies", "find_package", "package_dir"]

FILES_MODULES = (
    "foleyline.server.engines.mmaudio.files",
    "foleyline.server.engines.thinksound.files",
    "foleyline.server.engines.hunyuan_foley.files",
)


def _modules():
    for name in FILES_MODULES:
        try:
            yield importlib.import_module(name)
        except Exception:  # a broken engine must not break `models list`
            log.warning("could not read model packages from %s", name, exc_info=True)


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
        from foleyline.config import models_dir

        models_root = models_dir()
    name = package if isinstance(package, str) else package.name
    return Path(models_root) / name
