"""Files that hold several timelines: listing them and choosing one.

FCPXML events and libraries hold one timeline per project, an AAF one per top-level
composition, an FCP7 XML one per sequence, an OTIO collection any number. ``foleyline
timelines FILE`` lists them; ``--timeline NAME|NUMBER`` picks one for generate, conform and
the panel. Numbers are 1-based, in the order the file holds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import opentimelineio as otio

from foleyline import timebase
from foleyline.errors import InvalidInput
from foleyline.plugin.text_table import text_table
from foleyline.plugin.timeline.formats import META_KEY, global_start, timeline_rate

__all__ = ["TimelineInfo", "describe", "choose", "format_listing"]


@dataclass(frozen=True)
class TimelineInfo:
    number: int
    name: str
    rate: str          # "23.976", "29.97 DF", "?" when the timeline has nothing to tell it by
    start: str         # record timecode of its first frame
    duration: str      # as timecode
    video_tracks: int
    audio_tracks: int
    clips: int


def describe(timelines: Sequence[otio.schema.Timeline]) -> list[TimelineInfo]:
    infos = []
    for number, timeline in enumerate(timelines, start=1):
        video = sum(1 for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video)
        audio = sum(1 for t in timeline.tracks if t.kind == otio.schema.TrackKind.Audio)
        clips = sum(1 for _ in timeline.find_clips())
        try:
            rate = timeline_rate(timeline)
        except InvalidInput:
            infos.append(TimelineInfo(number, timeline.name, "?", "?", "?", video, audio, clips))
            continue
        drop = bool((timeline.metadata.get(META_KEY) or {}).get("drop_frame"))
        frame_rate = timebase.as_rate(rate, drop)
        length = timebase.to_frames(timeline.tracks.duration(), rate) if len(timeline.tracks) else 0
        infos.append(TimelineInfo(number, timeline.name, frame_rate.label,
                                  timebase.to_timecode(global_start(timeline), frame_rate),
                                  timebase.frames_to_timecode(length, frame_rate), video, audio, clips))
    return infos


def choose(timelines: Sequence[otio.schema.Timeline], which: str | int | None, path: Path) -> otio.schema.Timeline:
    """The timeline ``which`` names (exact name, case-insensitive, or 1-based number); with
    ``which`` None, the only one, else an error listing them."""
    if which is None or str(which).strip() == "":
        if len(timelines) == 1:
            return timelines[0]
        raise InvalidInput(
            f"{path}: holds {len(timelines)} timelines ({_names(timelines)}); choose one with --timeline NAME "
            f"or --timeline NUMBER (`foleyline timelines {path}` lists them)"
        )
    text = str(which).strip()
    named = [t for t in timelines if (t.name or "").casefold() == text.casefold()]
    if len(named) == 1:
        return named[0]
    if text.isdigit():
        number = int(text)
        if 1 <= number <= len(timelines):
            return timelines[number - 1]
        raise InvalidInput(f"{path}: no timeline number {number}; it holds {len(timelines)} ({_names(timelines)})")
    if len(named) > 1:
        raise InvalidInput(f"{path}: {len(named)} timelines are named {text!r}; choose by number ({_names(timelines)})")
    raise InvalidInput(f"{path}: no timeline named {text!r}; it holds {_names(timelines)}")


def _names(timelines: Sequence[otio.schema.Timeline]) -> str:
    return ", ".join(f"{n}: {t.name or '(unnamed)'!r}" for n, t in enumerate(timelines, start=1))


def format_listing(infos: Sequence[TimelineInfo]) -> str:
    headers = ("#", "name", "rate", "start", "duration", "tracks", "clips")
    rows = [(str(i.number), i.name or "(unnamed)", i.rate, i.start, i.duration,
             f"{i.video_tracks}V {i.audio_tracks}A", str(i.clips)) for i in infos]
    return text_table(headers, rows)
