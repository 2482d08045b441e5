"""Atomic file output, in one place: a reader never sees half a file, and a crash leaves
either the old file or the new one (temp file beside the target, fsync, rename, fsync folder)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "fsync_dir", "replace_durably", "write_bytes_atomic", "write_text_atomic"]


def _default_mode() -> int:
    # mkstemp makes 0600 files; what we write is for the editor's team, so honour the umask
    # like any other new file. Read once: os.umask can only be read by setting it.
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


_MODE = _default_mode()


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable, where the OS allows opening folders."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def replace_durably(src: Path, dst: Path) -> None:
    """Move a finished file onto ``dst`` (same file system): fsync it, rename, fsync the folder."""
    with open(src, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(src, dst)
    fsync_dir(Path(dst).parent)


@contextlib.contextmanager
def atomic_path(path: Path, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without error the file there
    is fsynced and renamed onto ``path``. On error the temporary file is removed. ``mode``: the
    file's permissions (default: what the umask gives a new file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, _MODE if mode is None else mode)
        yield tmp
        replace_durably(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes_atomic(path: Path, data: bytes, mode: int | None = None) -> Path:
    with atomic_path(path, mode) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text_atomic(path: Path, text: str, mode: int | None = None) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"), mode)
