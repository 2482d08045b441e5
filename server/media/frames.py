"""Plain data shared by the decoder, the analysis and the engines: which frame streams to
decode, the decoded streams with their exact timestamps, and the motion analysis of a shot.

Timestamps are seconds from the start of the decoded range (the first audio sample of the
shot's audio, handles included), taken from the container's presentation times, never from
frame counts, so variable and odd frame rates are handled.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np


@dataclass(frozen=True)
class StreamSpec:
    """One frame stream a consumer asks the decoder for.

    ``fps``: frames per second to sample at (None: every decoded frame).
    ``size``: (width, height) of the output frames.
    ``fit``: "resize" squashes to size, "center_crop" scales the short side then crops,
    "keep_aspect" scales to fit inside size without cropping.
    ``gray``: one channel (uint8) instead of RGB.
    """

    name: str
    fps: float | None
    size: tuple[int, int]
    fit: Literal["resize", "center_crop", "keep_aspect"] = "resize"
    gray: bool = False


# The streams the engines of DESIGN.md consume.
CLIP_STREAM = StreamSpec("clip", fps=8.0, size=(384, 384), fit="resize")
SYNC_STREAM = StreamSpec("sync", fps=25.0, size=(224, 224), fit="center_crop")
ANALYSIS_STREAM = StreamSpec("analysis", fps=None, size=(160, 90), fit="keep_aspect", gray=True)


class PictureReader(Protocol):
    """Decodes a stream's pictures when a consumer reads them (``media.decode``: long shots)."""

    def read(self, spec: StreamSpec, source_times: np.ndarray) -> np.ndarray:
        """The pictures of ``spec`` on screen at ``source_times`` (seconds from the decoded
        range's start, each a source frame's presentation time): (N, H, W[, 3]) uint8."""
        ...


class FrameStream:
    """One decoded stream: its frames and the time of each.

    ``frames``: (T, H, W, 3) uint8 RGB, or (T, H, W) uint8 when gray. ``times``: (T,) float64
    seconds from the range start. ``source_times``: (T,) float64, the presentation time of the
    source frame each output frame shows; equal to ``times`` for fps=None streams; for fixed-fps
    streams, ``times`` are the sampling instants k/fps and this is the (earlier or equal) time of
    the frame on screen then.

    A fixed-fps stream of a slower source (25 fps of a 10 fps clip) shows each picture several
    times; it may hold each picture once, ``pictures`` (U, ...) with ``index`` (T,) saying which
    picture each frame shows. ``frames`` is then built the first time a consumer reads it;
    ``take`` and ``subset`` read frames without building it.

    A long shot's engine streams hold no pictures at all: a ``reader`` (``PictureReader``)
    decodes them again, a window at a time, when a consumer reads them (``take`` on a window,
    as the engines do; ``frames`` reads the whole range at once). ``shift``: the stream's
    times are the reader's less this (a window cut from the shot by ``subset``).
    """

    def __init__(
        self,
        spec: StreamSpec,
        frames: np.ndarray | None = None,
        times: np.ndarray | None = None,
        source_times: np.ndarray | None = None,
        *,
        pictures: np.ndarray | None = None,
        index: np.ndarray | None = None,
        reader: PictureReader | None = None,
        shift: float = 0.0,
    ) -> None:
        kinds = (frames is not None) + (pictures is not None) + (reader is not None)
        if kinds != 1 or (pictures is None) != (index is None):
            raise ValueError("a FrameStream holds either frames, or pictures and their index, or a reader")
        if reader is not None and (times is None or source_times is None):
            raise ValueError("a FrameStream read when needed needs the times and source times of its frames")
        self.spec = spec
        self.times = np.zeros(0) if times is None else times
        self.source_times = source_times
        self._frames = frames
        self._pictures = pictures
        self._index = None if index is None else np.asarray(index, np.intp)
        self._reader = reader
        self._shift = float(shift)

    @property
    def frames(self) -> np.ndarray:
        if self._frames is None:
            if self._reader is not None:
                self._frames = self.take(np.arange(len(self)))
            else:
                assert self._pictures is not None and self._index is not None
                self._frames = self._pictures[self._index]
        return self._frames

    @property
    def deferred(self) -> bool:
        """Whether the pictures are decoded when read (a long shot's), not held."""
        return self._frames is None and self._reader is not None

    def take(self, idx: np.ndarray) -> np.ndarray:
        """``frames[idx]`` for an index array, without building ``frames``."""
        if self._frames is not None:
            return self._frames[idx]
        if self._reader is not None:
            assert self.source_times is not None
            return self._reader.read(self.spec, np.asarray(self.source_times[idx], np.float64) + self._shift)
        assert self._pictures is not None and self._index is not None
        return self._pictures[self._index[idx]]

    def subset(self, keep: np.ndarray, shift: float = 0.0) -> FrameStream:
        """The frames ``keep`` selects (a mask or indices), their times less ``shift``; the
        pictures are shared, not copied (nor the frames, when ``keep`` is one run of frames, as an
        engine window's is)."""
        keep = _run_of(keep)
        times = self.times[keep] - shift
        sources = self.source_times[keep] - shift if self.source_times is not None else None
        if self._frames is not None:
            return FrameStream(self.spec, self._frames[keep], times, sources)
        if self._reader is not None:
            return FrameStream(self.spec, times=times, source_times=sources, reader=self._reader,
                               shift=self._shift + shift)
        assert self._index is not None
        return FrameStream(self.spec, times=times, source_times=sources, pictures=self._pictures,
                           index=self._index[keep])

    @property
    def nbytes(self) -> int:
        """Bytes held (the distinct pictures only, until ``frames`` is built; none while the
        pictures are decoded when read)."""
        held = self._frames if self._frames is not None else self._pictures
        return int(held.nbytes) if held is not None else 0

    def __len__(self) -> int:
        if self._frames is not None:
            return int(self._frames.shape[0])
        return int(len(self._index)) if self._index is not None else int(len(self.times))


