"""An EDL of the Foley events.

The CMX3600 writer of OTIO only writes the picture track: a timeline whose new tracks are all
audio comes out as an EDL without them. An EDL cannot carry the editor's picture *and* new
audio tracks of any number either, so Foleyline writes what an EDL is good at: a list of the
Foley events, one channel per Foley track (A, A2, A3, A4: CMX3600 has four), each event

    001  AX       A     C        01:00:01:00 01:00:04:00 01:00:01:00 01:00:04:00
    * FROM CLIP NAME: A001 - footsteps
    * FROM CLIP: /takes/ab12.wav
    * LOC: 01:00:01:00 GREEN   steps on gravel, a door at 2 s
    * FOLEYLINE TAKE: ab12...

An event is its shot (with ``expose_handles``, its shot and the handles shown, cut where
neighbours meet). Source timecode = record timecode: Foleyline's Broadcast WAVs are stamped
with the record timecode of their first sample (a head handle before the shot), so a conform
tool (or Pro Tools' EDL import) finds the audio at the same place, handles in the file either
side. The reel is AX (an auxiliary source), with the file in the FROM CLIP comment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import opentimelineio as otio

from foleyline import timebase
from foleyline.errors import InvalidInput
from foleyline.fsutil import write_bytes_atomic
from foleyline.plugin.timeline.formats import global_start, timeline_rate
from foleyline.plugin.timeline.writeback import MARKER_COLORS, PlacedClip, foley_track_names

__all__ = ["write_foley_edl", "foley_edl_text", "CHANNELS"]

CHANNELS = ("A", "A2", "A3", "A4")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def foley_edl_text(timeline: otio.schema.Timeline, placed: Sequence[PlacedClip]) -> str:
    if not placed:
        raise InvalidInput("no takes to place; accept at least one take before writing the EDL")
    rate = timeline_rate(timeline)
    drop = bool((timeline.metadata.get("foleyline") or {}).get("drop_frame"))
    frame_rate = timebase.as_rate(rate, drop)
    tracks = foley_track_names(placed)
    if len(tracks) > len(CHANNELS):
        raise InvalidInput(
            f"the Foley needs {len(tracks)} audio tracks ({', '.join(tracks)}) but an EDL carries "
            f"{len(CHANNELS)} audio channels; write AAF (--format aaf) or .otio instead"
        )
    channel_of = dict(zip(tracks, CHANNELS))
    start = timebase.to_frames(global_start(timeline), rate)

    def tc(frames: int) -> str:
        return timebase.frames_to_timecode(frames, frame_rate)

    lines = [f"TITLE: {_one_line(timeline.name or 'Timeline')} Foley",
             f"FCM: {'DROP FRAME' if drop else 'NON-DROP FRAME'}", ""]
    events = sorted(placed, key=lambda c: (c.start, tracks.index(c.track_name)))
    for number, clip in enumerate(events, start=1):
        p = clip.placement
        rec_in = start + clip.start
        rec_out = rec_in + clip.duration
        lines.append(f"{number:03d}  {'AX':<8} {channel_of[clip.track_name]:<5} C        "
                     f"{tc(rec_in)} {tc(rec_out)} {tc(rec_in)} {tc(rec_out)}")
        lines.append(f"* FROM CLIP NAME: {_one_line(p.shot.name)} - {_one_line(p.layer_label)}")
        lines.append(f"* FROM CLIP: {Path(p.wav_path).resolve()}")
        # the reader's locator pattern wants ':' separators, whatever the drop-frame flag
        loc = tc(rec_in + clip.head).replace(";", ":")
        color = str(MARKER_COLORS[p.kind])
        lines.append(f"* LOC: {loc} {color:<7} {_one_line(p.notes_summary or 'Foleyline take ' + p.take_id)}")
        lines.append(f"* FOLEYLINE TAKE: {p.take_id} SHOT: {p.shot.id} LAYER: {_one_line(p.layer_label)}")
        lines.append("")
    return "\n".join(lines)


def write_foley_edl(timeline: otio.schema.Timeline, placed: Sequence[PlacedClip], out_path: Path) -> Path:
    return write_bytes_atomic(out_path, foley_edl_text(timeline, placed).encode("utf-8"))
