"""Shot thumbnails, decoded one after another on a single worker as the list asks for them."""

from __future__ import annotations

import collections
import logging
import threading
from pathlib import Path

from PyQt6.QtCore import QObject, pyqtSignal

from foleyline.desktop import style
from foleyline.desktop.frames import decode_frame
from foleyline.desktop.jobs import CallHolder, Job, JobRunner
from foleyline.errors import FoleylineError

log = logging.getLogger(__name__)


class ThumbnailLoader(QObject):
    ready = pyqtSignal(str, object)  # shot id, QImage

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._queue: collections.deque[tuple[str, Path, float]] = collections.deque()
        self._lock = threading.Lock()
        self._job: Job | None = None

    def request(self, shot_id: str, path: Path, seconds: float) -> None:
        with self._lock:
            self._queue.append((shot_id, path, seconds))
        if self._job is None:
            self._start()

    def _start(self) -> None:
        job = self._runner.run("thumbnails", self._drain)
        job.yielded.connect(lambda item: self.ready.emit(*item))
        job.ended.connect(lambda: self._ended(job))
        self._job = job
        job.start()

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def _ended(self, job: Job) -> None:
        self._job = None
        with self._lock:
            pending = bool(self._queue)
        if pending and not job.is_cancelled:
            self._start()  # requests that arrived after the worker saw an empty queue

    def _drain(self, holder: CallHolder):
        while not holder.cancelled:
            with self._lock:
                if not self._queue:
                    return None
                shot_id, path, seconds = self._queue.popleft()
            try:
                image = decode_frame(path, seconds, max_width=style.THUMB_WIDTH)
            except FoleylineError as exc:
                log.info("no thumbnail for %s: %s", shot_id, exc)
                continue
            yield shot_id, image
        return None
