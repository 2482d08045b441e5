"""The label set the zero-shot labeller asks about: the UCS categories a camera can see
(``sound_labels.tsv``, rows of the UCS list the procedural engine and the SFX library file
sounds by), each with the kind of layer it names, a caption for CLIP and the sound's words.

    sound_labels()            every row, in the file's order
    labels_for(*roles)        the rows of some roles
    PLACE_ROLES, SOURCE_ROLES the sets the labeller asks separately (where; what sounds)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Literal, get_args

from foleyline.server.engines.procedural import ucs

__all__ = ["Role", "SoundLabel", "PLACE_ROLES", "SOURCE_ROLES", "SURFACE_ROLES", "labels_for", "parse_sound_labels",
           "sound_labels"]

Role = Literal["place", "contacts", "steps", "continuous", "calls", "surface"]
PLACE_ROLES: tuple[Role, ...] = ("place",)
SOURCE_ROLES: tuple[Role, ...] = ("contacts", "steps", "continuous", "calls")
SURFACE_ROLES: tuple[Role, ...] = ("surface",)


@dataclass(frozen=True)
class SoundLabel:
    cat_id: str        # the UCS CatID ("GUNPis")
    role: Role
    caption: str       # what CLIP is asked: "a person firing a pistol"
    sound: str         # what the layer is called and the engine reads: "pistol gunshots"

    @property
    def category(self) -> str:
        entry = ucs.lookup(self.cat_id)
        return entry.category if entry else ""


@functools.lru_cache(maxsize=1)
def sound_labels() -> tuple[SoundLabel, ...]:
    """The rows of ``sound_labels.tsv``."""
    return parse_sound_labels(resources.files(__package__).joinpath("sound_labels.tsv").read_text(encoding="utf-8"))


def parse_sound_labels(text: str) -> tuple[SoundLabel, ...]:
    """Rows of the label file; a row naming a CatID outside the UCS list, or an unknown role,
    is a mistake in the file and stops the load saying which line."""
    rows: list[SoundLabel] = []
    for number, fields in ucs.table_rows(text):
        if len(fields) != 4 or not all(f.strip() for f in fields):
            line = "\t".join(fields)
            raise ValueError(f"sound_labels.tsv:{number}: expected CatID, role, caption, sound; got {line!r}")
        cat_id, role, caption, sound = (f.strip() for f in fields)
        if ucs.lookup(cat_id) is None:
            raise ValueError(f"sound_labels.tsv:{number}: {cat_id} is not a UCS CatID")
        if role not in get_args(Role):
            raise ValueError(f"sound_labels.tsv:{number}: role {role!r} is not one of {', '.join(get_args(Role))}")
        rows.append(SoundLabel(cat_id, role, caption, sound))  # type: ignore[arg-type]
    return tuple(rows)


def labels_for(*roles: Role) -> tuple[SoundLabel, ...]:
    return tuple(label for label in sound_labels() if label.role in roles)
