"""Conformance: does a real export read, give shots, and take Foley back to the frame?

For one file: read it with its adapter; find the shots; place a Foley take under every shot
(FOLEY on all, FX on every other one, so two kinds of track are exercised) using short WAVs
made for the check; write in the format read; read that back with the same adapter; compare
each Foley clip's record start, length and start in its WAV (after the head handle), in whole
frames, with where it was meant to go. An audio-only export has no shots: the check places Foley under its
audio clips instead, so the write path is still tested.
"""

from __future__ import annotations

import re
import struct
import tempfile
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import opentimelineio as otio

from foleyline import timebase
from foleyline.errors import FoleylineError
from foleyline.notes.schema import LayerKind
from foleyline.plugin.shots import Shot, stable_shot_id
from foleyline.plugin.text_table import text_table
from foleyline.plugin.timeline.formats import META_KEY, Format, detect_format, global_start, read_timeline, read_timelines, timeline_rate
from foleyline.plugin.timeline.clipinfo import timeline_drop_frame
from foleyline.plugin.timeline.selection import Selection, clips_in_record_time, find_shots
from foleyline.plugin.timeline.track_names import track_names
from foleyline.plugin.timeline.writers import write_foley_timeline
from foleyline.plugin.timeline.writeback import Placement, placed_clips

__all__ = ["ConformResult", "RoundTrip", "conform_file", "guess_producer", "foley_positions", "format_table", "round_trip"]

TC = otio.opentime
CHECK_WAV_SECONDS = 20.0
CHECK_WAV_STAMP_SECONDS = 3600  # the check WAVs' bext TimeReference: 01:00:00:00


@dataclass
class ConformResult:
    path: Path
    timeline: str = ""  # "2: Project B" when the file holds several timelines
    format: str = "?"
    producer: str = "?"
    rate: str = "?"
    shots: int = 0
    usable: int = 0
    problems: int = 0
    round_trip: str = "not run"
    ok: bool = False
    detail: str = ""
    audio_only: bool = False
    stand_in: str = ""  # what the check placed Foley under when there are no shots
    mismatches: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.path.name} [{self.timeline}]" if self.timeline else self.path.name


def guess_producer(path: Path, fmt: Format, timeline: otio.schema.Timeline | None) -> str:
    """Which application wrote the file, from what the file itself says."""
    if fmt.name == "aaf":
        try:
            import aaf2

            with aaf2.open(str(path), "r") as f:
                ids = f.header["IdentificationList"].value
                if ids:
                    last = ids[0]
                    return f"{last['ProductName'].value}".strip() or "unknown AAF writer"
        except Exception:
            return "unknown AAF writer"
    if fmt.name in ("otio", "otioz"):
        return "OpenTimelineIO"
    if fmt.name == "edl":
        return "unknown (EDLs do not name their writer)"
    source = path / "Info.fcpxml" if path.is_dir() else path  # an .fcpxmld bundle
    head = source.read_bytes()[:200_000].decode("utf-8", "replace")
    if fmt.name == "kdenlive":
        version = re.search(r'kdenliveversion">([^<(]+)', head)
        mlt = re.search(r'<mlt[^>]*\bversion="([^"]+)"', head)
        return "Kdenlive " + (version.group(1).strip() if version else "?") + (f" (MLT {mlt.group(1)})" if mlt else "")
    if fmt.name == "fcpx":
        version = re.search(r'<fcpxml[^>]*version="([^"]+)"', head)
        return f"Final Cut Pro (FCPXML {version.group(1) if version else '?'})"
    if fmt.name == "xges":
        version = re.search(r'<ges[^>]*version="([^"]+)"', head)
        app = "Pitivi" if "pitivi" in head.lower() else "GStreamer Editing Services"
        return f"{app} (xges {version.group(1) if version else '?'})"
    if fmt.name == "fcp7":
        version = re.search(r'<xmeml[^>]*version="([^"]+)"', head)
        xmeml = f"xmeml v{version.group(1)}" if version else "xmeml"
        if "MZ." in head or "Premiere" in head:
            return f"Adobe Premiere Pro ({xmeml})"
        if "DaVinci Resolve" in head or "Resolve" in head:
            return f"DaVinci Resolve ({xmeml})"
        return f"unknown FCP7 XML writer ({xmeml})"
    return "unknown"


def _stand_in_shots(timeline: otio.schema.Timeline) -> tuple[list[Shot], str]:
    """Clips to place Foley under when the timeline has no shots: the clips of its busiest audio
    track (one track: an audio-only EDL repeats each event on every channel), else its titles
    and generators (a title-only project still takes Foley back), and what they are."""
    rate = timeline_rate(timeline)
    for kind, label in ((otio.schema.TrackKind.Audio, "audio only"), (otio.schema.TrackKind.Video, "titles only")):
        by_track: dict[int, list[Shot]] = {}
        for clip, index, record in clips_in_record_time(timeline, kind):
            source = clip.trimmed_range()
            by_track.setdefault(index, []).append(
                Shot(stable_shot_id(clip.name, source, record.start_time, 100 + index, rate), clip.name or "clip",
                     None, source, record, None, rate, False, 100 + index, "stand-in (check only)"))
        if by_track:
            return max(by_track.values(), key=len), label
    return [], ""


