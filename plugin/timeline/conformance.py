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
import tempfile
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import opentimelineio as otio

from foleyline import timebase
from foleyline.errors import FoleylineError
from foleyline.notes.schema import LayerKind
from foleyline.plugin.shots import Shot, stable_shot_id
from foleyline.plugin.timeline.formats import Format, detect_format, global_start, read_timeline, timeline_rate
from foleyline.plugin.timeline.clipinfo import timeline_drop_frame
from foleyline.plugin.timeline.selection import Selection, find_shots
from foleyline.plugin.timeline.writers import write_foley_timeline
from foleyline.plugin.timeline.writeback import Placement, placed_clips

__all__ = ["ConformResult", "conform_file", "guess_producer", "foley_positions", "format_table"]

TC = otio.opentime
CHECK_WAV_SECONDS = 20.0


@dataclass
class ConformResult:
    path: Path
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
    mismatches: list[str] = field(default_factory=list)


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
    if fmt.name == "fcp7":
        version = re.search(r'<xmeml[^>]*version="([^"]+)"', head)
        xmeml = f"xmeml v{version.group(1)}" if version else "xmeml"
        if "MZ." in head or "Premiere" in head:
            return f"Adobe Premiere Pro ({xmeml})"
        if "DaVinci Resolve" in head or "Resolve" in head:
            return f"DaVinci Resolve ({xmeml})"
        return f"unknown FCP7 XML writer ({xmeml})"
    return "unknown"


def _audio_pseudo_shots(timeline: otio.schema.Timeline) -> list[Shot]:
    """Audio clips as stand-in shots, for exports without picture."""
    rate = timeline_rate(timeline)
    gstart = global_start(timeline)
    shots = []
    for index, track in enumerate(t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Audio):
        for clip in track.find_clips(shallow_search=True):
            rng = clip.range_in_parent()
            record = TC.TimeRange(rng.start_time.rescaled_to(rate) + gstart, rng.duration.rescaled_to(rate))
            source = clip.trimmed_range()
            shots.append(Shot(stable_shot_id(clip.name, source, record.start_time, 100 + index, rate), clip.name or "audio",
                              None, source, record, None, rate, False, 100 + index, "audio clip (check only)"))
    return shots


def _write_check_wavs(folder: Path, seconds: float) -> dict[LayerKind, Path]:
    import soundfile

    paths = {}
    n = max(1, int(round(seconds * timebase.OUTPUT_SAMPLE_RATE)))
    t = np.arange(n, dtype=np.float32) / timebase.OUTPUT_SAMPLE_RATE
    for kind, freq in ((LayerKind.FOLEY, 220.0), (LayerKind.FX, 330.0)):
        path = folder / f"foleyline-check-{kind.value.lower()}.wav"
        tone = (0.05 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
        soundfile.write(str(path), np.stack([tone, tone], axis=1), timebase.OUTPUT_SAMPLE_RATE, subtype="PCM_24")
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
            if with_source:
                key += (timebase.to_frames(clip.source_range.start_time, rate),)
            seen_on_track.add(key)
        if not group:
            found.update(seen_on_track)
    # AAF writes a stereo take as an L and an R track: count a position once per track group
    for positions in groups.values():
        found.update(positions)
    return found


def conform_file(path: Path, *, rate: float | None = None, workdir: Path | None = None) -> ConformResult:
    """Read, find shots, write Foley in the same format, read back, compare. Never raises for a
    bad file: the failure is in the result (the table must show every file)."""
    result = ConformResult(Path(path))
    try:
        fmt = detect_format(Path(path))
        result.format = fmt.label
        timeline = read_timeline(path, rate=rate)
        trate = timeline_rate(timeline)
        drop = timeline_drop_frame(timeline, trate)
        result.rate = timebase.as_rate(trate, drop).label
        result.producer = guess_producer(Path(path), fmt, timeline)
        found = find_shots(timeline, Selection())
        result.shots, result.usable, result.problems = len(found.shots), len(found.usable), len(found.problems)
        shots = list(found.shots)
        if not shots:
            shots = _audio_pseudo_shots(timeline)
            result.audio_only = True
            if not shots:
                result.round_trip = "no clips"
                result.detail = "the timeline has no clips at all"
                return result
        with tempfile.TemporaryDirectory(dir=workdir) as tmp:
            folder = Path(tmp)
            # long enough for most shots; longer ones end early, which the check also covers
            longest = min(max(s.record_range.duration.to_seconds() for s in shots) + 2.0, CHECK_WAV_SECONDS)
            wavs = _write_check_wavs(folder, longest)
            placements = []
            for index, shot in enumerate(shots):
                kinds = (LayerKind.FOLEY, LayerKind.FX) if index % 2 == 0 else (LayerKind.FOLEY,)
                for kind in kinds:
                    placements.append(Placement(shot, f"check-{index}-{kind.value}", kind.value.lower(), kind,
                                                wavs[kind], 12, 12, f"conformance check {index}"))
            gstart = timebase.to_frames(global_start(timeline), trate)
            # the clips are cut to their shots, so where each begins in its WAV (after the head
            # handle) must survive too; an EDL's source is timecode, equal to the record's
            expected = Counter((gstart + c.start, c.duration, gstart + c.start if fmt.name == "edl" else c.media_start)
                               for c in placed_clips(timeline, placements, trim_overlaps=fmt.name == "edl"))
            out = write_foley_timeline(timeline, placements, folder / f"foley{fmt.suffix}", fmt=fmt.name)
            back = read_timeline(out, rate=trate if fmt.name == "edl" else None)
            got = foley_positions(back, [p.name for p in wavs.values()], with_source=True)
            missing = expected - got
            extra = got - expected
            if not missing and not extra:
                result.round_trip = f"ok ({sum(expected.values())} clips)"
                result.ok = True
            else:
                result.round_trip = f"FAIL ({sum(missing.values())} moved/missing, {sum(extra.values())} unexpected)"
                result.mismatches = [f"expected at frame {s} for {d} from WAV frame {m}" for s, d, m in sorted(missing)][:5]
                result.detail = "; ".join(result.mismatches)
    except FoleylineError as exc:
        result.round_trip = "FAIL"
        result.detail = str(exc)
    except Exception as exc:  # an adapter blew up: report it against this file, go on with the others
        result.round_trip = "FAIL"
        result.detail = f"{type(exc).__name__}: {exc}"
    return result


def format_table(results: Sequence[ConformResult]) -> str:
    headers = ("file", "format", "producer", "rate", "shots", "round trip")
    rows = []
    for r in results:
        shots = f"{r.shots} ({r.usable} online)" if not r.audio_only else "0 (audio only)"
        rows.append((r.path.name, r.format, r.producer, r.rate, shots, r.round_trip))
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    for r in results:
        if r.detail:
            lines.append(f"{r.path.name}: {r.detail}")
    return "\n".join(lines)
