"""Atomic file output, in one place: a reader never sees half a file, and a crash leaves
either the old file or the new one (temp file beside the target, fsync, rename, fsync folder).

Several files that belong together (the WAVs of one take) may be written without their own
fsyncs (``durable=False``) and made durable together by one ``sync_written`` before anything
points at them: one flush of their file system instead of four per file."""

from __future__ import annotations

import contextlib
import ctypes
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows, where an editor's panel may run its own server
    fcntl = None
    import msvcrt

__all__ = ["atomic_path", "file_version", "fsync_dir", "lock_now", "replace_durably", "sync_written", "write_bytes_atomic",
           "write_text_atomic"]


def lock_now(fd: int) -> None:
    """Lock the open file ``fd`` for this process, without waiting: BlockingIOError when another
    process holds it. The kernel lets go when the descriptor is closed or the process ends,
    however it ends. POSIX ``flock``; on Windows msvcrt's lock of the file's first byte (so what
    a holder writes goes after it, where others can read it)."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except PermissionError as exc:
        raise BlockingIOError(*exc.args) from None


def _default_mode() -> int:
    # mkstemp makes 0600 files; what we write is for the editor's team, so honour the umask
    # like any other new file. Read once: os.umask can only be read by setting it.
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


_MODE = _default_mode()


def file_version(info: os.stat_result) -> tuple[int, int, int, int, int]:
    """What tells one version of a file from another, for caches of what was read from it: the
    same file (device, inode) with the same size and times. ``st_ctime`` changes with every
    write and cannot be set back, so a rewrite that restores the size and the modification
    time still reads as a new version."""
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


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


def _syncfs():
    """Linux's syncfs(2) (one file system's dirty data and metadata, in one call), or None."""
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (AttributeError, OSError):  # not Linux, or no C library to ask
        return None


_SYNCFS = _syncfs()


def sync_written(paths: Iterable[Path]) -> None:
    """Make files written with ``durable=False`` (and their renames) durable: one syncfs per
    file system where Linux has it, else an fsync of each file and of each folder."""
    paths = [Path(p) for p in paths]
    if _SYNCFS is not None:
        devices: dict[int, Path] = {}
        for path in paths:
            devices.setdefault(path.stat().st_dev, path.parent)
        for folder in devices.values():
            fd = os.open(folder, os.O_RDONLY)
            try:
                if _SYNCFS(fd) == 0:
                    continue
            finally:
                os.close(fd)
            break  # syncfs refused (a sandbox): the portable way below
        else:
            return
    for path in paths:
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
    for folder in {path.parent for path in paths}:
        fsync_dir(folder)


@contextlib.contextmanager
def atomic_path(path: Path, mode: int | None = None, *, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without error the file there
    is fsynced and renamed onto ``path``. On error the temporary file is removed. ``mode``: the
    file's permissions (default: what the umask gives a new file). With ``durable=False`` the
    fsyncs are left to a later ``sync_written``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, _MODE if mode is None else mode)
        yield tmp
        if durable:
            replace_durably(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes_atomic(path: Path, data: bytes, mode: int | None = None, *, durable: bool = True) -> Path:
    with atomic_path(path, mode, durable=durable) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text_atomic(path: Path, text: str, mode: int | None = None) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"), mode)
