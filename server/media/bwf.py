"""Broadcast WAV writer: 24-bit PCM with a bext and an iXML chunk, written atomically.

No maintained library writes bext, so this is a small, explicit RIFF writer (EBU Tech 3285
for bext, the iXML 2.x specification for iXML). Layout::

    RIFF <size> WAVE
      fmt   PCM (or WAVE_FORMAT_EXTENSIBLE above two channels), 24 bits
      bext  602 bytes + coding history   (TimeReference = samples since midnight)
      iXML  UTF-8 XML: project, scene (= shot), take, note, speed, track names
      data  interleaved little-endian 24-bit samples

The TimeReference is the sample count since midnight of the file's first sample (handles
included), at the real rate: use ``foleyline.timebase.samples_since_midnight``.

``write_take`` writes one stem (or the mix) of a take with the fields a sound editor reads.
"""

from __future__ import annotations

import datetime as dt
import os
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from foleyline import __version__
from foleyline.errors import InvalidInput, MediaError
from foleyline.fsutil import write_bytes_atomic
from foleyline.timebase import OUTPUT_SAMPLE_RATE, FrameRate

BITS = 24
_MAX_RIFF = 0xFFFFFFFF
_BEXT_FIXED = 602
_UNKNOWN_LOUDNESS = 0x7FFF  # EBU Tech 3285 v2: "not measured"
_PCM_GUID = bytes.fromhex("0100000000001000800000aa00389b71")


@dataclass(frozen=True)
class BextInfo:
    """The bext chunk. Text is ASCII (others become '?') and cut to the field's size."""

    description: str = ""             # 256 chars
    originator: str = "Foleyline"     # 32
    originator_reference: str = ""    # 32: the take id
    origination: dt.datetime | None = None  # date/time written (None: now, local time)
    time_reference: int = 0           # samples since midnight of the first sample
    coding_history: str = ""
    loudness_lufs: float | None = None       # integrated loudness; when set, bext version 2
    loudness_range_lu: float | None = None
    max_true_peak_dbtp: float | None = None
    umid: bytes = b""


@dataclass(frozen=True)
class IXmlInfo:
    project: str = ""
    scene: str = ""          # the shot
    take: str = ""
    note: str = ""
    tape: str = ""
    rate: FrameRate | None = None       # timecode rate and drop flag
    track_names: tuple[str, ...] = ()   # one per channel, or empty
    circled: bool = False
    user: str = ""                      # free text (e.g. the notes summary)
    extra: dict[str, str] = field(default_factory=dict)  # more top-level elements


def _ascii(text: str, size: int) -> bytes:
    raw = text.encode("ascii", errors="replace")[:size]
    return raw.ljust(size, b"\0")


def _loudness_field(value: float | None) -> int:
    if value is None or not np.isfinite(value):
        return _UNKNOWN_LOUDNESS
    return int(np.clip(round(value * 100), -32768, 32767))


def bext_chunk(info: BextInfo) -> bytes:
    if not 0 <= info.time_reference < 2**64:
        raise InvalidInput(f"bext TimeReference must be 0..2^64-1 samples, got {info.time_reference}")
    when = info.origination or dt.datetime.now()
    version = 2 if info.loudness_lufs is not None else 1
    umid = info.umid[:64].ljust(64, b"\0")
    body = b"".join(
        [
            _ascii(info.description, 256),
            _ascii(info.originator, 32),
            _ascii(info.originator_reference, 32),
            _ascii(when.strftime("%Y-%m-%d"), 10),
            _ascii(when.strftime("%H:%M:%S"), 8),
            struct.pack("<II", info.time_reference & 0xFFFFFFFF, info.time_reference >> 32),
            struct.pack("<H", version),
            umid,
        ]
    )
    if version >= 2:
        body += struct.pack(
            "<hhhhh",
            _loudness_field(info.loudness_lufs),
            _loudness_field(info.loudness_range_lu),
            _loudness_field(info.max_true_peak_dbtp),
            _UNKNOWN_LOUDNESS,
            _UNKNOWN_LOUDNESS,
        )
        body += b"\0" * 180
    else:
        body += b"\0" * 190
    assert len(body) == _BEXT_FIXED
    history = info.coding_history
    if history and not history.endswith("\r\n"):
        history += "\r\n"  # each coding history line ends with CR/LF
    return body + history.encode("ascii", errors="replace")


