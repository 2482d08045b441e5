"""The notes an editor types, kept on disk as they are typed (in the data folder, one text
file per shot, the notes' own text form), so that closing the panel, opening another timeline
or a crash loses none of them; opening the shot again brings them back. A take records the
notes it was made from, but notes typed and not yet generated were held only in memory."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from foleyline import config
from foleyline.errors import FoleylineError
from foleyline.fsutil import write_text_atomic
from foleyline.notes.schema import Notes
from foleyline.notes.text import from_text, to_text

log = logging.getLogger(__name__)


def folder() -> Path:
    return config.data_dir() / "panel" / "notes"


def _path(shot_id: str) -> Path:
    # Shot ids are the timeline reader's stable ids ("shot-<hex>"); anything else is made a name.
    return folder() / (re.sub(r"[^A-Za-z0-9_.-]", "_", shot_id) + ".txt")


def keep(shot_id: str, notes: Notes) -> None:
    """Write ``notes`` for ``shot_id``; a folder that cannot be written is logged, not raised:
    the editor keeps typing, and the notes stay in the panel."""
    try:
        write_text_atomic(_path(shot_id), to_text(notes))
    except OSError as exc:
        log.warning("could not keep the notes of %s in %s: %s", shot_id, folder(), exc)


def kept(shot_id: str) -> Notes | None:
    """The notes last typed for ``shot_id``, or None (never typed, or the file does not parse)."""
    path = _path(shot_id)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("could not read the kept notes %s: %s", path, exc)
        return None
    try:
        return from_text(text)
    except FoleylineError as exc:
        log.warning("the kept notes %s do not parse (%s); ignoring them", path, exc)
        return None
