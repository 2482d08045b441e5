"""What OTIO's adapters get wrong, and our answers. Each answer has a test in
tests/plugin/test_quirks.py.

- FCPXML (otio-fcpx-xml-adapter 1.0): its reader is not used (see fcpxml.py). Its writer knows
  no NTSC rate, truncates float products to whole frames (exact only at 24 fps), writes no
  titles or generators, no start timecode (``tcStart``) nor timecode format, and crashes on a
  clip above or below an empty spine. Answer (``_fcpx_string``): write every time as the same
  frame count at 24 fps and scale the XML to the true rate (exact rationals), generators as
  gaps, a spine that covers the timeline, and ``tcStart``/``tcFormat`` set with the spine's
  offsets starting at ``tcStart`` as Final Cut Pro writes them. It marks an audio file's asset
  ``hasAudio`` only: ``_fcpx_audio_assets`` adds its audio sources, channels and rate.
- FCP7 XML: the writer turns every range into SMPTE timecode and refuses rates such as 48000,
  crashes on media without an available range, and labels every sequence NDF unless its own
  metadata says DF. Answer: rescale every range to the timeline rate first (whole frames); give
  media of unknown length the range its clip uses; carry our drop-frame flag into its metadata.
  Its writer's cost grows with the square of the clips: answered in fcp7_writer.py. It writes
  ``file:///`` paths, audio files without sample rate, depth or channels, and audio clipitems
  without a ``<sourcetrack>``, where FCP7 and Premiere write and import them:
  ``fcp7_audio_as_imported``.
  (Its reader keeps <enabled>FALSE only in metadata: ``fix_after_read`` honours it.) Its
  reader makes every nested sequence (a clipitem holding a <sequence>: Premiere nests and
  multicam clips, FCP7 nests) an empty stack: it looks for the tracks under the <sequence>
  instead of its <media>, so the nest's shots vanished without a word, and it refuses a whole
  file for one clipitem holding an FCP7 <multiclip>. Answer: ``fcp7_nested_sequences`` (a
  multiclip plays its active angle's file).
- EDL: the CMX3600 writer refuses a timeline without exactly one video track, and with one it
  writes only the picture (the Foley events vanish). Answer: ``edl.py`` writes an EDL of the
  Foley events itself. Its reader hides the record start in a negative track range:
  ``fix_after_read`` moves it to the timeline's global start. What its reader refuses in real
  EDLs (encodings, pop events, implicit speed changes) is answered in edl_text.py.
- AAF: the AAF writer drops markers (and writes no Broadcast WAV descriptors). Answer:
  ``aaf.py`` writes the Pro Tools AAF with pyaaf2, markers as DescriptiveMarkers.
- Kdenlive: the writer drops clip markers, and takes the profile's rate from the timeline's
  duration, which a clip at another rate changes. Answer: markers become timeline guides;
  every range at the timeline rate first; in points counted from the file's first frame, not
  its timecode (``media_time_from_file_start``, GES too). Its reader makes titles, test patterns, nested
  sequences and speed-changed clips offline media and names no sequence: kdenlive_read.py.
- GES XML (otio-xges-adapter 1.0): its module is loaded twice, once per manifest entry, so a
  copied timeline's GES metadata is of the other copy's classes and the writer refuses it.
  Answer: one module for both (``xges_one_module``). Its writer also writes 30 fps for a
  timeline that was not read from GES: such a timeline gets GES tracks at its own rate.
- Metadata: only .otio keeps metadata["foleyline"]. FCP7 XML gets it as the clip's master
  comments; AAF as mob comments; an EDL as comment lines.
"""

from __future__ import annotations

import contextlib
import copy
import io
import re
import urllib.parse
import xml.etree.ElementTree as ET
from fractions import Fraction

import opentimelineio as otio

from foleyline import timebase
from foleyline.plugin.timeline import fcp7_writer
from foleyline.plugin.timeline.formats import META_KEY, RESOLVE_GENERATED, timeline_rate
from foleyline.wavchunks import PCM_BITS

__all__ = ["write_string", "relabel_rate", "rescale_ranges", "fcpx_scale_times", "fix_after_read", "xges_one_module",
           "fcp7_nested_sequences"]

TC = otio.opentime
_FCPX_TIME = re.compile(r'(\b(?:offset|start|duration|tcStart|frameDuration|audioStart|audioDuration)=")'
                        r'(-?\d+)(?:/(\d+))?s(")')


def _map_times(timeline: otio.schema.Timeline, fn) -> None:
    """Apply ``fn(RationalTime) -> RationalTime`` to every time of the timeline, in place."""

    def rng(r):
        return None if r is None else TC.TimeRange(fn(r.start_time), fn(r.duration))

    if timeline.global_start_time is not None:
        timeline.global_start_time = fn(timeline.global_start_time)
    objects = [timeline.tracks] + list(timeline.tracks.find_children())
    for obj in objects:
        if isinstance(obj, otio.schema.Transition):
            obj.in_offset = fn(obj.in_offset)
            obj.out_offset = fn(obj.out_offset)
            continue
        if getattr(obj, "source_range", None) is not None:
            obj.source_range = rng(obj.source_range)
        for marker in getattr(obj, "markers", []):
            marker.marked_range = rng(marker.marked_range)
        if isinstance(obj, otio.schema.Clip):
            for reference in obj.media_references().values():
                if reference is not None and reference.available_range is not None:
                    reference.available_range = rng(reference.available_range)


