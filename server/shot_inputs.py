"""A shot's decoded and analysed media, kept for the shot's next takes.

An editor asks for the same shot again and again (another take, one layer again, edited notes),
and each time the same range of the same file decodes and analyses to the same engine input:
for a short shot, four fifths of the server's time outside the engine. ``ShotInputs`` keeps the
last inputs, up to ``MAX_BYTES`` of pictures together, each under the media file's version
(``fsutil.file_version``: a file changed or replaced under its name is decoded again), the
range and the streams asked for.

Not kept: a long shot's input (its engine pictures are decoded again, a window at a time, when
an engine reads them: nothing held to reuse) and one larger than a quarter of the budget. Every
caller gets its own ``ShotInput`` (its id, offset, notes and extras); the streams and the
analysis are shared: engines and the notes writer read them, never write them.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from foleyline.fsutil import file_version
from foleyline.notes import Notes
from foleyline.probe import check_plain_file
from foleyline.server.engines.base import ShotInput
from foleyline.server.media.frames import StreamSpec
from foleyline.server.media.load import load_shot

# Pictures held for shots' next takes, all shots together: a 0.5 s shot's analysis frames take
# a third of a MiB, an 8 s shot's a few MiB.
MAX_BYTES = 32 * 1024**2


@dataclass(frozen=True)
class _Key:
    path: str
    version: tuple[int, ...]
    start_s: float
    duration_s: float
    streams: frozenset[StreamSpec]


def _held_bytes(shot_input: ShotInput) -> int | None:
    """The pictures ``shot_input`` holds, or None when one of its streams is read when needed."""
    if any(stream.deferred for stream in shot_input.streams.values()):
        return None
    return sum(stream.nbytes for stream in shot_input.streams.values())


class ShotInputs:
    """The engine inputs of recent shots, by media version, range and streams (thread-safe)."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._held: OrderedDict[_Key, tuple[ShotInput, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._held)

    def clear(self) -> None:
        with self._lock:
            self._held.clear()
            self._bytes = 0

    def load(
        self,
        path: str | os.PathLike,
        start_s: float,
        duration_s: float,
        streams: Sequence[StreamSpec],
        *,
        shot_id: str,
        offset: float,
        notes: Notes | None,
        extras: Mapping[str, object],
        cancel: threading.Event | None = None,
    ) -> ShotInput:
        """``load_shot``'s input for these arguments: the one kept from an earlier call with the
        same file version, range and streams, else a new one (kept when it fits)."""
        key = _Key(str(Path(path)), file_version(check_plain_file(Path(path))), float(start_s), float(duration_s),
                   frozenset(streams))
        with self._lock:
            kept = self._held.get(key)
            if kept is not None:
                self._held.move_to_end(key)
        if kept is not None:
            shared = kept[0]  # its extras: what the loading added (the media's path), no caller's
            return replace(shared, shot_id=shot_id, offset=offset, streams=dict(shared.streams),
                           notes=notes if notes is not None else Notes(shot_id=shot_id),
                           extras={**shared.extras, **extras})
        made = load_shot(path, start_s, duration_s, streams, shot_id=shot_id, offset=offset, notes=notes,
                         extras=extras, cancel=cancel).input
        self._keep(key, made, extras)
        return made

    def _keep(self, key: _Key, shot_input: ShotInput, given: Mapping[str, object]) -> None:
        size = _held_bytes(shot_input)
        if size is None or size > self.max_bytes // 4:
            return
        loaded = {name: value for name, value in shot_input.extras.items() if name not in given}
        with self._lock:
            if key in self._held:
                return
            self._held[key] = (replace(shot_input, streams=dict(shot_input.streams), extras=loaded), size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._held.popitem(last=False)
                self._bytes -= dropped


__all__ = ["MAX_BYTES", "ShotInputs"]
