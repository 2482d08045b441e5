"""The descriptive text sound libraries embed in their files, read from headers only.

- WAV (RIFF/RF64/BW64): the BWF ``bext`` chunk's Description (and Originator), the ``iXML``
  chunk's free-text fields (NOTE, USER, SCENE, TAKE, PROJECT, track NAMEs; Soundminer's embedded
  DESCRIPTION/CATEGORY tags often live under USER as ``KEY: value`` lines), the RIFF
  ``LIST/INFO`` title, comment, subject, keywords, genre, and an ``id3 `` chunk (taggers that
  treat a WAV like an MP3 write one).
- MP3: ID3v2.3/2.4 text frames (title, artist, album, genre, comments, TXXX descriptions); when
  they hold no text (only cover art, no tag), an ID3v1 tag at the end; else every tag FFmpeg
  reads (an ID3v2.2 tag, an APE tag).
- a UCS CatID written as its own iXML element (``CATID``, ASWG ``catId``) as ``catid``.
- FLAC/Ogg/Opus/AIFF/M4A: every descriptive tag FFmpeg reads (Vorbis comments such as
  DESCRIPTION, TITLE, COMMENT, GENRE, a CATID; AIFF NAME/ANNO and ID3 chunks; iTunes atoms),
  from the container and its audio stream; libsndfile's few tags when FFmpeg cannot open it.

Nothing here decodes audio; a damaged header yields what could be read, never an exception.
"""

from __future__ import annotations

import logging
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import soundfile

log = logging.getLogger(__name__)

_MAX_CHUNK = 4 * 1024 * 1024  # descriptive chunks are small; never read a huge one
_INFO_KEYS = {b"INAM": "title", b"ICMT": "comment", b"ISBJ": "subject", b"IKEY": "keywords", b"IGNR": "genre", b"IART": "artist"}
_IXML_TEXT_TAGS = {"NOTE", "USER", "SCENE", "TAKE", "PROJECT", "TAPE", "NAME", "DESCRIPTION", "CATEGORY", "SUBCATEGORY", "KEYWORDS", "FXNAME"}
_ID3_TEXT = {"TIT1", "TIT2", "TIT3", "TPE1", "TALB", "TCON", "TKEY", "COMM", "TXXX", "USLT"}


def _text(raw: bytes) -> str:
    """A NUL-terminated (or NUL-padded) header string."""
    raw = raw.split(b"\x00", 1)[0]
    for encoding in ("utf-8", "latin-1"):
        try:
            return " ".join(raw.decode(encoding).split())
        except UnicodeDecodeError:
            continue
    return ""