def relabel_rate(timeline: otio.schema.Timeline, old: float, new: float) -> None:
    """Same frame numbers, another rate label (24 <-> 24000/1001), in place."""

    def fn(t):
        return TC.RationalTime(t.value, new) if abs(t.rate - old) < 1e-6 else t

    _map_times(timeline, fn)


def rescale_ranges(timeline: otio.schema.Timeline, rate: float) -> None:
    """Every time at ``rate``, rounded to whole frames, in place."""

    def fn(t):
        if abs(t.rate - rate) < 1e-9:
            return t
        return TC.RationalTime(round(t.rescaled_to(rate).value), rate)

    _map_times(timeline, fn)


def fill_available_ranges(timeline: otio.schema.Timeline) -> None:
    """Media of unknown length is taken to be exactly what its clip uses, in place."""
    for clip in timeline.find_clips():
        reference = clip.media_reference
        if reference is not None and reference.available_range is None and clip.source_range is not None:
            reference.available_range = clip.source_range


def media_time_from_file_start(timeline: otio.schema.Timeline) -> None:
    """MLT (Kdenlive) and GES count a clip's in point from the file's first frame, and their OTIO
    writers copy the source start as it is: a file whose available range starts at its own
    timecode (a Broadcast WAV stamped 00:59:59:12, a camera file at 01:00:00:00) would be cut
    an hour past its end. Count every file's media time from its first frame, in place."""
    for clip in timeline.find_clips():
        reference = clip.media_reference
        available = getattr(reference, "available_range", None)
        if available is None or available.start_time.value == 0 or clip.source_range is None:
            continue
        origin = available.start_time
        reference.available_range = TC.TimeRange(origin - origin, available.duration)
        clip.source_range = TC.TimeRange(clip.source_range.start_time - origin, clip.source_range.duration)
        for marker in clip.markers:
            marker.marked_range = TC.TimeRange(marker.marked_range.start_time - origin, marker.marked_range.duration)


def _drop_frame_possible(timecode_meta: object, fallback: float | None) -> bool:
    """Whether the FCP7 writer can count a timecode element drop-frame: 29.97 and 59.94 only.
    The writer counts at the rate its metadata names beside the label (``timebase`` and
    ``ntsc``), else at the rate of the time it writes, which ``rescale_ranges`` made the
    timeline's: a 29.97 DF camera file in a 25 fps sequence is counted at 25, where no
    drop-frame exists. The nested ``rate`` the reader keeps is not what it counts at."""
    if hasattr(timecode_meta, "get") and timecode_meta.get("timebase") and timecode_meta.get("ntsc"):
        ntsc = str(timecode_meta.get("ntsc")).upper() == "TRUE"
        try:
            base = float(str(timecode_meta.get("timebase")).strip())
        except ValueError:
            return False
        return ntsc and base > 0 and timebase.has_drop_frame(base * 1000 / 1001)
    return fallback is not None and timebase.has_drop_frame(fallback)


def drop_frame_only_where_it_exists(timeline: otio.schema.Timeline) -> None:
    """Premiere labels 23.976 (and other) timecodes DF, and a sequence holds DF-labelled media
    of other rates; the FCP7 writer then asks OTIO for drop-frame timecode at a rate that has
    none and fails. Such labels become NDF, in place (after ``rescale_ranges``)."""

    def scrub(meta: object, fallback: float | None) -> None:
        if not hasattr(meta, "items"):
            return
        for key, value in list(meta.items()):
            if key == "timecode" and hasattr(value, "get") and str(value.get("displayformat", "")).upper() == "DF":
                if not _drop_frame_possible(value, fallback):
                    value["displayformat"] = "NDF"
                    meta[key] = value
            elif hasattr(value, "items"):
                scrub(value, fallback)

    rate = timeline_rate(timeline)
    owners = [timeline, timeline.tracks] + list(timeline.tracks.find_children())
    for obj in owners:
        scrub(obj.metadata.get("fcp_xml"), rate)
        if isinstance(obj, otio.schema.Clip):
            for reference in obj.media_references().values():
                if reference is not None:
                    available = getattr(reference, "available_range", None)
                    scrub(reference.metadata.get("fcp_xml"), available.start_time.rate if available else rate)


def disabled_tracks_for_fcp7(timeline: otio.schema.Timeline) -> None:
    """The FCP7 writer writes a track's and a clip's ``<enabled>`` from their adapter metadata
    only: a disabled track (the muted alternates) says so there, in place."""
    for track in timeline.tracks:
        if not track.enabled:
            fcp = dict(track.metadata.get("fcp_xml") or {})
            fcp["enabled"] = "FALSE"
            track.metadata["fcp_xml"] = fcp


