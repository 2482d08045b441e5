"""Live bridge to DaVinci Resolve Studio through its scripting API.

Reading: the current timeline becomes an OTIO timeline (video tracks, items with their media
files, timeline markers), so selection is the same code as for exported files; the timeline's
in/out marks (``GetMarkInOut``, Resolve 19.1+) become the record range.

Writing: the same geometry as the file write-back (``placed_clips``: clips cut to their shots,
handles left in the media to trim into), played into Resolve:
``AddTrack("audio", ...)`` + ``SetTrackName`` per Foley track, ``MediaPool.ImportMedia`` for the
WAVs, ``MediaPool.AppendToTimeline`` with ``recordFrame``/``trackIndex``/``mediaType`` 2 (audio),
and a timeline ``AddMarker`` per take with the notes summary as note and the take id as
``customData``. Every call's result is checked: what Resolve refused is reported, and each
appended item's position is read back and compared to the frame.

The API's conventions this relies on (Resolve 19 scripting README):
- item ``GetStart()``/``GetEnd()`` are absolute timeline frames (``GetStartFrame()`` included),
  end exclusive; ``GetLeftOffset()`` is the source in point in frames from the media's start;
- ``GetMarkInOut()`` returns ``{"video": {"in": a, "out": b}, ...}`` as frame offsets from
  the timeline start, ``out`` inclusive; keys are missing when no mark is set;
- ``AppendToTimeline`` clipInfo ``startFrame``/``endFrame`` are media frames, end exclusive,
  and ``recordFrame`` an absolute timeline frame;
- ``AddMarker(frameId, ...)`` takes ``frameId`` as an offset from the timeline start and fails
  when a marker already sits on that frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import opentimelineio as otio

from foleyline import timebase
from foleyline.errors import InvalidInput, Unavailable
from foleyline.notes.schema import LayerKind
from foleyline.plugin.timeline.formats import META_KEY, RESOLVE_GENERATED, normalise_rate
from foleyline.plugin.timeline.selection import Selection, ShotList, find_shots
from foleyline.plugin.timeline.writeback import Placement, PlacedClip, foley_track_names, placed_clips

__all__ = ["ResolveBridge", "PlacedInResolve", "connect_resolve", "RESOLVE_MARKER_COLORS"]

TC = otio.opentime
RESOLVE_MARKER_COLORS = {LayerKind.BG: "Blue", LayerKind.FX: "Red", LayerKind.FOLEY: "Green"}
# Resolve's marker colours as OTIO names (for selection by colour)
_TO_OTIO_COLOR = {"Blue": "BLUE", "Cyan": "CYAN", "Green": "GREEN", "Yellow": "YELLOW", "Red": "RED", "Pink": "PINK",
                  "Purple": "PURPLE", "Fuchsia": "MAGENTA", "Rose": "PINK", "Lavender": "PURPLE", "Sky": "CYAN",
                  "Mint": "GREEN", "Lemon": "YELLOW", "Sand": "ORANGE", "Cocoa": "ORANGE", "Cream": "WHITE"}


def connect_resolve() -> Any:
    """The running Resolve, through Blackmagic's DaVinciResolveScript module."""
    try:
        import DaVinciResolveScript  # type: ignore[import-not-found]
    except ImportError as exc:
        raise Unavailable(
            "DaVinci Resolve's scripting module is not importable; run this from Resolve (Workspace > Scripts) "
            "or set RESOLVE_SCRIPT_API/PYTHONPATH as Resolve's scripting README says"
        ) from exc
    resolve = DaVinciResolveScript.scriptapp("Resolve")
    if resolve is None:
        raise Unavailable("DaVinci Resolve Studio is not running, or external scripting is off (Preferences > General)")
    return resolve


@dataclass
class PlacedInResolve:
    placed: list[PlacedClip]
    track_indexes: dict[str, int]
    items: list[Any]
    problems: list[str] = field(default_factory=list)


