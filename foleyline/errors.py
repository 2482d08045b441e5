"""The package's own exceptions. Each message says what was wrong and what to do.

The CLI prints these as one line. Across the API each is a gRPC status code, by the one table
below (``STATUS_CODES``): the server answers a failure with its code
(``foleyline.server.status``), the client raises the error of a code
(``foleyline.plugin.client``). Codes are named, not imported, so engines and the core never
import grpc.
"""


class FoleylineError(Exception):
    """Base of every error the user can act on."""


class InvalidInput(FoleylineError):
    """The input is malformed: a timeline, a notes text, a range, a setting."""


class MediaError(FoleylineError):
    """Media is missing, unreadable, corrupt, too large or has no picture."""


class NotFound(FoleylineError):
    """A take, job, file or model that was named does not exist."""


class PermissionDenied(FoleylineError):
    """A path outside the allowed roots, or a missing/wrong token."""


class StorageError(FoleylineError):
    """The server cannot write its own store: a read-only or vanished folder, a file where a
    folder belongs. Its administrator fixes it; sending the request again does not. Not in the
    table: answered ``OTHER_ERROR_CODE`` (FAILED_PRECONDITION, a state to fix first), which a
    client receives as the table's error of that code."""


class Unavailable(FoleylineError):
    """A server, engine or model cannot be reached or loaded right now."""


class Cancelled(FoleylineError):
    """The work was cancelled by the user."""


class ResourceExhausted(FoleylineError):
    """The server is at one of its limits: open streams, an upload's size, a full disk."""


# Error <-> gRPC status code name, most specific first: a subclass of one of these maps to its
# own code only when listed before it.
STATUS_CODES: tuple[tuple[type[FoleylineError], str], ...] = (
    (InvalidInput, "INVALID_ARGUMENT"),
    (MediaError, "FAILED_PRECONDITION"),
    (NotFound, "NOT_FOUND"),
    (PermissionDenied, "PERMISSION_DENIED"),
    (Unavailable, "UNAVAILABLE"),
    (Cancelled, "CANCELLED"),
    (ResourceExhausted, "RESOURCE_EXHAUSTED"),
)
# The code of a Foleyline error the table does not list, and of anything else (a bug).
OTHER_ERROR_CODE = "FAILED_PRECONDITION"
INTERNAL_CODE = "INTERNAL"
# Codes our server never answers with but gRPC itself (or a proxy) does, for the same causes.
ALSO_MEANS: dict[str, type[FoleylineError]] = {
    "OUT_OF_RANGE": InvalidInput,
    "UNAUTHENTICATED": PermissionDenied,
    "DEADLINE_EXCEEDED": Unavailable,
}


def status_code_name(exc: BaseException) -> str:
    """The gRPC status code name a failure is answered with."""
    for cls, code in STATUS_CODES:
        if isinstance(exc, cls):
            return code
    return OTHER_ERROR_CODE if isinstance(exc, FoleylineError) else INTERNAL_CODE


def error_class(code_name: str) -> type[FoleylineError]:
    """The error a client raises for a gRPC status code name (FoleylineError when none fits)."""
    for cls, code in STATUS_CODES:
        if code == code_name:
            return cls
    return ALSO_MEANS.get(code_name, FoleylineError)
