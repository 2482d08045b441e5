"""The FCP7 XML writer (otio-fcp-adapter) at a cost that grows with the edit, not its square.

Two costs of the adapter's writer grow faster than the timeline:

- every new element id (``clipitem-12``, ``file-3``) is chosen by building the set of every id
  given so far and the whole range up to the largest, then taking the smallest free one
  (``_backreference_for_item``): quadratic in clips;
- the finished tree is serialised, parsed again into a DOM with minidom and printed a third
  time, only to indent it (``_make_pretty_string``): three passes and a DOM of the document.

Answer (:func:`install`, idempotent, called before the writer runs): the same ids (the id an
item was read with when it is free, else the smallest free one) from a per-tag set and a
pointer kept beside the adapter's map, and the tree indented in place and serialised once.
The document is the same up to the XML declaration's spacing (tests/plugin/test_fcp7_writer.py
compares them).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from types import ModuleType

import opentimelineio as otio

__all__ = ["install", "indented_string", "adapter_module", "ORIGINALS"]

_USED = "foleyline:ids-in-use"   # our key in the adapter's per-write map: tag -> _Ids
ORIGINALS: dict[str, object] = {}  # the adapter's functions replaced by install()


class _Ids:
    """The ids given to one tag: a set, and the smallest id that may still be free."""

    def __init__(self) -> None:
        self.used: set[int] = set()
        self.lowest = 1

    def take(self, preferred: int | None) -> int:
        if preferred is not None and preferred not in self.used:
            chosen = preferred
        else:
            while self.lowest in self.used:
                self.lowest += 1
            chosen = self.lowest
        self.used.add(chosen)
        return chosen


def _linear_backreference(module: ModuleType):
    """The adapter's ``_backreference_for_item`` with its id choice kept in a set (same
    contract: ``(id string, is new)``; an equal item seen before gets its first id)."""

    def backreference_for_item(item, tag, br_map):
        if isinstance(item, otio.schema.ExternalReference):
            item_hash = hash(str(item.target_url))
        else:
            item_hash = hash(otio.core.serialize_json_to_string(item))
        tag_ids = br_map.setdefault(tag, {})
        known = tag_ids.get(item_hash)
        if known is not None:
            return f"{tag}-{known}", False
        preferred = None
        original = item.metadata.get(module.META_NAMESPACE, {}).get("@id")
        match = module.ID_RE.match(original) if original is not None else None
        if match is not None and match.group("tag") == tag and match.group("id"):
            preferred = int(match.group("id"))
        ids = br_map.setdefault(_USED, {}).setdefault(tag, _Ids())
        tag_ids[item_hash] = ids.take(preferred)
        return f"{tag}-{tag_ids[item_hash]}", True

    return backreference_for_item


def indented_string(tree: ET.Element) -> str:
    """``tree`` as indented XML text, in one pass (indents the tree in place)."""
    ET.indent(tree, space="    ")
    return '<?xml version="1.0" ?>\n' + ET.tostring(tree, encoding="unicode") + "\n"


def adapter_module() -> ModuleType:
    return otio.adapters.from_name("fcp_xml").module()


def install() -> None:
    """Give the FCP7 XML adapter's writer the linear id choice and one-pass indenting (its
    own functions are kept in ``ORIGINALS``, so a test can compare the two)."""
    module = adapter_module()
    if ORIGINALS:
        return
    ORIGINALS.update(_backreference_for_item=module._backreference_for_item, _make_pretty_string=module._make_pretty_string)
    module._backreference_for_item = _linear_backreference(module)
    module._make_pretty_string = indented_string