def foley_comments_for_fcp7(timeline: otio.schema.Timeline) -> None:
    """FCP7 XML keeps no free metadata, but clip items have master comments (Premiere and FCP
    show them in the bin): take id, shot id, layer and notes summary go there, in place."""
    for clip in timeline.find_clips():
        ours = clip.metadata.get(META_KEY)
        if not ours or "take_id" not in ours:
            continue
        fcp = dict(clip.metadata.get("fcp_xml") or {})
        fcp["comments"] = {
            "mastercomment1": f"foleyline take {ours['take_id']}",
            "mastercomment2": f"shot {ours.get('shot_id', '')}",
            "mastercomment3": f"{ours.get('layer', '')} ({ours.get('kind', '')})",
            "mastercomment4": str(ours.get("notes_summary", "")),
        }
        clip.metadata["fcp_xml"] = fcp


def clip_markers_as_guides(timeline: otio.schema.Timeline) -> None:
    """The Kdenlive writer drops clip markers and keeps timeline guides: the Foley clips'
    markers become guides at the same record frame, in place."""
    for track in timeline.tracks:
        if not (track.metadata.get(META_KEY) or {}).get("generated"):
            continue
        for clip in track.find_clips(shallow_search=True):
            placed = clip.range_in_parent()
            for marker in clip.markers:
                offset = marker.marked_range.start_time - clip.source_range.start_time
                guide = otio.schema.Marker(name=marker.name, color=marker.color,
                                           marked_range=TC.TimeRange(placed.start_time + offset, marker.marked_range.duration))
                timeline.tracks.markers.append(guide)


def fcpx_scale_times(xml: str, factor: Fraction) -> str:
    """Multiply every rational time attribute ("1001/24000s", "3600s") of an FCPXML by ``factor``."""

    def repl(match: re.Match) -> str:
        num = int(match.group(2))
        den = int(match.group(3) or 1)
        value = Fraction(num, den) * factor
        text = f"{value.numerator}s" if value.denominator == 1 else f"{value.numerator}/{value.denominator}s"
        return f"{match.group(1)}{text}{match.group(4)}"

    return _FCPX_TIME.sub(repl, xml)


def write_string(timeline: otio.schema.Timeline, fmt_name: str, adapter: str, *, owned: bool = False) -> str:
    """The timeline as text in ``fmt_name`` through ``adapter``, quirks answered. The input
    timeline is not changed, unless ``owned``: a copy the caller made for this write is
    answered in place rather than copied again."""
    rate = timeline_rate(timeline)
    if fmt_name == "fcp7":
        fcp7_writer.install()
        fixed = timeline if owned else copy.deepcopy(timeline)
        premiere_retimes_as_read(fixed)
        fcp7_clip_markers_as_written(fixed)
        rescale_ranges(fixed, rate)
        fill_available_ranges(fixed)
        drop_frame_only_where_it_exists(fixed)
        foley_comments_for_fcp7(fixed)
        disabled_tracks_for_fcp7(fixed)
        if (timeline.metadata.get(META_KEY) or {}).get("drop_frame"):
            # the writer labels the sequence from its own metadata only (NDF by default)
            fcp = dict(fixed.metadata.get("fcp_xml") or {})
            timecode = dict(fcp.get("timecode") or {})
            timecode["displayformat"] = "DF"
            timecode.setdefault("rate", {"timebase": str(round(rate)), "ntsc": "TRUE"})
            fcp["timecode"] = timecode
            fixed.metadata["fcp_xml"] = fcp
        return fcp7_audio_as_imported(otio.adapters.write_to_string(fixed, adapter))
    if fmt_name == "fcpx":
        return _fcpx_string(timeline, adapter, rate)
    if fmt_name == "kdenlive":
        fixed = timeline if owned else copy.deepcopy(timeline)
        rescale_ranges(fixed, rate)  # its profile takes the rate of the timeline's duration: one rate
        media_time_from_file_start(fixed)
        clip_markers_as_guides(fixed)
        with contextlib.redirect_stdout(io.StringIO()):  # its deprecation banner
            return otio.adapters.write_to_string(fixed, adapter)
    if fmt_name == "otio":
        return otio.adapters.write_to_string(resolve_generated_as_read(timeline, owned=owned), adapter)
    if fmt_name == "xges":
        xges_one_module()
        fixed = timeline if owned else copy.deepcopy(timeline)
        xges_tracks_at_rate(fixed, rate)
        media_time_from_file_start(fixed)
        return otio.adapters.write_to_string(fixed, adapter)
    return otio.adapters.write_to_string(timeline, adapter)


_XMEML_HOST = "file://localhost/"


