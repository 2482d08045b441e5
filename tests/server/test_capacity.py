"""Long streams never starve short calls: health, server info and cancel answer with many
streams open; streams beyond the limit are refused with RESOURCE_EXHAUSTED; a client that
reads nothing is dropped and its slot comes back."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from foleyline.capacity import ServerLimits
from foleyline.errors import Cancelled, ResourceExhausted
from foleyline.plugin.client import FoleyClient
from foleyline.server.service import FoleyService, _ClientGone, _translated
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.protos.v1 import foley_pb2_grpc as pb_grpc
from serverkit import TOKEN, make_shot, two_layer_notes

# A safety net for what the tests wait on, never a timing: the jobs here are held until the
# test ends them, so a short call starved by their streams waits past any deadline, while a
# loaded machine only makes an answered one slower. How fast they answer (the target is
# 100 ms with 50 streams open), benchmarks/load.py measures.
SAFETY_S = 30.0


def _short_calls(server, client: FoleyClient, job_id: str, streams: int) -> None:
    """Health and server info answer while at least ``streams`` streams stay open, then a
    cancel of ``job_id`` does (a starved cancel would wait for streams that only it can end)."""
    with grpc.insecure_channel(server.address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        assert health.Check(health_pb2.HealthCheckRequest(), timeout=SAFETY_S).status == health_pb2.HealthCheckResponse.SERVING
    assert client.server_info().version
    assert server.service.open_streams >= streams
    client.cancel_job(job_id)


def _big_wav(server) -> str:
    """A 64 MiB file in the store's audio folder: more than a silent reader's buffers take."""
    data = os.urandom(64 << 20)
    sha = hashlib.sha256(data).hexdigest()
    folder = server.store.audio_dir / sha[:2]
    folder.mkdir(exist_ok=True)
    (folder / f"{sha}.wav").write_bytes(data)
    return sha


def _bounded_stub(server) -> pb_grpc.FoleyStub:
    """A stub whose channel keeps gRPC's first window (1 MiB here): with its bandwidth probe on,
    a client's window grows with what a loaded loopback moves in a ping's time (8 MiB
    measured idle, more under load), and a silent reader could take in the whole file."""
    return pb_grpc.FoleyStub(grpc.insecure_channel(server.address, options=[("grpc.http2.bdp_probe", 0)]))


def _drain(call) -> None:
    try:
        for _event in call:
            pass
    except Cancelled:
        pass  # cancelled at the end of the test


def _wait(predicate, timeout: float = SAFETY_S) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_short_calls_answer_with_fifty_streams_open(start, clip_path: Path, fake_engine) -> None:
    fake_engine.held.add("shot-1")  # the job holds its streams open until it is cancelled
    server = start(ServerLimits(workers={"cpu": 1}))
    shot = make_shot(clip_path)
    shot.notes.CopyFrom(two_layer_notes())
    shot.has_notes = True
    with FoleyClient(server.address, TOKEN) as client:
        call = client.generate([shot])
        job_id = next(call).job_id
        followers = [client.resume(job_id) for _ in range(49)]
        for follower in followers:
            next(follower)
        assert server.service.open_streams == 50
        _short_calls(server, client, job_id, streams=50)
        for follower in [call, *followers]:
            follower.cancel()


def test_silent_readers_and_queued_streams_starve_nothing(start, clip_path: Path, fake_engine) -> None:
    # The jobs are held until the test cancels them: their streams stay open, so the
    # open-stream count falls to theirs only when the silent readers are dropped.
    fake_engine.held.add("shot-1")
    server = start(ServerLimits(workers={"cpu": 1}, stalled_reader_s=1.0))
    sha = _big_wav(server)
    shot = make_shot(clip_path)
    shot.notes.CopyFrom(two_layer_notes())
    shot.has_notes = True
    clients = [FoleyClient(server.address, TOKEN) for _ in range(20)]
    try:
        silent = []
        for client in clients[:8]:
            call = _bounded_stub(server).FetchAudio(pb.FetchAudioRequest(sha256=sha), metadata=client._metadata)
            next(call)  # one chunk, then never another
            silent.append(call)
        queued = [client.generate([shot]) for client in clients[8:]]
        job_ids = [next(call).job_id for call in queued]
        # The queued jobs' clients read their streams as a real client does: on a loaded
        # machine an unread queued stream is a silent reader too, and its drop would let the
        # count below fall before every silent reader is gone.
        readers = [threading.Thread(target=_drain, args=(call,), daemon=True) for call in queued]
        for reader in readers:
            reader.start()
        _short_calls(server, clients[0], job_ids[-1], streams=len(queued))
        # the silent readers are dropped, their slots free again (the job cancelled above has
        # ended its stream; the others stay open)
        _wait(lambda: server.service.open_streams <= len(queued) - 1)
        for call in silent:
            with pytest.raises(grpc.RpcError) as caught:
                for _chunk in call:
                    pass
            assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert "read nothing for 1 s" in caught.value.details()
        for call in queued:
            call.cancel()
        for reader in readers:
            reader.join(timeout=10)
    finally:
        for client in clients:
            client.close()


def test_streams_beyond_the_limit_are_refused_and_unary_calls_still_answer(start, clip_path: Path, fake_engine) -> None:
    fake_engine.held.add("shot-1")
    server = start(ServerLimits(max_streams=3))
    shot = make_shot(clip_path)
    shot.notes.CopyFrom(two_layer_notes())
    shot.has_notes = True
    with FoleyClient(server.address, TOKEN) as client:
        calls = [client.generate([shot]) for _ in range(3)]
        for call in calls:
            next(call)
        with pytest.raises(ResourceExhausted, match="3 streams open, its limit"):
            next(client.generate([shot]))
        assert client.server_info().version
        assert len(client.list_jobs()) == 3
        for call in calls:
            call.cancel()
        _wait(lambda: server.service.open_streams == 0)
        assert next(client.generate([shot])).WhichOneof("event") == "accepted"


class _Context:
    """A servicer context whose write waits on ``written``; cancelled, it raises ``on_cancel``
    (gRPC's own write can end in an error of its own while it is cancelled)."""

    def __init__(self, on_cancel: BaseException | None = None) -> None:
        self.on_cancel = on_cancel
        self.written: asyncio.Future | None = None

    async def write(self, message) -> None:
        self.written = asyncio.get_running_loop().create_future()
        try:
            await self.written
        except asyncio.CancelledError:
            if self.on_cancel is not None:
                raise self.on_cancel from None
            raise


def _service(stalled_reader_s: float) -> FoleyService:
    return FoleyService(None, None, None, None, limits=ServerLimits(stalled_reader_s=stalled_reader_s))


@pytest.mark.parametrize("on_cancel", [None, RuntimeError("the call is over")], ids=["cancelled", "raising"])
def test_a_reader_that_takes_nothing_is_dropped_however_the_write_ends(on_cancel) -> None:
    context = _Context(on_cancel)
    with pytest.raises(ResourceExhausted, match="read nothing for 0.05 s"):
        asyncio.run(_service(0.05)._send(context, pb.AudioChunk()))


def test_a_write_the_transport_refuses_is_a_client_gone_not_a_stall() -> None:
    async def send() -> None:
        context = _Context()
        sending = asyncio.ensure_future(_service(30.0)._send(context, pb.AudioChunk()))
        while context.written is None:
            await asyncio.sleep(0)
        context.written.set_exception(RuntimeError("connection reset"))
        await sending

    with pytest.raises(_ClientGone):
        asyncio.run(send())


def test_a_stream_cut_short_never_ends_as_a_success() -> None:
    aborted = []

    class Context:
        async def abort(self, code, details):
            aborted.append((code, details))
            raise grpc.aio.AbortError()

    @_translated
    async def stream(self, request, context):
        raise _ClientGone()

    with pytest.raises(grpc.aio.AbortError):
        asyncio.run(stream(_service(30.0), None, Context()))
    assert aborted == [(grpc.StatusCode.CANCELLED, "the stream ended before it was complete; ask again")]
