"""The gRPC servicer: protobuf messages in and out, nothing else.

Each method converts its request into the server's records, hands it to the jobs layer, the
pipeline or the store, and converts the answer back. Exceptions become status codes in one place
(``_translated``, with the table in ``foleyline.server.status``). Generation streams by
yielding the job's events; a failed shot is a ``ShotFailed`` event, never a dead stream.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import grpc

from foleyline import __version__
from foleyline.errors import FoleylineError, InvalidInput
from foleyline.notes import LayerKind, Notes
from foleyline.notes.convert import kind_to_proto, notes_from_proto, notes_to_proto
from foleyline.notes.tokens import TokenCount
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.protos.v1 import foley_pb2_grpc as pb_grpc
from foleyline.server import circling
from foleyline.server.engines.registry import EngineRegistry
from foleyline.server.jobs import JobManager
from foleyline.server.notes import DraftResult
from foleyline.server.notes.messages import draft_error_event, draft_event, edit_request, edit_response
from foleyline.server.pipeline import Pipeline
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
from foleyline.server.status import status_code
from foleyline.server.store import Store
from foleyline.timebase import DEFAULT_HANDLE_FRAMES
from foleyline.timebase.proto import range_from_proto, range_to_proto

log = logging.getLogger(__name__)

CHUNK_SIZE = 1 << 20
MAX_CHUNK_SIZE = 4 << 20


def _abort(context: grpc.ServicerContext, exc: BaseException) -> None:
    code = status_code(exc)
    if code == grpc.StatusCode.INTERNAL:
        log.exception("internal error", exc_info=exc)
        message = f"internal error: {type(exc).__name__}: {exc}; see the server log"
    else:
        message = str(exc)
    context.abort(code, message)


def _translated(method: Callable) -> Callable:
    """Map exceptions of a servicer method (plain or streaming) to gRPC status codes."""
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def streaming(self, request, context):
            try:
                yield from method(self, request, context)
            except Exception as exc:
                if isinstance(exc, grpc.RpcError) or not context.is_active():
                    raise
                _abort(context, exc)

        return streaming

    @functools.wraps(method)
    def unary(self, request, context):
        try:
            return method(self, request, context)
        except Exception as exc:
            if isinstance(exc, grpc.RpcError):
                raise
            _abort(context, exc)

    return unary


# ---- protos -> records --------------------------------------------------------------------


def shot_from_proto(message: pb.Shot) -> ShotRequest:
    label = message.name or message.id
    if not message.id:
        raise InvalidInput(f"shot {message.name!r} has no id; give every shot a stable id")
    if not message.HasField("source_range") or not message.HasField("record_range"):
        raise InvalidInput(f"shot {label} needs a source range and a record range")
    if message.rate <= 0:
        raise InvalidInput(f"shot {label} has no frame rate; send the timeline rate")
    source = message.media.WhichOneof("source")
    notes = notes_from_proto(message.notes) if (message.has_notes or message.notes.layers) else None
    return ShotRequest(
        id=message.id,
        name=message.name,
        media_path=Path(message.media.path) if source == "path" and message.media.path else None,
        media_hash=message.media.content_hash if source == "content_hash" else None,
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
    if message.num_takes < 0 or message.num_takes > 16:
        raise InvalidInput(f"num_takes must be between 1 and 16, got {message.num_takes}")
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
            pb.ShotProgress(shot_id=event.shot_id, stage=event.stage, fraction=event.fraction, shots_done=event.shots_done, shot_count=event.shot_count)
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


def _job_to_proto(job: JobInfo) -> pb.JobInfo:
    return pb.JobInfo(
        job_id=job.id, state=job.state, shot_count=job.shot_count, shots_done=job.shots_done,
        shots_failed=job.shots_failed, created_at=job.created_at,
    )


# ---- the servicer -------------------------------------------------------------------------


class FoleyService(pb_grpc.FoleyServicer):
    def __init__(self, store: Store, registry: EngineRegistry, pipeline: Pipeline, jobs: JobManager) -> None:
        self.store = store
        self.registry = registry
        self.pipeline = pipeline
        self.jobs = jobs

    def _follow(self, run, context: grpc.ServicerContext) -> Iterator[pb.GenerateEvent]:
        stop = threading.Event()

        def on_rpc_end() -> None:
            # The client went away (or the stream ended): stop following; a job that is still
            # running is cancelled, and stays resumable.
            stop.set()
            if not run.finished.is_set():
                run.cancel()

        context.add_callback(on_rpc_end)
        for event in run.follow(stop):
            yield event_to_proto(event)

    def _counts_of(self, engine_name: str) -> Callable[[Notes], list[TokenCount]] | None:
        """The named engine's per-layer token count (None when no engine is named)."""
        if not engine_name:
            return None

        def counts_of(notes: Notes) -> list[TokenCount]:
            return self.registry.token_counts(engine_name, notes)

        return counts_of

    def _draft_event(self, shot_id: str, result: DraftResult, engine_name: str) -> pb.DraftNotesEvent:
        """The event for drafted notes, with per-layer token counts against the named engine's
        text limit, drafted layers over it split (no engine named: no counts)."""
        counts_of = self._counts_of(engine_name)
        if counts_of is None:
            return draft_event(shot_id, result, counts_of=lambda _notes: [])
        limit = max((count.limit for count in counts_of(result.notes)), default=0)
        return draft_event(shot_id, result, token_limit=limit or None, counts_of=counts_of)

    def _layer_warnings(self, notes, engine_name: str) -> list[str]:
        """What the engine that will render these notes says about their layers (e.g. a prompt
        no model makes), so the editor reads it beside the draft, before generating."""
        try:
            _name, engine = self.registry.resolve(engine_name)
        except FoleylineError:
            return []  # the job's own warnings will say why the engine is unavailable
        return [w for layer in notes.layers for w in engine.layer_warnings(layer)]

    @_translated
    def GetServerInfo(self, request, context):
        statuses = self.registry.statuses()
        engines = []
        device = "cpu"
        for status in statuses:
            info = pb.EngineInfo(name=status.name, available=status.available, unavailable_reason=status.reason)
            caps = status.capabilities
            if caps is not None:
                info.model = caps.model
                info.version = caps.version
                info.sample_rate = caps.sample_rate
                info.channels = caps.channels
                info.max_window_seconds = caps.max_window_seconds or 0.0
                info.supports_text = caps.supports_text
                info.supports_cot = caps.supports_cot
                info.supports_roi = caps.supports_roi
                info.supports_edit = caps.supports_edit
                info.supports_negative_prompt = caps.supports_negative_prompt
                info.device = caps.device
                info.max_text_tokens = caps.max_text_tokens or 0
                if status.name == self.registry.default:
                    device = caps.device
            engines.append(info)
        return pb.ServerInfo(
            version=__version__,
            device=device,
            engines=engines,
            default_engine=self.registry.default,
            allowed_roots=[str(root) for root in self.pipeline.allowed_roots],
            accepts_uploads=True,
        )

    @_translated
    def DraftNotes(self, request, context):
        if not request.shots:
            raise InvalidInput("the request has no shots; select at least one shot")
        writer = request.writer or "auto"
        for message in request.shots:
            # Drafting ignores the editor's notes: the editor asked for a fresh draft.
            shot = replace(shot_from_proto(message), notes=None)
            try:
                streams = self.pipeline.drafting_streams(shot, writer)
                _timing, shot_input = self.pipeline.prepare(shot, DEFAULT_HANDLE_FRAMES, streams)
                result = self.pipeline.draft(shot, shot_input, writer, counts_of=self._counts_of(request.engine))
                event = self._draft_event(shot.id, result, request.engine)
                event.warnings.extend(self._layer_warnings(notes_from_proto(event.notes), request.engine))
            except FoleylineError as exc:
                event = draft_error_event(shot.id, exc)
            yield event

    @_translated
    def EditNotes(self, request, context):
        return edit_response(edit_request(request))

    @_translated
    def Generate(self, request, context):
        shots = [shot_from_proto(message) for message in request.shots]
        settings = settings_from_proto(request.settings) if request.HasField("settings") else JobSettings()
        run = self.jobs.submit(shots, settings)
        yield from self._follow(run, context)

    @_translated
    def ResumeJob(self, request, context):
        if not request.job_id:
            raise InvalidInput("name the job to resume; list the jobs to find its id")
        run = self.jobs.resume(request.job_id)
        yield from self._follow(run, context)

    @_translated
    def CancelJob(self, request, context):
        return pb.CancelJobResponse(job_id=request.job_id, state=self.jobs.cancel(request.job_id))

    @_translated
    def ListJobs(self, request, context):
        return pb.ListJobsResponse(jobs=[_job_to_proto(job) for job in self.jobs.list_jobs(request.unfinished_only)])

    @_translated
    def ListTakes(self, request, context):
        takes = self.store.list_takes(shot_id=request.shot_id, job_id=request.job_id)
        accepted = self.store.accepted_take_ids()
        return pb.ListTakesResponse(takes=[take_to_proto(take, *circling.take_files(self.store, take, accepted))
                                           for take in takes])

    @_translated
    def GetTake(self, request, context):
        take = self.store.get_take(request.take_id)
        return take_to_proto(take, *circling.take_files(self.store, take, self.store.accepted_take_ids()))

    @_translated
    def AcceptTake(self, request, context):
        if not request.take_id:
            raise InvalidInput("give the id of the take to accept (`foleyline takes list` shows them)")
        take, circled = circling.accept(self.store, request.take_id)
        return take_to_proto(take, True, circled)

    @_translated
    def FetchAudio(self, request, context):
        path = self.store.audio_path(request.sha256)
        size = min(max(request.chunk_size or CHUNK_SIZE, 1024), MAX_CHUNK_SIZE)
        total = path.stat().st_size
        with open(path, "rb") as handle:
            offset = 0
            while block := handle.read(size):
                yield pb.AudioChunk(data=block, offset=offset, total_size=total)
                offset += len(block)

    @_translated
    def UploadMedia(self, request_iterator, context):
        staged: Path | None = None
        handle = None
        digest = hashlib.sha256()
        expected = ""
        suffix = ""
        size = 0
        try:
            for chunk in request_iterator:
                if staged is None:
                    expected = chunk.sha256.lower()
                    suffix = Path(chunk.filename).suffix.lower()[:10]
                    staged = self.store.staging_path(suffix or ".bin")
                    handle = open(staged, "wb")
                handle.write(chunk.data)
                digest.update(chunk.data)
                size += len(chunk.data)
            if staged is None:
                raise InvalidInput("the upload was empty; send the file's bytes in chunks")
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            actual = digest.hexdigest()
            if expected and expected != actual:
                raise InvalidInput(f"the upload's sha256 is {actual}, not {expected} as announced; send the file again")
            sha, _path, present = self.store.adopt_media(staged, suffix or ".bin")
            staged = None
            return pb.UploadMediaResponse(content_hash=sha, size_bytes=size, already_present=present)
        finally:
            if handle is not None and not handle.closed:
                handle.close()
            if staged is not None and staged.exists():
                staged.unlink()
