"""One server to a data folder: ``server.lock`` in it, held (``flock``) while a server runs.

A second server on the same folder would mark the first one's running jobs 'interrupted' as it
starts, sweep or collect beside it and run the same queued job twice; it is refused before it
reads the store, saying which process holds the folder. The kernel lets go of the lock when its
process ends however it ends (a kill -9, a power cut), so a lock is never left behind; the file
stays, and says who held it last. ``foleyline store gc`` is no server and takes no lock: it
leaves a live process's staged files alone and collects only what no take names.
"""

from __future__ import annotations

import os
from pathlib import Path

from foleyline.errors import Unavailable
from foleyline.fsutil import lock_now

LOCK_NAME = "server.lock"


def _read_holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 200).decode("utf-8", "replace").strip("\x00 \n")
    except OSError:
        return ""


class DataDirLock:
    """The data folder's lock, held from ``acquire`` to ``release``."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self, address: str) -> DataDirLock:
        """Take the lock for a server listening on ``address``; Unavailable when another
        process holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            lock_now(fd)
        except BlockingIOError:
            holder = _read_holder(fd) or "another process"
            os.close(fd)
            raise Unavailable(
                f"another Foleyline server ({holder}) uses the data folder {self.path.parent}; send your requests to "
                "that server (--server, or FOLEYLINE_SERVER), or give this one a data folder of its own (--data-dir)"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self.say(f"asked to listen on {address}")
        return self

    def say(self, where: str) -> None:
        """Write who holds the lock (this process, ``where`` it listens), for a refused server
        to tell."""
        if self._fd is not None:
            os.ftruncate(self._fd, 1)
            os.lseek(self._fd, 1, os.SEEK_SET)  # after the byte Windows locks (fsutil.lock_now)
            os.write(self._fd, f"process {os.getpid()}, {where}\n".encode())

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor lets go of the flock
            self._fd = None
