"""Requests that cannot be parsed are refused as INVALID_ARGUMENT, saying why.

gRPC decodes a request before any of our code sees it, and answers a decoding failure with
UNKNOWN ("Unexpected DecodeError"), a code that reads as a server bug. A request that does not
parse is the client's: bytes that are not the message (a client built from another proto, a
proxy that damaged them) or a string field that is not UTF-8 (proto3 strings must be; a Linux
file name need not). ``DecodingInterceptor`` hands the Foley service's methods a marker for
such a request, and the marker is refused before the method runs; for an upload, at the chunk
that does not parse, as an ``InvalidInput`` raised into the method, so that its own clean-up
(the staged file) is done before the client hears the answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import grpc
from google.protobuf.message import DecodeError

from foleyline.errors import InvalidInput

SERVICE_PREFIX = "/foleyline.v1.Foley/"


class _Undecodable:
    def __init__(self, method: str, reason: str) -> None:
        self.message = (
            f"the {method} request could not be read ({reason}); strings must be UTF-8 (a media path that is not: "
            "rename the file or upload it), and the client must be built from the server's foley.proto "
            "(foleyline.v1)"
        )


def _lenient(deserializer: Callable[[bytes], object] | None, method: str) -> Callable[[bytes], object]:
    def parse(data: bytes) -> object:
        try:
            return deserializer(data) if deserializer is not None else data
        except DecodeError as exc:
            return _Undecodable(method, str(exc).rsplit(": ", 1)[-1] or "malformed")

    return parse


async def _refuse(request: _Undecodable, context: grpc.aio.ServicerContext) -> None:
    await context.abort(grpc.StatusCode.INVALID_ARGUMENT, request.message)


def _unary_request(behavior: Callable) -> Callable:
    async def call(request, context: grpc.aio.ServicerContext):
        if isinstance(request, _Undecodable):
            await _refuse(request, context)
        return await behavior(request, context)

    return call


def _streamed_requests(behavior: Callable) -> Callable:
    async def call(requests: AsyncIterator, context: grpc.aio.ServicerContext):
        async def checked():
            async for request in requests:
                if isinstance(request, _Undecodable):
                    raise InvalidInput(request.message)
                yield request

        return await behavior(checked(), context)

    return call


class DecodingInterceptor(grpc.aio.ServerInterceptor):
    """Our service's methods get undecodable requests refused as INVALID_ARGUMENT."""

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        method = handler_call_details.method or ""
        if handler is None or not method.startswith(SERVICE_PREFIX):
            return handler
        name = method[len(SERVICE_PREFIX):]
        parse = _lenient(handler.request_deserializer, name)
        if handler.unary_unary:
            return handler._replace(request_deserializer=parse, unary_unary=_unary_request(handler.unary_unary))
        if handler.unary_stream:
            return handler._replace(request_deserializer=parse, unary_stream=_unary_request(handler.unary_stream))
        if handler.stream_unary:
            return handler._replace(request_deserializer=parse, stream_unary=_streamed_requests(handler.stream_unary))
        return handler._replace(request_deserializer=parse, stream_stream=_streamed_requests(handler.stream_stream))


__all__ = ["DecodingInterceptor"]