def fcp7_audio_as_imported(xml: str) -> str:
    """What Final Cut Pro 7 and Premiere write, and their importers expect, of audio in an
    xmeml, that the FCP7 writer leaves out: a ``pathurl`` names its host (``file://localhost/``,
    not ``file:///``); an audio-only file says its sample rate, bit depth and channel count
    (``<samplecharacteristics>``, ``<channelcount>``: read from the file when it is here); and
    every clipitem of an audio track says which channel of its file it plays
    (``<sourcetrack>``, channel 1 when nothing said otherwise). Answered in the text."""
    root = ET.fromstring(xml)
    for file_e in root.iter("file"):
        url = file_e.find("pathurl")
        if url is not None and url.text and url.text.startswith("file:///"):
            url.text = _XMEML_HOST + url.text[len("file:///"):]
        media = file_e.find("media")
        audio = media.find("audio") if media is not None else None
        if audio is None or media.find("video") is not None or audio.find("samplecharacteristics") is not None:
            continue
        facts = _audio_file_facts(url.text if url is not None else None)
        if facts is None:
            continue
        rate, depth, channels = facts
        characteristics = ET.SubElement(audio, "samplecharacteristics")
        ET.SubElement(characteristics, "depth").text = str(depth)
        ET.SubElement(characteristics, "samplerate").text = str(rate)
        ET.SubElement(audio, "channelcount").text = str(channels)
    for sequence in root.iter("sequence"):
        for item in sequence.findall("media/audio/track/clipitem"):
            if item.find("sourcetrack") is None:
                source = ET.SubElement(item, "sourcetrack")
                ET.SubElement(source, "mediatype").text = "audio"
                ET.SubElement(source, "trackindex").text = "1"
    return fcp7_writer.indented_string(root)


def _audio_file_facts(url: str | None) -> tuple[int, int, int] | None:
    """(sample rate, bits, channels) of a PCM file at a file:// URL, or None."""
    if not url or not url.startswith("file:"):
        return None
    try:
        import soundfile

        info = soundfile.info(urllib.parse.unquote(urllib.parse.urlparse(url).path))
    except Exception:
        return None
    bits = PCM_BITS.get(info.subtype)
    return None if bits is None else (int(info.samplerate), bits, int(info.channels))


def xges_tracks_at_rate(timeline: otio.schema.Timeline, rate: float) -> None:
    """The GES writer takes the project's frame rate from the GES tracks a read .xges left in
    the metadata, else writes 30 fps whatever the timeline's rate: give a timeline that did not
    come from GES a video track at its own rate, in place."""
    meta = timeline.tracks.metadata.get("XGES")
    if meta is not None and meta.get("tracks"):
        return
    module = otio.schema.schemadef.from_name("xges").module()
    fps = timebase.rate_from_float(rate).fps
    video = module.XgesTrack.new_from_track_type(module.GESTrackType.VIDEO)
    video.properties.set("restriction-caps", "string",
                         f"video/x-raw, framerate=(fraction){fps.numerator}/{fps.denominator}")
    audio = module.XgesTrack.new_from_track_type(module.GESTrackType.AUDIO)
    xges = dict(meta or {})
    xges["tracks"] = [video, audio]
    timeline.tracks.metadata["XGES"] = xges


def xges_one_module() -> None:
    """Make the xges adapter use the module its schema definitions were loaded from. Its manifest
    loads xges.py twice (as an adapter and as a schema definition), so its classes exist twice;
    a copied timeline is rebuilt from OTIO's type registry with one copy's classes while the
    reader made the other's, and the writer refuses the mix ("a GESMarkerList rather than a
    GESMarkerList"). Call before the first read or write; idempotent."""
    module = otio.schema.schemadef.from_name("xges").module()
    adapter = otio.adapters.from_name("xges")
    if adapter._module is not module:
        adapter._module = module  # OTIO's PythonPlugin caches its module here; no public setter


def fcp7_nested_sequences() -> None:
    """Make the FCP7 XML reader read a nested sequence's tracks: given the <sequence> of a
    clipitem, it reads the tracks of its <media> (with the sequence's rate in context), named
    and marked as the sequence. A clipitem holding a ``<multiclip>`` (FCP7's multicamera clip)
    made the reader refuse the whole file ("Type of clip item is not supported"): it is read as
    the clip of its active angle (see ``_active_angle_clipitem``), and as a clip without media
    that says to flatten it where no angle is marked active. Call before reading; idempotent."""
    module = fcp7_writer.adapter_module()
    parser = module.FCP7XMLParser
    if getattr(parser, "_foleyline_nested", False):
        return
    read_tracks = parser.stack_for_element
    read_clip = parser.clip_for_element

    def clip_for_element(self, element, item_range, start_offset, context):
        multiclip = element.find("./multiclip")
        if multiclip is None or element.find("./file") is not None or element.find("./sequence") is not None:
            return read_clip(self, element, item_range, start_offset, context)
        name = module._name_from_element(element) or module._name_from_element(self._derefed_element(multiclip))
        shown = _active_angle_clipitem(element, self._derefed_element(multiclip), self._etree)
        if shown is not None:
            clip = read_clip(self, shown[0], item_range, start_offset, context)
            clip.name = f"{name} ({shown[1]})" if shown[1] and shown[1] != name else name
            return clip
        why = (f"a multiclip ({name}) with no angle marked active; flatten it in the NLE (Premiere: Multi-Camera > "
               "Flatten; Final Cut Pro 7: Collapse Multiclip) and export again")
        rate = module._rate_from_context(context.context_pushing_element(element))
        start = TC.RationalTime(float(element.find("./in").text), rate) + start_offset
        clip = otio.schema.Clip(name=name, source_range=TC.TimeRange(start, item_range.duration.rescaled_to(rate)),
                                media_reference=otio.schema.MissingReference(metadata={META_KEY: {"missing_reason": why}}))
        clip.markers.extend(module.markers_from_element(element, context))
        return clip

    def stack_for_element(self, element, context):
        if element.tag != "sequence":
            return read_tracks(self, element, context)
        media = self._derefed_element(element.find("./media"))
        if media is None:
            return read_tracks(self, element, context)
        stack = read_tracks(self, media, context.context_pushing_element(element))
        stack.name = module._name_from_element(element)
        stack.markers.extend(module.markers_from_element(element, context))
        return stack

    parser.stack_for_element = stack_for_element
    parser.clip_for_element = clip_for_element
    parser._foleyline_nested = True


