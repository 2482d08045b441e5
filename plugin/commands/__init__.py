"""Subcommands of ``foleyline`` that run on the client side: they read timelines and talk to a
server over gRPC (see ``foleyline.cli.COMMANDS``)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from foleyline.errors import InvalidInput


def files_in(paths: Iterable[Path], suffixes: Iterable[str], *, bundles: Iterable[str] = ()) -> list[Path]:
    """The files named, with each folder standing for its files of these ``suffixes`` (a folder
    whose own suffix is in ``bundles`` is one file, as an .fcpxmld bundle is)."""
    wanted, bundled = {s.lower() for s in suffixes}, {s.lower() for s in bundles}
    result: list[Path] = []
    for path in paths:
        if path.is_dir() and path.suffix.lower() not in bundled:
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in wanted)
            if not found:
                raise InvalidInput(f"{path} holds no {', '.join(sorted(wanted))} files")
            result.extend(found)
        else:
            result.append(path)
    return result
