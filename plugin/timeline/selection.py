"""Finding the shots of a timeline an editor selected.

A shot is a picture clip on a video track. The walk goes into nested sequences (compound clips,
nested stacks), mapping their clips back to the outer timeline's record time. Everything that is
not turned into a usable shot is reported in ``ShotList.problems``: disabled clips and tracks,
generators, speed effects, missing media. Nothing is skipped silently.

Selection criteria combine with AND; an empty Selection selects every clip of every video track.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

import opentimelineio as otio

from foleyline import timebase
from foleyline.errors import InvalidInput
from foleyline.plugin.shots import Shot, frame_rate, frames_at, stable_shot_id
from foleyline.plugin.timeline.clipinfo import (edl_source_in_media_timecode, media_path_of, speed_varies, time_scalar,
                                                 timeline_drop_frame)
from foleyline.plugin.timeline.formats import META_KEY, global_start, timeline_rate
from foleyline.plugin.timeline.relink import media_base

__all__ = ["Selection", "Problem", "ShotList", "clips_in_record_time", "find_shots", "parse_record_time", "timeline_drop_frame"]


TC = otio.opentime


@dataclass(frozen=True)
class Selection:
    """Which shots to take.

    track: a video track, 1-based (V1 = 1, counted from the bottom as NLEs do) or its name.
    record_in / record_out: record timecode ("01:00:10:00", drop-frame "01:00:10;00") or
        RationalTime; a shot is taken when any part of it lies in [record_in, record_out).
    marker_color / marker_name: a shot is taken when a marker of that colour (RED, GREEN, ...)
        or whose name contains that text (case-insensitive) lies on the clip, or on the
        timeline/track within the shot's record range.
    clip_names: clip names (case-insensitive) or shot ids.
    """

    track: int | str | None = None
    record_in: str | otio.opentime.RationalTime | None = None
    record_out: str | otio.opentime.RationalTime | None = None
    marker_color: str | None = None
    marker_name: str | None = None
    clip_names: Sequence[str] = ()


@dataclass(frozen=True)
class Problem:
    """Something about a clip the editor should know: why it is not a (usable) shot."""

    kind: str  # missing_media, disabled, generator, speed, freeze_frame, unsupported, image_sequence
    clip_name: str
    record_timecode: str
    message: str
    shot_id: str | None = None

    def __str__(self) -> str:
        return f"{self.record_timecode} {self.clip_name!r}: {self.message}"


@dataclass(frozen=True)
class ShotList:
    shots: tuple[Shot, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def usable(self) -> tuple[Shot, ...]:
        """The shots whose media can be read."""
        return tuple(s for s in self.shots if s.missing_reason is None)

    def __len__(self) -> int:
        return len(self.shots)

    def __iter__(self) -> Iterator[Shot]:
        return iter(self.shots)


@dataclass
class _Candidate:
    """A clip found on a video track, with its range in the outer timeline (0-based)."""

    clip: otio.schema.Clip
    track_index: int
    track_name: str
    range_in_timeline: otio.opentime.TimeRange
    source_range: otio.opentime.TimeRange
    inherited_markers: list[otio.schema.Marker] = field(default_factory=list)
    dissolved: tuple[otio.opentime.RationalTime, otio.opentime.RationalTime] | None = None  # see _Edges


def parse_record_time(value: str | otio.opentime.RationalTime, rate: float, drop_frame: bool = False) -> otio.opentime.RationalTime:
    """Record timecode ("01:00:10:00"; ';' before the frames means drop-frame) or a RationalTime."""
    if isinstance(value, otio.opentime.RationalTime):
        return value.rescaled_to(rate)
    text = str(value).strip()
    # an editor typing ';' means drop-frame even when the export did not say so
    return timebase.from_timecode(text, timebase.timecode_rate(rate, drop_frame or ";" in text))


def _video_tracks(timeline: otio.schema.Timeline) -> list[otio.schema.Track]:
    return [t for t in timeline.tracks if isinstance(t, otio.schema.Track) and t.kind == otio.schema.TrackKind.Video]


def _walk(
    items: Sequence[otio.core.Composable],
    composition: otio.core.Composition,
    offset: otio.opentime.RationalTime,
    window: otio.opentime.TimeRange | None,
    track_index: int,
    track_name: str,
    rate: float,
    markers: list[otio.schema.Marker],
    problems: list[Problem],
    gstart: otio.opentime.RationalTime,
    kind: str = otio.schema.TrackKind.Video,
) -> Iterator[_Candidate]:
    """Clips under ``composition`` whose time maps to the outer timeline as ``t + offset``,
    visible only inside ``window`` (composition time) when nested and trimmed."""
    # one pass for all children: range_of_child() per item walks the track each time (quadratic)
    ranges = composition.range_of_all_children()
    for index, item in enumerate(items):
        if isinstance(item, (otio.schema.Gap, otio.schema.Transition)):
            continue
        rng = ranges[item]
        rng = TC.TimeRange(rng.start_time.rescaled_to(rate), rng.duration.rescaled_to(rate))
        head = TC.RationalTime(0, rate)
        edges = None
        if isinstance(item, otio.schema.Clip):
            edges = _edges(items, index, rate)
            head = edges.head
            rng = TC.TimeRange(rng.start_time - head, rng.duration + head + edges.tail)
        if window is not None:
            clipped = _intersect(rng, window)
            if clipped is None:
                continue
        else:
            clipped = rng
        outer = TC.TimeRange(clipped.start_time + offset, clipped.duration)
        if isinstance(item, otio.schema.Clip):
            source = item.trimmed_range()
            # seen through a fade, cut at a dissolve's middle, or trimmed by an enclosing nested
            # sequence: the record frames it gains or loses at its head move its media by as many
            # frames at its speed (a reverse clip's backwards, a freeze's not at all)
            speed, _ = time_scalar(item)
            moved = (clipped.start_time - rng.start_time - head).value * speed
            source = TC.TimeRange(source.start_time.rescaled_to(rate) + TC.RationalTime(moved, rate), clipped.duration)
            # a side trimmed away by an enclosing nest shows nothing of the dissolve there
            before = edges.before if clipped.start_time == rng.start_time else TC.RationalTime(0, rate)
            after = edges.after if clipped.end_time_exclusive() == rng.end_time_exclusive() else TC.RationalTime(0, rate)
            yield _Candidate(item, track_index, track_name, outer, source, list(markers), (before, after))
        elif isinstance(item, (otio.schema.Stack, otio.schema.Track)):
            if not item.enabled:
                problems.append(Problem("disabled", item.name or "nested sequence", _tc(outer.start_time + gstart, rate),
                                        "nested sequence is disabled; its clips are not shots"))
                continue
            warps = [e for e in item.effects if isinstance(e, otio.schema.TimeEffect)]
            if warps:
                problems.append(Problem("speed", item.name or "nested sequence", _tc(outer.start_time + gstart, rate),
                                        f"{type(warps[0]).__name__} on the nested sequence: its clips are read at "
                                        "their own speed; check sync"))
            own = item.trimmed_range()
            own_start = own.start_time.rescaled_to(rate)
            # inner time t sits at outer time offset + rng.start + (t - own_start); only the part
            # of the nest left visible by an enclosing window counts
            inner_offset = offset + rng.start_time - own_start
            inner_window = TC.TimeRange(own_start + (clipped.start_time - rng.start_time), clipped.duration)
            if isinstance(item, otio.schema.Stack):
                nested_markers = markers + [_shift_marker(m, inner_offset) for m in item.markers]
                children = [t for t in item if isinstance(t, otio.schema.Track) and t.kind == kind]
                for child in children:
                    if not child.enabled:
                        continue
                    yield from _walk(list(child), child, inner_offset, inner_window, track_index, track_name,
                                     rate, nested_markers, problems, gstart, kind)
                # a stack may hold clips and stacks as well as tracks, each from its start (OTIO
                # allows it; they vanished without a word): they play on the track holding the nest
                loose = [c for c in item if not isinstance(c, otio.schema.Track)]
                yield from _walk(loose, item, inner_offset, inner_window, track_index, track_name, rate,
                                 nested_markers, problems, gstart, kind)
            else:
                yield from _walk(list(item), item, inner_offset, inner_window, track_index, track_name, rate,
                                 markers, problems, gstart, kind)
        else:
            problems.append(Problem("unsupported", getattr(item, "name", "") or type(item).__name__,
                                    _tc(outer.start_time + gstart, rate), f"{type(item).__name__} is not a clip"))


@dataclass(frozen=True)
class _Edges:
    """How a clip's range on its track changes at its two edits, and what a dissolve shows of it
    past them. ``head``/``tail``: record frames the shot gains before and after the track's range
    (negative: loses); ``before``/``after``: frames its picture is seen past its shot's cut under a
    dissolve with another shot."""

    head: otio.opentime.RationalTime
    tail: otio.opentime.RationalTime
    before: otio.opentime.RationalTime
    after: otio.opentime.RationalTime


def _edges(items: Sequence[otio.core.Composable], index: int, rate: float) -> _Edges:
    """The edits of the clip at ``index`` under the transitions next to it.

    OTIO's transition shows the outgoing clip ``out_offset`` past the cut and the incoming one
    ``in_offset`` before it. Into or out of what is no shot (black, a title, a gap, the track's
    end) it is a fade: nothing else is seen there and the picture fading still makes its sound,
    so the shot runs through it (an EDL's fade to black: the clip plays on under the dissolve to
    BL). Between two shots the cut is where the NLE shows its edit point, and each shot's picture
    is seen past it by the transition's side beyond it (what the take's handles must cover).
    Readers of FCP7 XML (its ``alignment``), FCPXML (the edit its ``<transition>`` lies over), AAF
    (its ``CutPoint``), Kdenlive (its mix's cut) and NLEs' own OTIO put the track's cut there; a CMX3600 list cannot say where the edit was (its
    dissolve starts the incoming event, and the adapter cuts there), so its cut goes to the
    dissolve's middle, where Avid, Premiere, Resolve and Final Cut Pro centre a dissolve by default
    and the pictures are mixed half and half."""

    def no_shot(at: int) -> bool:
        if at < 0 or at >= len(items):
            return True
        neighbour = items[at]
        return not isinstance(neighbour, otio.schema.Clip) or isinstance(neighbour.media_reference,
                                                                          otio.schema.GeneratorReference)

    def sides(transition: otio.schema.Transition) -> tuple[otio.opentime.RationalTime, otio.opentime.RationalTime]:
        """(in, out) of the transition about the cut an editor sees."""
        before, after = transition.in_offset.rescaled_to(rate), transition.out_offset.rescaled_to(rate)
        if "cmx_3600" in transition.metadata:
            moved = TC.RationalTime(((after - before).value // 2), rate)
            before, after = before + moved, after - moved
        return max(before, zero), max(after, zero)

    zero = TC.RationalTime(0, rate)
    head = tail = before = after = zero
    following = items[index + 1] if index + 1 < len(items) else None
    if isinstance(following, otio.schema.Transition):
        seen_in, seen_out = sides(following)
        if no_shot(index + 2):
            tail = max(following.out_offset.rescaled_to(rate), zero)
        elif not no_shot(index):  # black or a title fading into a shot is still no shot
            tail = seen_in - following.in_offset.rescaled_to(rate)
            after = seen_out
    preceding = items[index - 1] if index >= 1 else None
    if isinstance(preceding, otio.schema.Transition):
        seen_in, seen_out = sides(preceding)
        if no_shot(index - 2):
            head = max(preceding.in_offset.rescaled_to(rate), zero)
        elif not no_shot(index):
            head = preceding.in_offset.rescaled_to(rate) - seen_in
            before = seen_in
    return _Edges(head, tail, before, after)


def clips_in_record_time(timeline: otio.schema.Timeline, kind: str) -> Iterator[tuple[otio.schema.Clip, int, otio.opentime.TimeRange]]:
    """(clip, track number, record range with the global start) of every clip shown on the
    tracks of ``kind``, nested sequences included (what an audio-only check places Foley under)."""
    rate = timeline_rate(timeline)
    gstart = global_start(timeline)
    zero = TC.RationalTime(0, rate)
    tracks = [t for t in timeline.tracks if isinstance(t, otio.schema.Track) and t.kind == kind]
    for index, track in enumerate(tracks, start=1):
        for cand in _walk(list(track), track, zero, None, index, track.name, rate, [], [], gstart, kind):
            yield cand.clip, index, TC.TimeRange(cand.range_in_timeline.start_time + gstart, cand.range_in_timeline.duration)


def _shift_marker(marker: otio.schema.Marker, offset: otio.opentime.RationalTime) -> otio.schema.Marker:
    r = marker.marked_range
    return otio.schema.Marker(name=marker.name, color=marker.color,
                              marked_range=TC.TimeRange(r.start_time.rescaled_to(offset.rate) + offset, r.duration))


def _intersect(a: otio.opentime.TimeRange, b: otio.opentime.TimeRange) -> otio.opentime.TimeRange | None:
    start = max(a.start_time, b.start_time)
    end = min(a.end_time_exclusive(), b.end_time_exclusive())
    if end <= start:
        return None
    return TC.range_from_start_end_time(start, end)


def _tc(time: otio.opentime.RationalTime, rate: float, drop: bool = False) -> str:
    return timebase.to_timecode(time, frame_rate(rate, drop))


def find_shots(timeline: otio.schema.Timeline, selection: Selection | None = None) -> ShotList:
    """The selected shots, in record order, and every problem met on the way."""
    selection = selection or Selection()
    rate = timeline_rate(timeline)
    drop = timeline_drop_frame(timeline, rate)
    gstart = global_start(timeline)
    meta = timeline.metadata.get(META_KEY) or {}
    base_dir = media_base(timeline)

    tracks = _video_tracks(timeline)
    wanted_tracks = _resolve_track(selection.track, tracks)
    record_in = parse_record_time(selection.record_in, rate, drop) if selection.record_in is not None else None
    record_out = parse_record_time(selection.record_out, rate, drop) if selection.record_out is not None else None
    if record_in is not None and record_out is not None and record_out <= record_in:
        raise InvalidInput(
            f"record out {_tc(record_out, rate, drop)} is not after record in {_tc(record_in, rate, drop)}; swap them"
        )
    names = {n.casefold() for n in selection.clip_names}

    shots: list[Shot] = []
    problems: list[Problem] = []
    stack_markers = [m for m in timeline.tracks.markers]
    for index, track in enumerate(tracks, start=1):
        if wanted_tracks is not None and index not in wanted_tracks:
            continue
        track_label = track.name or f"V{index}"
        if not track.enabled:
            problems.append(Problem("disabled", track_label, _tc(gstart, rate, drop),
                                    f"video track V{index} is disabled; its clips are not shots"))
            continue
        zero = TC.RationalTime(0, rate)
        track_markers = stack_markers + list(track.markers)
        for cand in _walk(list(track), track, zero, None, index, track_label, rate, track_markers, problems, gstart):
            shot, problem = _shot_from(cand, rate, drop, gstart, base_dir, meta.get("source_format"))
            if not _selected(cand, shot, selection, record_in, record_out, names, gstart, rate,
                             media_markers=meta.get("source_format") != "edl"):
                continue
            if problem is not None:
                problems.append(problem)
            if shot is None:
                continue
            if shot.missing_reason:
                problems.append(Problem("missing_media", shot.name, shot.record_timecode(), shot.missing_reason, shot.id))
            shots.append(shot)
    shots.sort(key=lambda s: (s.record_range.start_time.value, s.track_index))
    return ShotList(tuple(shots), tuple(problems))


def _resolve_track(track: int | str | None, tracks: list[otio.schema.Track]) -> set[int] | None:
    if track is None:
        return None
    if isinstance(track, int) or (isinstance(track, str) and track.strip().lstrip("Vv").isdigit()):
        number = int(str(track).strip().lstrip("Vv"))
        if not 1 <= number <= len(tracks):
            raise InvalidInput(f"no video track V{number}: the timeline has {len(tracks)} video track(s)")
        return {number}
    matches = {i for i, t in enumerate(tracks, start=1) if t.name.casefold() == track.casefold()}
    if not matches:
        names = ", ".join(repr(t.name) for t in tracks) or "none"
        raise InvalidInput(f"no video track named {track!r}; the video tracks are {names}")
    return matches


def _shot_from(cand: _Candidate, rate: float, drop: bool, gstart: otio.opentime.RationalTime,
               base_dir: Path | None, source_format: str | None) -> tuple[Shot | None, Problem | None]:
    clip = cand.clip
    record = TC.TimeRange(cand.range_in_timeline.start_time + gstart, cand.range_in_timeline.duration)
    reference = clip.media_reference
    name = clip.name or Path(urllib.parse.unquote(getattr(reference, "target_url", "") or "")).name or "unnamed clip"
    tc = _tc(record.start_time, rate, drop)
    if not clip.enabled:
        return None, Problem("disabled", name, tc, "clip is disabled in the edit; not a shot")
    if isinstance(reference, otio.schema.GeneratorReference):
        kind = reference.generator_kind or "generator"
        made = kind if "generator" in kind.casefold() else f"{kind} generator"
        return None, Problem("generator", name, tc, f"{made} (no picture media); not a shot")
    if record.duration.value <= 0:
        return None, Problem("unsupported", name, tc, "zero-length clip; not a shot")
    path, missing = media_path_of(reference, base_dir, source_format)
    source = cand.source_range
    if source_format == "edl" and path is not None and missing is None:
        source = edl_source_in_media_timecode(source, path, rate, drop)
    problem = None
    scalar, unknown_retime = time_scalar(clip)
    if unknown_retime is not None:
        problem = Problem("speed", name, tc,
                          f"{unknown_retime} effect (speed not readable from the export): the server sees the "
                          "media at normal speed; check sync")
    if scalar == 0.0:
        return None, Problem("freeze_frame", name, tc, "freeze frame (a still picture); not a shot")
    if scalar != 1.0:
        # The media actually shown runs at `scalar` speed; the server sees that media span.
        source = _media_span(source, scalar, rate)
        varies = " on average, its speed varying (a hold or ramp)" if speed_varies(clip) else ""
        problem = Problem("speed", name, tc, f"speed effect {scalar * 100:g}%{varies}: the server sees the media "
                          "span at its own speed; check sync")
    available = getattr(reference, "available_range", None)
    if available is not None:
        available = TC.TimeRange(available.start_time.rescaled_to(rate), available.duration.rescaled_to(rate))
    dissolved = tuple(frames_at(t, rate) for t in cand.dissolved) if cand.dissolved else (0, 0)
    if problem is None and available is not None and scalar > 0:
        problem = _dissolve_past_media(name, tc, source, available, dissolved, scalar, rate)
    identity = path.name if path is not None else (getattr(reference, "name", "") or name)
    shot_id = stable_shot_id(identity, source, record.start_time, cand.track_index, rate)
    if problem is not None:
        problem = Problem(problem.kind, problem.clip_name, problem.record_timecode, problem.message, shot_id)
    shot = Shot(
        id=shot_id,
        name=name,
        media_path=path,
        source_range=source,
        record_range=record,
        available_range=available,
        rate=rate,
        drop_frame=drop,
        track_index=cand.track_index,
        missing_reason=missing,
        dissolved=dissolved,
    )
    return shot, problem


def _dissolve_past_media(name: str, tc: str, source: otio.opentime.TimeRange, available: otio.opentime.TimeRange,
                         dissolved: tuple[int, int], speed: float, rate: float) -> Problem | None:
    """A dissolve that shows more of the clip than its media holds (an export of the edit
    after the media was trimmed or replaced by a shorter file): the Foley cannot cover it. Only
    where the shot's own media lies inside the range the export gives: a range counted otherwise
    (from zero, or at another rate) measures nothing of the dissolve."""
    if source.start_time < available.start_time or source.end_time_exclusive() > available.end_time_exclusive():
        return None
    short_head = available.start_time.value - (source.start_time.value - dissolved[0] * speed)
    short_tail = source.end_time_exclusive().value + dissolved[1] * speed - available.end_time_exclusive().value
    if max(short_head, short_tail) < 1:
        return None
    side, frames = ("before its first", short_head) if short_head >= 1 else ("past its last", short_tail)
    return Problem("dissolve", name, tc, f"a dissolve shows it {round(frames)} frame(s) {side} frame of media: "
                   "the take's handle stops with the media there")


def _selected(cand: _Candidate, shot: Shot | None, selection: Selection, record_in, record_out,
              names: set[str], gstart: otio.opentime.RationalTime, rate: float, media_markers: bool = True) -> bool:
    record = TC.TimeRange(cand.range_in_timeline.start_time + gstart, cand.range_in_timeline.duration)
    if record_in is not None and record.end_time_exclusive() <= record_in:
        return False
    if record_out is not None and record.start_time >= record_out:
        return False
    if names:
        clip_name = (cand.clip.name or (shot.name if shot else "")).casefold()
        if clip_name not in names and not (shot is not None and shot.id.casefold() in names):
            return False
    if selection.marker_color is not None or selection.marker_name is not None:
        if not any(_marker_matches(m, selection) for m in _markers_over(cand, rate, media_markers)):
            return False
    return True


def _markers_over(cand: _Candidate, rate: float, media_markers: bool = True) -> Iterator[otio.schema.Marker]:
    """Markers on the clip within the part of its media it shows (a master clip's markers log
    the whole file: Premiere exports them all, and one an hour away is not on this shot), and
    markers on the timeline/track/nesting that fall within the clip's range (markers with a
    duration count when they overlap it). ``media_markers`` false: the clip's markers are not
    in its media's time (the EDL reader puts a locator's record timecode there) and all count."""
    if media_markers:
        yield from (m for m in cand.clip.markers if _within(m, _media_shown(cand, rate), rate))
    else:
        yield from cand.clip.markers
    yield from (m for m in cand.inherited_markers if _within(m, cand.range_in_timeline, rate))


def _media_shown(cand: _Candidate, rate: float) -> otio.opentime.TimeRange:
    """The span of media the clip plays (a freeze, one frame): see :func:`_media_span`."""
    speed, _ = time_scalar(cand.clip)
    return _media_span(cand.source_range, speed, rate, at_least_a_frame=True)


def _media_span(source: otio.opentime.TimeRange, speed: float, rate: float,
                at_least_a_frame: bool = False) -> otio.opentime.TimeRange:
    """The media a clip of ``source`` range plays at ``speed``: its duration counts record
    frames, which the speed scales, from its start, the frame it shows first; a reverse clip
    plays back from there, so it shows the media before its start (Avid's lists and Final Cut
    Pro's time maps place a reverse clip so)."""
    start, length = source.start_time.rescaled_to(rate), source.duration.rescaled_to(rate)
    frames = abs(speed) * length.value
    span = TC.RationalTime(max(frames, 1) if at_least_a_frame else frames, rate)
    return TC.TimeRange(start - span + TC.RationalTime(1, rate) if speed < 0 else start, span)


def _within(marker: otio.schema.Marker, rng: otio.opentime.TimeRange, rate: float) -> bool:
    m = marker.marked_range
    start = m.start_time.rescaled_to(rate)
    end = start + m.duration.rescaled_to(rate)
    return start < rng.end_time_exclusive() and (end > rng.start_time or start >= rng.start_time)


def _marker_matches(marker: otio.schema.Marker, selection: Selection) -> bool:
    if selection.marker_color is not None and (marker.color or "").casefold() != selection.marker_color.casefold():
        return False
    if selection.marker_name is not None and selection.marker_name.casefold() not in (marker.name or "").casefold():
        return False
    return True