def _active_angle_clipitem(element: ET.Element, multiclip: ET.Element, document) -> tuple[ET.Element, str] | None:
    """(a clipitem of the media a multiclip's clipitem shows, the angle's name), or None where no
    angle is marked active.

    FCP7 XML writes every ``<angle>`` of a multiclip, each a ``<clip>`` whose tracks place its
    file in the multiclip's time, and marks the angle cut to with ``<activevideoangle>TRUE``
    (``<activeaudioangle>`` for a clipitem on a sound track); the clipitem's ``in``/``out`` count
    the multiclip's time. What plays is that angle's file, from the frame its track places at
    ``in``: the clipitem as if it held that file. A file written once and named by id elsewhere
    is found by its id."""
    audio = (element.findtext("./sourcetrack/mediatype") or "").strip().lower() == "audio"
    flag = "activeaudioangle" if audio else "activevideoangle"
    angle = next((a for a in multiclip.findall("./angle") if (a.findtext(flag) or "").strip().upper() == "TRUE"), None)
    inner_clip = angle.find("./clip") if angle is not None else None
    if inner_clip is None or element.find("./in") is None:
        return None
    at = int(float(element.findtext("./in")))
    placed = []
    for item in inner_clip.findall(f"./media/{'audio' if audio else 'video'}/track/clipitem"):
        start, end, in_ = (int(float(item.findtext(tag) or -1)) for tag in ("start", "end", "in"))
        if item.find("./file") is not None and start >= 0 and in_ >= 0 and start <= at < max(end, start + 1):
            placed.append((start, in_, item))
    if not placed:
        return None
    start, in_, item = placed[0]
    media = _file_with_contents(item.find("./file"), document)
    shown = copy.deepcopy(element)
    shown.remove(shown.find("./multiclip"))
    shown.append(copy.deepcopy(media))
    moved = in_ - start  # multiclip frame -> the file's frame
    for tag in ("in", "out"):
        if shown.find(tag) is not None and int(float(shown.findtext(tag))) >= 0:
            shown.find(tag).text = str(int(float(shown.findtext(tag))) + moved)
    return shown, (inner_clip.findtext("./name") or item.findtext("./name") or "").strip()


def _file_with_contents(file_element: ET.Element, document) -> ET.Element:
    """The ``<file>`` of that id that says what it is (FCP7 writes a file in full once and by its
    id alone after), else the element as given."""
    if len(file_element) or not file_element.get("id"):
        return file_element
    root = document.getroot() if hasattr(document, "getroot") else document
    return next((f for f in root.iter("file") if f.get("id") == file_element.get("id") and len(f)), file_element)


FCPX_CARRIER = 24.0  # the rate the FCPXML writer's float arithmetic is exact at (see _fcpx_string)


def _fcpx_string(timeline: otio.schema.Timeline, adapter: str, rate: float) -> str:
    """The FCPXML writer's answer, corrected. Its arithmetic (float products truncated to whole
    frames) is exact at 24 fps only and it knows no NTSC rate: every time is written as the
    same frame count at 24 fps and scaled to the true rate in the XML (exact rationals). It
    writes no titles or generators (a GeneratorReference crashes it): they become gaps. It hangs
    every non-spine clip from a spine clip and crashes where the spine has none: the first video
    track is extended (or made) to cover the timeline with a gap. It ignores the start timecode:
    the sequence gets ``tcStart`` and its spine offsets start there, as Final Cut Pro writes them.
    A file of unknown length (a still) is given the length its clip uses. It writes no
    transition: the spine's dissolves are put back (``_fcpx_spine_transitions``), else the
    editor's dissolves came back from Final Cut Pro as cuts."""
    fixed = copy.deepcopy(timeline)
    rescale_ranges(fixed, rate)
    # the writer reads every file's length from its available range (a still has none: crash)
    fill_available_ranges(fixed)
    for clip in list(fixed.find_clips()):
        if isinstance(clip.media_reference, otio.schema.GeneratorReference):
            parent = clip.parent()
            parent[parent.index(clip)] = otio.schema.Gap(source_range=clip.trimmed_range())
    total = fixed.tracks.duration()
    video = [t for t in fixed.tracks if t.kind == otio.schema.TrackKind.Video]
    if not video:
        video = [otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)]
        fixed.tracks.insert(0, video[0])
    if video[0].duration() < total:
        video[0].append(otio.schema.Gap(source_range=TC.TimeRange(TC.RationalTime(0, rate), total - video[0].duration())))
    start = fixed.global_start_time
    fixed.global_start_time = None
    exact = timebase.rate_from_float(rate).fps
    transitions = [tuple(Fraction(frames) / exact for frames in edit) + (name,) for *edit, name in _track_transitions(video[0], rate)]
    relabel_rate(fixed, rate, FCPX_CARRIER)
    xml = otio.adapters.write_to_string(fixed, adapter)
    xml = fcpx_scale_times(xml, Fraction(int(FCPX_CARRIER)) / exact)
    tc_start = Fraction(round(start.rescaled_to(rate).value)) / exact if start is not None else Fraction(0)
    drop = bool((timeline.metadata.get(META_KEY) or {}).get("drop_frame"))
    return _fcpx_sequence_start(xml, tc_start, drop, transitions)


