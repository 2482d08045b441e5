"""Foleyline's errors as gRPC status codes, by the one table in ``foleyline.errors``, and what a
client is told of a failure.

The servicer aborts calls with ``status_code``, and the jobs layer uses the same names for
``ShotFailed.code`` so a client sees a failed shot and a failed call the same way. Engine and
pipeline code raise ``foleyline.errors.*`` and never import grpc.

Every message that leaves the server (a status, a failed shot's reason, a drafting error, a
warning) goes through ``PublicErrors``: bounded in length, with the server's private folders
(the store, the config folder holding the token) named rather than shown, and an internal error
told only by a reference to the server log, where the traceback is.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from pathlib import Path

import grpc

from foleyline.errors import INTERNAL_CODE, status_code_name

log = logging.getLogger(__name__)

# The longest message a client is sent; the rest is in the server log.
MAX_MESSAGE_CHARS = 1000


def status_code(exc: BaseException) -> grpc.StatusCode:
    return grpc.StatusCode[status_code_name(exc)]


class PublicErrors:
    def __init__(self, private: Mapping[str, Path] | None = None) -> None:
        """``private``: a folder's public name ("the server's data folder") -> the folder."""
        pairs: list[tuple[str, str]] = []
        for name, folder in (private or {}).items():
            for form in {str(Path(folder)), str(Path(folder).expanduser().resolve())}:
                if len(form) > 1:
                    pairs.append((form, f"<{name}>"))
        # Longest first: a folder inside another is named by the inner one. A folder's path
        # counts only as a whole name ("/data" is not the start of "/database").
        self._private = [(re.compile(re.escape(path) + r"(?![\w.-])"), name)
                         for path, name in sorted(pairs, key=lambda pair: -len(pair[0]))]

    def text(self, message: str) -> str:
        for path, name in self._private:
            message = path.sub(name, message)
        if len(message) > MAX_MESSAGE_CHARS:
            message = message[: MAX_MESSAGE_CHARS - 40].rstrip() + " ... (the rest is in the server log)"
        return message

    def of(self, exc: BaseException) -> tuple[grpc.StatusCode, str]:
        """The status and the message a failure is answered with."""
        code = status_code(exc)
        if status_code_name(exc) == INTERNAL_CODE:
            reference = uuid.uuid4().hex[:8]
            log.error("internal error %s: %s", reference, exc, exc_info=exc)
            return code, f"internal error ({type(exc).__name__}, reference {reference}); the server log says more"
        if len(str(exc)) > MAX_MESSAGE_CHARS:
            log.info("full message of a %s answer: %s", code.name, exc)
        return code, self.text(str(exc))


__all__ = ["MAX_MESSAGE_CHARS", "PublicErrors", "status_code"]
