"""The chunks of a RIFF WAVE file: find them, read one, and rebuild a file with some replaced.

Both sides need this: the server re-stamps a take's iXML (``server.media.bwf``) and the client
tells whose take a WAV already in a folder holds (``plugin.take_files``). The bext layout is
EBU Tech 3285; only the fields read back are named here (the writer is ``server.media.bwf``).

    RIFF <size> WAVE  then chunks: <4-byte tag> <uint32 size> <payload> [pad byte to even]
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

__all__ = ["PCM_BITS", "Chunk", "NotAWave", "bext_originator_reference", "bext_time_reference", "chunks", "read_chunk", "rebuilt"]

# The bit depth of each PCM sample format, as soundfile names them: what a Pro Tools AAF's
# descriptor and an xmeml's samplecharacteristics say of a take.
PCM_BITS = {"PCM_16": 16, "PCM_24": 24, "PCM_32": 32, "FLOAT": 32, "PCM_U8": 8}

# bext: Description (256), Originator (32), OriginatorReference (32), OriginationDate (10),
# OriginationTime (8), TimeReferenceLow, TimeReferenceHigh (uint32 each), ...
_BEXT_REFERENCE = slice(256 + 32, 256 + 32 + 32)
_BEXT_TIME_REFERENCE = slice(256 + 32 + 32 + 10 + 8, 256 + 32 + 32 + 10 + 8 + 8)


class NotAWave(ValueError):
    """The bytes are not a RIFF WAVE file (or are cut short)."""


@dataclass(frozen=True)
class Chunk:
    tag: bytes       # b"fmt ", b"bext", b"iXML", b"data", b"C2PA", ...
    offset: int      # where its payload starts in the file
    size: int        # payload bytes (without the pad byte)


def chunks(data: bytes) -> list[Chunk]:
    """The chunks of the WAVE file ``data``, in order."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise NotAWave("not a RIFF WAVE file")
    found, position = [], 12
    while position + 8 <= len(data):
        tag, size = data[position : position + 4], struct.unpack("<I", data[position + 4 : position + 8])[0]
        if position + 8 + size > len(data):
            raise NotAWave(f"chunk {tag!r} runs past the end of the file")
        found.append(Chunk(tag, position + 8, size))
        position += 8 + size + (size & 1)
    return found


def read_chunk(path: str | PathLike, tag: bytes) -> bytes | None:
    """The payload of the first ``tag`` chunk of the WAV at ``path``, or None when it has none.
    Reads headers and that chunk only (never the audio)."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as handle:
        header = handle.read(12)
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
            raise NotAWave(f"{path} is not a RIFF WAVE file")
        position = 12
        while position + 8 <= size:
            handle.seek(position)
            found, length = handle.read(4), struct.unpack("<I", handle.read(4))[0]
            if position + 8 + length > size:
                raise NotAWave(f"{path}: chunk {found!r} runs past the end of the file")
            if found == tag:
                return handle.read(length)
            position += 8 + length + (length & 1)
    return None


def bext_originator_reference(path: str | PathLike) -> str | None:
    """The bext OriginatorReference of a WAV (None without a bext chunk)."""
    payload = read_chunk(path, b"bext")
    if payload is None or len(payload) < _BEXT_REFERENCE.stop:
        return None
    return payload[_BEXT_REFERENCE].split(b"\0", 1)[0].decode("ascii", errors="replace")


def bext_time_reference(path: str | PathLike) -> int | None:
    """The bext TimeReference of a WAV: its first sample, in samples since midnight (None
    without a bext chunk)."""
    payload = read_chunk(path, b"bext")
    if payload is None or len(payload) < _BEXT_TIME_REFERENCE.stop:
        return None
    return struct.unpack("<Q", payload[_BEXT_TIME_REFERENCE])[0]


def rebuilt(data: bytes, replace: dict[bytes, bytes | None]) -> bytes:
    """The WAVE file ``data`` with the chunks named in ``replace`` given new payloads (None:
    dropped); every other chunk, the audio included, is copied byte for byte, in order."""
    parts = []
    for chunk in chunks(data):
        payload = replace.get(chunk.tag, data[chunk.offset : chunk.offset + chunk.size])
        if payload is None:
            continue
        parts.append(chunk.tag + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) & 1 else b""))
    body = b"WAVE" + b"".join(parts)
    return b"RIFF" + struct.pack("<I", len(body)) + body