def _track_transitions(track: otio.schema.Track, rate: float) -> list[tuple[int, int, int, str]]:
    """(edit, frames before it, frames after it, name) of every transition on ``track``."""
    found, cursor = [], 0
    for item in track:
        if isinstance(item, otio.schema.Transition):
            before, after = (round(t.rescaled_to(rate).value) for t in (item.in_offset, item.out_offset))
            if before + after > 0:
                found.append((cursor, before, after, item.name or "Cross Dissolve"))
        else:
            cursor += round(item.duration().rescaled_to(rate).value)
    return found


# Final Cut Pro's own Cross Dissolve, as its exports name it
_FCPX_DISSOLVE = "FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265"


def _fcpx_spine_transitions(root: ET.Element, spine: ET.Element,
                            transitions: list[tuple[Fraction, Fraction, Fraction, str]]) -> None:
    """Each (edit, before, after, name) as a ``<transition>`` between the spine's items that meet
    at the edit (record seconds, as the spine's offsets), a Cross Dissolve, in place."""
    if not transitions:
        return
    resources = root.find("resources")
    numbers = [int(e.get("id")[1:]) for e in resources if re.fullmatch(r"r\d+", e.get("id", ""))]
    effect = ET.SubElement(resources, "effect", {"id": f"r{max(numbers, default=0) + 1}", "name": "Cross Dissolve",
                                                 "uid": _FCPX_DISSOLVE})
    for edit, before, after, name in transitions:
        children = [c for c in spine if c.get("offset") is not None]
        starting = next((i for i, c in enumerate(spine) if c in children and _fcpx_parse(c.get("offset")) == edit), None)
        ending = next((i + 1 for i, c in enumerate(spine)
                       if c in children and _fcpx_parse(c.get("offset")) + _fcpx_parse(c.get("duration", "0s")) == edit), None)
        at = starting if starting is not None else ending
        if at is None:
            continue
        element = ET.Element("transition", {"name": name, "offset": _fcpx_time(edit - before),
                                             "duration": _fcpx_time(before + after)})
        ET.SubElement(element, "filter-video", {"ref": effect.get("id"), "name": "Cross Dissolve"})
        spine.insert(at, element)


def _fcpx_sequence_start(xml: str, tc_start: Fraction, drop: bool,
                         transitions: list[tuple[Fraction, Fraction, Fraction, str]] = ()) -> str:
    """Every sequence starts at ``tc_start`` with its timecode format said, and its spine gets
    ``transitions`` (edits from the sequence's start), in place in the text."""
    root = ET.fromstring(xml)
    _fcpx_media_where_clips_start(root)
    _fcpx_audio_assets(root)
    projects = [project.find("sequence") for project in root.iter("project")]
    for sequence in root.iter("sequence"):
        sequence.set("tcStart", _fcpx_time(tc_start))
        sequence.set("tcFormat", "DF" if drop else "NDF")
        for spine in sequence.findall("spine"):
            for child in spine:
                if child.get("offset") is not None:
                    child.set("offset", _fcpx_time(_fcpx_parse(child.get("offset")) + tc_start))
            if any(sequence is project for project in projects):
                _fcpx_spine_transitions(root, spine, [(edit + tc_start, *rest) for edit, *rest in transitions])
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n' + body + "\n"


def _fcpx_media_where_clips_start(root: ET.Element) -> None:
    """The writer wraps each file in a ``<clip start=S>`` (S: the source in, media time) holding
    its ``<video>`` (an ``<audio>`` under a ``<gap>``) at offset 0 with no start: inside the clip
    the media then spans local time 0 to its length, from media time 0, and the window at S
    (a camera file's timecode, 01:00:00:00) shows none of it: Final Cut Pro reads an empty clip
    (Foley, from WAVs starting at 0, was right). Place the media at its own start, local time =
    media time, in place."""
    starts = {asset.get("id"): asset.get("start", "0s") for asset in root.iter("asset")}
    for clip in root.iter("clip"):
        holders = [clip] + clip.findall("gap")
        for holder in holders:
            for media in holder:
                start = starts.get(media.get("ref")) if media.tag in ("video", "audio") else None
                if start is None or _fcpx_parse(start) == 0 or media.get("start") is not None:
                    continue
                media.set("offset", start)
                media.set("start", start)
                if holder is not clip:
                    holder.set("offset", start)
                    holder.set("start", start)