def _speed_text(rate: FrameRate) -> str:
    fps = rate.fps
    return f"{fps.numerator}/{fps.denominator}" if fps.denominator != 1 else str(fps.numerator)


def ixml_chunk(info: IXmlInfo, *, sample_rate: int, channels: int, time_reference: int) -> bytes:
    root = ET.Element("BWFXML")

    def add(parent: ET.Element, tag: str, text: object) -> ET.Element:
        element = ET.SubElement(parent, tag)
        element.text = str(text)
        return element

    add(root, "IXML_VERSION", "2.10")
    add(root, "PROJECT", info.project)
    add(root, "SCENE", info.scene)
    add(root, "TAKE", info.take)
    add(root, "TAPE", info.tape)
    add(root, "CIRCLED", "TRUE" if info.circled else "FALSE")
    add(root, "NOTE", info.note)
    speed = ET.SubElement(root, "SPEED")
    if info.rate is not None:
        text = _speed_text(info.rate)
        add(speed, "MASTER_SPEED", text)
        add(speed, "CURRENT_SPEED", text)
        add(speed, "TIMECODE_RATE", text)
        add(speed, "TIMECODE_FLAG", "DF" if info.rate.drop_frame else "NDF")
    add(speed, "FILE_SAMPLE_RATE", sample_rate)
    add(speed, "AUDIO_BIT_DEPTH", BITS)
    add(speed, "DIGITIZER_SAMPLE_RATE", sample_rate)
    add(speed, "TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI", time_reference >> 32)
    add(speed, "TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO", time_reference & 0xFFFFFFFF)
    add(speed, "TIMESTAMP_SAMPLE_RATE", sample_rate)
    # Always a TRACK_LIST (readers expect one); unnamed channels get an empty NAME.
    names = info.track_names or ("",) * channels
    tracks = ET.SubElement(root, "TRACK_LIST")
    add(tracks, "TRACK_COUNT", len(names))
    for index, name in enumerate(names, start=1):
        track = ET.SubElement(tracks, "TRACK")
        add(track, "CHANNEL_INDEX", index)
        add(track, "INTERLEAVE_INDEX", index)
        add(track, "NAME", name)
    if info.user:
        add(root, "USER", info.user)
    for tag, text in info.extra.items():
        add(root, tag, text)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def fmt_chunk(sample_rate: int, channels: int) -> bytes:
    block = channels * BITS // 8
    base = struct.pack("<HHIIHH", 0xFFFE if channels > 2 else 1, channels, sample_rate, sample_rate * block, block, BITS)
    if channels <= 2:
        return base
    # WAVE_FORMAT_EXTENSIBLE: the format for more than two channels; no speaker mask (the
    # channels are discrete stems, named in iXML).
    return base + struct.pack("<HHI", 22, BITS, 0) + _PCM_GUID


def pcm24(audio: np.ndarray) -> bytes:
    """Interleaved little-endian 24-bit PCM of (channels, n) float audio in -1..1 (clipped)."""
    scaled = np.rint(np.clip(audio, -1.0, 1.0) * 8388608.0)
    ints = np.clip(scaled, -8388608, 8388607).astype("<i4").T.reshape(-1)  # interleave frames
    return ints.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()


def _chunk(tag: bytes, payload: bytes) -> bytes:
    pad = b"\0" if len(payload) % 2 else b""  # RIFF chunks are word-aligned
    return tag + struct.pack("<I", len(payload)) + payload + pad


