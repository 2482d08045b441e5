"""From Resolve's current timeline to Foley on it: read the marked shots, send them to the
server, fetch the first take of each, place it. The menu script in packaging/resolve/ calls
:func:`foley_for_current_timeline`; everything Resolve-specific is in ``resolve.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from foleyline.errors import InvalidInput, MediaError
from foleyline.plugin.events import JobEvent, read_job
from foleyline.plugin.requests import project_settings, shot_request
from foleyline.plugin.take_files import TakeFiles
from foleyline.plugin.timeline.resolve import PlacedInResolve, ResolveBridge
from foleyline.plugin.timeline.selection import Selection
from foleyline.plugin.timeline.takes import placement_for_take
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

    def report(event: JobEvent) -> None:
        if event.kind == "progress":
            progress(f"{event.payload.shots_done}/{event.payload.shot_count} shots, {event.payload.stage}")

    job = read_job(client.generate([shot_request(s) for s in shots], project_settings(settings, timeline.name)), on_event=report)
    failed = job.failure_lines({s.id: s.name for s in shots})
    first_takes = job.first_takes()
    if not first_takes:
        raise MediaError("no shot got Foley: " + ("; ".join(failed) or "the server returned no takes"))
    audio_dir.mkdir(parents=True, exist_ok=True)
    placements = []
    files = TakeFiles(audio_dir)
    for shot_id, take in first_takes.items():
        shot = by_id[shot_id]
        progress(f"Fetching the audio of {shot.name}")
        for layer, wav in files.write(shot, take, client.fetch_audio):
            placements.append(placement_for_take(shot, take, layer, wav))
    progress(f"Placing {len(placements)} clip(s) on the timeline")
    result = bridge.place(timeline, placements, expose_handles=expose_handles)
    result.problems = problems + [f"failed: {f}" for f in failed] + result.problems
    return result