def _fcpx_audio_assets(root: ET.Element) -> None:
    """The writer marks an audio file's asset ``hasAudio="1"`` and nothing more; Final Cut Pro
    writes, and reads, an asset's audio as ``audioSources``, ``audioChannels`` and
    ``audioRate`` (an asset without them has no audio components to play). Say them for
    every audio-only asset, from the file when it is here (else one mono source at 48 kHz, as
    Foleyline renders), in place."""
    for asset in root.iter("asset"):
        # a picture file's sound is left to FCP to read: what it holds is not known here
        if asset.get("hasAudio") != "1" or asset.get("hasVideo") != "0" or asset.get("audioRate") is not None:
            continue
        rate, _bits, channels = _audio_file_facts(asset.get("src")) or (timebase.OUTPUT_SAMPLE_RATE, 24, 1)
        asset.set("audioSources", "1")
        asset.set("audioChannels", str(channels))
        asset.set("audioRate", str(rate))


def _fcpx_parse(text: str) -> Fraction:
    value = text.rstrip("s")
    return Fraction(*(int(x) for x in value.split("/"))) if "/" in value else Fraction(value)


def _fcpx_time(value: Fraction) -> str:
    return f"{value.numerator}s" if value.denominator == 1 else f"{value.numerator}/{value.denominator}s"


def fix_after_read(timeline: otio.schema.Timeline, fmt_name: str) -> None:
    """What readers leave out, put where OTIO expects it (in place):

    - EDL: the CMX reader hides the first record timecode (01:00:00:00) in a negative
      ``track.source_range`` start instead of ``global_start_time``; move it there, so record
      timecodes and write-back positions are right.
    - FCP7 XML: the reader keeps ``<enabled>FALSE</enabled>`` of clips and tracks only in
      metadata; honour it, so disabled clips are reported and not sent as shots.
    - Premiere's FCP7 XML: a clip with a Time Remap keeps it as a plain effect, and the reader
      takes the source from ``<in>``, which Premiere counts before the speed change (a 292 %
      clip's in point lands seconds away, on another part of the take). Premiere also writes
      ``<pproTicksIn>``/``<pproTicksOut>``, the media span in ticks (254016000000 a second)
      after the speed change: the source starts there and the speed is that span over the
      record length, a LinearTimeWarp (:func:`_premiere_retimes`). A constant speed's remap
      effect goes; a ramp's stays, so the shot still says its speed varies. FCP7 XML written
      back keeps the ``<in>`` Premiere wrote (:func:`premiere_retimes_as_read`).
    - FCP7 XML: a clipitem's ``<marker><in>`` counts from the media's first frame, as its
      ``<in>`` does, but the reader adds the media's start timecode to the source range only:
      a marker on a camera file starting at 09:54:25:11 sat ten hours before the clip's media,
      where no shot could ever show it. The markers move by the media's start, as OTIO counts
      a clip's markers (in its media's time); FCP7 XML written back counts them from the first
      frame again (:func:`fcp7_clip_markers_as_written`).
    - any format: a media reference's available range at rate 0 (Kdenlive writes one for
      stills and colour clips) measures nothing, and every frame count from it is NaN; it is
      dropped, as if the export had left it out.
    - OTIO written by DaVinci Resolve (its timeline's metadata holds "Resolve_OTIO"): Resolve
      writes every clip of a media file as an ExternalReference, offline or not (it keeps the
      path), and a title, generator or Fusion clip, which has no file, as a MissingReference.
      Those were reported as offline media to relink; they are GeneratorReferences, as the
      live bridge (resolve.py) makes them, and MissingReferences again in OTIO written back
      (:func:`resolve_generated_as_read`), the form Resolve reads.
    """
    for clip in timeline.find_clips():
        for reference in clip.media_references().values():
            available = reference.available_range
            if available is not None and min(available.start_time.rate, available.duration.rate) <= 0:
                reference.available_range = None
    if fmt_name in ("otio", "otioz") and "Resolve_OTIO" in timeline.metadata:
        for clip in timeline.find_clips():
            if isinstance(clip.media_reference, otio.schema.MissingReference):
                clip.media_reference = otio.schema.GeneratorReference(
                    name=clip.media_reference.name, generator_kind=RESOLVE_GENERATED,
                    metadata=clip.media_reference.metadata)
    if fmt_name == "edl":
        starts = [t.source_range.start_time for t in timeline.tracks
                  if t.source_range is not None and t.source_range.start_time.value < 0]
        if starts and timeline.global_start_time is None:
            timeline.global_start_time = TC.RationalTime(-starts[0].value, starts[0].rate)
        for track in timeline.tracks:
            if track.source_range is not None and track.source_range.start_time.value < 0:
                track.source_range = None
    if fmt_name == "fcp7":
        _premiere_retimes(timeline)
        _clip_markers_in_media_time(timeline)
        for obj in [timeline.tracks] + list(timeline.tracks.find_children()):
            meta = obj.metadata.get("fcp_xml")
            if hasattr(meta, "get") and str(meta.get("enabled", "")).upper() == "FALSE" and hasattr(obj, "enabled"):
                obj.enabled = False


