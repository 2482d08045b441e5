"""The gRPC client every front end uses (the panel, ``foleyline generate``, NLE scripts).

    client = FoleyClient.configured()       # address, token and TLS from the user's settings
    for event in events_of(client.generate(shots, settings)):
        ...                                  # JobEvent: accepted, progress, take_ready, ... (events.py)
    client.fetch_audio(take.mix.sha256, Path("mix.wav"))

Failures arrive as ``foleyline.errors.*`` carrying the server's message (a refused token is
``PermissionDenied``, an unreachable server ``Unavailable``). A streaming call returns an
iterator with ``.cancel()``.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from foleyline import config, errors
from foleyline.fsutil import atomic_path
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.protos.v1 import foley_pb2_grpc as pb_grpc

UPLOAD_CHUNK = 1 << 20
MAX_MESSAGE_BYTES = 8 << 20
# Who this client is, for the server's fair queue (each FoleyClient is one client).
CLIENT_METADATA = "foleyline-client"


def error_class(code_name: str) -> type[errors.FoleylineError]:
    """The Foleyline error for a status code name, as a ShotFailed event carries it."""
    return errors.error_class(code_name)


def translate(exc: grpc.RpcError, address: str) -> errors.FoleylineError:
    """A gRPC failure as the package's own error, keeping the server's message."""
    code = exc.code() if hasattr(exc, "code") else grpc.StatusCode.UNKNOWN
    details = (exc.details() if hasattr(exc, "details") else "") or str(code)
    cls = errors.error_class(code.name) if isinstance(code, grpc.StatusCode) else errors.FoleylineError
    if code == grpc.StatusCode.UNAVAILABLE:
        details = f"cannot reach the Foleyline server at {address} ({details}); start it with `foleyline serve` or check FOLEYLINE_SERVER"
    elif code == grpc.StatusCode.DEADLINE_EXCEEDED:
        details = f"the Foleyline server at {address} did not answer in time ({details}); check that it is running and not overloaded"
    elif code == grpc.StatusCode.UNAUTHENTICATED:
        details = f"the server at {address} refused the token: {details}"
    error = cls(details)
    error.grpc_code = code  # type: ignore[attr-defined]
    return error


class StreamCall:
    """An iterator over a server stream that raises Foleyline errors and can be cancelled."""

    def __init__(self, call, address: str) -> None:
        self._call = call
        self._address = address

    def __iter__(self) -> StreamCall:
        return self

    def __next__(self):
        try:
            return next(self._call)
        except grpc.RpcError as exc:
            raise translate(exc, self._address) from None

    def cancel(self) -> None:
        self._call.cancel()


class GenerateCall(StreamCall):
    """A Generate stream that outlives a dropped connection: when the stream fails UNAVAILABLE
    after the job was accepted (the network dropped, the server restarted), the same request is
    sent again, with the same request id, up to ``retries`` times, waiting longer each time. The
    server answers a request id it knows with the job it made (never a second one), replaying
    what it already said; what this call already handed out (the job's acceptance, takes, failed
    shots) is not handed out again. Before the acceptance nothing is retried: a server that
    cannot be reached is told at once."""

    def __init__(self, start: Callable[[], Iterator[pb.GenerateEvent]], address: str, request_id: str, *,
                 retries: int = 3, first_wait_s: float = 1.0) -> None:
        super().__init__(start(), address)
        self.request_id = request_id
        self._start = start
        self._retries = retries
        self._wait_s = first_wait_s
        self._accepted = False
        self._cancelled = False
        self._told: set[tuple[str, str]] = set()

    def __next__(self) -> pb.GenerateEvent:
        dropped: grpc.RpcError | None = None
        while True:
            try:
                event = next(self._call)
            except grpc.RpcError as exc:
                if (not self._accepted or self._cancelled or self._retries <= 0
                        or exc.code() != grpc.StatusCode.UNAVAILABLE):
                    # Retries spent: the first drop says what happened (the server's own words).
                    raise translate(dropped or exc, self._address) from None
                dropped = dropped or exc
                self._retries -= 1
                time.sleep(self._wait_s)
                self._wait_s *= 2
                self._call = self._start()
                continue
            if not self._first_time(event):
                continue
            return event

    def _first_time(self, event: pb.GenerateEvent) -> bool:
        """Whether the event is news to this call's reader (a resent request replays the job)."""
        kind = event.WhichOneof("event")
        if kind == "accepted":
            key = (kind, "")
            self._accepted = True
        elif kind == "take_ready":
            key = (kind, event.take_ready.id)
        elif kind == "shot_failed":
            key = (kind, event.shot_failed.shot_id)
        else:
            return True
        if key in self._told:
            return False
        self._told.add(key)
        return True

    def cancel(self) -> None:
        self._cancelled = True
        super().cancel()


