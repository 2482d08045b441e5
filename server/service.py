"""The gRPC servicer (grpc.aio): protobuf messages in and out, nothing else.

Each method checks its request field by field (``validation``), converts it (``messages``),
hands it to the jobs layer, the pipeline or the store, and converts the answer back. Nothing
blocking runs on the event loop: short calls (server info, listings, cancel) run on a pool of
their own, so that no amount of long work can starve them; drafting has a small pool; file and
job work another (``Pools``). Streams are limited in number (``ServerLimits.max_streams``,
beyond it RESOURCE_EXHAUSTED), and a client that reads nothing for
``ServerLimits.stalled_reader_s`` is dropped. Exceptions become status codes in one place
(``_translated``), their messages bounded and the server's folders not shown (``PublicErrors``).
Generation streams the job's events; a failed shot is a ``ShotFailed`` event, never a dead
stream, and a stream that ends is a follower leaving (``JobManager.detach``). A job the server
stops (a restart) ends its streams with UNAVAILABLE saying to resume it, not with a JobDone
that reads as a cancel.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import os
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

import grpc

from foleyline import __version__
from foleyline.capacity import ServerLimits
from foleyline.errors import FoleylineError, InvalidInput, ResourceExhausted, Unavailable
from foleyline.notes import Notes
from foleyline.notes.convert import notes_from_proto
from foleyline.notes.tokens import TokenCount
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.protos.v1 import foley_pb2_grpc as pb_grpc
from foleyline.server import circling, codec, validation
from foleyline.server.engines.registry import EngineRegistry
from foleyline.server.jobs import JobManager
from foleyline.server.messages import (event_to_proto, job_to_proto, page_after, page_token, settings_from_proto,
                                       shot_from_proto, take_to_proto)
from foleyline.server.notes.messages import draft_error_event, draft_event, edit_request, edit_response
from foleyline.server.pipeline import Pipeline
from foleyline.server.records import JobDone, JobEvent, JobSettings, ShotFailed, ShotRequest
from foleyline.server.runs import JobRun
from foleyline.server.status import PublicErrors
from foleyline.server.store import Store
from foleyline.server.uploads import Upload
from foleyline.timebase import DEFAULT_HANDLE_FRAMES

log = logging.getLogger(__name__)

CHUNK_SIZE = 1 << 20
DEFAULT_PAGE_SIZE = 100
# A page of a listing stops short of this many bytes (the message limit is 8 MiB).
PAGE_BYTES = 4 << 20
CLIENT_METADATA = "foleyline-client"


class Pools:
    """The thread pools blocking work runs on, by kind, so that one kind cannot starve another."""

    def __init__(self, *, short: int = 4, io: int = 16, draft: int = 2) -> None:
        self.short = ThreadPoolExecutor(short, thread_name_prefix="foleyline-short")
        self.io = ThreadPoolExecutor(io, thread_name_prefix="foleyline-io")
        self.draft = ThreadPoolExecutor(draft, thread_name_prefix="foleyline-draft")

    def shutdown(self) -> None:
        for pool in (self.short, self.io, self.draft):
            pool.shutdown(wait=False, cancel_futures=True)


async def _on(pool: ThreadPoolExecutor, fn: Callable, *args, **kwargs):
    return await asyncio.get_running_loop().run_in_executor(pool, functools.partial(fn, *args, **kwargs))


class _ClientGone(Exception):
    """The client ended the call (cancelled it, or its connection dropped): nobody to answer."""


def _translated(method: Callable) -> Callable:
    """Answer an exception of a servicer method with its status code and public message."""

    @functools.wraps(method)
    async def call(self: FoleyService, request, context: grpc.aio.ServicerContext):
        try:
            return await method(self, request, context)
        except (asyncio.CancelledError, grpc.aio.AbortError):
            raise
        except _ClientGone:
            # Nobody to answer; but were anyone there, a stream cut short must not end as a
            # success (a reader would take its part for the whole).
            await context.abort(grpc.StatusCode.CANCELLED, "the stream ended before it was complete; ask again")
        except Exception as exc:
            code, message = self.errors.of(exc)
            await context.abort(code, message)

    return call


def _stream(method: Callable) -> Callable:
    """Count a streaming call against ``max_streams``; beyond it, RESOURCE_EXHAUSTED."""

    @functools.wraps(method)
    async def call(self: FoleyService, request, context: grpc.aio.ServicerContext):
        if self.open_streams >= self.limits.max_streams:
            raise ResourceExhausted(
                f"the server has {self.open_streams} streams open, its limit; try again in a moment "
                "(the server's setting max_streams sets the limit)"
            )
        self.open_streams += 1  # the event loop's thread only: no lock
        try:
            return await method(self, request, context)
        finally:
            self.open_streams -= 1

    return call


def _client_of(context: grpc.aio.ServicerContext) -> str:
    """Who is asking, for fair queueing: the client's own id, else its address."""
    for key, value in context.invocation_metadata() or ():
        if key == CLIENT_METADATA and isinstance(value, str):
            return value[: validation.MAX_ID_CHARS]
    return (context.peer() or "").rsplit(":", 1)[0]


