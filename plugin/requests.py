"""A shot as a front end asks for it: the one place a ``pb.Shot`` request is built (for
Generate and DraftNotes), from ``foleyline generate``, the panel and the Resolve run alike.
``FoleyClient.generate`` wraps the shots and settings in the GenerateRequest."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path

from foleyline.notes import Notes
from foleyline.notes.convert import notes_to_proto
from foleyline.plugin.shots import Shot, shot_to_proto
from foleyline.protos.v1 import foley_pb2 as pb

__all__ = ["project_settings", "shot_request"]

# The server's bounds on a project name (server/validation.py): 256 characters, no control
# characters. A timeline's name is the editor's, so it is made to fit rather than refused.
_PROJECT_CHARS = 256
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def project_settings(settings: pb.GenerateSettings | None, timeline_name: str,
                     timeline_file: Path | None = None) -> pb.GenerateSettings:
    """The settings, naming the project after the editor's timeline unless they name one: the
    takes' iXML PROJECT, which Pro Tools, Soundminer and Resolve sort and search by. The
    timeline's name, else the stem of the file it was read from (an EDL or an OTIO file may name
    no timeline; a Resolve timeline has no file). A control character in the name (a line break
    an NLE let in) becomes a space."""
    named = pb.GenerateSettings()
    if settings is not None:
        named.CopyFrom(settings)
    if not named.project:
        name = timeline_name or (Path(timeline_file).stem if timeline_file is not None else "")
        named.project = " ".join(_CONTROL.sub(" ", name).split())[:_PROJECT_CHARS]
    return named


def shot_request(
    shot: Shot,
    notes: Notes | None = None,
    *,
    only_layers: Iterable[str] = (),
    base_take_id: str = "",
    content_hash: str = "",
) -> pb.Shot:
    """The request for ``shot``.

    notes: the editor's notes (their shot id is set to the shot's); None lets the server draft.
    only_layers, base_take_id: regenerate only these layers, keeping the others of that take.
    content_hash: the media as uploaded to a remote server (``FoleyClient.upload_media``).
    """
    message = shot_to_proto(shot)
    if notes is not None:
        message.notes.CopyFrom(notes_to_proto(dataclasses.replace(notes, shot_id=shot.id)))
        message.has_notes = True
    message.only_layers.extend(only_layers)
    if base_take_id:
        message.base_take_id = base_take_id
    if content_hash:
        message.media.content_hash = content_hash
    return message
