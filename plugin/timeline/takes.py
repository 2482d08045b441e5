"""From a server's take to what the write-back places: the placement of each layer, with the
take and its notes in the clip's metadata (generate, the panel's export and the Resolve bridge
all place takes this way; their WAVs are named by ``foleyline.plugin.take_files``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from foleyline.notes.convert import kind_from_proto, notes_from_proto
from foleyline.notes.text import summary, to_text
from foleyline.plugin.shots import Shot
from foleyline.plugin.timeline.track_names import TrackNames, track_names
from foleyline.plugin.timeline.writeback import Placement
from foleyline.protos.v1 import foley_pb2 as pb

__all__ = ["placement_for_take", "placed_take_number", "safe_stem"]


def safe_stem(text: str) -> str:
    """``text`` as part of a file name on any file system (at most 60 characters)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:60] or "shot"


def placed_take_number(takes: Sequence[pb.Take]) -> int:
    """The 1-based number of the take a shot places on the Foley tracks: its accepted
    (circled) take, else the first; the others are its alternates."""
    for number, take in enumerate(takes, start=1):
        if take.accepted:
            return number
    return 1


def placement_for_take(shot: Shot, take: pb.Take, layer: pb.LayerAudio, wav_path: Path,
                       names: TrackNames | None = None) -> Placement:
    """Where one layer of ``take`` goes under ``shot``, its WAV at ``wav_path``, on a track named
    by the preset ``names`` (default: the configured one)."""
    notes = notes_from_proto(take.notes) if take.HasField("notes") else None
    return Placement(
        shot=shot,
        take_id=take.id,
        layer_label=layer.label,
        kind=kind_from_proto(layer.kind, layer.label),
        wav_path=wav_path,
        handle_head_frames=take.handle_head_frames,
        handle_tail_frames=take.handle_tail_frames,
        notes_summary=summary(notes) if notes else "",
        metadata={
            "job_id": take.job_id,
            "engine": take.engine,
            "model": take.model,
            "seed": take.seed,
            "notes_version": take.notes_version,
            "notes": to_text(notes) if notes else "",
            "loudness_lufs": round(layer.loudness_lufs, 2),
            "take_number": take.number,
            # what the WAV holds, for readers that do not open it (a stereo stem needs a stereo track)
            "channels": layer.audio.channels,
            "sample_rate": layer.audio.sample_rate,
        },
        track_names=names or track_names(),
    )
