"""A shot as a front end asks for it: the one place a ``pb.Shot`` request is built (for
Generate and DraftNotes), from ``foleyline generate``, the panel and the Resolve run alike.
``FoleyClient.generate`` wraps the shots and settings in the GenerateRequest."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from foleyline.notes import Notes
from foleyline.notes.convert import notes_to_proto
from foleyline.plugin.shots import Shot, shot_to_proto
from foleyline.protos.v1 import foley_pb2 as pb

__all__ = ["shot_request"]


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
