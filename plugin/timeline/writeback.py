"""Accepted takes back onto the timeline: a new timeline with Foley audio tracks.

                record_range of the shot
                |<------- shot ------->|
    ... V1 ...  [ clip               ]
    Foley FX    [ take WAV (layer)   ]       the clip is cut to the shot, like the picture;
             (h)                      (t)    the handles h/t wait in the WAV on either side,
                                             so the editor trims into them to crossfade

With ``expose_handles`` the clip shows its handles instead: it starts at record in - head
handle and neighbouring takes of one kind checkerboard onto further tracks.

The editor's tracks are copied untouched; new audio tracks are added after them, named per
layer kind by the placements' track-name preset (``track_names``: "Foley BG", "Foley FX",
"Foley", or BG, FX, FOL). When two takes of one kind overlap (two FX layers on one shot, or the
handles of neighbouring shots) the later one goes on a further track of that kind ("Foley FX 2",
"FX 2"): a checkerboard, as sound editors cut. Every range is at the timeline rate, in whole
frames. The other takes of a shot (``--takes N``) go on muted tracks after them, one per take
number ("Foley FX take 2"), where an editor auditions alternates.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Sequence

import opentimelineio as otio

from foleyline import timebase
from foleyline.errors import InvalidInput
from foleyline.notes.schema import LayerKind
from foleyline.plugin.shots import Shot, frames_at
from foleyline.plugin.timeline.formats import META_KEY, global_start, timeline_rate
from foleyline.plugin.timeline.track_names import TrackNames, track_names
from foleyline.wavchunks import NotAWave, bext_time_reference

__all__ = ["Placement", "PlacedClip", "build_foley_timeline", "foley_track_names", "placed_clips",
           "KIND_ORDER", "MARKER_COLORS"]

TC = otio.opentime
KIND_ORDER = (LayerKind.BG, LayerKind.FX, LayerKind.FOLEY)
MARKER_COLORS = {LayerKind.BG: otio.schema.MarkerColor.BLUE, LayerKind.FX: otio.schema.MarkerColor.RED,
                 LayerKind.FOLEY: otio.schema.MarkerColor.GREEN}


@dataclass(frozen=True)
class Placement:
    """One accepted take layer to put under its shot."""

    shot: Shot
    take_id: str
    layer_label: str
    kind: LayerKind
    wav_path: Path
    handle_head_frames: int = timebase.DEFAULT_HANDLE_FRAMES
    handle_tail_frames: int = timebase.DEFAULT_HANDLE_FRAMES
    notes_summary: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    alternate: int = 0  # 0: the take placed (accepted, else first); n: take number n of the shot, not placed
    track_names: TrackNames = field(default_factory=track_names)  # one preset for a timeline's placements

    @property
    def track_base(self) -> str:
        """The track it goes on: "Foley FX", or "Foley FX take 2" for an alternate."""
        base = self.track_names.base(self.kind)
        return base if not self.alternate else f"{base} take {self.alternate}"


@dataclass(frozen=True)
class PlacedClip:
    """Where a placement ends up, in whole frames at the timeline rate, 0-based track time.

    ``head``/``tail`` are the handle frames the clip *shows* (0 by default: the clip is cut to
    its shot); ``media_start`` is the first WAV frame used, counted from the file's first
    sample: the head-handle frame by default, less what is shown with ``expose_handles`` (a
    shot at the very start of the timeline cannot show its head). ``head_available``/
    ``tail_available`` are the handles the WAV holds. ``media_origin`` is the timecode of the
    WAV's first sample in timeline frames (its Broadcast WAV TimeReference; 0 without one):
    where formats that count media time by the file's own timecode start counting."""

    placement: Placement
    track_name: str
    start: int
    duration: int
    media_start: int
    media_frames: int
    head: int
    tail: int
    media_origin: int = 0

    @property
    def head_available(self) -> int:
        """Frames of head handle in the WAV before the shot's first frame, shown or not (the
        editor trims into them)."""
        return min(self.placement.handle_head_frames, self.media_start + self.head)

    @property
    def tail_available(self) -> int:
        """Frames of tail handle in the WAV after the shot's last frame, shown or not: the
        rendered tail, less what a short WAV does not hold."""
        after_shot = self.media_frames - (self.media_start + self.duration) + self.tail
        return max(0, min(self.placement.handle_tail_frames, after_shot))


_frames = frames_at


