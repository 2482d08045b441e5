"""What the Kdenlive adapter's reader (otio-kdenlive-adapter 0.0.3) makes of producers that are
not media files, and of a document's sequence name.

Its reader knows file producers (avformat, qimage) and colour clips; every other producer
becomes a clip with a MissingReference, which Foleyline would then report as offline media to
relink: a title (``kdenlivetitle``, ``qtext``), a test pattern (``blipflash``, ``frei0r.*``), an
animation (``glaxnimate``), a sequence nested in another (a ``tractor``), a clip at another speed
(``timewarp``, whose media path the reader does not unwrap). Answer (:func:`install`,
idempotent): generators become GeneratorReferences (not shots, like colour clips); a forward
speed change is its file at that speed (a LinearTimeWarp, :func:`_timewarp`); a nested
sequence or a reversed clip keeps its MissingReference with the reason it has no media,
which the shot list says instead of "offline". A document of Kdenlive 23.04 or later names its
sequence (``kdenlive:clipname`` of the tractor the project tractor plays); the reader calls
every timeline "Kdenlive imported timeline", so the sequence's name is taken.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from types import ModuleType

import opentimelineio as otio

from foleyline.plugin.timeline.formats import META_KEY

__all__ = ["install", "GENERATOR_KINDS", "ORIGINALS"]

# mlt_service -> generator kind; a service not listed and not a file reader is left as it is
GENERATOR_KINDS = {"kdenlivetitle": "title", "qtext": "title", "qml": "title", "webvfx": "title",
                   "glaxnimate": "animation", "blipflash": "test pattern", "noise": "test pattern",
                   "count": "test pattern"}
ORIGINALS: dict[str, object] = {}
_DEFAULT_NAME = "Kdenlive imported timeline"  # what the reader names every timeline


def _property(element: ET.Element, name: str) -> str | None:
    found = element.find(f"property[@name='{name}']")
    return found.text if found is not None else None


def _why_no_media(producer: ET.Element) -> str | None:
    if producer.tag == "tractor":
        name = _property(producer, "kdenlive:clipname") or producer.get("id", "")
        return (f"a nested sequence ({name}): its clips are not read; open that sequence in Kdenlive, "
                "or export it on its own")
    if _property(producer, "mlt_service") == "timewarp":
        return ("a reversed clip, or one whose speed is not written (Kdenlive timewarp): its media is not read; "
                "remove the speed change or render it")
    return None


def _timewarp(item: otio.schema.Clip, producer: ET.Element, rate: float) -> bool:
    """A clip of a forward ``timewarp`` producer as the file it plays at its speed (``True``).
    MLT names the producer's media ``speed:path`` in its ``resource`` (Kdenlive repeats the two
    as ``warp_speed`` and ``warp_resource``); its frames are the file's at that speed, so the
    entry's in 50 at 200 % starts on the file's frame 100."""
    speed_text, _, path = (_property(producer, "resource") or "").partition(":")
    if not re.fullmatch(r"-?\d+(?:\.\d*)?", speed_text):
        speed_text, path = _property(producer, "warp_speed") or "", ""
    path = _property(producer, "warp_resource") or path
    path = re.sub(r"^-?\d+(?:\.\d*)?:", "", path)  # some writers keep the prefix there too
    try:
        speed = float(speed_text)
    except ValueError:
        return False
    if not speed > 0 or not path or item.source_range is None:
        return False
    source = item.source_range
    start = otio.opentime.RationalTime(source.start_time.rescaled_to(rate).value * speed, rate)
    item.source_range = otio.opentime.TimeRange(start, source.duration)
    item.media_reference = otio.schema.ExternalReference(target_url=path)
    item.effects.append(otio.schema.LinearTimeWarp(name="timewarp", time_scalar=speed))
    return True


def _item_from_xml(original):
    def item_from_xml(xml_item, rate, byid, bin_producer_name):
        item = original(xml_item, rate, byid, bin_producer_name)
        if not isinstance(item, otio.schema.Clip) or not isinstance(item.media_reference, otio.schema.MissingReference):
            return item
        producer = byid[xml_item.get("producer")]
        service = _property(producer, "mlt_service") or ""
        if service == "timewarp" and _timewarp(item, producer, rate):
            # the bin clip it plays (the same kdenlive:id) carries the name the editor gave it
            binned = byid.get(bin_producer_name.get(_property(producer, "kdenlive:id")) or "")
            if not item.name and binned is not None:
                item.name = _property(binned, "kdenlive:clipname") or ""
            return item
        kind = GENERATOR_KINDS.get(service) or ("test pattern" if service.startswith("frei0r.") else None)
        if kind is not None:
            item.media_reference = otio.schema.GeneratorReference(generator_kind=kind, parameters={"mlt_service": service})
        elif (why := _why_no_media(producer)) is not None:
            item.media_reference = otio.schema.MissingReference(metadata={META_KEY: {"missing_reason": why}})
        if not item.name:
            item.name = _property(producer, "kdenlive:clipname") or ""
        return item
    return item_from_xml


def _read_from_string(original):
    def read_from_string(input_str):
        timeline = original(input_str)
        if timeline.name == _DEFAULT_NAME:
            timeline.name = _sequence_name(input_str) or timeline.name
        return timeline
    return read_from_string


def _sequence_name(text: str) -> str | None:
    """The name of the sequence the project tractor plays (Kdenlive 23.04 and later)."""
    mlt, by_id = ET.XMLID(text)
    for tractor in mlt.findall("tractor"):
        track = tractor.find("track")
        if _property(tractor, "kdenlive:projectTractor") == "1" and track is not None:
            sequence = by_id.get(track.get("producer", ""))
            return _property(sequence, "kdenlive:clipname") if sequence is not None else None
    return None


def adapter_module() -> ModuleType:
    return otio.adapters.from_name("kdenlive").module()


def install() -> None:
    """Wrap the adapter reader's item and document functions (its own kept in ``ORIGINALS``)."""
    if ORIGINALS:
        return
    module = adapter_module()
    ORIGINALS.update(item_from_xml=module.item_from_xml, read_from_string=module.read_from_string)
    module.item_from_xml = _item_from_xml(module.item_from_xml)
    module.read_from_string = _read_from_string(module.read_from_string)
