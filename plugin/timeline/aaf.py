"""The Foley timeline as an AAF for Pro Tools, written with pyaaf2.

OTIO's AAF writer drops markers and writes no audio essence descriptors, so this module writes
the AAF itself, shaped like an Avid Media Composer export that Pro Tools imports:

    CompositionMob "<timeline> Foley" (Usage_TopLevel): one composition
      Timecode slot          start = the timeline's record start
      Sound slot per Foley track and WAV channel ("Foley FX", "Foley FX R" ...)
        Sequence: Filler, SourceClip -> MasterMob, Filler, ...
      EventMobSlot           DescriptiveMarkers with the notes summary, one per clip
    MasterMob per WAV        user comments: take id, shot id, layer, notes summary
    SourceMob per WAV        PCMDescriptor: 48 kHz, 24-bit, the file's real channel count,
                             NetworkLocator file:// URL (linked, never embedded)

Every mob slot runs at the timeline's rate (media rate = track rate, as Avid writes it); only
the descriptor counts samples. Clip positions are whole timeline frames.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Sequence

import opentimelineio as otio

from foleyline import timebase
from foleyline.errors import InvalidInput, MediaError
from foleyline.fsutil import atomic_path
from foleyline.plugin.timeline.formats import global_start, timeline_rate
from foleyline.plugin.timeline.writeback import PlacedClip, Placement, foley_track_names
from foleyline.wavchunks import PCM_BITS

__all__ = ["write_foley_aaf", "WavInfo", "wav_info"]

# RGB per layer kind, as Avid stores CommentMarkerColor (16-bit channels)
_MARKER_RGB = {"BG": (13107, 13107, 65535), "FX": (65535, 0, 0), "FOLEY": (0, 65535, 0)}
_CHANNEL_SUFFIX = {1: [""], 2: ["L", "R"]}
_COMMENT_KEYS = ("Foleyline take", "Foleyline shot", "Foleyline layer", "Comments")


class WavInfo:
    def __init__(self, path: Path, sample_rate: int, channels: int, frames: int, bits: int) -> None:
        self.path, self.sample_rate, self.channels, self.frames, self.bits = path, sample_rate, channels, frames, bits


def wav_info(path: Path) -> WavInfo:
    import soundfile

    try:
        info = soundfile.info(str(path))
    except Exception as exc:
        raise MediaError(f"take audio {path} cannot be read ({exc}); fetch the take again") from exc
    bits = PCM_BITS.get(info.subtype)
    if bits is None or info.format not in ("WAV", "WAVEX", "RF64"):
        raise MediaError(f"take audio {path} is {info.format}/{info.subtype}, not PCM WAV; Pro Tools links PCM Broadcast WAVs")
    return WavInfo(Path(path), int(info.samplerate), int(info.channels), int(info.frames), bits)


def write_foley_aaf(timeline: otio.schema.Timeline, placed: Sequence[PlacedClip], out_path: Path) -> Path:
    """Write the Foley tracks of ``placed`` as one AAF composition; returns ``out_path``."""
    import aaf2

    if not placed:
        raise InvalidInput("no takes to place; accept at least one take before writing the AAF")
    rate = timeline_rate(timeline)
    fps = timebase.rate_from_float(rate).fps
    edit_rate = Fraction(fps)
    drop = bool((timeline.metadata.get("foleyline") or {}).get("drop_frame"))
    start_frames = timebase.to_frames(global_start(timeline), rate)
    # one probe per WAV, however many clips use it
    infos = {key: wav_info(Path(key)) for key in dict.fromkeys(str(c.placement.wav_path) for c in placed)}
    total = max(c.start + c.duration for c in placed)

    with atomic_path(out_path) as tmp:
        tmp.unlink()  # pyaaf2 creates the file itself
        with aaf2.open(str(tmp), "w") as f:
            # a DataDef object, not a name: pyaaf2 looks names up linearly for every component
            sound = f.dictionary.lookup_datadef("sound")
            first_use: dict[str, Placement] = {}
            for c in placed:
                first_use.setdefault(str(c.placement.wav_path), c.placement)
            linker = _WavLinker(f, edit_rate)
            masters = {key: linker.link(info, first_use[key]) for key, info in infos.items()}
            comp = f.create.CompositionMob(f"{timeline.name or 'Timeline'} Foley")
            comp.usage = "Usage_TopLevel"

            tc_slot = comp.create_timeline_slot(edit_rate)
            tc_slot.name = "TC1"
            tc_slot["PhysicalTrackNumber"].value = 1  # readers take the start from TC track 1
            tc = f.create.Timecode(int(timebase.as_rate(rate).timecode_base), drop)
            tc.start = start_frames
            tc.length = total
            tc_slot.segment = tc

            make = _Prototypes(f, sound)
            markers = []
            slot_of_track: dict[str, int] = {}
            channel_count = {name: max(infos[str(c.placement.wav_path)].channels for c in placed if c.track_name == name)
                             for name in foley_track_names(placed)}
            for name in foley_track_names(placed):
                clips = sorted((c for c in placed if c.track_name == name), key=lambda c: c.start)
                channels = channel_count[name]
                suffixes = _CHANNEL_SUFFIX.get(channels, [f"Ch{i + 1}" for i in range(channels)])
                for channel, suffix in enumerate(suffixes, start=1):
                    slot = comp.create_sound_slot(edit_rate)
                    slot.name = f"{name} {suffix}".strip()
                    slot["PhysicalTrackNumber"].value = len(slot_of_track) + 1
                    slot_of_track[slot.name] = slot.slot_id
                    cursor = 0
                    components = []
                    for clip in clips:
                        if clip.start > cursor:
                            components.append(make.filler(clip.start - cursor))
                        master, n_channels = masters[str(clip.placement.wav_path)]
                        # a mono take on a stereo track sits on its first channel only
                        if channel > n_channels:
                            components.append(make.filler(clip.duration))
                        else:
                            # master slots are numbered by channel
                            components.append(make.source_clip(master.mob_id, channel, clip.media_start, clip.duration))
                        cursor = clip.start + clip.duration
                        if channel == 1:
                            markers.append((slot.slot_id, clip))
                    if total > cursor:
                        components.append(make.filler(total - cursor))
                    slot.segment.components.extend(components)
            _add_markers(f, comp, edit_rate, markers, make)
            # attached last, whole and together: pyaaf2 files every object appended to an
            # attached parent at once, re-listing its folder each time
            f.content.mobs.extend([*linker.mobs, comp])
    return Path(out_path)


class _WavLinker:
    """SourceMob (PCMDescriptor + locator) and MasterMob per WAV, the master's comments naming
    the take that first uses it. The mobs of the first WAV of each shape (channels, rate, bits)
    are built property by property (:meth:`build`); the others' are copies of them given their
    own ids, names, lengths and locator (:meth:`_copy`): pyaaf2 builds an object several times
    slower than it copies one, and every take has its own WAV. The mobs are kept in ``mobs``
    (source, master, ...) to be attached together."""

    def __init__(self, f, edit_rate: Fraction) -> None:
        self._f, self._edit_rate = f, edit_rate
        self._shapes: dict[tuple[int, int, int], tuple] = {}
        self.mobs: list = []

    def link(self, info: WavInfo, first: Placement):
        """(master mob, channels) for ``info``, its comments from ``first``."""
        shape = (info.channels, info.sample_rate, info.bits)
        prototype = self._prototype(shape)
        if prototype is None:
            source, master = self._shapes[shape] = self.build(info)
        else:
            source, master = self._copy(prototype, info)
        # Avid shows mob comments as bin columns; Pro Tools keeps them with the clip
        values = (first.take_id, first.shot.id, f"{first.layer_label} ({first.kind.value})", first.notes_summary or "")
        comments = master.comments
        for key, value in zip(_COMMENT_KEYS, values):
            comments[key] = value
        self.mobs += [source, master]
        return master, info.channels

    def _prototype(self, shape: tuple[int, int, int]) -> tuple | None:
        """The mobs built for the first WAV of ``shape``, if any."""
        return self._shapes.get(shape)

    def _copy(self, prototype: tuple, info: WavInfo) -> tuple:
        """Copies of a (source, master) pair, made ``info``'s: what :meth:`build` sets per WAV."""
        import aaf2  # deferred with the writer's other pyaaf2 use

        source, master = (mob.copy() for mob in prototype)
        source.mob_id, master.mob_id = aaf2.mobid.MobID.new(), aaf2.mobid.MobID.new()
        source.name, master.name = info.path.name, info.path.stem
        descriptor = source.descriptor
        descriptor["Length"].value = info.frames
        descriptor["Locator"].value[0]["URLString"].value = info.path.resolve().as_uri()
        length = self._length(info)
        for source_slot, master_slot in zip(source.slots, master.slots):
            source_slot.segment.length = length
            master_slot.segment.length = length
            master_slot.segment.mob_id = source.mob_id
        return source, master

    def _length(self, info: WavInfo) -> int:
        return int(info.frames * self._edit_rate // info.sample_rate)  # whole frames at the track rate

    def build(self, info: WavInfo) -> tuple:
        """(source, master) for ``info`` made property by property, not attached."""
        f, edit_rate = self._f, self._edit_rate
        length = self._length(info)
        source = f.create.SourceMob(info.path.name)
        descriptor = f.create.PCMDescriptor()
        descriptor["Channels"].value = info.channels
        descriptor["BlockAlign"].value = info.channels * info.bits // 8
        descriptor["SampleRate"].value = info.sample_rate
        descriptor["AudioSamplingRate"].value = info.sample_rate
        descriptor["AverageBPS"].value = info.sample_rate * info.channels * info.bits // 8
        descriptor["QuantizationBits"].value = info.bits
        descriptor["Length"].value = info.frames
        descriptor["ContainerFormat"].value = f.dictionary.lookup_containerdef("External")
        locator = f.create.NetworkLocator()
        locator["URLString"].value = info.path.resolve().as_uri()
        descriptor["Locator"].append(locator)
        source.descriptor = descriptor
        master = f.create.MasterMob(info.path.stem)
        for key in _COMMENT_KEYS:  # the copies only change the values
            master.comments[key] = ""
        for channel in range(1, info.channels + 1):
            slot = source.create_timeline_slot(edit_rate, slot_id=channel)
            slot.segment = f.create.SourceClip(media_kind="sound", length=length)
            slot["PhysicalTrackNumber"].value = channel
            master_slot = master.create_timeline_slot(edit_rate, slot_id=channel)
            master_slot.segment = source.create_source_clip(slot.slot_id, start=0, length=length)
            master_slot["PhysicalTrackNumber"].value = channel
        return source, master


class _Prototypes:
    """Components as copies of one prototype each: pyaaf2 builds a new object property by
    property, resolving its data definition each time, about six times slower than a copy."""

    def __init__(self, f, sound) -> None:
        self._clip = f.create.SourceClip(media_kind=sound, length=1)
        self._filler = f.create.Filler(sound, 1)
        self._marker = f.create.DescriptiveMarker()  # pyaaf2 gives it the DescriptiveMetadata kind
        self._marker["Length"].value = 1

    def source_clip(self, mob_id, slot_id: int, start: int, length: int):
        clip = self._clip.copy()
        clip.mob_id, clip.slot_id, clip.start, clip.length = mob_id, slot_id, start, length
        return clip

    def filler(self, length: int):
        filler = self._filler.copy()
        filler.length = length
        return filler

    def marker(self):
        return self._marker.copy()


def _add_markers(f, comp, edit_rate: Fraction, markers, make: _Prototypes) -> None:
    """DescriptiveMarkers with the notes summary at each shot's first frame, as Avid writes its
    locators: one EventMobSlot per described track, whose PhysicalTrackNumber is that track's
    (readers match a marker to its track by slot id *and* track number)."""
    by_slot: dict[int, list[PlacedClip]] = {}
    for slot_id, clip in markers:
        by_slot.setdefault(slot_id, []).append(clip)
    next_id = max(s.slot_id for s in comp.slots) + 1
    described_def = f.dictionary.lookup_datadef("DescriptiveMetadata")
    for slot_id, clips in by_slot.items():
        described = comp.slot_at(slot_id)
        slot = f.create.EventMobSlot()
        slot["EditRate"].value = edit_rate
        slot["SlotID"].value = next_id
        next_id += 1
        slot["PhysicalTrackNumber"].value = described["PhysicalTrackNumber"].value
        slot.name = f"{described.name} notes"
        sequence = f.create.Sequence(media_kind=described_def)
        for clip in clips:
            p = clip.placement
            marker = make.marker()
            marker["Position"].value = clip.start + clip.head
            marker["Comment"].value = p.notes_summary or f"Foleyline take {p.take_id}"
            marker["CommentMarkerUser"].value = f"foleyline take {p.take_id}"
            red, green, blue = _MARKER_RGB[p.kind.value]
            marker["CommentMarkerColor"].value = {"red": red, "green": green, "blue": blue}
            marker["DescribedSlots"].value = {slot_id}
            sequence.components.append(marker)
        slot.segment = sequence
        comp.slots.append(slot)
