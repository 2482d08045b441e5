"""What the panel's background jobs do: each function is a generator run on a worker thread
(``jobs.Job``); its yields are progress, its return value the result. Only these functions call
the server. Streams are registered with ``holder.track`` so Cancel can end them at once.

A body with nothing to report is still a generator (a bare ``yield`` after its ``return``), so
every job runs, reports and quits the same way.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from foleyline import config
from foleyline.desktop.jobs import CallHolder
from foleyline.desktop.waveform import TakeAudio, load_take_audio
from foleyline.errors import InvalidInput
from foleyline.plugin.client import FoleyClient
from foleyline.plugin.events import events_of
from foleyline.plugin.shots import Shot
from foleyline.plugin.timeline import find_shots
from foleyline.plugin.timeline.formats import META_KEY, read_timelines
from foleyline.plugin.timeline.preflight import MissingFile, missing_files
from foleyline.plugin.timeline.relink import PathMap, Relinker, relink_timeline
from foleyline.plugin.timeline.resolve import ResolveBridge
from foleyline.plugin.timeline.timelines import TimelineInfo, choose, describe
from foleyline.plugin.timeline.video import is_video_file, timeline_from_video
from foleyline.protos.v1 import foley_pb2 as pb

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedTimeline:
    """A timeline the panel works on: read from a file, or live from an NLE (``bridge`` set:
    then ``name`` is the NLE's timeline name and write-back goes into the NLE)."""

    path: Path | None
    timeline: Any  # otio.schema.Timeline
    shots: tuple[Shot, ...]
    problems: tuple[str, ...]
    bridge: Any = None  # foleyline.plugin.timeline.resolve.ResolveBridge
    relinked: tuple[tuple[str, str, Path], ...] = ()  # (clip name, was, now) for each clip relinked

    @property
    def name(self) -> str:
        if self.path is None:
            return f"{self.timeline.name} (Resolve)"
        if (self.timeline.metadata.get(META_KEY) or {}).get("timeline_count", 1) > 1:
            return f"{self.path.name} — {self.timeline.name}"  # one of the file's several timelines
        return self.path.name

    @property
    def missing(self) -> list[MissingFile]:
        """Files the shots need that are not here, one entry per file (as the preflight groups them)."""
        return missing_files(self.shots)


@dataclass(frozen=True)
class TimelineChoice:
    """A file holding several timelines, read once: the editor picks one (listed as
    ``foleyline timelines FILE`` lists them)."""

    path: Path
    timelines: tuple[Any, ...]  # otio.schema.Timeline
    infos: tuple[TimelineInfo, ...]


@dataclass(frozen=True)
class Audition:
    take_id: str
    shot_id: str
    path: Path
    head_seconds: float
    audio: TakeAudio


def audio_cache_dir() -> Path:
    """Fetched take WAVs, named by content hash (so a take is fetched once)."""
    return config.data_dir() / "panel" / "audio"


def load_timeline_job(holder: CallHolder, path: Path, rate: float | None, which: str | int | None = None):
    """The timeline of ``path`` with its shots; a :class:`TimelineChoice` when the file holds
    several and ``which`` (a name or 1-based number) does not pick one."""
    yield f"Reading {path.name}…"
    # a plain movie is a timeline of its cuts, as for `foleyline generate clip.mov`
    timelines = [timeline_from_video(path)] if is_video_file(path) else read_timelines(path, rate=rate)
    holder.check()
    if which is None and len(timelines) > 1:
        return TimelineChoice(Path(path), tuple(timelines), tuple(describe(timelines)))
    return (yield from shots_job(holder, Path(path), choose(timelines, which, Path(path))))


def shots_job(holder: CallHolder, path: Path, timeline: Any):
    yield f"Finding shots in {timeline.name or path.name}…"
    found = find_shots(timeline)
    return LoadedTimeline(path, timeline, tuple(found.shots), tuple(str(p) for p in found.problems))


def relink_job(holder: CallHolder, loaded: LoadedTimeline, folders: list[Path], maps: list[PathMap]):
    """``loaded`` with its missing media looked for under ``folders`` (by file name, then reel or
    clip name) and through ``maps`` (path prefixes), as ``generate --relink/--map-path`` does.
    The open timeline is not changed: a relinked copy comes back, so the written timeline
    points at the media found."""
    yield "Looking for the missing media…"
    timeline = copy.deepcopy(loaded.timeline)
    report = relink_timeline(timeline, Relinker(list(folders), list(maps)))
    holder.check()
    found = find_shots(timeline)
    return dataclasses.replace(loaded, timeline=timeline, shots=tuple(found.shots),
                               problems=tuple(str(p) for p in found.problems),
                               relinked=loaded.relinked + tuple(report.relinked))


def resolve_read_job(holder: CallHolder, connect: Callable[[], Any]):
    """The shots of Resolve's current timeline (under its in/out marks when set)."""
    yield "Reading the current timeline from Resolve…"
    bridge = ResolveBridge(connect())
    timeline, found = bridge.read_shots()
    return LoadedTimeline(None, timeline, tuple(found.shots), tuple(str(p) for p in found.problems), bridge)


def connect_job(holder: CallHolder, address: str, token: str | None):
    # TLS when the user set tls_ca (setting, FOLEYLINE_TLS_CA, or `foleyline panel --tls-ca`)
    client = FoleyClient(address, token=token, tls_ca=config.value("tls_ca"))
    yield "connecting"
    holder.check()
    try:
        info = client.server_info()
        status = client.health()
    except BaseException:
        client.close()
        raise
    return client, info, status


def health_job(holder: CallHolder, client: Any):
    return client.health()
    yield


def list_takes_job(holder: CallHolder, client: Any):
    return client.list_takes()
    yield


def draft_job(holder: CallHolder, client: Any, shots: list[pb.Shot], writer: str):
    stream = holder.track(client.draft_notes(shots, writer=writer))
    for event in stream:
        yield event


def generate_job(holder: CallHolder, client: Any, shots: list[pb.Shot], settings: pb.GenerateSettings):
    """Each event of the job's stream, as a ``JobEvent``."""
    yield from events_of(holder.track(client.generate(shots, settings)))


def edit_job(holder: CallHolder, client: Any, notes: pb.Notes, instruction: str, duration: float):
    return client.edit_notes(notes, instruction, duration)
    yield


def cancel_job(holder: CallHolder, client: Any, job_id: str):
    return client.cancel_job(job_id)
    yield


def fetch(client: Any, sha256: str) -> Path:
    target = audio_cache_dir() / f"{sha256}.wav"
    if target.exists() and target.stat().st_size > 0:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # The client writes atomically; a partly fetched file never sits under the final name.
    return Path(client.fetch_audio(sha256, target))


def audition_job(holder: CallHolder, client: Any, take: pb.Take, rate: float):
    if not take.mix.sha256:
        raise InvalidInput(f"take {take.id} has no mix to play; regenerate the shot")
    yield "fetching"
    path = fetch(client, take.mix.sha256)
    holder.check()
    head = take.handle_head_frames / rate if rate else 0.0
    return Audition(take.id, take.shot_id, path, head, load_take_audio(path, head))


def connect_with_factory_job(holder: CallHolder, factory: Callable[[str, str | None], Any], address: str, token: str | None):
    client = factory(address, token)
    yield "connecting"
    holder.check()
    return client, client.server_info(), client.health()


def close_client(client: Any) -> None:
    close = getattr(client, "close", None)
    if close is not None:
        try:
            close()
        except Exception:
            log.debug("closing a client", exc_info=True)
