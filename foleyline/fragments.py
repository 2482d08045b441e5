"""How late FFmpeg shows the pictures of a fragmented MP4/QuickTime file with negative
composition offsets, read from the file's first fragment.

A fragmented file (CMAF, DASH and HLS segments, a recorder's crash-safe MP4) may time a
reordered picture before its decode time: its 'trun' box gives a negative composition offset
(FFmpeg's ``negative_cts_offsets``, which CMAF asks for). The format shows each picture at its
decode time plus its offset, and players do so. FFmpeg's demuxer adds the largest negative
offset to every picture's time instead (``dts_shift``), so the pictures come out that much
later than the file's sound: two frames for an H.264 encoder's usual B-frame delay (83 ms at
23.976). A file with its index in one 'moov' box is read right (FFmpeg lowers the decode times
there); only fragments are shifted.

Reads box headers and the fragments' indexes ('moof'), not the media; anything unexpected
reads as no shift.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from foleyline.fsutil import file_version

# Top-level boxes read at most: two a fragment (moof, mdat), a fragment a second or more, for
# a file of ten hours; beyond that the shift found so far stands.
_MAX_TOP_BOXES = 80_000
# A 'moof' larger than this is not one fragment's index.
_MAX_MOOF_BYTES = 16 << 20
_TRUN_DATA_OFFSET, _TRUN_FIRST_FLAGS = 0x1, 0x4
_TRUN_DURATION, _TRUN_SIZE, _TRUN_FLAGS, _TRUN_CTS = 0x100, 0x200, 0x400, 0x800


def top_boxes(f: BinaryIO, most: int) -> Iterator[tuple[bytes, int, int]]:
    """(kind, offset, size) of the top-level boxes of an open MP4/QuickTime file, in order, at
    most ``most``, read from their headers alone. ``size`` is the header's (its 64-bit form
    read; 0: the box runs to the end of the file); the walk stops at a header the file cannot
    hold and after a size too small to be a box, which the caller judges."""
    size_on_disk = os.fstat(f.fileno()).st_size
    at = 0
    for _ in range(most):
        if at + 8 > size_on_disk:
            return
        f.seek(at)
        head = f.read(16)
        size, kind = int.from_bytes(head[:4], "big"), head[4:8]
        if size == 1 and len(head) == 16:
            size = int.from_bytes(head[8:16], "big")
        yield kind, at, size
        if size < 8:
            return
        at += size


def _boxes(data: bytes, at: int, end: int):
    while at + 8 <= end:
        size, kind = int.from_bytes(data[at:at + 4], "big"), data[at + 4:at + 8]
        head = 8
        if size == 1:
            size, head = int.from_bytes(data[at + 8:at + 16], "big"), 16
        if size < head or at + size > end:
            return
        yield kind, at + head, at + size
        at += size


def _fragments(p: Path):
    """The 'moof' boxes FFmpeg has read before it gives the first picture: every one in the
    file, or where a segment index ('sidx') comes first, which FFmpeg then reads fragment by
    fragment, the first."""
    with open(p, "rb") as f:
        size_on_disk = os.fstat(f.fileno()).st_size
        indexed = False
        for kind, at, size in top_boxes(f, _MAX_TOP_BOXES):
            if size < 8 or at + size > size_on_disk:
                return
            indexed = indexed or kind == b"sidx"
            if kind == b"moof" and size <= _MAX_MOOF_BYTES:
                f.seek(at)
                yield f.read(size)
                if indexed:
                    return


def _negative_offset(trun: bytes) -> int:
    """The largest negative composition offset of one 'trun', in the track's ticks (0 if none).
    FFmpeg reads the offsets as signed whatever the box's version, and so does this."""
    if len(trun) < 8:
        return 0
    flags = int.from_bytes(trun[1:4], "big")
    count = int.from_bytes(trun[4:8], "big")
    if not flags & _TRUN_CTS:
        return 0
    at = 8 + 4 * bool(flags & _TRUN_DATA_OFFSET) + 4 * bool(flags & _TRUN_FIRST_FLAGS)
    width = 4 * sum(bool(flags & f) for f in (_TRUN_DURATION, _TRUN_SIZE, _TRUN_FLAGS, _TRUN_CTS))
    offset_at = width - 4
    shift = 0
    for _ in range(min(count, (len(trun) - at) // width)):
        cts = int.from_bytes(trun[at + offset_at:at + width], "big", signed=True)
        shift = max(shift, -cts)
        at += width
    return shift


def picture_lag_ticks(p: Path, track_id: int) -> int:
    """Ticks (of the track's time base) by which FFmpeg times track ``track_id``'s pictures
    later than the file does: the largest negative composition offset in the fragments FFmpeg
    reads at open (``_fragments``). 0 for a file without fragments.

    Read once per version of the file: a long shot's pictures are read again a window at a
    time, each opening the file, and a long recording has thousands of fragments."""
    try:
        return _lag(p, file_version(os.stat(p)), track_id)
    except OSError:
        return 0


@lru_cache(maxsize=256)
def _lag(p: Path, _version: tuple[int, ...], track_id: int) -> int:
    shift = 0
    try:
        for moof in _fragments(p):
            for kind, start, end in _boxes(moof, 8, len(moof)):
                if kind != b"traf":
                    continue
                children = list(_boxes(moof, start, end))
                tfhd = next((moof[s:e] for k, s, e in children if k == b"tfhd"), b"")
                if len(tfhd) < 8 or int.from_bytes(tfhd[4:8], "big") != track_id:
                    continue
                for k, s, e in children:
                    if k == b"trun":
                        shift = max(shift, _negative_offset(moof[s:e]))
    except OSError:
        return 0
    return shift


__all__ = ["picture_lag_ticks", "top_boxes"]
