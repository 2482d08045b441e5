"""What OTIO's adapters get wrong, and our answers. Each answer has a test in
tests/plugin/test_quirks.py.

- FCPXML (otio-fcpx-xml-adapter 1.0) at NTSC rates: the writer looks the frame duration up
  with ``int(rate)`` (23) or the exact floats 23.98/29.97, finds nothing and crashes; the reader
  truncates the rate with ``int()`` (23.976 -> 23) and so reads wrong frames. Answer: the same
  frames at the integer rate, with every time in the XML scaled by 1001/1000 on write and by
  1000/1001 on read (exact: k*1001/24000 s <-> k/24 s), and the OTIO rates relabelled.
- FCP7 XML: the writer turns every range into SMPTE timecode and refuses rates such as 48000,
  crashes on media without an available range, and labels every sequence NDF unless its own
  metadata says DF. Answer: rescale every range to the timeline rate first (whole frames); give
  media of unknown length the range its clip uses; carry our drop-frame flag into its metadata.
  (Its reader keeps <enabled>FALSE only in metadata: ``fix_after_read`` honours it.)
- FCPXML: the writer leaves out the sequence's tcFormat and the reader ignores it. Answer: write
  it; read it ourselves.
- EDL: the CMX3600 writer refuses a timeline without exactly one video track, and with one it
  writes only the picture (the Foley events vanish). Answer: ``edl.py`` writes an EDL of the
  Foley events itself. Its reader hides the record start in a negative track range:
  ``fix_after_read`` moves it to the timeline's global start.
- AAF: the AAF writer drops markers (and writes no Broadcast WAV descriptors). Answer:
  ``aaf.py`` writes the Pro Tools AAF with pyaaf2, markers as DescriptiveMarkers.
- Kdenlive: the writer drops clip markers. Answer: they become timeline guides.
- Metadata: only .otio keeps metadata["foleyline"]. FCP7 XML gets it as the clip's master
  comments; AAF as mob comments; an EDL as comment lines.
"""

from __future__ import annotations

import contextlib
import copy
import io
import re
from fractions import Fraction

import opentimelineio as otio

from foleyline import timebase
from foleyline.plugin.timeline.formats import META_KEY, timeline_rate

__all__ = ["write_string", "relabel_rate", "rescale_ranges", "fcpx_scale_times", "fcpx_read_fix"]

TC = otio.opentime
_FCPX_TIME = re.compile(r'(\b(?:offset|start|duration|tcStart|frameDuration|audioStart|audioDuration)=")'
                        r'(-?\d+)(?:/(\d+))?s(")')


def _ntsc_base(rate: float) -> int | None:
    """The nominal rate of an NTSC rate (24 for 23.976), None for other rates."""
    exact = timebase.rate_from_float(rate)
    return exact.timecode_base if exact.is_ntsc else None


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


def fcpx_read_fix(xml: str) -> tuple[str, float | None]:
    """An NTSC FCPXML rewritten at the integer rate, and the true rate to relabel to after
    reading (None when the sequence is not NTSC and nothing was changed)."""
    match = re.search(r'<sequence\b[^>]*\bformat="([^"]+)"', xml)
    if not match:
        return xml, None
    fmt = re.search(r'<format\b[^>]*\bid="%s"[^>]*>' % re.escape(match.group(1)), xml)
    if not fmt:
        return xml, None
    fd = re.search(r'frameDuration="(\d+)/(\d+)s"', fmt.group(0))
    if not fd or int(fd.group(1)) != 1001:
        return xml, None
    true_rate = int(fd.group(2)) / 1001
    return fcpx_scale_times(xml, Fraction(1000, 1001)), true_rate


def write_string(timeline: otio.schema.Timeline, fmt_name: str, adapter: str) -> str:
    """The timeline as text in ``fmt_name`` through ``adapter``, quirks answered. The input
    timeline is not changed."""
    rate = timeline_rate(timeline)
    if fmt_name == "fcp7":
        fixed = copy.deepcopy(timeline)
        rescale_ranges(fixed, rate)
        fill_available_ranges(fixed)
        foley_comments_for_fcp7(fixed)
        if (timeline.metadata.get(META_KEY) or {}).get("drop_frame"):
            # the writer labels the sequence from its own metadata only (NDF by default)
            fcp = dict(fixed.metadata.get("fcp_xml") or {})
            timecode = dict(fcp.get("timecode") or {})
            timecode["displayformat"] = "DF"
            timecode.setdefault("rate", {"timebase": str(round(rate)), "ntsc": "TRUE"})
            fcp["timecode"] = timecode
            fixed.metadata["fcp_xml"] = fcp
        return otio.adapters.write_to_string(fixed, adapter)
    if fmt_name == "fcpx":
        fixed = copy.deepcopy(timeline)
        rescale_ranges(fixed, rate)
        base = _ntsc_base(rate)
        if base is None:
            return otio.adapters.write_to_string(fixed, adapter)
        relabel_rate(fixed, rate, float(base))
        xml = otio.adapters.write_to_string(fixed, adapter)
        xml = fcpx_scale_times(xml, Fraction(1001, 1000))
        # the writer leaves out the sequence's tcFormat: say drop-frame or not, as FCP does
        drop = bool((timeline.metadata.get("foleyline") or {}).get("drop_frame"))
        fmt = "DF" if drop else "NDF"
        if re.search(r'<sequence\b[^>]*\btcFormat=', xml):
            xml = re.sub(r'(<sequence\b[^>]*\btcFormat=")[A-Z]+(")', rf"\g<1>{fmt}\g<2>", xml, count=1)
        else:
            xml = re.sub(r"<sequence\b", f'<sequence tcFormat="{fmt}"', xml, count=1)
        return xml
    if fmt_name == "kdenlive":
        fixed = copy.deepcopy(timeline)
        clip_markers_as_guides(fixed)
        with contextlib.redirect_stdout(io.StringIO()):  # its deprecation banner
            return otio.adapters.write_to_string(fixed, adapter)
    return otio.adapters.write_to_string(timeline, adapter)


def fix_after_read(timeline: otio.schema.Timeline, fmt_name: str) -> None:
    """What readers leave out, put where OTIO expects it (in place):

    - EDL: the CMX reader hides the first record timecode (01:00:00:00) in a negative
      ``track.source_range`` start instead of ``global_start_time``; move it there, so record
      timecodes and write-back positions are right.
    - FCP7 XML: the reader keeps ``<enabled>FALSE</enabled>`` of clips and tracks only in
      metadata; honour it, so disabled clips are reported and not sent as shots.
    """
    if fmt_name == "edl":
        starts = [t.source_range.start_time for t in timeline.tracks
                  if t.source_range is not None and t.source_range.start_time.value < 0]
        if starts and timeline.global_start_time is None:
            timeline.global_start_time = TC.RationalTime(-starts[0].value, starts[0].rate)
        for track in timeline.tracks:
            if track.source_range is not None and track.source_range.start_time.value < 0:
                track.source_range = None
    if fmt_name == "fcp7":
        for obj in [timeline.tracks] + list(timeline.tracks.find_children()):
            meta = obj.metadata.get("fcp_xml")
            if hasattr(meta, "get") and str(meta.get("enabled", "")).upper() == "FALSE" and hasattr(obj, "enabled"):
                obj.enabled = False
