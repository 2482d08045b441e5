"""Foleyline's errors as gRPC status codes, by the one table in ``foleyline.errors``.

The servicer aborts calls with ``status_code``, and the jobs layer uses the same names for
``ShotFailed.code`` so a client sees a failed shot and a failed call the same way. Engine and
pipeline code raise ``foleyline.errors.*`` and never import grpc.
"""

from __future__ import annotations

import grpc

from foleyline.errors import status_code_name


def status_code(exc: BaseException) -> grpc.StatusCode:
    return grpc.StatusCode[status_code_name(exc)]


__all__ = ["status_code"]