def write_bwf(
    path: str | os.PathLike,
    audio: np.ndarray,
    sample_rate: int,
    *,
    bext: BextInfo,
    ixml: IXmlInfo | None = None,
    durable: bool = True,
) -> Path:
    """Write (channels, n) float audio as a 24-bit Broadcast WAV, atomically. Returns the path.
    ``durable=False``: no fsync here; the caller syncs a batch (``fsutil.sync_written``)."""
    data = np.asarray(audio)
    if data.ndim == 1:
        data = data[None, :]
    if data.ndim != 2 or data.shape[0] < 1 or data.shape[0] > 64:
        raise InvalidInput(f"audio must be (channels, samples) with 1..64 channels, got {data.shape=}")
    if not np.issubdtype(data.dtype, np.floating) or not np.all(np.isfinite(data)):
        raise InvalidInput("audio must be finite floating-point samples in -1..1")
    if int(sample_rate) != sample_rate or sample_rate <= 0:
        raise InvalidInput(f"sample rate must be a positive integer, got {sample_rate}")
    channels = data.shape[0]
    ixml = ixml or IXmlInfo()
    if ixml.track_names and len(ixml.track_names) != channels:
        raise InvalidInput(f"{len(ixml.track_names)} track names for {channels} channels")

    payload = b"WAVE" + b"".join(
        [
            _chunk(b"fmt ", fmt_chunk(int(sample_rate), channels)),
            _chunk(b"bext", bext_chunk(bext)),
            _chunk(b"iXML", ixml_chunk(ixml, sample_rate=int(sample_rate), channels=channels,
                                       time_reference=bext.time_reference)),
            _chunk(b"data", pcm24(data)),
        ]
    )
    if len(payload) > _MAX_RIFF:
        raise MediaError(
            f"{data.shape[1] / sample_rate:.0f} s of {channels}-channel audio exceeds the 4 GiB WAV limit; "
            "write shorter takes or fewer channels"
        )
    return write_bytes_atomic(Path(path), b"RIFF" + struct.pack("<I", len(payload)) + payload, durable=durable)


@dataclass(frozen=True)
class TakeStamp:
    """What a take's WAV says about itself."""

    scene: str                 # the shot's name
    label: str                 # the layer's label, or "mix"
    take_id: str
    project: str
    time_reference: int        # samples since midnight of the first sample (handles included)
    rate: FrameRate            # the timeline's timecode rate and drop-frame flag
    track_name: str            # the track the NLE puts it on ("Foley FX", "Foley mix")
    summary: str = ""          # the notes' summary
    loudness_lufs: float | None = None


def write_take(path: str | os.PathLike, audio: np.ndarray, stamp: TakeStamp, *, durable: bool = True) -> Path:
    """Write one stem (or the mix) of a take at the output rate, stamped for the sound editor."""
    channels = int(np.asarray(audio).shape[0]) if np.ndim(audio) == 2 else 1
    return write_bwf(
        path,
        audio,
        OUTPUT_SAMPLE_RATE,
        bext=BextInfo(
            description=f"{stamp.scene} | {stamp.label} | {stamp.take_id}"[:256],
            originator="Foleyline",
            originator_reference=stamp.take_id[:32],
            time_reference=stamp.time_reference,
            coding_history=f"A=PCM,F={OUTPUT_SAMPLE_RATE},W={BITS},T=foleyline {__version__}",
            loudness_lufs=stamp.loudness_lufs,
        ),
        ixml=IXmlInfo(
            project=stamp.project,
            scene=stamp.scene,
            take=stamp.take_id,
            note=stamp.label,
            rate=stamp.rate,
            track_names=(stamp.track_name,) * channels,
            user=stamp.summary,
        ),
        durable=durable,
    )


__all__ = ["BITS", "BextInfo", "IXmlInfo", "TakeStamp", "bext_chunk", "ixml_chunk", "pcm24", "write_bwf", "write_take"]
