"""A request that cannot be parsed (not the message, or a string that is not UTF-8) is the
client's fault: INVALID_ARGUMENT saying what could not be read, never UNKNOWN, and an upload cut
short by one leaves nothing staged."""

from __future__ import annotations

import grpc
import pytest

from foleyline.protos.v1 import foley_pb2 as pb
from serverkit import TOKEN, make_shot

METADATA = (("authorization", f"Bearer {TOKEN}"),)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field, built by hand (our own stubs refuse to build a bad one)."""
    out = bytearray([number << 3 | 2])
    size = len(payload)
    while size >= 0x80:
        out.append(size & 0x7F | 0x80)
        size >>= 7
    out.append(size)
    return bytes(out) + payload


def _refusal(server, kind: str, method: str, payload) -> grpc.RpcError:
    with grpc.insecure_channel(server.address) as channel:
        call = getattr(channel, kind)(f"/foleyline.v1.Foley/{method}")
        with pytest.raises(grpc.RpcError) as caught:
            result = call(payload, metadata=METADATA, timeout=30)
            if kind != "unary_unary" and kind != "stream_unary":
                list(result)
    return caught.value


# A shot whose media path is the bytes of a Linux file name that is not UTF-8 (the later media
# field wins when parsed).
_NOT_UTF8 = _field(1, make_shot(None, shot_id="s").SerializeToString() + _field(3, _field(1, b"/media/\xff\xfe.mov")))


@pytest.mark.parametrize("kind, method, payload, said", [
    ("unary_unary", "CancelJob", b"\xff\xff\xff\xff", "could not be read"),
    ("unary_unary", "CancelJob", _field(1, b"job-\xff"), "UTF-8"),
    ("unary_stream", "Generate", _NOT_UTF8, "UTF-8"),
    ("unary_stream", "Generate", b"\x0a\xff\xff\xff\x0f", "could not be read"),
])
def test_a_request_that_cannot_be_parsed_is_invalid_argument(server, kind: str, method: str, payload: bytes, said: str) -> None:
    refused = _refusal(server, kind, method, payload)
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert method in refused.details() and said in refused.details()
    assert not server.store.list_jobs()


def test_an_upload_with_a_chunk_that_cannot_be_parsed_is_refused_and_leaves_nothing(server, clip_path) -> None:
    data = clip_path.read_bytes()
    first = pb.MediaChunk(filename="fall.mp4", data=data[:4096]).SerializeToString()
    refused = _refusal(server, "stream_unary", "UploadMedia", iter([first, b"\xff\xff\xff"]))
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT and "UploadMedia" in refused.details()
    assert not list(server.store.tmp_dir.iterdir()) and not list(server.store.media_dir.rglob("*.*"))


def test_a_malformed_request_without_the_token_is_still_unauthenticated(server) -> None:
    with grpc.insecure_channel(server.address) as channel:
        with pytest.raises(grpc.RpcError) as caught:
            channel.unary_unary("/foleyline.v1.Foley/CancelJob")(b"\xff\xff", timeout=30)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
