"""Ambiences that name a place ("a busy market", "jungle at night"): the beds a sound editor lays
for it (a market's crowd over distant traffic, a forest's birds and wind), from ``places.tsv``.

A place noun names no sound source, so neither matcher hears it: without this table a market
or an airport was a room tone. The table says, per place, what is heard, as the engine's models
and their levels, and which of the sounds the place is known by no model makes (a jungle's frogs,
a station's trains): those the layer warns about. "At night" the birds sleep and the
place's night column says what is heard instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from . import ucs
from .synths import CATALOG, SoundModel

_NIGHT = frozenset({"night", "nighttime", "midnight", "nocturnal"})
_WORD = re.compile(r"[a-z]+")
_LONGEST = 3  # words in the longest place name


@dataclass(frozen=True)
class Bed:
    model: SoundModel
    gain_db: float      # against the model's own level


@dataclass(frozen=True)
class Unmade:
    sound: str          # "frogs"
    cat_id: str         # its UCS category


@dataclass(frozen=True)
class Place:
    cat_id: str
    day: tuple[Bed | Unmade, ...]
    night: tuple[Bed | Unmade, ...]


@dataclass(frozen=True)
class Heard:
    """What a prompt's places are heard by."""

    said: str                       # the place words as the prompt says them ("jungle at night")
    cat_ids: tuple[str, ...]        # the places' UCS categories
    beds: tuple[Bed, ...]           # textures, the lead first
    scattered: SoundModel | None    # a one-shot fired now and then through the shot
    unmade: tuple[Unmade, ...]
    rest: str                       # the prompt without the place words


def _parse_heard(column: str) -> tuple[Bed | Unmade, ...]:
    found: list[Bed | Unmade] = []
    for item in (part.strip() for part in column.split(",")):
        if item.startswith("~"):
            sound, cat_id = item[1:].rsplit(" ", 1)
            found.append(Unmade(sound, cat_id))
        else:
            name, *level = item.split()
            found.append(Bed(CATALOG[name], float(level[0]) if level else 0.0))
    return tuple(found)


@lru_cache(maxsize=1)
def table() -> dict[str, Place]:
    """Every place name -> its place."""
    text = resources.files(__package__).joinpath("places.tsv").read_text(encoding="utf-8")
    found: dict[str, Place] = {}
    for _number, (cat_id, names, day, night) in ucs.table_rows(text):
        day_heard = _parse_heard(day)
        night_heard = _parse_heard(night) if night.strip() != "-" else tuple(
            h for h in day_heard if not (isinstance(h, Bed) and h.model.name == "birds"))
        place = Place(cat_id, day_heard, night_heard)
        for name in (n.strip() for n in names.split(",")):
            if name in found:
                raise ValueError(f"places.tsv: {name!r} is listed twice")
            found[name] = place
    return found


def _described(heard: tuple[Bed | Unmade, ...]) -> str:
    def one(h: Bed | Unmade) -> str:
        if isinstance(h, Unmade):
            return f"no {h.sound}"
        if h.model.shape == "oneshot":
            return f"{h.model.name} now and then"
        return h.model.name + (f" {h.gain_db:+g} dB" if h.gain_db else "")

    return " + ".join(map(one, heard))


def by_category() -> dict[str, list[str]]:
    """UCS CatID -> its places' beds as the coverage report shows them: "crowd + traffic -14 dB
    (market, marketplace, ...)"."""
    names: dict[Place, list[str]] = {}
    for name, place in table().items():
        names.setdefault(place, []).append(name)
    found: dict[str, list[str]] = {}
    for place, said in names.items():
        shown = ", ".join(said[:3]) + (", ..." if len(said) > 3 else "")
        found.setdefault(place.cat_id, []).append(f"{_described(place.day)} ({shown})")
    return found


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _WORD.findall(plain)


def heard_in(text: str) -> Heard | None:
    """The places ``text`` names (longest name first) and what they are heard by, their beds
    merged in the order named; None when it names none. Plurals are listed where a place has
    one ("woods", "docks"): read from every name, "diners" would be a diner, not the people in it."""
    words = _words(text)
    found: list[tuple[int, str]] = []
    used = [False] * len(words)
    for size in range(_LONGEST, 0, -1):
        for i in range(len(words) - size + 1):
            if any(used[i : i + size]):
                continue
            name = " ".join(words[i : i + size])
            if name in table():
                found.append((i, name))
                used[i : i + size] = [True] * size
    if not found:
        return None
    names = list(dict.fromkeys(key for _i, key in sorted(found)))
    rest = [w for w, was_used in zip(words, used) if not was_used]
    night = bool(_NIGHT.intersection(rest))
    beds: dict[str, Bed] = {}
    scattered: SoundModel | None = None
    unmade: dict[Unmade, None] = {}
    for name in names:
        place = table()[name]
        for heard in place.night if night else place.day:
            if isinstance(heard, Unmade):
                unmade[heard] = None
            elif heard.model.shape == "oneshot":
                scattered = scattered or heard.model
            elif heard.model.name not in beds or heard.gain_db > beds[heard.model.name].gain_db:
                beds[heard.model.name] = heard
    said = " and ".join(names) + (" at night" if night else "")
    cat_ids = tuple(dict.fromkeys(table()[name].cat_id for name in names))
    return Heard(said, cat_ids, tuple(beds.values()), scattered, tuple(unmade), " ".join(rest))
