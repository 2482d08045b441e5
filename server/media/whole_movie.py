"""A plain movie decoded once for all its shots, within one command.

``foleyline generate clip.mov`` decodes the whole movie to find its cuts, and then the server it
starts in the same process decodes each shot's range again for the shot's analysis: at 720p the
second decode costs as much as the first (0.3 s of an 8 s clip's 2 s). While ``keeping()`` is
open, the cut finder hands every frame it decodes to a ``Recorder``, which keeps the frame's
analysis picture and presentation time; ``decode_shot`` then cuts a shot's analysis stream
from what was kept (``decode.from_kept``), with the frames, times and picture end that decoding
the range gives. Nothing else is served from it: another stream, the file's own sound, a file
changed since, or a movie too long to keep is decoded as before. A movie is kept for as many
shots as its cuts make: once each has been served, it is let go (a long shot's post does not
hold it), and a shot asked for again is decoded.

    with keeping():           # the command's scope; nothing is kept outside one
        ... the cut finder:   recorder = recorder_for(path, container, stream); recorder.add(frame) ...
                              recorder.finish(shots)
        ... decode_shot:      kept_for(path) -> Kept | None
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import av
import numpy as np

from foleyline.errors import MediaError
from foleyline.fsutil import file_version
from foleyline.probe import MediaInfo, check_plain_file, described
from foleyline.server.media.frames import ANALYSIS_STREAM
from foleyline.server.media.streams import FrameConverter
from foleyline.server.media.windowed import frame_time

__all__ = ["MAX_KEPT_BYTES", "Kept", "Recorder", "keeping", "kept_for", "recorder_for"]

# The analysis pictures of one movie are kept up to this size (160x90 grey: about 2 min at
# 25 fps); a longer movie's shots are decoded each on their own, as without a scope.
MAX_KEPT_BYTES = 64 * 1024**2


@dataclass(frozen=True)
class Kept:
    """A movie's every picture as the analysis stream holds it, and when each is shown."""

    version: tuple[int, ...]   # fsutil.file_version of the file when it was decoded
    info: MediaInfo
    times: np.ndarray          # (N,) float64: each frame's presentation time, seconds (pts x time base)
    pictures: np.ndarray       # (N, H, W) uint8, read-only: the ANALYSIS_STREAM picture of each frame


_Scope = dict[tuple[int, ...], list]  # what an open scope keeps, by file version: [Kept, shots left]

_lock = threading.Lock()
_scope: _Scope | None = None


@contextmanager
def keeping() -> Iterator[None]:
    """Keep what the cut finder decodes until the block ends (one command's run)."""
    global _scope
    with _lock:
        outer, _scope = _scope, {}
    try:
        yield
    finally:
        with _lock:
            _scope = outer


def kept_for(path: str | Path) -> Kept | None:
    """What was kept of this version of ``path`` in the open scope, else None; each answer is one
    of the shots it was kept for."""
    scope = _scope
    if not scope:
        return None
    try:
        version = file_version(check_plain_file(Path(path)))
    except MediaError:
        return None  # the decoder says what is wrong with the file
    with _lock:
        entry = scope.get(version)
        if entry is None:
            return None
        kept, entry[1] = entry[0], entry[1] - 1
        if entry[1] <= 0:
            del scope[version]
    return replace(kept, info=replace(kept.info, path=Path(path)))


class Recorder:
    """Keeps the analysis picture and time of every frame of one movie, in decoding order."""

    def __init__(self, scope: _Scope, version: tuple[int, ...], info: MediaInfo, time_base) -> None:
        self._scope = scope
        self._version = version
        self._info = info
        self._time_base = time_base
        self._converter: FrameConverter | None = None
        self._times: list[float] = []
        self._pictures: list[np.ndarray] = []
        self._bytes = 0
        self._given_up = False

    def add(self, frame: av.VideoFrame) -> None:
        if self._given_up:
            return
        # Times as decode_shot's pass takes them: the range's origin is subtracted later. A
        # frame with no timestamp, or one that pass would drop, leaves the movie to that pass.
        last = self._times[-1] if self._times else None
        t = frame_time(frame, self._time_base, 0.0, last, 1.0 / self._info.fps) if frame.pts is not None else None
        if t is None:
            self._give_up()
            return
        if self._converter is None:
            self._converter = FrameConverter.for_frame(ANALYSIS_STREAM, frame, self._info.pixel_aspect)
        picture = self._converter(frame)
        self._bytes += picture.nbytes
        if self._bytes > MAX_KEPT_BYTES:
            self._give_up()
            return
        self._times.append(t)
        self._pictures.append(picture)

    def _give_up(self) -> None:
        self._given_up = True
        self._times, self._pictures = [], []

    def finish(self, shots: int) -> None:
        """Keep what was recorded (the movie was decoded to its end without errors) for its
        ``shots``."""
        if self._given_up or not self._pictures or shots < 1:
            return
        pictures = np.stack(self._pictures)
        pictures.flags.writeable = False  # shared by every shot cut from it
        kept = Kept(self._version, self._info, np.asarray(self._times, np.float64), pictures)
        self._times, self._pictures = [], []
        with _lock:
            if _scope is self._scope:  # the scope it was made in is still open
                self._scope[self._version] = [kept, shots]


def recorder_for(path: Path, container: av.container.InputContainer, stream: av.video.stream.VideoStream
                 ) -> Recorder | None:
    """A Recorder for a movie about to be decoded whole from ``container``, or None when no
    scope is open (or the file is one the decoder would refuse: it says so itself, later)."""
    scope = _scope
    if scope is None:
        return None
    try:
        version = file_version(check_plain_file(Path(path)))
        info = described(Path(path), container)  # the server's probe of its shots answers from it
    except MediaError:
        return None
    return Recorder(scope, version, info, stream.time_base)
