"""Checks of a command's choices made before any work: a wrong output folder or an engine that
cannot run is said at once, not after minutes of decoding and generating.

The values a choice takes, for argparse ``choices`` and the help text, are here too.
"""

from __future__ import annotations

import os
from pathlib import Path

import opentimelineio as otio

from foleyline import config
from foleyline.errors import InvalidInput, Unavailable
from foleyline.plugin.client import FoleyClient
from foleyline.plugin.timeline.formats import FORMATS

OUTPUT_FORMATS: tuple[str, ...] = tuple(FORMATS)
MARKER_COLOURS: tuple[str, ...] = tuple(sorted(c for c in vars(otio.schema.MarkerColor) if c.isupper()))


def marker_colour(text: str) -> str:
    """A marker colour as written on the command line, in any case ("red", "Red", "RED")."""
    return text.upper()


def check_out_dir(path: Path) -> None:
    """The output folder can be made or written to."""
    if path.exists() and not path.is_dir():
        raise InvalidInput(f"{path} exists and is not a folder; choose another -o")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise InvalidInput(f"cannot write into {existing} (for -o {path}); choose a folder you can write to")


def builtin_engines() -> list[str]:
    """The engines a server started here would have (the engine manifest)."""
    # Deferred: the manifest lives with the server; reading it imports no engine code.
    from foleyline.server.engines.manifest import engine_manifests

    return list(engine_manifests())


def check_engine(name: str, address: str | None, *, token: str | None = None, tls_ca: Path | None = None) -> None:
    """The engine exists and can run where the work will be done: on the server at ``address``
    (asked over gRPC), or in this process when none is configured. Raises with what is missing
    (weights and the pull command, or the extra to install)."""
    if not name:
        return
    if address:
        with FoleyClient.configured(address, token, tls_ca) as client:
            client.health(wait=5)
            engines = {e.name: (e.available, e.unavailable_reason) for e in client.server_info().engines}
        where = f"the server at {address}"
    else:
        # Deferred: only a run without a server loads the registry here (engine classes, no weights).
        from foleyline.server.engines.registry import EngineRegistry

        registry = EngineRegistry()
        # Names only: probing an engine imports its code (torch, ...), so only the one asked for is.
        engines = dict.fromkeys(registry.names())
        where = "this machine"
    if name not in engines:
        raise InvalidInput(f"--engine {name}: no such engine on {where}; the engines are {', '.join(engines)}")
    if engines[name] is None:
        status = registry.status(name)
        engines[name] = (status.available, status.reason)
    available, reason = engines[name]
    if not available:
        raise Unavailable(f"the {name} engine cannot run on {where}: {reason}")


def configured_address(server: str | None) -> str | None:
    return server or config.configured_server()
