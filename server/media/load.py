"""From a media file to what an engine (or the notes writer) reads: one decode pass over the
range, the motion analysis of its picture, a ``ShotInput``.

Every path from media to engine input goes through ``load_shot``: the pipeline (a shot of a
timeline, handles included), ``foleyline notes draft`` (a range of a file) and the evaluation
(a whole clip, with its own sound for reference).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from foleyline.notes import Notes
from foleyline.server.engines.base import ShotInput
from foleyline.server.media.analysis import analyze_motion
from foleyline.server.media.decode import DecodedShot, decode_shot
from foleyline.server.media.frames import ANALYSIS_STREAM, StreamSpec


@dataclass
class LoadedShot:
    input: ShotInput            # what the engine reads
    decoded: DecodedShot        # the decode itself: the file's own sound, the media's facts


def load_shot(
    path: str | os.PathLike,
    start_s: float,
    duration_s: float,
    streams: Sequence[StreamSpec],
    *,
    shot_id: str,
    offset: float = 0.0,
    notes: Notes | None = None,
    extras: Mapping[str, object] | None = None,
    with_audio: bool = False,
    cancel: threading.Event | None = None,
) -> LoadedShot:
    """Decode ``duration_s`` seconds of ``path`` from ``start_s`` (container seconds) with the
    ``streams`` asked for plus the analysis stream, analyse the motion, and build the input.

    ``offset``: the shot time of the range's first sample (minus the head handle's length when
    the range starts before the shot). ``with_audio``: keep the file's own sound as well.
    ``cancel``: stops the decode (``Cancelled``) once set.
    """
    wanted = {spec.name: spec for spec in (*streams, ANALYSIS_STREAM)}
    decoded = decode_shot(path, start_s, duration_s, list(wanted.values()), with_audio=with_audio, cancel=cancel)
    shot_input = ShotInput(
        shot_id=shot_id,
        duration=duration_s,
        offset=offset,
        fps=float(decoded.fps),
        streams=decoded.streams,
        analysis=analyze_motion(decoded.streams[ANALYSIS_STREAM.name]),
        notes=notes if notes is not None else Notes(shot_id=shot_id),
        extras={"media_path": str(Path(path)), **(extras or {})},
    )
    return LoadedShot(shot_input, decoded)


__all__ = ["LoadedShot", "load_shot"]
