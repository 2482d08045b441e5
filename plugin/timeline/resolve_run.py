"""From Resolve's current timeline to Foley on it: read the marked shots, send them to the
server, fetch the first take of each, place it. The menu script in packaging/resolve/ calls
:func:`foley_for_current_timeline`; everything Resolve-specific is in ``resolve.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from foleyline.errors import FoleylineError, InvalidInput, MediaError
from foleyline.plugin.shots import shot_to_proto
from foleyline.plugin.timeline.resolve import PlacedInResolve, ResolveBridge
from foleyline.plugin.timeline.selection import Selection
from foleyline.plugin.timeline.takes import placement_for_take, safe_stem
from foleyline.protos.v1 import foley_pb2 as pb

__all__ = ["foley_for_current_timeline"]


def foley_for_current_timeline(
    bridge: ResolveBridge,
    client: Any,
    audio_dir: Path,
    *,
    selection: Selection | None = None,
    settings: pb.GenerateSettings | None = None,
    progress: Callable[[str], None] = lambda message: None,
    expose_handles: bool = False,
) -> PlacedInResolve:
    """Generate Foley for the shots under Resolve's in/out marks and place it. Takes' WAVs are
    fetched into ``audio_dir`` (Resolve links them there). Raises on bad input and when every
    shot failed; shots that failed while others succeeded are listed in the result's problems.
    Clips are cut to their shots unless ``expose_handles`` (see writeback)."""

    timeline, found = bridge.read_shots(selection)
    problems = [str(p) for p in found.problems]
    shots = list(found.usable)
    if not shots:
        said = "; ".join(problems) or "no video clips between the in and out marks"
        raise InvalidInput(f"no shots to send ({said}); set in/out marks around shots whose media is online")
    progress(f"Sending {len(shots)} shot(s) to the Foleyline server")
    by_id = {s.id: s for s in shots}
    first_take: dict[str, pb.Take] = {}
    failed: list[str] = []
    for event in client.generate([shot_to_proto(s) for s in shots], settings or pb.GenerateSettings()):
        kind = event.WhichOneof("event")
        if kind == "progress":
            p = event.progress
            progress(f"{p.shots_done}/{p.shot_count} shots, {p.stage}")
        elif kind == "take_ready" and event.take_ready.shot_id not in first_take:
            first_take[event.take_ready.shot_id] = event.take_ready
        elif kind == "shot_failed":
            name = by_id[event.shot_failed.shot_id].name if event.shot_failed.shot_id in by_id else event.shot_failed.shot_id
            failed.append(f"{name}: {event.shot_failed.reason}")
    if not first_take:
        raise MediaError("no shot got Foley: " + ("; ".join(failed) or "the server returned no takes"))
    audio_dir.mkdir(parents=True, exist_ok=True)
    placements = []
    for shot_id, take in first_take.items():
        shot = by_id[shot_id]
        for layer in take.layers:
            wav = audio_dir / f"{safe_stem(shot.name)}_{safe_stem(layer.label)}_{take.id[:8]}.wav"
            progress(f"Fetching {wav.name}")
            client.fetch_audio(layer.audio.sha256, wav)
            placements.append(placement_for_take(shot, take, layer, wav))
    progress(f"Placing {len(placements)} clip(s) on the timeline")
    try:
        result = bridge.place(timeline, placements, expose_handles=expose_handles)
    except FoleylineError:
        raise
    result.problems = problems + [f"failed: {f}" for f in failed] + result.problems
    return result