def channel_credentials(tls_ca: Path) -> grpc.ChannelCredentials:
    """TLS trusting the PEM certificate(s) in ``tls_ca`` (a private CA, or the server's own
    self-signed certificate)."""
    try:
        roots = Path(tls_ca).read_bytes()
    except OSError as exc:
        raise errors.InvalidInput(f"cannot read the TLS certificate {tls_ca} ({exc}); check --tls-ca") from None
    if b"-----BEGIN CERTIFICATE-----" not in roots:
        raise errors.InvalidInput(f"{tls_ca} holds no PEM certificate; give the server's certificate or its CA's")
    return grpc.ssl_channel_credentials(root_certificates=roots)


class FoleyClient:
    def __init__(self, address: str, token: str | None = None, *, timeout: float = 30.0,
                 tls_ca: Path | None = None) -> None:
        """A client of the server at ``address``; TLS when ``tls_ca`` names the certificate(s) to
        trust. ``token`` None: the configured one (``token``, else the local token file)."""
        self.address = address
        self.token = token if token is not None else config.read_token()
        self.timeout = timeout
        self.tls = tls_ca is not None
        options = [("grpc.max_receive_message_length", MAX_MESSAGE_BYTES), ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)]
        if tls_ca is not None:
            self._channel = grpc.secure_channel(address, channel_credentials(tls_ca), options=options)
        else:
            self._channel = grpc.insecure_channel(address, options=options)
        self._stub = pb_grpc.FoleyStub(self._channel)
        self._health = health_pb2_grpc.HealthStub(self._channel)
        self.client_id = uuid.uuid4().hex[:16]

    @classmethod
    def configured(cls, address: str | None = None, token: str | None = None, tls_ca: Path | None = None) -> FoleyClient:
        """A client of the server the user configured (``server``, else the default local port),
        with the configured token and TLS; an argument given wins over its setting."""
        address = address or config.configured_server() or f"127.0.0.1:{config.DEFAULT_PORT}"
        return cls(address, token or None, tls_ca=config.value("tls_ca", tls_ca))


    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> FoleyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- plumbing -------------------------------------------------------------------------

    @property
    def _metadata(self) -> tuple[tuple[str, str], ...]:
        ours = ((CLIENT_METADATA, self.client_id),)
        return ((("authorization", f"Bearer {self.token}"),) if self.token else ()) + ours

    def _pages(self, method: Callable, request, entries: str) -> Iterator:
        """Every entry of a paged listing, page after page."""
        while True:
            response = self._unary(method, request)
            yield from getattr(response, entries)
            if not response.next_page_token:
                return
            request.page_token = response.next_page_token

    def _unary(self, method, request, timeout: float | None = None):
        try:
            return method(request, metadata=self._metadata, timeout=timeout or self.timeout)
        except grpc.RpcError as exc:
            raise translate(exc, self.address) from None

    def _stream(self, method, request, timeout: float | None = None) -> StreamCall:
        return StreamCall(method(request, metadata=self._metadata, timeout=timeout), self.address)

    # ---- server ---------------------------------------------------------------------------

    def health(self, *, wait: float = 0.0) -> str:
        """'SERVING', 'NOT_SERVING', ...; with ``wait`` > 0, waits up to that many seconds for
        the server to come up and report SERVING (engines loaded)."""
        deadline = time.monotonic() + wait
        while True:
            try:
                response = self._health.Check(
                    health_pb2.HealthCheckRequest(service=""), timeout=max(1.0, min(5.0, wait or 5.0)), wait_for_ready=wait > 0
                )
                status = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
            except grpc.RpcError as exc:
                if time.monotonic() >= deadline:
                    if exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                        raise errors.Unavailable(
                            f"cannot reach the Foleyline server at {self.address} (no answer within {max(wait, 1.0):.0f} s); "
                            "start it with `foleyline serve` or check FOLEYLINE_SERVER"
                        ) from None
                    raise translate(exc, self.address) from None
                status = None
            if status == "SERVING" or time.monotonic() >= deadline:
                if status is None:
                    raise errors.Unavailable(f"the server at {self.address} did not answer within {wait:.0f} s")
                return status
            time.sleep(0.1)

    def server_info(self) -> pb.ServerInfo:
        return self._unary(self._stub.GetServerInfo, pb.GetServerInfoRequest())

    # ---- notes ----------------------------------------------------------------------------

    def draft_notes(self, shots: list[pb.Shot], writer: str = "auto", engine: str = "") -> StreamCall:
        return self._stream(self._stub.DraftNotes, pb.DraftNotesRequest(shots=shots, writer=writer, engine=engine))

    def edit_notes(self, notes: pb.Notes, instruction: str, shot_duration: float = 0.0) -> pb.EditNotesResponse:
        return self._unary(self._stub.EditNotes, pb.EditNotesRequest(notes=notes, instruction=instruction, shot_duration=shot_duration))

    # ---- jobs -----------------------------------------------------------------------------

    def generate(self, shots: list[pb.Shot], settings: pb.GenerateSettings | None = None, *,
                 request_id: str = "") -> GenerateCall:
        """Stream of GenerateEvent for a new job, sent again with the same request id should the
        connection drop after the job was accepted (``GenerateCall``). ``settings`` None, or
        fields left unset: the server's defaults (one take, ``timebase.DEFAULT_HANDLE_FRAMES``
        handles). ``request_id``: the request's id, a fresh one when empty."""
        request = pb.GenerateRequest(shots=shots, request_id=request_id or uuid.uuid4().hex)
        if settings is not None:
            request.settings.CopyFrom(settings)
        return GenerateCall(lambda: self._stub.Generate(request, metadata=self._metadata), self.address,
                            request.request_id)

    def resume(self, job_id: str) -> StreamCall:
        return self._stream(self._stub.ResumeJob, pb.ResumeJobRequest(job_id=job_id))

    def cancel_job(self, job_id: str) -> str:
        return self._unary(self._stub.CancelJob, pb.CancelJobRequest(job_id=job_id)).state

    def list_jobs(self, unfinished_only: bool = False) -> list[pb.JobInfo]:
        return list(self._pages(self._stub.ListJobs, pb.ListJobsRequest(unfinished_only=unfinished_only), "jobs"))

    # ---- takes and audio ------------------------------------------------------------------

    def list_takes(self, shot_id: str = "", job_id: str = "") -> list[pb.Take]:
        return list(self._pages(self._stub.ListTakes, pb.ListTakesRequest(shot_id=shot_id, job_id=job_id), "takes"))

    def get_take(self, take_id: str) -> pb.Take:
        return self._unary(self._stub.GetTake, pb.GetTakeRequest(take_id=take_id))

    def accept_take(self, take_id: str) -> pb.Take:
        """Circle a take: its shot places it on the Foley tracks from now on."""
        return self._unary(self._stub.AcceptTake, pb.AcceptTakeRequest(take_id=take_id))

    def fetch_audio(self, sha256: str, dest_path: Path) -> Path:
        """Download a WAV by hash to ``dest_path``, atomically, checking the hash."""
        dest_path = Path(dest_path)
        digest = hashlib.sha256()
        with atomic_path(dest_path) as tmp, open(tmp, "wb") as handle:
            for chunk in self._stream(self._stub.FetchAudio, pb.FetchAudioRequest(sha256=sha256), timeout=600):
                handle.write(chunk.data)
                digest.update(chunk.data)
            if digest.hexdigest() != sha256:
                raise errors.Unavailable(f"the audio {sha256} arrived damaged (hash {digest.hexdigest()}); fetch it again")
        return dest_path

    def upload_media(self, path: Path) -> str:
        """Send a media file to a remote server once; returns the content hash to reference it."""
        path = Path(path)
        if not path.is_file():
            raise errors.MediaError(f"cannot upload {path}: no such file")
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(UPLOAD_CHUNK), b""):
                digest.update(block)
        sha = digest.hexdigest()

        def chunks() -> Iterable[pb.MediaChunk]:
            with open(path, "rb") as handle:
                first = True
                for block in iter(lambda: handle.read(UPLOAD_CHUNK), b""):
                    yield pb.MediaChunk(filename=path.name if first else "", sha256=sha if first else "", data=block)
                    first = False

        response = self._unary(self._stub.UploadMedia, chunks(), timeout=3600)
        return response.content_hash
