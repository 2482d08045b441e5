"""Receiving an upload: chunks in, a media file kept under its hash, or refused.

The bytes are staged in the store (named by this process, so a sweep knows whose they are),
hashed as they come and limited in size (``ServerLimits.max_upload_bytes``: beyond it
ResourceExhausted). At the end the file must be what it said (its announced sha256) and media
the server reads, by the same rules as a path (``foleyline.probe``); then the store keeps it
under its hash. Whatever goes wrong, the staged file is removed. The methods block (disk,
hashing, probing): the servicer runs them on a thread pool.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from foleyline.errors import InvalidInput, MediaError, ResourceExhausted
from foleyline.probe import probe
from foleyline.server.store import Store, storage_errors


class Upload:
    def __init__(self, store: Store, max_bytes: int, filename: str, sha256: str) -> None:
        """Stage an upload announced as ``filename`` with the hash ``sha256`` ("" when not said)."""
        self.store = store
        self.max_bytes = max_bytes
        self.name = filename
        self.expected = sha256.lower()
        self.size = 0
        self._digest = hashlib.sha256()
        self._staged: Path | None = store.staging_path(Path(filename).suffix.lower()[:10] or ".bin")
        with storage_errors("receiving an upload"):
            self._handle = open(self._staged, "wb")

    def add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise ResourceExhausted(
                f"the upload is larger than this server takes ({self.max_bytes / 2**20:.0f} MiB); "
                "send a smaller proxy of the clip, or raise the server's setting max_upload_bytes"
            )
        with storage_errors("receiving an upload"):
            self._handle.write(data)
        self._digest.update(data)

    def finish(self) -> tuple[str, bool]:
        """(content hash, already present) once the file is checked and kept."""
        assert self._staged is not None
        with storage_errors("receiving an upload"):
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
        actual = self._digest.hexdigest()
        if self.expected and self.expected != actual:
            raise InvalidInput(f"the upload's sha256 is {actual}, not {self.expected} as announced; send the file again")
        try:
            probe(self._staged)
        except MediaError as exc:
            raise MediaError(str(exc).replace(str(self._staged), f"the upload {self.name[:80]!r}")) from None
        with storage_errors("storing an upload"):
            sha, _path, present = self.store.adopt_media(self._staged, self._staged.suffix)
        self._staged = None
        return sha, present

    def discard(self) -> None:
        """Remove what was staged (after a failure; nothing once ``finish`` kept it)."""
        if not self._handle.closed:
            self._handle.close()
        if self._staged is not None:
            self.store.discard_staged(self._staged)
            self._staged = None


__all__ = ["Upload"]
