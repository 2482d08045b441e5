"""The package's own exceptions. Each message says what was wrong and what to do.

The CLI prints these as one line; the server maps them to gRPC status codes in one place
(``foleyline.server.service``).
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


class Unavailable(FoleylineError):
    """A server, engine or model cannot be reached or loaded right now."""


class Cancelled(FoleylineError):
    """The work was cancelled by the user."""
