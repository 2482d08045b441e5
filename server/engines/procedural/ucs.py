"""The Universal Category System (UCS): the categories sound editors file effects under.

``ucs_categories.tsv`` beside this module lists the public category list, one CatID per line
with its Category and SubCategory (``DOORWood  DOORS  WOOD``). UCS file names start with the
CatID: ``CatID_FXName_CreatorID_SourceID[_UserData].wav`` (``GUNPis_Glock Single Shot_JD_FPS.wav``).

A CatID is the category's short code (``DOOR``) followed by a capitalised subcategory
abbreviation (``Wood``); a few are the bare code (``WIND``, ``THUN``). Libraries use CatIDs
from UCS releases newer than the list here: such a CatID is still placed in its category by
its code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_CODE = re.compile(r"^([A-Z]+?)(?=[A-Z][a-z]|$)")


@dataclass(frozen=True)
class UcsEntry:
    cat_id: str
    category: str      # "DOORS"
    subcategory: str   # "WOOD"

    @property
    def code(self) -> str:
        return category_code(self.cat_id)

    @property
    def label(self) -> str:
        """``DOORS-WOOD``, the form UCS tools show."""
        return f"{self.category}-{self.subcategory}"


def category_code(cat_id: str) -> str:
    """``DOORWood`` -> ``DOOR``; ``THUN`` -> ``THUN``."""
    match = _CODE.match(cat_id)
    return match.group(1) if match else cat_id


def table_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """The rows of a tab-separated table keyed by CatID (this list, the procedural engine's
    places.tsv, the notes' sound_labels.tsv): each data line's number and its fields, comments,
    blank lines and the ``CatID`` header left out."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.startswith("#") and not line.startswith("CatID\t"):
            yield number, line.split("\t")


@lru_cache(maxsize=1)
def entries() -> dict[str, UcsEntry]:
    """Every listed CatID, in the list's order."""
    text = resources.files(__package__).joinpath("ucs_categories.tsv").read_text(encoding="utf-8")
    found: dict[str, UcsEntry] = {}
    for _number, (cat_id, category, subcategory) in table_rows(text):
        found[cat_id] = UcsEntry(cat_id, category, subcategory)
    return found


@lru_cache(maxsize=1)
def _by_code() -> dict[str, str]:
    """Category code -> category name (``DOOR`` -> ``DOORS``)."""
    return {entry.code: entry.category for entry in entries().values()}


def categories() -> list[str]:
    return list(dict.fromkeys(entry.category for entry in entries().values()))


def lookup(cat_id: str) -> UcsEntry | None:
    """The entry of a CatID; an unlisted CatID of a known category gets its category with the
    subcategory spelt from the ID (``AMBAlpn`` -> AMBIENCE / ALPN); anything else None."""
    found = entries().get(cat_id)
    if found is not None:
        return found
    code = category_code(cat_id)
    category = _by_code().get(code)
    if category is None or code == cat_id or not cat_id[len(code):].isalpha():
        return None
    return UcsEntry(cat_id, category, cat_id[len(code):].upper())


@dataclass(frozen=True)
class UcsName:
    """A file name in the UCS convention, split into its fields."""

    entry: UcsEntry
    fx_name: str        # what the sound is, in the creator's words
    creator: str = ""
    source: str = ""


def parse_file_name(stem: str) -> UcsName | None:
    """``GUNPis_Glock Single Shot_JD_FPS`` -> GUNPis, "Glock Single Shot", ... ; None when the
    name does not start with a CatID (most libraries outside UCS)."""
    parts = stem.split("_")
    if len(parts) < 2:
        return None
    entry = lookup(parts[0].strip())
    if entry is None:
        return None
    fields = [p.replace("-", " ").strip() for p in parts[1:]] + ["", ""]
    return UcsName(entry, fields[0], fields[1], fields[2])