def _run_of(keep: np.ndarray) -> np.ndarray | slice:
    """A mask that selects one run of consecutive frames as a slice (whose frames are a view)."""
    keep = np.asarray(keep)
    if keep.dtype != bool:
        return keep
    chosen = np.flatnonzero(keep)
    if len(chosen) == 0 or chosen[-1] - chosen[0] + 1 != len(chosen):
        return keep
    return slice(int(chosen[0]), int(chosen[-1]) + 1)


class SourceKind(enum.Enum):
    """What kind of thing makes the sound a region of the picture shows (media.sources)."""

    CONTACTS = "contacts"      # strikes, drops, chops, bounces: a hit where motion stops
    STEPS = "steps"            # feet on a surface, periodic; a crowd walking
    VOCAL = "vocal"            # a voice or an animal: sound with motion bursts, no contact
    BURSTS = "bursts"          # a shot, a blast: sound where motion or light bursts out of calm
    CONTINUOUS = "continuous"  # engine, water, wind, crowd, fire: sustained motion, no stops
    NONE = "none"              # nothing moves that would sound: room tone only


@dataclass(frozen=True)
class SoundSource:
    """One kind of source the analysis saw, where, and when it sounds.

    ``box``: where its motion is (x, y, width, height, 0..1 of the picture). ``onsets`` and
    ``strengths``: its events, seconds from the range start (a contact source's are the
    analysis' contacts; a steps source's are foot contacts; continuous sources have none).
    ``movers``: how many independent moving things (walkers) it is. ``evidence``: why, in
    words, for the notes' reasoning.
    """

    kind: SourceKind
    box: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)
    onsets: np.ndarray = field(default_factory=lambda: np.zeros(0))
    strengths: np.ndarray = field(default_factory=lambda: np.zeros(0))
    movers: int = 1
    evidence: str = ""


@dataclass
class MotionAnalysis:
    """What the picture does over time."""

    times: np.ndarray          # (T,) seconds from the range start
    energy: np.ndarray         # (T,) motion energy, 0..1 (1 = the shot's strongest motion)
    onsets: np.ndarray         # (K,) seconds: visual events (contacts, hits), refractory-filtered
    onset_strengths: np.ndarray  # (K,) 0..1
    cuts: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (J,) seconds of cuts inside the clip
    sources: tuple[SoundSource, ...] = ()  # what kinds of source it shows, most prominent first
    # (B,) seconds where motion starts abruptly out of calm (a head jerking with a bark), and
    # their sizes 0..1: a voice's or an animal's events, when the shot has one (media.sources).
    bursts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    burst_strengths: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # The camera's frame rate when the shot's frames were dropped unevenly from it (30 fps shown
    # at 21.5: media.pacing), else None.
    camera_rate: float | None = None