def _clip_markers_in_media_time(timeline: otio.schema.Timeline) -> None:
    """Each FCP7 clip's markers moved by its media's start (see :func:`fix_after_read`)."""
    for clip in timeline.find_clips():
        available = getattr(clip.media_reference, "available_range", None)
        if not clip.markers or available is None or available.start_time.value == 0:
            continue
        start = available.start_time
        _move_markers(clip, start.value, start.rate)
        meta = dict(clip.metadata.get(META_KEY) or {})
        meta["marker_media_start"] = start
        clip.metadata[META_KEY] = meta


def fcp7_clip_markers_as_written(timeline: otio.schema.Timeline) -> None:
    """Each FCP7 clip's markers counted from its media's first frame again, in place."""
    for clip in timeline.find_clips():
        start = (clip.metadata.get(META_KEY) or {}).get("marker_media_start")
        if isinstance(start, TC.RationalTime):
            _move_markers(clip, -start.value, start.rate)


def _move_markers(clip: otio.schema.Clip, value: float, rate: float) -> None:
    """A clip's markers moved by ``value`` frames at ``rate``, in place."""
    by = TC.RationalTime(value, rate)
    for marker in clip.markers:
        r = marker.marked_range
        marker.marked_range = TC.TimeRange(r.start_time + by.rescaled_to(r.start_time.rate), r.duration)


_PPRO_TICKS_PER_SECOND = 254016000000


def _premiere_retimes(timeline: otio.schema.Timeline) -> None:
    """A Premiere clip with a Time Remap: its source and speed from its ticks (see
    :func:`fix_after_read`). A reversed clip, or one without ticks or a media start, is left
    as read (its remap is still reported as a speed the export does not say)."""
    for clip in timeline.find_clips():
        meta = clip.metadata.get("fcp_xml")
        remaps = [e for e in clip.effects if str(((e.metadata.get("fcp_xml") or {}).get("effectid") or "")).lower() == "timeremap"]
        if not remaps or not hasattr(meta, "get") or clip.source_range is None:
            continue
        available = getattr(clip.media_reference, "available_range", None)
        try:
            ticks_in, ticks_out = int(meta.get("pproTicksIn")), int(meta.get("pproTicksOut"))
        except (TypeError, ValueError):
            continue
        params = {}
        for param in _as_list((remaps[0].metadata.get("fcp_xml") or {}).get("parameter")):
            if hasattr(param, "get"):
                params[str(param.get("parameterid", "")).lower()] = str(param.get("value", ""))
        if available is None or ticks_out <= ticks_in or params.get("reverse", "FALSE").upper() == "TRUE":
            continue
        rate = clip.source_range.duration.rate
        record = clip.source_range.duration
        media = Fraction(ticks_out - ticks_in, _PPRO_TICKS_PER_SECOND)
        start = available.start_time.rescaled_to(rate) + TC.RationalTime.from_seconds(ticks_in / _PPRO_TICKS_PER_SECOND, rate)
        ours = dict(clip.metadata.get(META_KEY) or {})
        ours["premiere_in"] = clip.source_range.start_time  # what Premiere reads back (premiere_retimes_as_read)
        clip.metadata[META_KEY] = ours
        clip.source_range = TC.TimeRange(start, record)
        if params.get("variablespeed", "0") in ("0", "", "FALSE"):
            for remap in remaps:
                clip.effects.remove(remap)
        clip.effects.append(otio.schema.LinearTimeWarp(name="Time Remap", time_scalar=float(media) / record.to_seconds()))


def resolve_generated_as_read(timeline: otio.schema.Timeline, *, owned: bool = False) -> otio.schema.Timeline:
    """The timeline with Resolve's titles and generators as the MissingReferences Resolve wrote
    (see :func:`fix_after_read`): a copy unless ``owned``, the timeline itself if it has none."""
    if "Resolve_OTIO" not in timeline.metadata:
        return timeline
    fixed = timeline if owned else copy.deepcopy(timeline)
    for clip in fixed.find_clips():
        reference = clip.media_reference
        if isinstance(reference, otio.schema.GeneratorReference) and reference.generator_kind == RESOLVE_GENERATED:
            clip.media_reference = otio.schema.MissingReference(name=reference.name, metadata=reference.metadata)
    return fixed


def premiere_retimes_as_read(timeline: otio.schema.Timeline) -> None:
    """Each retimed Premiere clip back to the ``<in>`` Premiere wrote, for FCP7 XML it reads
    again (the ticks are Foleyline's reading; Premiere counts ``<in>`` its own way)."""
    for clip in timeline.find_clips():
        written = (clip.metadata.get(META_KEY) or {}).get("premiere_in")
        if isinstance(written, TC.RationalTime) and clip.source_range is not None:
            clip.source_range = TC.TimeRange(written, clip.source_range.duration)
            for warp in [e for e in clip.effects if isinstance(e, otio.schema.LinearTimeWarp) and e.name == "Time Remap"]:
                clip.effects.remove(warp)


def _as_list(value: object) -> list:
    return list(value) if isinstance(value, (list, tuple)) or type(value).__name__ == "AnyVector" else [value]
