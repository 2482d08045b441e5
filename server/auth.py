"""Token authentication: a server interceptor (grpc.aio) that refuses calls without the server's
token.

The client sends ``authorization: Bearer <token>``; the scheme is read without regard to case and
the token without the spaces around it (RFC 7235; a token never holds a space), as hand-written
clients and proxies send it. Every RPC of the Foley service and of
reflection needs it. The standard health service does not: health probes (a load balancer, a
service manager, ``grpc_health_probe``) carry no secrets, and "is it up" reveals nothing. A
refusal says where the token lives in words, never the server's paths.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

import grpc

from foleyline.config import MIN_TOKEN_CHARS
from foleyline.errors import InvalidInput

METADATA_KEY = "authorization"
OPEN_SERVICES = ("/grpc.health.v1.Health/",)
TOKEN_HINT = ("the token is in the file 'token' of Foleyline's config folder on the server's machine "
              "(or its token setting)")


def _refusal(message: str) -> Callable:
    async def abort(_request, context: grpc.aio.ServicerContext):
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    return abort


class TokenInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, token: str, *, hint: bool = True) -> None:
        """``hint``: say where the token lives (it is the user's token file, not one handed in)."""
        if len(token or "") < MIN_TOKEN_CHARS:
            raise InvalidInput(f"the server's token must be at least {MIN_TOKEN_CHARS} characters")
        self._expected = token.encode()
        self._hint = hint

    async def intercept_service(self, continuation, handler_call_details):
        method = handler_call_details.method or ""
        if method.startswith(OPEN_SERVICES):
            return await continuation(handler_call_details)
        presented = ""
        for key, value in handler_call_details.invocation_metadata or ():
            if key == METADATA_KEY:
                presented = value if isinstance(value, str) else value.decode(errors="replace")
                break
        scheme, _, token = presented.strip().partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), self._expected):
            return await continuation(handler_call_details)
        if not presented.strip():
            message = "this server needs its token: send 'authorization: Bearer <token>'"
        elif scheme.lower() != "bearer":
            message = "the authorization must be 'Bearer <token>' (the word Bearer, a space, then the token)"
        else:
            message = "the token does not match this server's"
        if self._hint:
            message += f"; {TOKEN_HINT}"
        return self._abort_handler(await continuation(handler_call_details), message)

    @staticmethod
    def _abort_handler(handler: grpc.RpcMethodHandler | None, message: str) -> grpc.RpcMethodHandler:
        # The refusal must have the same shape (unary/stream) as the method it stands in for.
        abort = _refusal(message)
        if handler is None or (not handler.request_streaming and not handler.response_streaming):
            return grpc.unary_unary_rpc_method_handler(abort)
        if handler.request_streaming and handler.response_streaming:
            return grpc.stream_stream_rpc_method_handler(abort)
        if handler.request_streaming:
            return grpc.stream_unary_rpc_method_handler(abort)
        return grpc.unary_stream_rpc_method_handler(abort)
