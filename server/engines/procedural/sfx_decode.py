"""A library file's sound: whether it can be read (``probe``, from its header, when it is
indexed) and its samples (``decode_mono``, when a layer plays it).

libsndfile reads what it can (WAV in every encoding, RF64, Wave64, AIFF/AIFF-C, CAF, FLAC,
Ogg Vorbis/Opus); the rest (MP3, M4A/AAC/ALAC, raw AAC, WMA, and files whose suffix lies) goes
through FFmpeg, opened as the server opens media (``probe.open_media``): the file itself and
nothing else (a playlist named ``.wav`` opens no other file), with single-file demuxers only,
within a time limit. A file cut short (a half-copied FLAC) gives the sound before the cut;
NaN or infinite samples (a float file from a crashed render) become silence.
"""

from __future__ import annotations

import logging
from pathlib import Path

import av
import numpy as np
import soundfile
import soxr

from foleyline.errors import FoleylineError, InvalidInput
from foleyline.probe import open_media

from .dsp import SAMPLE_RATE

log = logging.getLogger(__name__)

MAX_SECONDS = 20.0  # a one-shot longer than this is cut (a library "one-shot" is short)


def probe(path: Path) -> str:
    """Why the file cannot be played ("" when a decoder reads its header and its first sound)."""
    if _libsndfile_reads(path):
        try:
            with soundfile.SoundFile(str(path)) as f:
                if f.frames > 0:
                    return ""
        except Exception:  # libsndfile cannot: FFmpeg may
            pass
    try:
        _, container = open_media(path)
        with container:
            if not container.streams.audio:
                return "it holds no sound"
            for frame in container.decode(container.streams.audio[0]):
                if frame.samples:
                    return ""
            return "it holds no samples"
    except FoleylineError as exc:
        return str(exc)
    except (av.error.FFmpegError, OSError) as exc:
        return f"no decoder reads it ({exc.strerror or exc})"


def decode_mono(path: Path) -> np.ndarray:
    """The file's first ``MAX_SECONDS`` as mono float32 at the engine rate, at a common peak
    (0.7); InvalidInput when nothing in it decodes."""
    x = None
    if _libsndfile_reads(path):
        try:
            with soundfile.SoundFile(str(path)) as f:
                rate = f.samplerate
                x = f.read(int(MAX_SECONDS * rate), dtype="float32", always_2d=True).mean(axis=1)
        except Exception:  # libsndfile cannot: FFmpeg may
            x = None
    if x is None:
        x, rate = _decode_with_av(path)
    x = x[: int(MAX_SECONDS * rate)]
    bad = ~np.isfinite(x)
    if bad.any():
        # A float file with NaN or infinite samples (a crashed plug-in's render): one of them
        # would make the whole take non-finite. They become silence; the rest still plays.
        log.warning("sound library: %s has %d NaN or infinite samples; they are played as silence", path, int(bad.sum()))
        x = np.where(bad, 0.0, x).astype(np.float32)
    if rate != SAMPLE_RATE and x.size:
        x = soxr.resample(x, rate, SAMPLE_RATE)
    peak = float(np.abs(x).max()) if x.size else 0.0
    # Library files come at any level; bring each to a common peak so gain means the same.
    return (x / peak * 0.7 if peak > 0 else x).astype(np.float32)


def _libsndfile_reads(path: Path) -> bool:
    """MP3s go to FFmpeg: libsndfile's mpg123 prints its complaints about a damaged one
    ("Note: Illegal Audio-MPEG-Header", "Trying to resync...") on the terminal, between the
    progress lines of an editor's run."""
    return path.suffix.lower() != ".mp3"


def _decode_with_av(path: Path) -> tuple[np.ndarray, int]:
    """Formats libsndfile cannot read: FFmpeg, mixed to mono at the engine rate."""
    chunks: list[np.ndarray] = []
    try:
        _, container = open_media(path)
    except FoleylineError as exc:
        raise InvalidInput(f"cannot decode library file {path}: {exc}") from None
    with container:
        if not container.streams.audio:
            raise InvalidInput(f"library file {path} has no audio stream")
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        try:
            for frame in container.decode(container.streams.audio[0]):
                chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
                if sum(c.size for c in chunks) > MAX_SECONDS * SAMPLE_RATE:
                    break
            chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
        except (av.error.FFmpegError, OSError) as exc:
            if not chunks:
                raise InvalidInput(f"cannot decode library file {path}: {exc.strerror or exc}") from None
            # Cut short or damaged further in: its start is the sound's attack, still worth playing.
            log.warning("sound library: %s is damaged after %.2f s (%s); using that part",
                        path, sum(c.size for c in chunks) / SAMPLE_RATE, exc.strerror or exc)
    x = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, dtype=np.float32)
    return x, SAMPLE_RATE
