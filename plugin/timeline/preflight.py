"""Preflight: everything that can go wrong with a timeline, found before any generation.

Read the file (a plain video file is a timeline too), choose the timeline, relink media,
select the shots, resolve every shot's media, and dry-run the chosen writer on the selection
(write to a temporary folder, read it back, compare positions to the frame). Every problem is
collected, grouped (one line per missing file with the shots it affects), so the editor fixes
them in one go; ``generate`` generates nothing unless the preflight passed, and ``--dry-run``
prints :func:`selection_table` and stops.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import opentimelineio as otio

from foleyline import timebase
from foleyline.errors import FoleylineError, InvalidInput, MediaError, NotFound
from foleyline.plugin.shots import Shot, frames_at
from foleyline.plugin.text_table import text_table
from foleyline.plugin.timeline.formats import (FILES_READ, META_KEY, TIMELINE_SUFFIXES, Format, format_by_name,
                                               project_file_refusal)
from foleyline.plugin.timeline.markers import check_marker_selection
from foleyline.plugin.timeline.relink import Relinker, relink_timeline
from foleyline.plugin.timeline.selection import Problem, Selection, find_shots

__all__ = ["Preflight", "preflight", "selection_table", "midnight_head", "MissingFile", "missing_files"]

# Clips the selection covers but that cannot be shots (zero length, unknown items) are the
# editor's to fix; disabled clips, titles and freeze frames are rightly not shots.
FATAL_PROBLEMS = ("unsupported",)


@dataclass(frozen=True)
class MissingFile:
    """One file the export names that is not here, with the shots it affects."""

    path: str                # as the export names it, or "(no media) why" for a clip without a file
    shots: tuple[Shot, ...]

    def describe(self) -> str:
        names = ", ".join(f"{s.name} at {s.record_timecode()}" for s in self.shots)
        return f"missing media {self.path}: {len(self.shots)} shot(s): {names}"


def missing_files(shots: Sequence[Shot]) -> list[MissingFile]:
    """The shots without media, grouped by file (one entry per file), in timeline order."""
    by_file: dict[str, list[Shot]] = {}
    for shot in shots:
        if shot.missing_reason or shot.media_path is None:
            key = str(shot.media_path) if shot.media_path is not None else f"(no media) {shot.missing_reason}"
            by_file.setdefault(key, []).append(shot)
    return [MissingFile(path, tuple(affected)) for path, affected in by_file.items()]


@dataclass
class Preflight:
    path: Path
    timeline: otio.schema.Timeline
    shots: list[Shot]
    problems: list[Problem]
    out_format: Format
    errors: list[str] = field(default_factory=list)     # any one stops the generation
    warnings: list[str] = field(default_factory=list)   # said, and generation goes on
    relinked: list[tuple[str, str, Path]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_if_failed(self) -> None:
        """One error naming every problem, nothing generated (MediaError when only media is missing)."""
        if self.ok:
            return
        cls = MediaError if all(e.startswith("missing media") for e in self.errors) else InvalidInput
        if len(self.errors) == 1:
            raise cls(f"{self.path}: {self.errors[0]}; nothing was generated")
        listed = "\n  ".join(self.errors)  # one line per problem, so all are fixed in one go
        raise cls(f"preflight of {self.path} found {len(self.errors)} problems, nothing was generated:\n  {listed}")


def _no_shots(timeline: otio.schema.Timeline, problems: Sequence[Problem]) -> str:
    """Why nothing was selected: a timeline without picture (an audio-only sequence), or whose
    picture is all generators, has no shot whatever the selection, so the selection options are
    no answer there."""
    pictures = sum(len(track.find_clips()) for track in timeline.video_tracks())
    if not pictures:
        sounds = sum(len(track.find_clips()) for track in timeline.audio_tracks())
        held = f"its {sounds} clip(s) are all sound" if sounds else "it holds no clips"
        return (f"no shots: the timeline has no picture ({held}); Foley is placed under shots of picture: "
                "export the sequence with its video tracks")
    made = [p for p in problems if p.kind == "generator"]
    if len(made) == pictures:
        # the selection options cannot find a camera shot that is not there
        return (f"no shots: the timeline's picture is all made in the NLE ({pictures} generator clip(s): slugs, "
                "mattes, colours, titles), nothing filmed to take Foley for; export the sequence with its "
                "camera clips")
    said = "; ".join(p.message for p in problems)
    return ("no shots selected" + (f" ({said})" if said else "")
            + "; check --track, --range, --marker-color or --marker-name (without them every video clip is a shot)")


def midnight_head(shot: Shot, handles: int) -> int:
    """The head handle a shot can have: no audio before 00:00:00:00 (a Broadcast WAV's
    TimeReference counts samples since midnight and cannot be negative)."""
    return max(0, min(handles, shot.record_in_frame))


def _starts_its_media(shot: Shot) -> bool:
    """Whether the shot uses its media from the first frame: no picture before it to make a head
    handle from, nor to extend the cut into (a plain movie's first shot at 00:00:00:00)."""
    if shot.available_range is None:
        return False
    return frames_at(shot.source_range.start_time, shot.rate) <= frames_at(shot.available_range.start_time, shot.rate)


def preflight(
    path: Path,
    selection: Selection | None = None,
    *,
    rate: float | None = None,
    timeline: str | int | None = None,
    relink: Sequence[Path] = (),
    path_maps: Sequence = (),
    fmt: str | None = None,
    out_name: Path | None = None,
    handles: int = 12,
    takes: int = 1,
    expose_handles: bool = False,
    cuts: bool = True,
) -> Preflight:
    """Everything :mod:`generate` needs to know before it asks for a single take. Raises only
    for a file that cannot be read at all; every other problem is in the result."""
    from foleyline.plugin.timeline import video
    from foleyline.plugin.timeline.formats import read_timeline
    from foleyline.plugin.timeline.writers import choose_format

    path = Path(path)
    if not path.exists():
        raise NotFound(f"no such timeline or movie: {path}")
    if video.is_video_file(path):
        from foleyline.plugin.timeline.timelines import choose

        # a movie is a file of one timeline: --timeline 1 (or its name) chooses it, another is refused
        chosen_timeline = choose([video.timeline_from_video(path, cuts=cuts)], timeline, path)
    elif (refusal := project_file_refusal(path)) is not None:
        raise InvalidInput(refusal)
    elif path.suffix.lower() not in TIMELINE_SUFFIXES:
        # generate takes a movie as well as a timeline: say both, not only the timelines read
        what = "a folder" if path.is_dir() else "neither a timeline export nor a movie Foleyline can open"
        raise InvalidInput(f"{path}: {what}; give an NLE export of the sequence ({FILES_READ}) or the movie file itself")
    else:
        chosen_timeline = read_timeline(path, rate=rate, timeline=timeline)
    meta = chosen_timeline.metadata.get(META_KEY) or {}
    report = relink_timeline(chosen_timeline, Relinker(list(relink), list(path_maps)))
    selection = selection or Selection()
    refused = check_marker_selection(chosen_timeline, selection.marker_color, selection.marker_name)
    if refused is not None:
        raise InvalidInput(refused)
    found = find_shots(chosen_timeline, selection)
    out_format = format_by_name(fmt) if fmt else choose_format(chosen_timeline, Path(out_name or path.stem), None)
    result = Preflight(path, chosen_timeline, list(found.shots), list(found.problems), out_format, relinked=report.relinked)
    result.warnings += list(meta.get("read_notes") or [])
    result.warnings += [f"relinked {name!r}: {was} -> {now}" for name, was, now in report.relinked]
    if not result.shots:
        result.errors.append(_no_shots(chosen_timeline, found.problems))
        return result
    _check_media(result)
    for problem in found.problems:
        if problem.kind in FATAL_PROBLEMS:
            result.errors.append(f"cannot be generated: {problem.clip_name} at {problem.record_timecode}: {problem.message}")
        elif problem.kind != "missing_media":
            result.warnings.append(str(problem))
    for shot in result.shots:
        head = midnight_head(shot, handles)
        if head < handles and not _starts_its_media(shot):
            result.warnings.append(f"{shot.name} at {shot.record_timecode()} starts {shot.record_in_frame} frame(s) after "
                                   f"00:00:00:00: its head handle is {head} frame(s), not {handles} (no audio before midnight)")
    for shot in result.shots:
        seen = max(shot.dissolved)
        if seen > handles:
            result.warnings.append(f"{shot.name} at {shot.record_timecode()}: a dissolve shows its picture {seen} frame(s) "
                                   f"past its cut, beyond its {handles}-frame handles; --handles {seen} gives the "
                                   "crossfade its sound")
    if takes > 1 and out_format.name == "edl":
        result.warnings.append(f"an EDL carries the placed take of each shot only; the other {takes - 1} take(s) "
                               "are written as WAVs beside it (write .otio, FCP7 XML or AAF to get them as tracks)")
    _dry_run(result, handles, takes, expose_handles)
    return result


def _check_media(result: Preflight) -> None:
    """One error per missing file, naming the shots it affects."""
    for shot in result.shots:
        if not (shot.missing_reason or shot.media_path is None) and shot.duration_frames <= 0:
            result.errors.append(f"{shot.name} at {shot.record_timecode()} has zero length; trim it to a frame or leave it out")
    for missing in missing_files(result.shots):
        result.errors.append(f"{missing.describe()}; relink with --relink DIR or --map-path OLD=NEW")


def _dry_run(result: Preflight, handles: int, takes: int, expose_handles: bool) -> None:
    """The chosen writer on the selection, read back, positions compared."""
    from foleyline.plugin.timeline.conformance import round_trip

    placeable = [s for s in result.shots if s.duration_frames > 0]
    if not placeable:
        return
    try:
        with tempfile.TemporaryDirectory(prefix="foleyline-preflight-") as tmp:
            check = round_trip(result.timeline, placeable, result.out_format, Path(tmp), handles=handles,
                               alternates=takes - 1, expose_handles=expose_handles)
    except FoleylineError as exc:
        result.errors.append(f"the {result.out_format.label} write-back would fail: {exc}")
        return
    except Exception as exc:  # an adapter blew up on this timeline: better now than after generating
        result.errors.append(f"the {result.out_format.label} write-back would fail ({type(exc).__name__}: {exc}); "
                             "choose another --format (otio keeps everything)")
        return
    if not check.ok:
        result.errors.append(f"the {result.out_format.label} write-back does not read back where it was put "
                             f"({check.summary}: {'; '.join(check.mismatches)}); choose another --format")


def selection_table(result: Preflight) -> str:
    """The selection as an editor checks it: shot, record in/out, source file and range, media."""
    headers = ("#", "shot", "record in", "record out", "source", "source in", "source out", "media")
    rows = []
    for number, shot in enumerate(result.shots, start=1):
        frame_rate = timebase.as_rate(shot.rate, shot.drop_frame)
        record_out = timebase.frames_to_timecode(shot.record_in_frame + shot.duration_frames, frame_rate)
        source_in = timebase.to_frames(shot.source_range.start_time, shot.rate)
        source_out = source_in + timebase.to_frames(shot.source_range.duration, shot.rate)
        media = "found" if not shot.missing_reason and shot.media_path is not None else "MISSING"
        rows.append((str(number), shot.name, shot.record_timecode(), record_out,
                     shot.media_path.name if shot.media_path is not None else "-",
                     timebase.frames_to_timecode(source_in, frame_rate), timebase.frames_to_timecode(source_out, frame_rate), media))
    lines = [text_table(headers, rows), ""]
    lines.append(f"{len(result.shots)} shot(s) of {result.timeline.name or result.path.name}; "
                 f"write-back as {result.out_format.label}")
    lines += [f"warning: {w}" for w in result.warnings]
    lines += [f"problem: {e}" for e in result.errors]
    lines.append("preflight passed" if result.ok else f"preflight failed: {len(result.errors)} problem(s)")
    return "\n".join(lines)
