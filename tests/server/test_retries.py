"""A Generate sent again: with the request id it first carried (a client retrying after its
connection dropped), it is the job it made, never a second one; a reused id with another request
is refused by name; without an id (a client from before the field), each request is a job of its
own. The field travels both ways between old and new peers, and the plugin's stream sends the
same request again when the connection drops after the job was accepted."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
from foleyline.plugin.client import FoleyClient, GenerateCall
from foleyline.protos.v1 import foley_pb2 as pb
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from serverkit import collect, make_shot

from foleyline.errors import InvalidInput, Unavailable

SAFETY_S = 60.0


def _send(client: FoleyClient, shots: list[pb.Shot], request_id: str = ""):
    """A Generate exactly as given: no retry of our own, the id only when one is given."""
    request = pb.GenerateRequest(shots=shots, request_id=request_id)
    return client._stub.Generate(request, metadata=client._metadata, timeout=SAFETY_S)


def _takes(grouped: dict) -> list[str]:
    return sorted(take.id for take in grouped.get("take_ready", []))


def test_a_request_resent_with_its_id_after_the_connection_dropped_is_the_same_job(
        server, client, clip_path: Path, fake_engine) -> None:
    shots = [make_shot(clip_path, shot_id=f"drop{i}") for i in range(2)]
    fake_engine.held.add("drop0")
    first = _send(client, shots, "req-drop")
    job_id = next(first).job_id
    deadline = time.monotonic() + SAFETY_S
    while not fake_engine.calls and time.monotonic() < deadline:
        time.sleep(0.02)
    first.cancel()  # the connection drops mid-shot
    fake_engine.held.clear()

    again = collect(_send(client, shots, "req-drop"))
    assert again["_job"] == [job_id]
    assert [job.job_id for job in client.list_jobs()] == [job_id]
    assert again["done"][0].shots_done == 2 and len(_takes(again)) == 2


def test_a_request_resent_after_its_job_finished_replays_it_and_runs_nothing_again(
        server, client, clip_path: Path, fake_engine) -> None:
    shots = [make_shot(clip_path, shot_id="finished")]
    done = collect(_send(client, shots, "req-done"))
    calls = len(fake_engine.calls)
    again = collect(_send(client, shots, "req-done"))
    assert again["_job"] == done["_job"] and _takes(again) == _takes(done)
    assert len(fake_engine.calls) == calls
    assert len(client.list_jobs()) == 1


def test_copies_of_one_request_arriving_together_make_one_job(server, client, clip_path: Path) -> None:
    shots = [make_shot(clip_path, shot_id="together")]
    with ThreadPoolExecutor(3) as pool:
        streams = list(pool.map(lambda _n: collect(_send(client, shots, "req-together")), range(3)))
    assert len({stream["_job"][0] for stream in streams}) == 1
    assert all(len(_takes(stream)) == 1 for stream in streams)
    assert len(client.list_jobs()) == 1


def test_a_request_id_reused_for_another_request_is_refused_naming_the_field(server, client, clip_path: Path) -> None:
    collect(_send(client, [make_shot(clip_path, shot_id="one")], "req-reused"))
    with pytest.raises(grpc.RpcError) as refused:
        collect(_send(client, [make_shot(clip_path, shot_id="other")], "req-reused"))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert refused.value.details().startswith("request_id: 'req-reused' was sent before with other shots")
    assert len(client.list_jobs()) == 1


def test_a_request_id_is_bounded_like_any_id(server, client, clip_path: Path) -> None:
    for request_id, said in (("k" * 257, "request_id: is 257 characters long"), ("a\nb", "request_id: holds the control")):
        with pytest.raises(grpc.RpcError) as refused:
            collect(_send(client, [make_shot(clip_path)], request_id))
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert refused.value.details().startswith(said)


def test_requests_without_an_id_are_each_a_job_of_their_own(server, client, clip_path: Path) -> None:
    # A client from before the field: what it got then, it gets now.
    shots = [make_shot(clip_path, shot_id="old")]
    assert collect(_send(client, shots))["_job"] != collect(_send(client, shots))["_job"]
    assert len(client.list_jobs()) == 2


def _request_type_without_the_id():
    """GenerateRequest as a server from before the field declares it."""
    older = descriptor_pb2.FileDescriptorProto()
    pb.DESCRIPTOR.CopyToProto(older)
    message = next(m for m in older.message_type if m.name == "GenerateRequest")
    kept = [field for field in message.field if field.name != "request_id"]
    del message.field[:]
    message.field.extend(kept)
    # A pool of its own: the old server's types beside ours, under the same names.
    pool = descriptor_pool.DescriptorPool()
    for dependency in pb.DESCRIPTOR.dependencies:
        dependency_proto = descriptor_pb2.FileDescriptorProto()
        dependency.CopyToProto(dependency_proto)
        pool.Add(dependency_proto)
    pool.Add(older)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("foleyline.v1.GenerateRequest"))


def test_the_request_id_travels_between_old_and_new_peers(clip_path: Path) -> None:
    older = _request_type_without_the_id()
    assert "request_id" not in older.DESCRIPTOR.fields_by_name
    new = pb.GenerateRequest(shots=[make_shot(clip_path, shot_id="s")], settings=pb.GenerateSettings(num_takes=2),
                             request_id="req-compat")
    # A new client, an old server: the shots and settings read as before; the id is an unknown
    # field it keeps (and ignores: each request a job, as that server always did).
    read_by_old = older.FromString(new.SerializeToString())
    assert [shot.id for shot in read_by_old.shots] == ["s"] and read_by_old.settings.num_takes == 2
    assert pb.GenerateRequest.FromString(read_by_old.SerializeToString()).request_id == "req-compat"
    # An old client, a new server: no id, so a new job, as before.
    from_old = older()
    from_old.shots.add().ParseFromString(make_shot(clip_path, shot_id="s").SerializeToString())
    assert pb.GenerateRequest.FromString(from_old.SerializeToString()).request_id == ""


class _Dropped(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE, details: str = "connection reset") -> None:
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


def _event(kind: str, value: str = "") -> pb.GenerateEvent:
    event = pb.GenerateEvent(job_id="job-1")
    if kind == "accepted":
        event.accepted.shot_count = 2
    elif kind == "take":
        event.take_ready.id = value
    elif kind == "failed":
        event.shot_failed.shot_id = value
    else:
        event.done.shots_done = 2
    return event


def _streams(*scripts: list) -> tuple[list[int], callable]:
    """A start function handing out one scripted stream per call (an item that is an error is
    raised there), and the count of calls."""
    started: list[int] = []

    def start() -> Iterator[pb.GenerateEvent]:
        script = scripts[len(started)]
        started.append(1)

        def stream():
            for item in script:
                if isinstance(item, Exception):
                    raise item
                yield item
        return stream()

    return started, start


def test_the_plugin_sends_the_same_request_again_when_the_connection_drops_after_acceptance() -> None:
    started, start = _streams(
        [_event("accepted"), _event("take", "t1"), _event("failed", "s9"), _Dropped()],
        [_event("accepted"), _event("take", "t1"), _event("failed", "s9"), _event("take", "t2"), _event("done")],
    )
    call = GenerateCall(start, "127.0.0.1:1", "req-1", first_wait_s=0.0)
    kinds = [(event.WhichOneof("event"), event.take_ready.id or event.shot_failed.shot_id) for event in call]
    # What the server replays for the resent request is not handed out twice.
    assert kinds == [("accepted", ""), ("take_ready", "t1"), ("shot_failed", "s9"), ("take_ready", "t2"), ("done", "")]
    assert len(started) == 2


def test_the_plugin_does_not_retry_before_acceptance_nor_past_its_retries_and_tells_the_first_drop() -> None:
    _started, start = _streams([_Dropped(details="no server")])
    with pytest.raises(Unavailable, match="no server"):
        list(GenerateCall(start, "127.0.0.1:1", "req-2", first_wait_s=0.0))
    started, start = _streams(*([[_event("accepted"), _Dropped(details=f"drop {n}")] for n in range(3)]))
    with pytest.raises(Unavailable, match="drop 0"):
        list(GenerateCall(start, "127.0.0.1:1", "req-3", retries=2, first_wait_s=0.0))
    assert len(started) == 3
    _started, start = _streams([_event("accepted"), _Dropped(grpc.StatusCode.INVALID_ARGUMENT, "bad")])
    with pytest.raises(InvalidInput, match="bad"):
        list(GenerateCall(start, "127.0.0.1:1", "req-4", first_wait_s=0.0))


def test_each_generate_of_the_plugin_names_its_request_and_keeps_the_name_given(server, client, clip_path: Path) -> None:
    fresh = client.generate([make_shot(clip_path, shot_id="named")])
    collect(fresh)
    assert uuid.UUID(hex=fresh.request_id)
    given = client.generate([make_shot(clip_path, shot_id="named")], request_id=fresh.request_id)
    collect(given)
    assert given.request_id == fresh.request_id and len(client.list_jobs()) == 1
