"""A take's layers as WAV files in a folder: the one naming of take files, shared by
``foleyline generate``, the panel's export and the Resolve run.

Names come from a template (``FOLEYLINE_TAKE_FILE_TEMPLATE``, or the panel's export settings),
by default ``{shot}_{layer}_T{take:02d}.wav``: "A001_door_slam_T02.wav", as a sound editor reads
a take list. The fields are

    {shot}      the shot's name          {layer}    the layer's label ("mix" for the mix)
    {kind}      BG, FX or FOLEY          {take}     the take's number in its shot (1, 2, ...)
    {take_id}   the server's take id     {engine}   the engine     {seed}  the seed

and a template must name the shot, the layer and the take ({take} or {take_id}).

Two takes never share a file, so a timeline written earlier keeps linking the audio it linked:

- within one export a name is given once: a second layer that would get it (two shots of one
  name, two labels that read alike in a file name) gets its take id added;
- a file already in the folder under a name is replaced only when it holds the same take's
  layer (the bext OriginatorReference the server stamps, which a circled copy keeps) or is
  not a WAV at all (a damaged file); a file holding another take's layer, or anyone else's
  WAV, stays as it is, and this layer gets the name with its take id added.
"""

from __future__ import annotations

import hashlib
import os
import re
import string
from collections.abc import Callable
from pathlib import Path

from foleyline import config
from foleyline.errors import InvalidInput
from foleyline.notes.convert import kind_from_proto
from foleyline.plugin.shots import Shot
from foleyline.plugin.timeline.takes import safe_stem
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.wavchunks import NotAWave, bext_originator_reference

__all__ = ["FIELDS", "Fetch", "TakeFiles", "check_template", "take_file_name", "write_take_files"]

Fetch = Callable[[str, Path], Path]  # (sha256, destination) -> the file written there, atomically
FIELDS = ("shot", "layer", "kind", "take", "take_id", "engine", "seed")
_TAKE_FIELDS = ("take", "take_id")


def check_template(template: str) -> str:
    """The template, with ".wav" added when it has no suffix; InvalidInput saying what is wrong."""
    try:
        named = {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise InvalidInput(f"the file-name template {template!r} is malformed ({exc}); e.g. {config.BY_KEY['take_file_template'].default}") from None
    unknown = sorted(named - set(FIELDS))
    if unknown:
        raise InvalidInput(f"the file-name template {template!r} names {', '.join(unknown)}; "
                           f"the fields are {', '.join('{' + f + '}' for f in FIELDS)}")
    if "shot" not in named or "layer" not in named or not named & set(_TAKE_FIELDS):
        raise InvalidInput(f"the file-name template {template!r} must name the shot, the layer and the take "
                           "({shot}, {layer} and {take} or {take_id}), or two files would get one name")
    if "/" in template or "\\" in template:
        raise InvalidInput(f"the file-name template {template!r} names a folder; give a file name (the folder is the export's)")
    return template if Path(template).suffix.lower() == ".wav" else template + ".wav"


def take_file_name(shot: Shot, take: pb.Take, layer: pb.LayerAudio, template: str | None = None) -> str:
    """The file name of one layer of ``take`` by ``template`` (default: the configured one)."""
    template = check_template(template or config.take_file_template())
    values = {
        "shot": safe_stem(shot.name), "layer": safe_stem(layer.label),
        "kind": kind_from_proto(layer.kind, layer.label).value, "take": take.number,
        "take_id": re.sub(r"[^A-Za-z0-9._-]+", "_", take.id), "engine": safe_stem(take.engine or "engine"),
        "seed": take.seed,
    }
    try:
        return template.format(**values)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"the file-name template {template!r} cannot be filled ({exc}); "
                           "{take} and {seed} are numbers, the other fields text") from None


def _with_take_id(name: str, take: pb.Take) -> str:
    path = Path(name)
    return f"{path.stem}_{re.sub(r'[^A-Za-z0-9._-]+', '_', take.id)}{path.suffix}"


def _holds(path: Path, sha256: str) -> bool:
    if not path.is_file():
        return False
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest() == sha256


def _replaceable(existing: Path, incoming: Path) -> bool:
    """May ``incoming`` take ``existing``'s place: the same take's layer, or a damaged file."""
    try:
        held = bext_originator_reference(existing)
    except (NotAWave, OSError):
        return True
    return held is not None and held == bext_originator_reference(incoming)


class TakeFiles:
    """The take files of one export into ``folder``, named by ``template``."""

    def __init__(self, folder: Path, template: str | None = None) -> None:
        self.folder = Path(folder)
        self.template = check_template(template or config.take_file_template())
        self._given: dict[str, tuple[str, str]] = {}  # name -> (take id, layer)

    def write(self, shot: Shot, take: pb.Take, fetch: Fetch, *, staging: Path | None = None) -> list[tuple[pb.LayerAudio, Path]]:
        """Each layer of ``take`` that has audio as a WAV named for ``folder``; returns (layer,
        path) in layer order. With ``staging`` the files are written there (under the names they
        will have in ``folder``), for the caller to move in."""
        written = []
        for layer in take.layers:
            if layer.audio.sha256:
                written.append((layer, self._write_one(shot, take, layer, fetch, staging)))
        return written

    def _write_one(self, shot: Shot, take: pb.Take, layer: pb.LayerAudio, fetch: Fetch, staging: Path | None) -> Path:
        name = take_file_name(shot, take, layer, self.template)
        owner = (take.id, layer.label)
        if self._given.get(name, owner) != owner:
            name = _with_take_id(name, take)
        where = Path(staging) if staging is not None else self.folder
        target = self.folder / name
        if staging is None and _holds(target, layer.audio.sha256):
            self._given[name] = owner
            return target
        where.mkdir(parents=True, exist_ok=True)
        incoming = fetch(layer.audio.sha256, where / f".{name}.incoming")
        if target.exists() and not _holds(target, layer.audio.sha256) and not _replaceable(target, incoming):
            name = _with_take_id(name, take)
        self._given[name] = owner
        final = where / name
        os.replace(incoming, final)
        return final


def write_take_files(shot: Shot, take: pb.Take, folder: Path, fetch: Fetch, template: str | None = None) -> list[tuple[pb.LayerAudio, Path]]:
    """One take's files in ``folder`` (see :class:`TakeFiles`, which an export of several takes uses)."""
    return TakeFiles(folder, template).write(shot, take, fetch)