def _write_check_wavs(folder: Path, seconds: float) -> dict[LayerKind, Path]:
    """Two silent 24-bit stereo Broadcast WAVs of ``seconds``: the writers read a WAV's header (its
    length, rate and channels), never its samples, so the header is written and the silence
    left to the file system (a file extended past its end reads as zeros). Written as tones
    through libsndfile they cost 23 ms of a one-shot generate's preflight (an 8 s movie's
    10 s check WAVs), nearly all of it converting samples nobody reads."""
    rate, channels, width = timebase.OUTPUT_SAMPLE_RATE, 2, 3
    data = max(1, int(round(seconds * rate))) * channels * width
    # stamped, as takes are, so the check covers media counted from a file's own timecode
    bext = bytes(338) + struct.pack("<Q", CHECK_WAV_STAMP_SECONDS * rate) + bytes(602 - 346)
    header = struct.pack("<4sI4s4sIHHIIHH", b"RIFF", 4 + 24 + 8 + len(bext) + 8 + data, b"WAVE", b"fmt ", 16, 1, channels,
                         rate, rate * channels * width, channels * width, 8 * width)
    header += struct.pack("<4sI", b"bext", len(bext)) + bext + struct.pack("<4sI", b"data", data)
    paths = {}
    for kind in (LayerKind.FOLEY, LayerKind.FX):
        path = folder / f"foleyline-check-{kind.value.lower()}.wav"
        with open(path, "wb") as handle:
            handle.write(header)
            handle.truncate(len(header) + data)
        paths[kind] = path
    return paths


def _url_path(url: str) -> str:
    parsed = urllib.parse.urlparse(url)
    raw = urllib.parse.unquote(parsed.path if parsed.scheme == "file" else url)
    return Path(raw).name


def foley_positions(timeline: otio.schema.Timeline, wav_names: Sequence[str], *, with_source: bool = False) -> Counter:
    """(absolute record start frame, length) of every audio clip whose media is one of the WAVs;
    with ``with_source``, (start, length, source start frame): where in its WAV the clip begins."""
    rate = timeline_rate(timeline)
    gstart = timebase.to_frames(global_start(timeline), rate)
    found: Counter = Counter()
    groups: dict[str, set] = {}
    for track in timeline.tracks:
        if track.kind != otio.schema.TrackKind.Audio:
            continue
        group = re.sub(r" (L|R|Ch\d+)$", "", track.name or "")
        seen_on_track = groups.setdefault(group, set()) if group else set()
        for clip in track.find_clips(shallow_search=True):
            url = getattr(clip.media_reference, "target_url", None) or ""
            if _url_path(url) not in wav_names:
                continue
            rng = clip.range_in_parent()
            key = (gstart + timebase.to_frames(rng.start_time, rate), timebase.to_frames(rng.duration, rate))
            if with_source:  # counted from the file's first frame, whatever timecode it carries
                source = clip.source_range.start_time
                available = getattr(clip.media_reference, "available_range", None)
                if available is not None:
                    source = source - available.start_time
                key += (timebase.to_frames(source, rate),)
            seen_on_track.add(key)
        if not group:
            found.update(seen_on_track)
    # AAF writes a stereo take as an L and an R track: count a position once per track group
    for positions in groups.values():
        found.update(positions)
    return found


def conform_file(path: Path, *, rate: float | None = None, workdir: Path | None = None) -> list[ConformResult]:
    """Read, find shots, write Foley in the same format, read back, compare: one result per
    timeline of the file. Never raises for a bad file: the failure is in the result (the table
    must show every file). An EDL whose timecodes the given ``rate`` cannot count (or with no
    rate given) is read at the rate its timecodes allow, and the result says so."""
    path = Path(path)
    try:
        fmt = detect_format(path)
        timelines = read_timelines(path, rate=rate, guess_rate=True)
    except Exception as exc:
        result = ConformResult(path, round_trip="FAIL")
        result.detail = str(exc) if isinstance(exc, FoleylineError) else f"{type(exc).__name__}: {exc}"
        return [result]
    results = []
    for index, timeline in enumerate(timelines, start=1):
        result = ConformResult(path, f"{index}: {timeline.name}" if len(timelines) > 1 else "", fmt.label)
        _conform_timeline(result, fmt, timeline, workdir)
        results.append(result)
    return results


@dataclass
class RoundTrip:
    ok: bool
    summary: str           # "ok (12 clips)" / "FAIL (2 moved/missing, 1 unexpected)"
    mismatches: list[str]  # the first few clips that did not come back where they were put


