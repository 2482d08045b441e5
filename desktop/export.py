"""Writing accepted takes back onto the timeline (a job body, run on a worker thread): circle
each accepted take on the server (AcceptTake: its WAVs then say CIRCLED), fetch each layer's
WAV beside the output, place it under its shot through the interchange's write-back, and
report what went where."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import opentimelineio as otio

from foleyline.desktop.calls import fetch
from foleyline.desktop.jobs import CallHolder
from foleyline.errors import InvalidInput
from foleyline.fsutil import atomic_path
from foleyline.plugin.shots import Shot
from foleyline.plugin.take_files import TakeFiles
from foleyline.plugin.timeline import placed_clips, write_foley_timeline
from foleyline.plugin.timeline.formats import global_start, timeline_rate
from foleyline.plugin.timeline.takes import placement_for_take
from foleyline.plugin.timeline.track_names import track_names
from foleyline.protos.v1 import foley_pb2 as pb


@dataclass(frozen=True)
class WrittenClip:
    shot_name: str
    track: str
    record_in: str
    record_out: str
    wav_path: Path


RESOLVE = "resolve"  # the export "format" that places takes on the live Resolve timeline


@dataclass(frozen=True)
class Naming:
    """The export settings that name things ("" = the configured default)."""

    file_template: str = ""   # take WAV names (foleyline.plugin.take_files)
    track_names: str = ""     # Foley track-name preset (foleyline.plugin.timeline.track_names)


@dataclass(frozen=True)
class ExportResult:
    path: Path                      # the timeline file written, or the WAV folder for Resolve
    clips: tuple[WrittenClip, ...]
    target: str = ""                # what was written to, when not a file ("Resolve timeline 'Edit'")
    problems: tuple[str, ...] = ()

    def describe(self) -> str:
        first = f"Placed on the {self.target}; WAVs in {self.path}" if self.target else f"Wrote {self.path}"
        lines = [first, f"{len(self.clips)} clip(s):"]
        for clip in self.clips:
            lines.append(f"  {clip.track:<12} {clip.record_in} – {clip.record_out}  {clip.shot_name}  ←  {clip.wav_path.name}")
        lines += [f"Problem: {problem}" for problem in self.problems]
        return "\n".join(lines)


def export_job(holder: CallHolder, client: Any, timeline: Any, accepted: list[tuple[Shot, pb.Take]], out_path: Path,
               fmt: str | None, bridge: Any = None, naming: Naming | None = None):
    """Write ``timeline`` with the accepted takes to ``out_path`` (WAVs in ``<stem>_foley/``
    beside it), or with ``bridge`` place them on the live Resolve timeline (WAVs in the folder
    ``out_path``, where Resolve links them). ``naming``: file names and track names (default:
    the configured ones)."""
    naming = naming or Naming()
    audio_dir = out_path if bridge is not None else out_path.parent / f"{out_path.stem}_foley"
    files = TakeFiles(audio_dir, naming.file_template or None)  # a bad template fails before any fetch
    names = track_names(naming.track_names or None)
    try:
        audio_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(cannot_write(audio_dir, exc)) from exc

    def copy_from_cache(sha256: str, target: Path) -> Path:
        with atomic_path(target) as tmp:
            shutil.copyfile(fetch(client, sha256), tmp)
        return target

    placements = []
    for number, (shot, take) in enumerate(accepted, 1):
        holder.check()
        yield f"Fetching audio {number}/{len(accepted)}: {shot.name}"
        if not take.accepted:
            # circled on the server now: its WAVs are listed as copies stamped CIRCLED, signed again
            take = client.accept_take(take.id)
        try:
            written_wavs = files.write(shot, take, copy_from_cache)
        except OSError as exc:
            raise InvalidInput(cannot_write(audio_dir, exc)) from exc
        for layer, wav in written_wavs:
            placements.append(placement_for_take(shot, take, layer, wav, names))
    if not placements:
        raise InvalidInput("the accepted takes hold no audio to place; regenerate them")
    if bridge is not None:
        yield f"Placing {len(placements)} clip(s) on the Resolve timeline…"
        placed = bridge.place(timeline, placements)
        target = f"Resolve timeline {timeline.name!r}"
        return ExportResult(audio_dir, _written(timeline, placed.placed), target, tuple(placed.problems))
    yield f"Writing {out_path.name}…"
    try:
        written = write_foley_timeline(timeline, placements, out_path, fmt=fmt)
    except OSError as exc:
        raise InvalidInput(cannot_write(out_path, exc)) from exc
    return ExportResult(Path(written), _written(timeline, placed_clips(timeline, placements)))


def cannot_write(path: Path, exc: OSError) -> str:
    """What a folder that refuses the export means to the editor, in place of an errno."""
    return f"cannot write {path} ({exc.strerror or exc}); choose an Output folder you can write to"


def _written(timeline: Any, placed: list) -> tuple[WrittenClip, ...]:
    """Each placed clip as the editor reads it: track, record in and out, shot, WAV."""
    clips = []
    rate = timeline_rate(timeline)
    start = global_start(timeline)
    for clip in placed:
        shot = clip.placement.shot
        clip_in = start + otio.opentime.RationalTime(clip.start, rate)
        clip_out = clip_in + otio.opentime.RationalTime(clip.duration, rate)
        clips.append(WrittenClip(
            shot.name,
            clip.track_name,
            shot.timecode(clip_in),
            shot.timecode(clip_out),
            Path(clip.placement.wav_path),
        ))
    return tuple(clips)