def _riff_chunks(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    with path.open("rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] not in (b"RIFF", b"RF64", b"BW64") or head[8:12] != b"WAVE":
            return found
        while True:
            header = f.read(8)
            if len(header) < 8:
                break
            cid, size = header[:4], struct.unpack("<I", header[4:])[0]
            if cid in (b"bext", b"iXML", b"LIST", b"id3 ", b"ID3 ") and size <= _MAX_CHUNK:
                body = f.read(size)
                if cid == b"bext":
                    found["description"] = _text(body[:256])
                    found["originator"] = _text(body[256:288])
                elif cid == b"iXML":
                    found.update(_ixml_fields(body))
                elif cid in (b"id3 ", b"ID3 "):
                    found.update(_id3_text(body))
                elif body[:4] == b"INFO":
                    found.update(_info_fields(body[4:]))
            else:
                f.seek(size, 1)
            if size % 2:
                f.seek(1, 1)
    return {k: v for k, v in found.items() if v}


def _info_fields(body: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    pos = 0
    while pos + 8 <= len(body):
        key, size = body[pos : pos + 4], struct.unpack("<I", body[pos + 4 : pos + 8])[0]
        if key in _INFO_KEYS:
            out[_INFO_KEYS[key]] = _text(body[pos + 8 : pos + 8 + size])
        pos += 8 + size + (size % 2)
    return out


def _ixml_fields(body: bytes) -> dict[str, str]:
    try:
        root = ET.fromstring(body.rstrip(b"\x00 \r\n\t").decode("utf-8", errors="replace"))
    except ET.ParseError as exc:
        log.debug("unreadable iXML chunk: %s", exc)
        return {}
    texts = [" ".join(el.text.split()) for el in root.iter() if el.tag.upper() in _IXML_TEXT_TAGS and el.text and el.text.strip()]
    found = {"ixml": " ".join(texts)}
    # UCS metadata tools write the CatID as its own element (USER/CATID, ASWG/catId).
    cat_ids = [el.text.strip() for el in root.iter() if el.tag.upper() == "CATID" and el.text and el.text.strip()]
    if cat_ids:
        found["catid"] = cat_ids[0]
    return found


def _syncsafe(b: bytes) -> int:
    return (b[0] << 21) | (b[1] << 14) | (b[2] << 7) | b[3]


def _id3_fields(path: Path) -> dict[str, str]:
    with path.open("rb") as f:
        head = f.read(10)
        if len(head) < 10 or head[:3] != b"ID3":
            return {}
        return _id3_text(head + f.read(min(_syncsafe(head[6:10]), _MAX_CHUNK)))


def _id3_text(tag: bytes) -> dict[str, str]:
    """The text frames of an ID3v2.3/2.4 tag (``tag`` starts at its "ID3" header); nothing for
    another version (v2.2 has three-letter frames: FFmpeg reads those)."""
    if len(tag) < 10 or tag[:3] != b"ID3" or tag[3] not in (3, 4):
        return {}
    version, flags = tag[3], tag[5]
    data = tag[10 : 10 + _syncsafe(tag[6:10])]
    if flags & 0x40 and len(data) >= 4:
        # An extended header comes before the frames: its size counts itself in v2.4, not in v2.3.
        ext = _syncsafe(data[:4]) if version >= 4 else struct.unpack(">I", data[:4])[0] + 4
        data = data[ext:]
    texts: list[str] = []
    pos = 0
    while pos + 10 <= len(data):
        fid = data[pos : pos + 4]
        if not fid.strip(b"\x00"):
            break
        fsize = _syncsafe(data[pos + 4 : pos + 8]) if version >= 4 else struct.unpack(">I", data[pos + 4 : pos + 8])[0]
        body = data[pos + 10 : pos + 10 + fsize]
        pos += 10 + fsize
        name = fid.decode("latin-1", errors="replace")
        if name not in _ID3_TEXT or not body:
            continue
        encoding, payload = body[0], body[1:]
        if name in ("COMM", "USLT"):
            payload = payload[3:]  # language code
        codec = {0: "latin-1", 1: "utf-16", 2: "utf-16-be", 3: "utf-8"}.get(encoding, "latin-1")
        try:
            text = payload.decode(codec, errors="replace")
        except LookupError:
            continue
        texts.append(" ".join(text.replace("\x00", " ").split()))
    return {"id3": " ".join(t for t in texts if t)}


def _id3v1_fields(path: Path) -> dict[str, str]:
    """The ID3v1 tag in a file's last 128 bytes: title, artist, album, comment (FFmpeg skips
    it when the file also has an ID3v2 tag, such as one holding only cover art)."""
    with path.open("rb") as f:
        if f.seek(0, 2) < 128:
            return {}
        f.seek(-128, 2)
        tag = f.read(128)
    if tag[:3] != b"TAG":
        return {}
    fields = {"title": tag[3:33], "artist": tag[33:63], "album": tag[63:93], "comment": tag[97:127]}
    return {k: v for k, raw in fields.items() if (v := _text(raw))}


def _sndfile_tags(path: Path) -> dict[str, str]:
    try:
        with soundfile.SoundFile(str(path)) as f:
            meta = f.copy_metadata()
    except Exception as exc:  # unreadable or unsupported: the file name still indexes it
        log.debug("no tags from %s: %s", path, exc)
        return {}
    keys = ("title", "comment", "artist", "album", "genre")
    return {k: " ".join(str(meta[k]).split()) for k in keys if meta.get(k)}


# Tags that say how or when a file was made, not what it sounds like.
_TECHNICAL_TAGS = frozenset({
    "encoder", "encoded_by", "encoding", "vendor", "vendor_id", "creation_time", "date", "year", "handler_name",
    "major_brand", "minor_version", "compatible_brands", "duration", "track", "tracknumber", "tracktotal",
    "disc", "discnumber", "language", "copyright", "license", "isrc", "bpm", "compilation",
})


def _av_tags(path: Path) -> dict[str, str]:
    """Descriptive tags of the container and its audio stream, keys lower-cased (Vorbis
    comments are case-free: DESCRIPTION, Description); a UCS CatID tag as ``catid``."""
    from foleyline.probe import open_media

    try:
        _, container = open_media(path)  # the file alone: a playlist named .ogg opens nothing else
        with container:
            tags = dict(container.metadata)
            for stream in container.streams.audio[:1]:
                tags.update(stream.metadata)
    except Exception as exc:  # FFmpeg cannot read it: libsndfile's tags, or the file name alone
        log.debug("no FFmpeg tags from %s: %s", path, exc)
        # Not for an MP3: libsndfile's mpg123 would print its complaints about it on the terminal.
        return _sndfile_tags(path) if path.suffix.lower() != ".mp3" else {}
    out: dict[str, str] = {}
    for key, value in tags.items():
        key = key.lower()
        text = " ".join(str(value).split())
        if not text or key in _TECHNICAL_TAGS or key.startswith(("replaygain", "musicbrainz", "itunes")):
            continue
        out["catid" if key.replace("_", "").replace(" ", "") in ("catid", "ucscatid") else key] = text
    return out


def read_metadata(path: Path) -> dict[str, str]:
    """Descriptive text fields of one sound file (possibly empty)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".wav", ".bwf", ".rf64"):
            fields = _riff_chunks(path)
        elif suffix == ".mp3":
            # An ID3v2 tag in front; where it says nothing, whatever tags FFmpeg finds.
            fields = {k: v for k, v in _id3_fields(path).items() if v} or _id3v1_fields(path) or _av_tags(path)
        else:
            fields = _av_tags(path)
    except OSError as exc:
        log.warning("cannot read %s: %s", path, exc)
        return {}
    return {k: v for k, v in fields.items() if v}