def round_trip(timeline: otio.schema.Timeline, shots: Sequence[Shot], fmt: Format, folder: Path, *,
               handles: int = 12, alternates: int = 0, expose_handles: bool = False) -> RoundTrip:
    """Place a Foley take under every shot (FOLEY on all, FX on every other, and ``alternates``
    more takes of each), with short WAVs made in ``folder``; write ``fmt`` there; read it back
    with the same adapter; compare every Foley clip's record start, length and start in its
    WAV, in whole frames, with where it was meant to go."""
    trate = timeline_rate(timeline)
    # long enough for most shots; longer ones end early, which the check also covers
    longest = min(max(s.record_range.duration.to_seconds() for s in shots) + 2.0, CHECK_WAV_SECONDS)
    wavs = _write_check_wavs(folder, longest)
    placements = []
    names = track_names()  # one preset for the write: the config is read once, not per placement
    for index, shot in enumerate(shots):
        kinds = (LayerKind.FOLEY, LayerKind.FX) if index % 2 == 0 else (LayerKind.FOLEY,)
        for kind in kinds:
            for take in range(1 + alternates):  # alternates are takes 2, 3, ... of the shot
                placements.append(Placement(shot, f"check-{index}-{kind.value}-{take}", kind.value.lower(), kind,
                                            wavs[kind], handles, handles, f"conformance check {index}",
                                            alternate=take + 1 if take else 0, track_names=names))
    gstart = timebase.to_frames(global_start(timeline), trate)
    # the clips are cut to their shots, so where each begins in its WAV (after the head handle)
    # must survive too; an EDL's source is timecode, equal to the record's
    expected = Counter((gstart + c.start, c.duration, gstart + c.start if fmt.name == "edl" else c.media_start)
                       for c in placed_clips(timeline, [p for p in placements if fmt.name != "edl" or not p.alternate],
                                             trim_overlaps=fmt.name == "edl", expose_handles=expose_handles))
    out = write_foley_timeline(timeline, placements, folder / f"foley{fmt.suffix}", fmt=fmt.name,
                               expose_handles=expose_handles)
    back = read_timeline(out, rate=trate if fmt.name == "edl" else None)
    got = foley_positions(back, [p.name for p in wavs.values()], with_source=True)
    missing, extra = expected - got, got - expected
    if not missing and not extra:
        return RoundTrip(True, f"ok ({sum(expected.values())} clips)", [])
    return RoundTrip(False, f"FAIL ({sum(missing.values())} moved/missing, {sum(extra.values())} unexpected)",
                     [f"expected at frame {s} for {d} from WAV frame {m}" for s, d, m in sorted(missing)][:5])


def _conform_timeline(result: ConformResult, fmt: Format, timeline: otio.schema.Timeline, workdir: Path | None) -> None:
    path = result.path
    meta = timeline.metadata.get(META_KEY) or {}
    try:
        if timeline.global_start_time is None and next(iter(timeline.find_clips()), None) is None:
            # read, and empty: its rate is unknown and there is nothing to write back
            result.round_trip, result.detail, result.ok = "nothing to place", "the timeline has no clips at all", True
            return
        trate = timeline_rate(timeline)
        drop = timeline_drop_frame(timeline, trate)
        result.rate = timebase.as_rate(trate, drop).label
        result.producer = guess_producer(path, fmt, timeline)
        found = find_shots(timeline, Selection())
        result.shots, result.usable, result.problems = len(found.shots), len(found.usable), len(found.problems)
        shots = list(found.shots)
        if not shots:
            shots, result.stand_in = _stand_in_shots(timeline)
            result.audio_only = result.stand_in == "audio only"
            if not shots:
                result.round_trip = "nothing to place"
                result.detail = "the timeline has no clips at all"
                result.ok = True  # read, and nothing to write back: not a failure of the file
                return
        with tempfile.TemporaryDirectory(dir=workdir) as tmp:
            check = round_trip(timeline, shots, fmt, Path(tmp))
        result.ok = check.ok
        result.round_trip = check.summary
        result.mismatches = check.mismatches
        result.detail = "; ".join(check.mismatches)
    except FoleylineError as exc:
        result.round_trip = "FAIL"
        result.detail = str(exc)
    except Exception as exc:  # an adapter blew up: report it against this file, go on with the others
        result.round_trip = "FAIL"
        result.detail = f"{type(exc).__name__}: {exc}"
    notes = list(meta.get("read_notes") or [])
    if notes:
        result.detail = "; ".join(notes + ([result.detail] if result.detail else []))


def format_table(results: Sequence[ConformResult]) -> str:
    headers = ("file", "format", "producer", "rate", "shots", "round trip")
    rows = []
    for r in results:
        shots = f"{r.shots} ({r.usable} online)" if not r.stand_in else f"0 ({r.stand_in})"
        rows.append((r.label, r.format, r.producer, r.rate, shots, r.round_trip))
    lines = [text_table(headers, rows)]
    for r in results:
        if r.detail:
            lines.append(f"{r.label}: {r.detail}")
    return "\n".join(lines)
