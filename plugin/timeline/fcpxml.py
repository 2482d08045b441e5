"""Reading FCPXML (Final Cut Pro 10.x, document versions 1.0 to 1.13) into OTIO timelines.

Why not the otio-fcpx-xml-adapter's reader (1.0.0, the latest release): on real exports it
truncates every frame rate to an integer (23.976 -> 23), truncates float products to whole frames
(about one time in sixteen at 25, 29.97, 30, 50 fps reads a frame early), ignores the sequence's
``tcStart``, the ``media-rep`` that holds the media path since FCPXML 1.9, ``mc-clip``,
``sync-clip``, titles and generators (a ``<video>`` of an effect crashes it), places the clips of
a secondary storyline or a synchronised clip at the wrong time, and reads only the first event
of a library. tests/plugin/test_quirks.py runs the adapter on such constructs, so a release that
fixes them is noticed. The adapter's *writer* is still used (see quirks.py).

What an FCPXML timeline becomes, one Timeline per ``<project>`` with a sequence (every event of a
library; a document without one gives each compound clip exported alone, as Final Cut Pro opens it):

- every visible piece of picture or sound media is one Clip at its record position, flattened out
  of compound clips (``ref-clip``), synchronised clips, multicam clips (the active video angle's
  clips, and the active audio angle's as sound), auditions (the pick) and ``<clip>`` containers,
  each cut to what its containers leave visible;
- a clip whose media Final Cut Pro rate-conforms (``<conform-rate srcFrameRate="25"/>`` on 25p
  media in a 24 or 23.98 project, ``scaleEnabled`` left at its default 1) plays its media frame
  for frame at the project's rate, for the pairs of Apple's rate-conforming chart
  (:data:`_CONFORMED`; other pairs drop or repeat frames at normal speed, though FCP writes the
  element for them too): its ``start`` and markers count media time, its ``duration`` the
  project's, so it shows ``duration * project rate / media rate`` of its media (96 % for 25p in
  24p). Read as 1:1, such a clip was given 4 % more media than it shows, past the end of the
  file for a clip that uses all of it;
- tracks by storyline lane: V1 is the lowest video lane, A1 the audio lane nearest the primary
  storyline; clips that overlap in one lane spill to a further track of that lane;
- a storyline's ``<transition>`` is an OTIO Transition at the edit it lies over, its sides about
  that edit (Final Cut Pro centres it; Resolve may start or end it on the edit): the clips keep
  their edit points, and what each shows past its edit (a take's handles must cover) is known;
- a clip connected to a ``<clip>`` container hangs from it but is not cut by it (its own
  ``<video>`` and ``<audio>`` are);
- titles and generators are Clips with a GeneratorReference (not shots);
- times are exact: rational seconds, rounded once to frames of the sequence (record) or of the
  media's own format (source);
- markers keep their kind as FCP shows it: standard BLUE, to-do RED, completed GREEN, chapter
  ORANGE; keywords become CYAN range markers; container markers go on the timeline.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from fractions import Fraction

import opentimelineio as otio

from foleyline import timebase
from foleyline.errors import InvalidInput
from foleyline.plugin.timeline.clipinfo import VARIABLE_SPEED

__all__ = ["read_fcpxml", "MARKER_KINDS"]

TC = otio.opentime
_LEAVES = ("asset-clip", "video", "audio", "title")
_TIMED = _LEAVES + ("clip", "sync-clip", "ref-clip", "mc-clip", "gap", "audition", "spine")
_CONTAINERS = ("clip", "sync-clip", "ref-clip", "mc-clip")
MARKER_KINDS = {"standard": "BLUE", "todo": "RED", "completed": "GREEN", "chapter": "ORANGE", "keyword": "CYAN"}


def _time(text: str | None, default: Fraction = Fraction(0)) -> Fraction:
    """FCPXML rational seconds: "1001/24000s", "3600s", "0s"."""
    if not text:
        return default
    value = text.strip().rstrip("s")
    if "/" in value:
        num, den = value.split("/", 1)
        return Fraction(int(num), int(den))
    return Fraction(value)


@dataclass
class _Marker:
    record: Fraction
    duration: Fraction
    name: str
    kind: str
    note: str = ""


@dataclass
class _Leaf:
    kind: str                      # "video" or "audio"
    lane: int
    start: Fraction                # record seconds (visible part)
    end: Fraction
    name: str
    url: str | None
    generator: str | None          # title/generator effect name; None for media
    media_start: Fraction          # media seconds at ``start``
    media_rate: Fraction | None    # frames per second of the media's own format
    speed: Fraction
    enabled: bool
    available: tuple[Fraction, Fraction] | None
    varies: bool = False           # the timeMap's speed changes within the clip (speed is its span's)
    markers: list[_Marker] = field(default_factory=list)


@dataclass(frozen=True)
class _Transition:
    """A storyline's ``<transition>``: it lies over the edit between the clips next to it in its
    lane, each running on under it into its media beyond the edit (Final Cut Pro centres it on
    the edit; Resolve's export may start or end it there)."""

    lane: int
    start: Fraction  # record seconds
    end: Fraction
    name: str


@dataclass(frozen=True)
class _Place:
    """Where an element's local time lands: record = origin + (local - start) / scale."""

    origin: Fraction
    start: Fraction
    window: tuple[Fraction, Fraction] | None  # visible record interval, None = unbounded
    lane: int
    enabled: bool
    force: str | None  # "audio" / "video" / None: srcEnable of an enclosing container
    name: str = ""     # the enclosing clip's name (a <clip>'s <video> has none of its own)
    scale: Fraction = Fraction(1)  # local seconds per record second (rate conforms, nested)
    rate: Fraction | None = None   # frame rate of the timeline the element sits in

    def record(self, local: Fraction) -> Fraction:
        return self.origin + (local - self.start) / self.scale


def _clip_window(a: tuple[Fraction, Fraction], b: tuple[Fraction, Fraction] | None) -> tuple[Fraction, Fraction] | None:
    if b is None:
        return a
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    return (lo, hi) if hi > lo else None


class _Document:
    def __init__(self, root: ET.Element) -> None:
        self.root = root
        resources = root.find("resources")
        self.by_id: dict[str, ET.Element] = {}
        for holder in [resources] + root.findall("project/resources"):  # 1.0-1.1 kept them in the project
            if holder is not None:
                for element in holder:
                    if element.get("id"):
                        self.by_id[element.get("id")] = element
        self.leaves: list[_Leaf] = []
        self.markers: list[_Marker] = []
        self.transitions: list[_Transition] = []

    def frame_rate(self, format_id: str | None) -> Fraction | None:
        element = self.by_id.get(format_id or "")
        if element is None or not element.get("frameDuration"):
            return None
        return 1 / _time(element.get("frameDuration"))

    def asset_url(self, asset: ET.Element) -> str | None:
        if asset.get("src"):
            return asset.get("src")
        reps = asset.findall("media-rep")
        original = [r for r in reps if r.get("kind") == "original-media"] or reps
        return original[0].get("src") if original else None

    # ---- the walk ---------------------------------------------------------------------------

    def storyline(self, parent: ET.Element, place: _Place) -> None:
        """The timed children of a spine, sequence or angle, whose offsets are local times."""
        for child in parent:
            if child.tag in _TIMED:
                self.item(child, place)
            elif child.tag == "transition":
                begin = place.record(_time(child.get("offset")))
                span = _clip_window((begin, begin + _time(child.get("duration")) / place.scale), place.window)
                if span is not None:
                    self.transitions.append(_Transition(place.lane, span[0], span[1], child.get("name") or "Cross Dissolve"))

    def item(self, el: ET.Element, parent: _Place, offset: str | None = None) -> None:
        if el.tag == "audition":  # the pick is the first clip; it takes the audition's place
            pick = next((c for c in el if c.tag in _TIMED), None)
            if pick is not None:
                lane = parent.lane + int(el.get("lane", "0"))
                self.item(pick, replace(parent, lane=lane), offset=el.get("offset"))
            return
        lane = parent.lane + int(el.get("lane", "0"))
        enabled = parent.enabled and el.get("enabled", "1") != "0"
        if el.tag == "spine":  # a secondary storyline anchored in its parent
            origin = parent.record(_time(el.get("offset")))
            self.storyline(el, replace(parent, origin=origin, start=Fraction(0), lane=lane, enabled=enabled))
            return
        begin = parent.record(_time(offset if offset is not None else el.get("offset")))
        start = _time(el.get("start"))
        duration = _time(el.get("duration"))
        visible = _clip_window((begin, begin + duration / parent.scale), parent.window)
        force = parent.force
        src_enable = el.get("srcEnable")
        if src_enable in ("audio", "video"):
            force = src_enable
        container = el.tag in _CONTAINERS
        name = (el.get("name") if container else None) or parent.name
        rate = self.inner_rate(el) or parent.rate
        scale = parent.scale * self.conform_scale(el, parent.rate, rate)
        here = _Place(begin, start, visible if container else parent.window, lane, enabled, force, name, scale, rate)
        leaf = self.leaf(el, here, visible) if el.tag in _LEAVES and visible is not None else None
        for child in el:
            if child.tag in ("marker", "chapter-marker", "keyword"):
                self.marker(child, here, visible, leaf)
            elif child.tag in _TIMED and _connected(el, child):
                self.item(child, replace(here, window=parent.window))
            elif child.tag in _TIMED and (visible is not None or not container):
                # a container's children are its content, cut to it; a clip's connected clips
                # and storylines hang from it but are not cut by it
                self.item(child, here)
        if visible is None:
            return
        content = replace(here, window=visible)
        if el.tag == "ref-clip":
            media = self.by_id.get(el.get("ref", ""))
            sequence = media.find("sequence") if media is not None else None
            if sequence is not None:
                for spine in sequence.findall("spine"):
                    self.storyline(spine, content)
        elif el.tag == "mc-clip":
            self.multicam(el, content)

    def inner_rate(self, el: ET.Element) -> Fraction | None:
        """The frame rate of the timeline a compound or multicam clip holds (its own sequence's)."""
        media = self.by_id.get(el.get("ref", "")) if el.tag in ("ref-clip", "mc-clip") else None
        inner = None if media is None else (media.find("sequence") if el.tag == "ref-clip" else media.find("multicam"))
        return self.frame_rate(inner.get("format")) if inner is not None else None

    def conform_scale(self, el: ET.Element, parent_rate: Fraction | None, own_rate: Fraction | None) -> Fraction:
        """Media seconds per project second of a clip Final Cut Pro rate-conforms (see module doc)."""
        conform = el.find("conform-rate")
        if conform is None or conform.get("scaleEnabled", "1") == "0" or parent_rate is None:
            return Fraction(1)
        source = _rate_token(conform.get("srcFrameRate"))
        if source is None:  # the media's own format
            ref = self.by_id.get(el.get("ref", ""))
            source = self.frame_rate(el.get("format")) or (self.frame_rate(ref.get("format")) if ref is not None else own_rate)
        return parent_rate / source if (source, parent_rate) in _CONFORMED else Fraction(1)

    def multicam(self, el: ET.Element, content: _Place) -> None:
        media = self.by_id.get(el.get("ref", ""))
        multicam = media.find("multicam") if media is not None else None
        if multicam is None:
            return
        angles = {a.get("angleID"): a for a in multicam.findall("mc-angle")}
        picked: dict[str, ET.Element] = {}
        for source in el.findall("mc-source"):
            enable = source.get("srcEnable", "all")
            for kind in ("video", "audio"):
                if enable in ("all", kind) and kind not in picked and source.get("angleID") in angles:
                    picked[kind] = angles[source.get("angleID")]
        if not picked and angles:  # no mc-source: the first angle, as FCP shows it
            picked["video"] = next(iter(angles.values()))
        for kind, angle in picked.items():
            if kind == "audio" and picked.get("video") is angle:
                continue  # the video angle's own sound comes with its clips
            self.storyline(angle, replace(content, force="audio" if kind == "audio" else content.force))

    def leaf(self, el: ET.Element, here: _Place, visible: tuple[Fraction, Fraction]) -> _Leaf | None:
        ref = self.by_id.get(el.get("ref", ""))
        generator = None
        url = None
        media_rate = None
        available = None
        if el.tag == "title" or (ref is not None and ref.tag == "effect"):
            generator = (ref.get("name") if ref is not None else None) or el.get("name") or "title"
            kind = "video"
        else:
            if ref is not None and ref.tag == "asset":
                url = self.asset_url(ref)
                media_rate = self.frame_rate(ref.get("format"))
                available = (_time(ref.get("start")), _time(ref.get("duration")))
                has_video = ref.get("hasVideo", "0") == "1"
            else:
                has_video = el.tag == "video"
            media_rate = self.frame_rate(el.get("format")) or media_rate
            kind = "video" if (el.tag == "video" or (el.tag != "audio" and has_video)) else "audio"
        if here.force == "audio":
            kind = "audio"
        elif here.force == "video" and kind == "audio":
            return None
        local_start = here.start + (visible[0] - here.origin) * here.scale
        media_start, speed, varies = _retime(el, local_start, (visible[1] - visible[0]) * here.scale)
        speed *= here.scale
        leaf = _Leaf(kind, here.lane, visible[0], visible[1], el.get("name") or here.name, url, generator,
                     media_start, media_rate, speed, here.enabled, available, varies)
        self.leaves.append(leaf)
        return leaf

    def marker(self, el: ET.Element, here: _Place, visible: tuple[Fraction, Fraction] | None,
               owner: _Leaf | None) -> None:
        record = here.record(_time(el.get("start")))
        if visible is None or not visible[0] <= record < visible[1]:
            return  # on media the edit does not show
        if el.tag == "chapter-marker":
            kind = "chapter"
        elif el.tag == "keyword":
            kind = "keyword"
        else:
            kind = {"0": "todo", "1": "completed"}.get(el.get("completed", ""), "standard")
        marker = _Marker(record, _time(el.get("duration")), el.get("value", ""), kind, el.get("note", ""))
        (owner.markers if owner is not None else self.markers).append(marker)


def _connected(parent: ET.Element, child: ET.Element) -> bool:
    """Whether ``child`` is a clip connected to a ``<clip>`` container in the timeline the
    container sits in, rather than part of its content: a story element of its own (a clip, a
    title, a storyline) in a lane other than the container's. Final Cut Pro lets a connected clip
    run past the end of the clip it hangs from, and a writer hangs each clip from the primary
    storyline clip it starts over (the OTIO FCPXML writer does, so a take that runs on under a
    fade hangs past its shot's clip). The container's own ``<video>`` and ``<audio>``, in any
    lane, are its content and stay cut to it."""
    return parent.tag == "clip" and child.tag not in ("video", "audio") and int(child.get("lane", "0")) != 0


_NTSC = {n: Fraction(n * 1000, 1001) for n in (24, 30, 60)}
# (media rate, project rate) pairs Final Cut Pro plays frame for frame at the project's rate: the
# pairs of Apple's rate-conforming chart for conform-rate whose media frame lasts one project
# frame. Its pairs into a double rate (23.98p in 50p at 25, 30p in 59.94p at 29.97) are left
# 1:1: the one export of them here places connected clips as neither reading predicts
_CONFORMED = {(_NTSC[24], Fraction(24)), (_NTSC[24], Fraction(25)), (Fraction(24), _NTSC[24]), (Fraction(24), Fraction(25)),
              (Fraction(25), _NTSC[24]), (Fraction(25), Fraction(24)), (_NTSC[30], Fraction(30)), (Fraction(30), _NTSC[30]),
              (_NTSC[60], Fraction(60)), (Fraction(60), _NTSC[60])}


def _rate_token(token: str | None) -> Fraction | None:
    """A ``srcFrameRate`` ("23.98", "25", "29.97", "59.94", ...) as an exact rate."""
    try:
        return timebase.rate_from_float(float(token)).fps if token else None
    except (ValueError, InvalidInput):
        return None


def _retime(el: ET.Element, local: Fraction, length: Fraction) -> tuple[Fraction, Fraction, bool]:
    """(media seconds where the shown media starts, speed over ``length``, whether the speed
    varies) through the clip's timeMap, from record time ``local``.

    A map of one slope over the clip (a constant speed, or a reverse) starts at the frame
    shown first. A map whose slope changes within it (a hold, a ramp, forward then back) shows
    the media between its lowest and highest values: the speed is that span over ``length``,
    from the lowest; its average would call a clip that plays forward and back again a still.
    """
    time_map = el.find("timeMap")
    points = [(_time(p.get("time")), _time(p.get("value"))) for p in time_map.findall("timept")] if time_map is not None else []
    if len(points) < 2:
        return local, Fraction(1), False

    def through(t: Fraction) -> Fraction:
        for (t0, v0), (t1, v1) in zip(points, points[1:]):
            if t <= t1 or (t1, v1) == points[-1]:
                return v0 if t1 == t0 else v0 + (t - t0) * (v1 - v0) / (t1 - t0)
        return points[-1][1]

    begin, end = through(local), through(local + length)
    if not length:
        return begin, Fraction(1), False
    values = [begin, end] + [v for t, v in points if local < t < local + length]
    inner = [local] + [t for t, _ in points if local < t < local + length] + [local + length]
    slopes = {(through(b) - through(a)) / (b - a) for a, b in zip(inner, inner[1:]) if b > a}
    if len(slopes) <= 1:
        return begin, (end - begin) / length, False
    return min(values), (max(values) - min(values)) / length, True


# ---- projects to OTIO ---------------------------------------------------------------------------

def _projects(root: ET.Element) -> list[tuple[str, str, str, ET.Element]]:
    """(event name, name, uid, sequence) of every project: in a library's events, an event, or
    the root. A project without a sequence is not a cut (FCPXML 1.2 wrote an event's browser
    clips in one); it is left out."""
    found = [(event.get("name", ""), project) for event in root.iter("event") for project in event.findall("project")]
    found += [("", project) for project in root.findall("project")]
    return [(event, project.get("name", ""), project.get("uid", ""), project.find("sequence"))
            for event, project in found if project.find("sequence") is not None]


def _compound_clips(root: ET.Element, by_id: dict[str, ET.Element]) -> list[tuple[str, str, str, ET.Element]]:
    """(event name, name, uid, sequence) of every compound clip exported on its own (a
    ``ref-clip`` at the root or in an event, its media a sequence): the cut it holds, as
    Final Cut Pro opens it in its own timeline."""
    holders = [("", root)] + [(event.get("name", ""), event) for event in root.iter("event")]
    found = []
    for event, holder in holders:
        for ref_clip in holder.findall("ref-clip"):
            media = by_id.get(ref_clip.get("ref", ""))
            sequence = media.find("sequence") if media is not None else None
            if sequence is not None:
                name = ref_clip.get("name") or media.get("name", "")
                found.append((event, name, media.get("uid", ""), sequence))
    return found


def read_fcpxml(text: str, source: str = "FCPXML") -> list[otio.schema.Timeline]:
    """Every project of an FCPXML document as a Timeline, in document order; a document
    without a project gives the compound clips exported in it."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise InvalidInput(f"{source}: not well-formed XML ({exc}); export the project again") from None
    if root.tag != "fcpxml":
        raise InvalidInput(f"{source}: the root element is <{root.tag}>, not <fcpxml>; export FCPXML from Final Cut Pro")
    cuts = _projects(root) or _compound_clips(root, _Document(root).by_id)
    if not cuts:
        raise InvalidInput(f"{source}: holds no project (only clips or events); select the project in Final Cut Pro "
                           "and export it (File > Export XML)")
    return [_timeline(root, event, name, uid, sequence, source) for event, name, uid, sequence in cuts]


def _timeline(root: ET.Element, event: str, name: str, uid: str, sequence: ET.Element, source: str) -> otio.schema.Timeline:
    doc = _Document(root)
    rate = doc.frame_rate(sequence.get("format"))
    if rate is None:
        raise InvalidInput(f"{source}: project {name!r} has no frame rate (format {sequence.get('format')!r}); "
                           "set the project's video format in Final Cut Pro and export again")
    tc_start = _time(sequence.get("tcStart"))
    for spine in sequence.findall("spine"):
        doc.storyline(spine, _Place(Fraction(0), Fraction(0), None, 0, True, None, rate=rate))
    fps = float(rate)
    drop = sequence.get("tcFormat") == "DF"

    def frames(seconds: Fraction) -> int:
        return timebase.round_half_up((seconds - tc_start) * rate)

    timeline = otio.schema.Timeline(name=name, global_start_time=TC.RationalTime(timebase.round_half_up(tc_start * rate), fps))
    timeline.metadata["fcpx_xml"] = {"version": root.get("version", ""), "event": event, "uid": uid}
    timeline.metadata["foleyline"] = {"drop_frame": drop}
    for track in _tracks(doc.leaves, doc.transitions, frames, fps):
        timeline.tracks.append(track)
    for marker in doc.markers:
        timeline.tracks.markers.append(_otio_marker(marker, TC.RationalTime(frames(marker.record), fps), rate, fps))
    return timeline


def _lane_order(key: tuple[str, int]) -> tuple[int, int]:
    kind, lane = key
    # video from the lowest lane up (V1 at the bottom); audio from the primary storyline down
    return (0, lane) if kind == "video" else (1, -lane)


def _tracks(leaves: list[_Leaf], transitions: list[_Transition], frames, fps: float) -> list[otio.schema.Track]:
    groups: dict[tuple[str, int], list[tuple[int, int, _Leaf]]] = {}
    for leaf in leaves:
        start, end = frames(leaf.start), frames(leaf.end)
        if end > start:  # sub-frame sound that rounds to nothing has no place on a frame grid
            groups.setdefault((leaf.kind, leaf.lane), []).append((max(0, start), end, leaf))
    tracks: list[otio.schema.Track] = []
    counts = {"video": 0, "audio": 0}
    for key in sorted(groups, key=_lane_order):
        kind, lane = key
        rows: list[list[tuple[int, int, _Leaf]]] = []
        for entry in sorted(groups[key], key=lambda e: (e[0], e[1])):
            row = next((r for r in rows if r[-1][1] <= entry[0]), None)
            if row is None:
                rows.append([entry])
            else:
                row.append(entry)
        for row in rows:
            counts[kind] += 1
            track = otio.schema.Track(name=f"{'V' if kind == 'video' else 'A'}{counts[kind]}",
                                      kind=otio.schema.TrackKind.Video if kind == "video" else otio.schema.TrackKind.Audio)
            track.metadata["fcpx_xml"] = {"lane": lane}
            at_edit = _transitions_at_edits(row, [t for t in transitions if t.lane == lane], frames, fps)
            cursor = 0
            for start, end, leaf in row:
                if start > cursor:
                    if cursor in at_edit:
                        track.append(at_edit.pop(cursor))
                    track.append(otio.schema.Gap(source_range=TC.TimeRange(TC.RationalTime(0, fps), TC.RationalTime(start - cursor, fps))))
                if start in at_edit:
                    track.append(at_edit.pop(start))
                track.append(_clip(leaf, start, end - start, fps))
                cursor = end
            if cursor in at_edit:  # a fade out at the storyline's end
                track.append(at_edit.pop(cursor))
            tracks.append(track)
    return tracks


def _transitions_at_edits(row: list[tuple[int, int, _Leaf]], transitions: list[_Transition], frames,
                          fps: float) -> dict[int, otio.schema.Transition]:
    """The OTIO transition at each edit of a track's clips (record frame -> transition).

    A ``<transition>`` covers the edit of its storyline that lies under it: where one clip ends
    and the next begins (both run on under it, into their media past the edit), or where a clip
    meets a gap or the storyline's end (a fade). Its sides about that edit are OTIO's
    ``in_offset`` and ``out_offset``, which the shots' edges read as every reader's do."""
    edits = sorted({e[0] for e in row} | {e[1] for e in row})
    found: dict[int, otio.schema.Transition] = {}
    for transition in transitions:
        start, end = frames(transition.start), frames(transition.end)
        under = [edit for edit in edits if start <= edit <= end]
        if end <= start or not under:
            continue
        middle = Fraction(start + end, 2)
        edit = min(under, key=lambda e: abs(e - middle))
        found[edit] = otio.schema.Transition(name=transition.name,
                                             transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                                             in_offset=TC.RationalTime(edit - start, fps),
                                             out_offset=TC.RationalTime(end - edit, fps))
    return found


def _clip(leaf: _Leaf, start: int, length: int, fps: float) -> otio.schema.Clip:
    media_rate = leaf.media_rate or Fraction(fps).limit_denominator(1001)
    media_fps = float(media_rate)
    if leaf.generator is not None:
        reference: otio.core.MediaReference = otio.schema.GeneratorReference(name=leaf.generator, generator_kind=leaf.generator)
    elif leaf.url:
        available = None
        if leaf.available is not None and leaf.available[1] > 0:
            available = TC.TimeRange(TC.RationalTime(timebase.round_half_up(leaf.available[0] * media_rate), media_fps),
                                     TC.RationalTime(timebase.round_half_up(leaf.available[1] * media_rate), media_fps))
        reference = otio.schema.ExternalReference(target_url=leaf.url, available_range=available)
        reference.name = urllib.parse.unquote(leaf.url.rsplit("/", 1)[-1])
    else:
        reference = otio.schema.MissingReference()
    source_start = TC.RationalTime(timebase.round_half_up(leaf.media_start * media_rate), media_fps)
    # OTIO: the source range's duration is the record duration (a time warp scales what it
    # plays); kept in record frames, so the track's positions stay whole frames of the sequence
    duration = TC.RationalTime(length, fps)
    clip = otio.schema.Clip(name=leaf.name, media_reference=reference, source_range=TC.TimeRange(source_start, duration))
    clip.enabled = leaf.enabled
    if leaf.speed == 0:
        clip.effects.append(otio.schema.FreezeFrame())
    elif leaf.speed != 1:
        clip.effects.append(otio.schema.LinearTimeWarp(time_scalar=float(leaf.speed)))
    if leaf.varies:  # said with the shot's speed, as a Premiere ramp's Time Remap is
        clip.effects.append(otio.schema.Effect(name="timeMap", effect_name=VARIABLE_SPEED))
    for marker in leaf.markers:
        offset = (marker.record - leaf.start) * leaf.speed
        at = TC.RationalTime(timebase.round_half_up((leaf.media_start + offset) * media_rate), media_fps)
        clip.markers.append(_otio_marker(marker, at, media_rate, media_fps))
    return clip


def _otio_marker(marker: _Marker, at: otio.opentime.RationalTime, rate: Fraction, fps: float) -> otio.schema.Marker:
    result = otio.schema.Marker(name=marker.name, color=MARKER_KINDS[marker.kind],
                                marked_range=TC.TimeRange(at, TC.RationalTime(timebase.round_half_up(marker.duration * rate), fps)))
    result.metadata["fcpx_xml"] = {"kind": marker.kind, "note": marker.note}
    return result