class FoleyService(pb_grpc.FoleyServicer):
    def __init__(self, store: Store, registry: EngineRegistry, pipeline: Pipeline, jobs: JobManager, *,
                 limits: ServerLimits | None = None, errors: PublicErrors | None = None, pools: Pools | None = None) -> None:
        self.store = store
        self.registry = registry
        self.pipeline = pipeline
        self.jobs = jobs
        self.limits = limits or ServerLimits()
        self.errors = errors or PublicErrors()
        self.pools = pools or Pools()
        self.open_streams = 0
        # Each run's events as messages, made once however many streams follow it (the event
        # loop's thread only: no lock).
        self._messages: weakref.WeakKeyDictionary[JobRun, list[pb.GenerateEvent]] = weakref.WeakKeyDictionary()

    # ---- plumbing -------------------------------------------------------------------------

    async def _send(self, context: grpc.aio.ServicerContext, message) -> None:
        """Write a message of a stream; a client that does not take it in time is dropped."""
        write = asyncio.ensure_future(context.write(message))
        try:
            done, _ = await asyncio.wait({write}, timeout=self.limits.stalled_reader_s)
        finally:
            if not write.done():
                # Our own wait's end (the timeout, or this call cancelled): whatever the write
                # does while it is cancelled, the answer is decided here (asyncio.wait_for let a
                # cancelled write's own error through, and the stall read as a client gone).
                write.cancel()
                await asyncio.wait({write})
                _ = write.cancelled() or write.exception()
        if not done:
            raise ResourceExhausted(
                f"the client read nothing for {self.limits.stalled_reader_s:g} s; the stream was closed "
                "(read a stream as it comes, and resume the job to follow it again)"
            )
        if write.cancelled() or write.exception() is not None:
            # A message that cannot be written means the call is over (cancelled, connection
            # gone): there is no one to answer, and nothing to log as a failure.
            why = "cancelled" if write.cancelled() else type(write.exception()).__name__
            log.info("a stream ended while writing (%s): the client is gone", why)
            raise _ClientGone()

    def _public(self, event: JobEvent) -> pb.GenerateEvent:
        if isinstance(event, ShotFailed):
            event = replace(event, reason=self.errors.text(event.reason))
        message = event_to_proto(event)
        if message.HasField("accepted"):
            message.accepted.warnings[:] = [self.errors.text(w) for w in message.accepted.warnings]
        return message

    async def _follow(self, start: Callable[[], JobRun], context: grpc.aio.ServicerContext) -> None:
        """Start (or find) a run, attached as a follower, and stream its events until JobDone."""
        future: Future = self.pools.io.submit(start)
        try:
            run = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            # The client left while the job was being set up: it leaves as a follower too.
            future.add_done_callback(
                lambda f: None if f.cancelled() or f.exception() else self.jobs.detach(f.result()))
            raise
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()

        def listener() -> None:
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:  # the loop is closed: the server is stopping
                pass

        run.add_listener(listener)
        try:
            index = 0
            while True:
                wake.clear()
                batch = run.events_since(index)
                index += len(batch)
                messages = self._messages.setdefault(run, [])
                for offset, event in enumerate(batch):
                    if isinstance(event, JobDone) and event.interrupted:
                        # Not the end of the job: a client told "cancelled" would not resume it.
                        raise Unavailable(
                            f"the server is stopping; job {run.job_id} is kept ({event.shots_done} of "
                            f"{run.shot_count} shots done): resume it (ResumeJob) once the server is back")
                    at = index - len(batch) + offset
                    if at == len(messages):
                        messages.append(self._public(event))
                    await self._send(context, messages[at])
                    if isinstance(event, JobDone):
                        return
                if not batch:
                    await wake.wait()
        finally:
            run.remove_listener(listener)
            self.pools.io.submit(self.jobs.detach, run)

    # ---- server ---------------------------------------------------------------------------

    def _server_info(self) -> pb.ServerInfo:
        engines = []
        device = "cpu"
        for status in self.registry.statuses():
            info = pb.EngineInfo(name=status.name, available=status.available,
                                 unavailable_reason=self.errors.text(status.reason))
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
            version=__version__, device=device, engines=engines, default_engine=self.registry.default,
            allowed_roots=[str(root) for root in self.pipeline.allowed_roots], accepts_uploads=True,
        )

    @_translated
    async def GetServerInfo(self, request, context):
        return await _on(self.pools.short, self._server_info)

    # ---- notes ----------------------------------------------------------------------------

    def _counts_of(self, engine_name: str) -> Callable[[Notes], list[TokenCount]] | None:
        """The named engine's per-layer token count (None when no engine is named)."""
        if not engine_name:
            return None

        def counts_of(notes: Notes) -> list[TokenCount]:
            return self.registry.token_counts(engine_name, notes)

        return counts_of

    def _draft_one(self, shot: ShotRequest, writer: str, engine_name: str, cancel: threading.Event) -> pb.DraftNotesEvent:
        """Notes drafted for one shot, fitted to the named engine's text limit, with per-layer
        token counts against it (no engine named: no counts)."""
        chosen = self.pipeline.drafting_plan(shot, writer)
        streams = self.pipeline.drafting_streams(chosen)
        _timing, shot_input = self.pipeline.prepare(shot, DEFAULT_HANDLE_FRAMES, streams, cancel)
        counts_of = self._counts_of(engine_name)
        result = self.pipeline.draft(shot, shot_input, writer, counts_of=counts_of, chosen=chosen)
        if counts_of is None:
            event = draft_event(shot.id, result, counts_of=lambda _notes: [])
        else:
            limit = max((count.limit for count in counts_of(result.notes)), default=0)
            event = draft_event(shot.id, result, token_limit=limit or None, counts_of=counts_of)
        event.warnings.extend(self.errors.text(w) for w in self._layer_warnings(notes_from_proto(event.notes), engine_name))
        return event

    def _layer_warnings(self, notes: Notes, engine_name: str) -> list[str]:
        """What the engine that will render these notes says about their layers (e.g. a prompt
        no model makes), so the editor reads it beside the draft, before generating."""
        try:
            _name, engine = self.registry.resolve(engine_name)
        except FoleylineError:
            return []  # the job's own warnings will say why the engine is unavailable
        return [w for layer in notes.layers for w in engine.layer_warnings(layer)]

    @_translated
    @_stream
    async def DraftNotes(self, request, context):
        validation.draft_notes(request)
        writer = request.writer or "auto"
        cancel = threading.Event()
        try:
            for i, message in enumerate(request.shots):
                try:
                    validation.shot(message, f"shots[{i}]")
                    # Drafting ignores the editor's notes: the editor asked for a fresh draft.
                    shot = replace(shot_from_proto(message), notes=None)
                    event = await _on(self.pools.draft, self._draft_one, shot, writer, request.engine, cancel)
                except FoleylineError as exc:
                    event = draft_error_event(message.id[: validation.MAX_ID_CHARS], exc)
                    event.error = self.errors.text(event.error)
                await self._send(context, event)
        finally:
            cancel.set()  # the client left: a shot being decoded stops

    @_translated
    async def EditNotes(self, request, context):
        validation.edit_notes(request)
        return await _on(self.pools.short, lambda: edit_response(edit_request(request)))

    # ---- jobs -----------------------------------------------------------------------------

    @staticmethod
    def _job_request(request: pb.GenerateRequest) -> tuple[list[ShotRequest], JobSettings, tuple[str, str] | None]:
        """The shots, the settings, and (request id, fingerprint) when the client named its
        request: a resent request is known by its id, a reused id by its fingerprint."""
        validation.generate(request)
        shots = [shot_from_proto(message) for message in request.shots]
        settings = settings_from_proto(request.settings) if request.HasField("settings") else JobSettings()
        if not request.request_id:
            return shots, settings, None
        unnamed = pb.GenerateRequest()
        unnamed.CopyFrom(request)
        unnamed.ClearField("request_id")
        fingerprint = hashlib.sha256(unnamed.SerializeToString(deterministic=True)).hexdigest()
        return shots, settings, (request.request_id, fingerprint)

    @_translated
    @_stream
    async def Generate(self, request, context):
        # Checking thousands of shots is work: off the event loop, like the rest.
        shots, settings, named = await _on(self.pools.short, self._job_request, request)
        client = _client_of(context)
        await self._follow(lambda: self.jobs.submit(shots, settings, client, follow=True, request=named), context)

    @_translated
    @_stream
    async def ResumeJob(self, request, context):
        validation.job_id(request.job_id)
        client = _client_of(context)
        await self._follow(lambda: self.jobs.resume(request.job_id, client, follow=True), context)

    @_translated
    async def CancelJob(self, request, context):
        validation.job_id(request.job_id)
        state = await _on(self.pools.short, self.jobs.cancel, request.job_id)
        return pb.CancelJobResponse(job_id=request.job_id, state=state)

    @_translated
    async def ListJobs(self, request, context):
        validation.page(request.page_size, request.page_token)
        size = request.page_size or DEFAULT_PAGE_SIZE
        jobs = await _on(self.pools.short, self.jobs.list_jobs, request.unfinished_only,
                         after=page_after(request.page_token), limit=size + 1)
        response = pb.ListJobsResponse(jobs=[job_to_proto(job) for job in jobs[:size]])
        if len(jobs) > size:
            response.next_page_token = page_token(jobs[size - 1].id)
        return response

    # ---- takes and audio ------------------------------------------------------------------

    def _take_page(self, request: pb.ListTakesRequest) -> pb.ListTakesResponse:
        size = request.page_size or DEFAULT_PAGE_SIZE
        rows = self.store.take_rows(request.shot_id, request.job_id, after=page_after(request.page_token), limit=size + 1)
        response = pb.ListTakesResponse()
        accepted = self.store.accepted_take_ids()
        used = 0
        last: str | None = None
        for take_id, stored in rows[:size]:
            try:
                take = codec.take_from_json(stored)
                message = take_to_proto(take, *circling.take_files(self.store, take, accepted))
                message.ByteSize()
            except Exception as exc:  # a row an older server stored that cannot be sent back
                log.warning("take %s left out of a listing: %s", take_id[:80], exc)
                last = take_id
                continue
            used += message.ByteSize()
            if used > PAGE_BYTES and response.takes:
                response.next_page_token = page_token(last) if last else ""
                return response
            response.takes.append(message)
            last = take_id
        if len(rows) > size and last is not None:
            response.next_page_token = page_token(last)
        return response

    @_translated
    async def ListTakes(self, request, context):
        validation.list_takes(request)
        return await _on(self.pools.short, self._take_page, request)

    def _take(self, take_id: str) -> pb.Take:
        take = self.store.get_take(take_id)
        return take_to_proto(take, *circling.take_files(self.store, take, self.store.accepted_take_ids()))

    @_translated
    async def GetTake(self, request, context):
        validation.take_id(request.take_id)
        return await _on(self.pools.short, self._take, request.take_id)

    @_translated
    async def AcceptTake(self, request, context):
        validation.take_id(request.take_id)
        # Circling writes and signs a copy of each of the take's WAVs: file work.
        take, circled = await _on(self.pools.io, circling.accept, self.store, request.take_id)
        return take_to_proto(take, True, circled)

    @_translated
    @_stream
    async def FetchAudio(self, request, context):
        validation.fetch_audio(request)
        size = min(max(request.chunk_size or CHUNK_SIZE, 1024), validation.MAX_CHUNK_BYTES)
        handle = await _on(self.pools.io, self.store.open_audio, request.sha256.lower())
        try:
            total = os.fstat(handle.fileno()).st_size
            offset = 0
            while block := await _on(self.pools.io, handle.read, size):
                await self._send(context, pb.AudioChunk(data=block, offset=offset, total_size=total))
                offset += len(block)
        finally:
            handle.close()

    @_translated
    @_stream
    async def UploadMedia(self, request_iterator, context):
        chunks = request_iterator.__aiter__()
        upload: Upload | None = None
        try:
            while True:
                try:
                    chunk = await asyncio.wait_for(chunks.__anext__(), self.limits.stalled_reader_s)
                except StopAsyncIteration:
                    break
                except asyncio.TimeoutError:
                    raise ResourceExhausted(f"the upload sent nothing for {self.limits.stalled_reader_s:g} s; "
                                            "it was dropped: send it again") from None
                if upload is None:
                    validation.upload_header(chunk)
                    upload = await _on(self.pools.io, Upload, self.store, self.limits.max_upload_bytes,
                                       chunk.filename, chunk.sha256)
                await _on(self.pools.io, upload.add, chunk.data)
            if upload is None:
                raise InvalidInput("the upload was empty; send the file's bytes in chunks")
            sha, present = await _on(self.pools.io, upload.finish)
            return pb.UploadMediaResponse(content_hash=sha, size_bytes=upload.size, already_present=present)
        finally:
            if upload is not None:
                upload.discard()