class ResolveBridge:
    def __init__(self, resolve: Any) -> None:
        self.resolve = resolve
        project = resolve.GetProjectManager().GetCurrentProject()
        if project is None:
            raise Unavailable("no project is open in Resolve; open the project with the edit")
        self.project = project
        self.timeline = project.GetCurrentTimeline()
        if self.timeline is None:
            raise Unavailable("no timeline is open in Resolve; open the edit you want Foley for")
        self.rate = normalise_rate(float(self.timeline.GetSetting("timelineFrameRate") or project.GetSetting("timelineFrameRate")))
        drop = str(self.timeline.GetSetting("timelineDropFrameTimecode") or "0").lower() in ("1", "true")
        # drop-frame exists only at 29.97 and 59.94, whatever the setting says
        self.drop_frame = timebase.timecode_rate(self.rate, drop).drop_frame
        self.start_frame = int(self.timeline.GetStartFrame())

    # ---------------------------------------------------------------- reading

    def to_otio(self) -> otio.schema.Timeline:
        """The current timeline's picture as OTIO: video tracks, items and timeline markers."""
        rate = self.rate
        result = otio.schema.Timeline(name=self.timeline.GetName() or "Resolve timeline",
                                      global_start_time=TC.RationalTime(self.start_frame, rate))
        result.metadata[META_KEY] = {"source_format": "resolve", "drop_frame": self.drop_frame}
        for index in range(1, int(self.timeline.GetTrackCount("video")) + 1):
            track = otio.schema.Track(name=self.timeline.GetTrackName("video", index) or f"V{index}",
                                      kind=otio.schema.TrackKind.Video)
            cursor = self.start_frame
            items = sorted(self.timeline.GetItemListInTrack("video", index) or [], key=lambda i: i.GetStart())
            for item in items:
                start, end = int(item.GetStart()), int(item.GetEnd())
                if start > cursor:
                    track.append(otio.schema.Gap(source_range=TC.TimeRange(TC.RationalTime(0, rate), TC.RationalTime(start - cursor, rate))))
                elif start < cursor:
                    continue  # Resolve never overlaps items on a track; skip rather than corrupt positions
                track.append(self._clip(item, end - start))
                cursor = end
            result.tracks.append(track)
        for frame, marker in sorted((self.timeline.GetMarkers() or {}).items()):
            result.tracks.markers.append(otio.schema.Marker(
                name=str(marker.get("name", "")),
                color=_TO_OTIO_COLOR.get(str(marker.get("color", "")), "RED"),
                marked_range=TC.TimeRange(TC.RationalTime(float(frame), rate),
                                          TC.RationalTime(max(0, int(marker.get("duration", 1)) - 1), rate)),
            ))
        return result

    def _clip(self, item: Any, duration: int) -> otio.schema.Clip:
        rate = self.rate
        pool_item = item.GetMediaPoolItem()
        path = str(pool_item.GetClipProperty("File Path") or "") if pool_item is not None else ""
        media_start = 0
        media_frames = None
        if pool_item is not None:
            start_tc = str(pool_item.GetClipProperty("Start TC") or "")
            if start_tc:
                try:
                    media_start = timebase.timecode_to_frames(start_tc, timebase.timecode_rate(rate, ";" in start_tc))
                except InvalidInput:
                    media_start = 0  # a clip timecode Resolve shows at another rate: count from zero
            frames = pool_item.GetClipProperty("Frames")
            media_frames = int(frames) if str(frames or "").isdigit() else None
        if pool_item is None:
            # titles, generators and Fusion compositions have no media pool item
            reference = otio.schema.GeneratorReference(generator_kind=RESOLVE_GENERATED)
        elif path:
            reference = otio.schema.ExternalReference(target_url=Path(path).as_uri() if Path(path).is_absolute() else path)
            if media_frames:
                reference.available_range = TC.TimeRange(TC.RationalTime(media_start, rate), TC.RationalTime(media_frames, rate))
        else:
            reference = otio.schema.MissingReference()
        clip = otio.schema.Clip(
            name=item.GetName() or Path(path).name,
            media_reference=reference,
            source_range=TC.TimeRange(TC.RationalTime(media_start + int(item.GetLeftOffset()), rate), TC.RationalTime(duration, rate)),
        )
        enabled = getattr(item, "GetClipEnabled", None)
        if enabled is not None and enabled() is False:
            clip.enabled = False
        clip.metadata[META_KEY] = {"resolve_item": str(item.GetUniqueId()) if hasattr(item, "GetUniqueId") else ""}
        return clip

    def marks(self) -> tuple[otio.opentime.RationalTime, otio.opentime.RationalTime] | None:
        """The in/out marks as absolute record times [in, out), or None when not set."""
        getter = getattr(self.timeline, "GetMarkInOut", None)
        if getter is None:
            return None  # Resolve before 19.1: no marks through the API
        marks = getter() or {}
        video = marks.get("video") or marks.get("all") or {}
        if "in" not in video or "out" not in video:
            return None
        mark_in, mark_out = int(video["in"]), int(video["out"])
        if mark_out < mark_in:
            raise InvalidInput(f"the out mark ({mark_out}) is before the in mark ({mark_in}); set them again in Resolve")
        return (TC.RationalTime(self.start_frame + mark_in, self.rate), TC.RationalTime(self.start_frame + mark_out + 1, self.rate))

    def read_shots(self, selection: Selection | None = None, *, use_marks: bool = True) -> tuple[otio.schema.Timeline, ShotList]:
        """The selected shots of the current timeline; the in/out marks narrow the selection
        unless ``selection`` already gives a record range."""
        timeline = self.to_otio()
        selection = selection or Selection()
        marks = self.marks() if use_marks else None
        if marks is not None and selection.record_in is None and selection.record_out is None:
            selection = Selection(track=selection.track, record_in=marks[0], record_out=marks[1],
                                  marker_color=selection.marker_color, marker_name=selection.marker_name,
                                  clip_names=selection.clip_names)
        return timeline, find_shots(timeline, selection)

    # ---------------------------------------------------------------- writing

    def place(self, timeline: otio.schema.Timeline, placements: Sequence[Placement], *,
              expose_handles: bool = False) -> PlacedInResolve:
        """Put the takes on new audio tracks of the current timeline, with a marker per take.
        Each clip is cut to its shot (its handles wait in the media, ``startFrame`` is the
        head-handle frame) unless ``expose_handles`` (see writeback)."""
        if not placements:
            raise InvalidInput("no takes to place; accept at least one take")
        placed = placed_clips(timeline, placements, expose_handles=expose_handles)
        media_pool = self.project.GetMediaPool()
        paths = sorted({str(Path(c.placement.wav_path).resolve()) for c in placed})
        imported = media_pool.ImportMedia(paths) or []
        by_path = {}
        for pool_item in imported:
            by_path[str(Path(str(pool_item.GetClipProperty("File Path"))).resolve())] = pool_item
        missing = [p for p in paths if p not in by_path]
        if missing:
            raise Unavailable(f"Resolve did not import {', '.join(missing)}; check the files exist and Resolve can read them")

        track_indexes: dict[str, int] = {}
        for name in foley_track_names(placed):
            channels = max(_channels(c.placement.wav_path) for c in placed if c.track_name == name)
            if not self.timeline.AddTrack("audio", "stereo" if channels == 2 else "mono"):
                raise Unavailable(f"Resolve refused to add the audio track {name!r}")
            index = int(self.timeline.GetTrackCount("audio"))
            self.timeline.SetTrackName("audio", index, name)
            track_indexes[name] = index

        infos = [{
            "mediaPoolItem": by_path[str(Path(c.placement.wav_path).resolve())],
            "startFrame": c.media_start,
            "endFrame": c.media_start + c.duration,
            "mediaType": 2,
            "trackIndex": track_indexes[c.track_name],
            "recordFrame": self.start_frame + c.start,
        } for c in placed]
        items = media_pool.AppendToTimeline(infos) or []
        problems = []
        if len(items) != len(infos):
            problems.append(f"Resolve placed {len(items)} of {len(infos)} clips; check the Foley tracks")
        for clip, item in zip(placed, items):
            expected = (self.start_frame + clip.start, clip.duration)
            got = (int(item.GetStart()), int(item.GetDuration()))
            if got != expected:
                problems.append(f"{clip.placement.shot.name} ({clip.placement.layer_label}): Resolve put it at frame "
                                f"{got[0]} for {got[1]} frames, expected {expected[0]} for {expected[1]}")
        problems += self._markers(placed)
        return PlacedInResolve(placed, track_indexes, list(items), problems)

    def _markers(self, placed: Sequence[PlacedClip]) -> list[str]:
        problems = []
        taken: set[int] = set(int(f) for f in (self.timeline.GetMarkers() or {}))
        seen: set[str] = set()
        for clip in placed:
            p = clip.placement
            if p.take_id in seen:
                continue  # one marker per take, not per layer
            seen.add(p.take_id)
            frame = clip.start + clip.head
            while frame in taken:  # a marker already sits there (the editor's, or another take's)
                frame += 1
            layers = sorted({c.placement.layer_label for c in placed if c.placement.take_id == p.take_id})
            ok = self.timeline.AddMarker(frame, RESOLVE_MARKER_COLORS[p.kind], f"Foley: {', '.join(layers)}",
                                         p.notes_summary or f"Foleyline take {p.take_id}", 1, p.take_id)
            if ok:
                taken.add(frame)
            else:
                problems.append(f"Resolve refused the marker for take {p.take_id} at frame offset {frame}")
        return problems


def _channels(path: Path) -> int:
    try:
        import soundfile

        return int(soundfile.info(str(path)).channels)
    except Exception:
        return 2