def _wav_extent(path: Path, rate: float) -> tuple[int, int] | None:
    """The take's length in whole timeline frames (floor: never claim media that is not there)
    and its first sample's timecode in timeline frames (the bext TimeReference, nearest frame;
    0 without one: an AIFF, an RF64), when it can be read."""
    try:
        import soundfile

        info = soundfile.info(str(path))
    except Exception:
        return None
    try:
        reference = bext_time_reference(path)
    except (OSError, NotAWave):
        reference = None
    fps = timebase.rate_from_float(rate).fps
    origin = timebase.round_half_up(Fraction(reference or 0) * fps / info.samplerate)
    return int(info.frames * fps // info.samplerate), origin


def placed_clips(timeline: otio.schema.Timeline, placements: Sequence[Placement], *,
                 trim_overlaps: bool = False, expose_handles: bool = False) -> list[PlacedClip]:
    """The geometry of every placement, without touching a timeline (the round-trip check and
    the non-OTIO writers use it too).

    By default each clip is cut to its shot, so only takes whose shots overlap (two layers of
    one kind on a shot, shots stacked on several video tracks) overlap; with ``expose_handles``
    the shown handles of neighbouring shots overlap too. An overlapping take goes on a further
    track of its kind (checkerboarding). With ``trim_overlaps`` (for cut lists such as an EDL,
    where one channel cannot hold overlapping events) the two handles are cut where they meet,
    halfway between the shots, and only takes whose *shots* overlap need a further track."""
    rate = timeline_rate(timeline)
    gstart = _frames(global_start(timeline), rate)
    wav_lengths: dict[str, tuple[int, int] | None] = {}
    raw: list[PlacedClip] = []
    for placement in placements:
        if placement.handle_head_frames < 0 or placement.handle_tail_frames < 0:
            raise InvalidInput(f"take {placement.take_id}: handles must not be negative")
        shot_start = _frames(placement.shot.record_range.start_time, rate) - gstart
        shot_len = _frames(placement.shot.record_range.duration, rate)
        if shot_len <= 0:
            raise InvalidInput(f"shot {placement.shot.name!r} ({placement.shot.id}) has zero length; nothing to place")
        if shot_start < 0:
            raise InvalidInput(
                f"shot {placement.shot.name!r} starts before the timeline's start; was it found in another timeline?"
            )
        if expose_handles:
            # a shot at the very start cannot show its head handle before frame 0: cut it
            head = min(placement.handle_head_frames, shot_start)
            tail = placement.handle_tail_frames
        else:
            head = tail = 0
        media_start = placement.handle_head_frames - head
        key = str(placement.wav_path)
        if key not in wav_lengths:
            wav_lengths[key] = _wav_extent(Path(placement.wav_path), rate)
        media_frames, origin = wav_lengths[key] or (None, 0)
        if media_frames is None:
            media_frames = placement.handle_head_frames + shot_len + placement.handle_tail_frames
        # keep handles inside the media: a shorter WAV shortens the tail, never moves the shot
        tail = max(0, min(tail, media_frames - media_start - head - shot_len))
        start = shot_start - head
        # never reference audio that is not in the file: a take shorter than its shot ends early
        duration = max(1, min(head + shot_len + tail, media_frames - media_start))
        raw.append(PlacedClip(placement, "", start, duration, media_start, media_frames, head, tail, origin))

    # Greedy interval colouring in start order: each clip takes the first track of its kind
    # whose last clip has ended (optimal, and linear in the number of clips per track count).
    # (Trimming goes in shot order instead: each head is cut against the shot before it.)
    if trim_overlaps:
        raw.sort(key=lambda c: (c.placement.alternate, KIND_ORDER.index(c.placement.kind), c.start + c.head, c.start))
    else:
        raw.sort(key=lambda c: (c.placement.alternate, KIND_ORDER.index(c.placement.kind), c.start, c.start + c.head))
    result: list[PlacedClip] = []
    last_on: dict[str, int] = {}  # track name -> index in result of its last clip
    for clip in raw:
        preset = clip.placement.track_names
        base = clip.placement.track_base
        if trim_overlaps and base in last_on:
            clip = _trim_against(result, last_on[base], clip)
        number = 1
        while True:
            name = preset.numbered(base, number)
            last = last_on.get(name)
            if last is None or result[last].start + result[last].duration <= clip.start:
                break
            number += 1
        last_on[name] = len(result)
        result.append(dataclasses.replace(clip, track_name=name))
    if not result:
        return result
    final = result[0].placement.track_names.final([clip.track_name for clip in result])
    return [dataclasses.replace(clip, track_name=final[clip.track_name]) for clip in result]


def _trim_against(placed: list[PlacedClip], index: int, clip: PlacedClip) -> PlacedClip:
    """Cut ``clip``'s head and the tail of ``placed[index]`` (the last clip on the kind's first
    track) where they meet, halfway between the shots, when the shots themselves do not overlap.
    The earlier clip is replaced in ``placed``."""
    last = placed[index]
    last_shot_end = last.start + last.duration - last.tail
    shot_start = clip.start + clip.head
    if last.start + last.duration <= clip.start or shot_start < last_shot_end:
        return clip  # no overlap, or the shots themselves overlap: another track will take it
    # halfway between the shots, but never longer than either handle was
    lowest = max(last_shot_end, clip.start)
    highest = min(last.start + last.duration, shot_start)
    cut = min(max((last_shot_end + shot_start) // 2, lowest), highest)
    new_tail = cut - last_shot_end
    placed[index] = dataclasses.replace(last, duration=last.duration - (last.tail - new_tail), tail=new_tail)
    new_head = shot_start - cut
    return dataclasses.replace(clip, start=cut, duration=clip.duration - (clip.head - new_head), head=new_head,
                               media_start=clip.media_start + (clip.head - new_head))


def foley_track_names(placed: Sequence[PlacedClip]) -> list[str]:
    """Track names in the order they are added. ``placed_clips`` visits kinds in KIND_ORDER and
    creates overflow tracks after their base track, so first appearance is the right order."""
    names: list[str] = []
    for clip in placed:
        if clip.track_name not in names:
            names.append(clip.track_name)
    return names


@functools.lru_cache(maxsize=4096)
def _url_of(path: str) -> str:
    return Path(path).resolve().as_uri()


def media_url(path: Path) -> str:
    """file:// URL of a take's WAV (cached: resolving a path stats every folder in it)."""
    return _url_of(str(path))


def clip_metadata(clip: PlacedClip) -> dict[str, Any]:
    p = clip.placement
    meta: dict[str, Any] = {
        "take_id": p.take_id,
        "shot_id": p.shot.id,
        "shot_name": p.shot.name,
        "layer": p.layer_label,
        "kind": p.kind.value,
        "notes_summary": p.notes_summary,
        # the handles the WAV holds around the shot (what the editor can trim into), and how
        # much of them the clip shows (0 unless written with expose_handles)
        "handle_head_frames": clip.head_available,
        "handle_tail_frames": clip.tail_available,
        "shown_head_frames": clip.head,
        "shown_tail_frames": clip.tail,
        "wav_path": str(p.wav_path),
    }
    for key, value in p.metadata.items():
        meta.setdefault(str(key), _plain(value))
    return meta


def _plain(value: Any) -> Any:
    """OTIO metadata takes JSON-like values only."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def build_foley_timeline(timeline: otio.schema.Timeline, placements: Sequence[Placement], *,
                         expose_handles: bool = False) -> otio.schema.Timeline:
    """A new timeline: a copy of ``timeline`` with the Foley tracks added. The input is not changed."""
    if not placements:
        raise InvalidInput("no takes to place; accept at least one take before writing the Foley timeline")
    rate = timeline_rate(timeline)
    placed = placed_clips(timeline, placements, expose_handles=expose_handles)
    result = copy.deepcopy(timeline)
    by_track: dict[str, list[PlacedClip]] = {}
    for clip in placed:
        by_track.setdefault(clip.track_name, []).append(clip)
    for name in foley_track_names(placed):
        track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
        first = by_track[name][0].placement
        track.metadata[META_KEY] = {"generated": True, "kind": first.kind.value, "alternate": first.alternate}
        # alternates are there to audition, muted, as an editor keeps alternate takes
        track.enabled = not first.alternate
        cursor = 0
        for clip in sorted(by_track[name], key=lambda c: c.start):
            if clip.start > cursor:
                track.append(otio.schema.Gap(source_range=TC.TimeRange(TC.RationalTime(0, rate),
                                                                      TC.RationalTime(clip.start - cursor, rate))))
            track.append(_otio_clip(clip, rate))
            cursor = clip.start + clip.duration
        result.tracks.append(track)
    return result


def _otio_clip(clip: PlacedClip, rate: float) -> otio.schema.Clip:
    p = clip.placement
    # media time is the WAV's own timecode, as NLEs count it (FCP7 <file><timecode>, an FCPXML
    # asset's start, Resolve's source timecode): a file said to start at 0 whose Broadcast WAV
    # stamp says 00:59:59:12 is relinked by its stamp, and every source range lands before it
    origin = clip.media_origin
    reference = otio.schema.ExternalReference(
        target_url=media_url(p.wav_path),
        available_range=TC.TimeRange(TC.RationalTime(origin, rate), TC.RationalTime(clip.media_frames, rate)),
    )
    reference.name = Path(p.wav_path).name
    item = otio.schema.Clip(
        name=f"{p.shot.name} - {p.layer_label}" + (f" (take {p.alternate})" if p.alternate else ""),
        media_reference=reference,
        source_range=TC.TimeRange(TC.RationalTime(origin + clip.media_start, rate), TC.RationalTime(clip.duration, rate)),
    )
    item.metadata[META_KEY] = clip_metadata(clip)
    # the marker sits on the shot's first frame (after the head handle), in the clip's media time
    marker = otio.schema.Marker(
        name=p.notes_summary or f"Foleyline take {p.take_id}",
        marked_range=TC.TimeRange(TC.RationalTime(origin + clip.media_start + clip.head, rate), TC.RationalTime(0, rate)),
        color=MARKER_COLORS[p.kind],
    )
    marker.metadata[META_KEY] = {"take_id": p.take_id, "shot_id": p.shot.id}
    item.markers.append(marker)
    return item
