"""The one mapping from Foleyline's exceptions to gRPC status codes.

The servicer aborts calls with it, and the jobs layer uses the same names for ``ShotFailed.code``
so a client sees a failed shot and a failed call the same way. Engine and pipeline code raise
``foleyline.errors.*`` and never import grpc.
"""

from __future__ import annotations

import grpc

from foleyline import errors

# Most specific first: a subclass of one of these maps to its own code only when listed before.
_CODES: tuple[tuple[type[errors.FoleylineError], grpc.StatusCode], ...] = (
    (errors.InvalidInput, grpc.StatusCode.INVALID_ARGUMENT),
    (errors.MediaError, grpc.StatusCode.FAILED_PRECONDITION),
    (errors.NotFound, grpc.StatusCode.NOT_FOUND),
    (errors.PermissionDenied, grpc.StatusCode.PERMISSION_DENIED),
    (errors.Unavailable, grpc.StatusCode.UNAVAILABLE),
    (errors.Cancelled, grpc.StatusCode.CANCELLED),
)


def status_code(exc: BaseException) -> grpc.StatusCode:
    for cls, code in _CODES:
        if isinstance(exc, cls):
            return code
    if isinstance(exc, errors.FoleylineError):
        return grpc.StatusCode.FAILED_PRECONDITION
    return grpc.StatusCode.INTERNAL


def status_code_name(exc: BaseException) -> str:
    return status_code(exc).name
