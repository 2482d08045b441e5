"""Protobuf messages <-> the server's records (``foleyline.server.records``), in one place.

The servicer and anything else that speaks the API (a Ray Serve ingress) convert with these;
the jobs layer, the pipeline and the store only ever see records. Requests are checked field by
field first (``foleyline.server.validation``); these conversions assume a checked message.
Listings page by an opaque token: the (created_at, id) of the last entry sent.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path

from foleyline.errors import InvalidInput
from foleyline.notes import LayerKind
from foleyline.notes.convert import kind_to_proto, notes_from_proto, notes_to_proto
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.server.records import (
    AudioFile,
    JobAccepted,
    JobDone,
    JobEvent,
    JobInfo,
    JobSettings,
    NotesDrafted,
    ShotFailed,
    ShotProgress,
    ShotRequest,
    Take,
    TakeReady,
)
from foleyline.timebase import DEFAULT_HANDLE_FRAMES
from foleyline.timebase.proto import range_from_proto, range_to_proto


# ---- protos -> records --------------------------------------------------------------------


def shot_from_proto(message: pb.Shot) -> ShotRequest:
    """A shot checked by ``validation.shot``."""
    source = message.media.WhichOneof("source")
    notes = notes_from_proto(message.notes) if (message.has_notes or message.notes.layers) else None
    return ShotRequest(
        id=message.id,
        name=message.name,
        media_path=Path(message.media.path) if source == "path" and message.media.path else None,
        media_hash=message.media.content_hash.lower() if source == "content_hash" else None,
        source_range=range_from_proto(message.source_range),
        record_range=range_from_proto(message.record_range),
        available_range=range_from_proto(message.available_range) if message.HasField("available_range") else None,
        rate=message.rate,
        drop_frame=message.drop_frame,
        notes=notes,
        only_layers=tuple(message.only_layers),
        base_take_id=message.base_take_id,
    )


def settings_from_proto(message: pb.GenerateSettings) -> JobSettings:
    """Settings checked by ``validation.settings``."""
    return JobSettings(
        engine=message.engine,
        num_takes=message.num_takes or 1,
        seed=message.seed,
        steps=message.steps or None,
        cfg_strength=message.cfg_strength or None,
        handle_frames=(message.handle_frames if message.HasField("handle_frames") and message.handle_frames >= 0
                       else DEFAULT_HANDLE_FRAMES),
        project=message.project,
    )


# ---- records -> protos --------------------------------------------------------------------


def _settings_to_proto(settings: JobSettings) -> pb.GenerateSettings:
    return pb.GenerateSettings(
        engine=settings.engine,
        num_takes=settings.num_takes,
        seed=settings.seed,
        steps=settings.steps or 0,
        cfg_strength=settings.cfg_strength or 0.0,
        handle_frames=settings.handle_frames,
        project=settings.project,
    )


def _audio_to_proto(audio: AudioFile) -> pb.AudioFile:
    return pb.AudioFile(
        sha256=audio.sha256, size_bytes=audio.size_bytes, sample_rate=audio.sample_rate,
        bit_depth=audio.bit_depth, channels=audio.channels, frames=audio.frames,
    )


def take_to_proto(take: Take, accepted: bool = False, files: dict[str, AudioFile] | None = None) -> pb.Take:
    """``accepted``: the shot's circled take; ``files``: its WAVs to list instead of the ones it
    was generated with (their circled copies, by the generated file's hash)."""
    files = files or {}
    return pb.Take(
        accepted=accepted,
        id=take.id,
        shot_id=take.shot_id,
        job_id=take.job_id,
        notes_version=take.notes.version,
        notes=notes_to_proto(take.notes),
        engine=take.engine,
        model=take.model,
        engine_version=take.engine_version,
        seed=take.seed,
        settings=_settings_to_proto(take.settings),
        layers=[
            pb.LayerAudio(
                label=layer.label,
                kind=kind_to_proto(LayerKind(layer.kind)),
                audio=_audio_to_proto(files.get(layer.audio.sha256, layer.audio)),
                loudness_lufs=layer.loudness_lufs,
                peak_dbfs=layer.peak_dbfs,
                reused=layer.reused,
                warnings=list(layer.warnings),
            )
            for layer in take.layers
        ],
        mix=_audio_to_proto(files.get(take.mix.sha256, take.mix)),
        loudness_lufs=take.loudness_lufs,
        created_at=take.created_at,
        audio_source_range=range_to_proto(take.audio_source_range),
        record_range=range_to_proto(take.record_range),
        handle_head_frames=take.handle_head_frames,
        handle_tail_frames=take.handle_tail_frames,
        shot_name=take.shot_name,
        base_take_id=take.base_take_id,
        number=take.number,
    )


def event_to_proto(event: JobEvent) -> pb.GenerateEvent:
    message = pb.GenerateEvent(job_id=event.job_id)
    if isinstance(event, JobAccepted):
        message.accepted.CopyFrom(pb.JobAccepted(job_id=event.job_id, shot_count=event.shot_count, engine=event.engine, warnings=event.warnings))
    elif isinstance(event, ShotProgress):
        message.progress.CopyFrom(
            pb.ShotProgress(shot_id=event.shot_id, stage=event.stage, fraction=event.fraction, shots_done=event.shots_done,
                            shot_count=event.shot_count, queue_position=event.queue_position,
                            queue_eta_seconds=event.queue_eta_s)
        )
    elif isinstance(event, TakeReady):
        message.take_ready.CopyFrom(take_to_proto(event.take))
    elif isinstance(event, ShotFailed):
        message.shot_failed.CopyFrom(pb.ShotFailed(shot_id=event.shot_id, reason=event.reason, code=event.code))
    elif isinstance(event, JobDone):
        message.done.CopyFrom(pb.JobDone(shots_done=event.shots_done, shots_failed=event.shots_failed, cancelled=event.cancelled))
    elif isinstance(event, NotesDrafted):
        message.notes_drafted.CopyFrom(notes_to_proto(event.notes))
    else:  # a new event type must be added here
        raise TypeError(f"no GenerateEvent for {type(event).__name__}")
    return message


def job_to_proto(job: JobInfo) -> pb.JobInfo:
    return pb.JobInfo(
        job_id=job.id, state=job.state, shot_count=job.shot_count, shots_done=job.shots_done,
        shots_failed=job.shots_failed, created_at=job.created_at,
    )


# ---- page tokens --------------------------------------------------------------------------


def page_token(entry_id: str) -> str:
    """The token of the page after the entry ``entry_id``."""
    return base64.urlsafe_b64encode(json.dumps([entry_id]).encode()).decode()


def page_after(token: str) -> str | None:
    """The id of the entry a page token stands for (the page starts after it); None for the
    first page. A token of an older server ([created_at, id]) still reads."""
    if not token:
        return None
    try:
        entry = json.loads(base64.urlsafe_b64decode(token.encode()))
        if isinstance(entry, list) and entry and all(isinstance(part, str) for part in entry) and len(entry) <= 2:
            return entry[-1]
    except (ValueError, TypeError, binascii.Error):
        pass
    raise InvalidInput("page_token: not a token this server gave; start again from the first page (no token)")
