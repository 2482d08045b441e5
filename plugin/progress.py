"""Progress of a Generate job on the terminal: a tqdm bar whose position is the number of shots
done (with the current shot's fraction), showing the shot's name, its record timecode, the
stage and tqdm's ETA.

    progress = ProgressBar()
    progress.name_shots({shot.id: (shot.name, shot.record_timecode()) for shot in shots})
    read_job(client.generate(requests), on_event=progress)

On a terminal the bar redraws in place; in a log (not a terminal) it writes one line per shot
and stage, so a CI log or a render-farm log stays readable.
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Mapping
from typing import TextIO

from tqdm import tqdm

from foleyline.plugin.events import JobEvent

__all__ = ["ProgressBar"]

BAR_FORMAT = "{desc} |{bar}| {n:.1f}/{total:.0f} shots [{elapsed}<{remaining}]"


class ProgressBar:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.labels: dict[str, str] = {}
        self._bar: tqdm | None = None
        self._last = ""

    def name_shots(self, shots: Mapping[str, tuple[str, str]]) -> None:
        """How to call each shot: id -> (name, record timecode)."""
        self.labels = {shot_id: f"{name} @ {timecode}" for shot_id, (name, timecode) in shots.items()}

    def label(self, shot_id: str) -> str:
        return self.labels.get(shot_id, shot_id)

    def __call__(self, event: JobEvent) -> None:
        kind, payload = event.kind, event.payload
        if kind == "accepted":
            self._line(f"job {event.job_id}: {payload.shot_count} shot(s) on {payload.engine}")
            for warning in payload.warnings:
                self._line(f"warning: {warning}")
            # in a log the bar draws nowhere, but still keeps the rate for the estimate; drawn
            # from this process alone, it needs a thread lock, not tqdm's default, which loads
            # multiprocessing to make one of its locks (5-8 ms of a one-shot `generate`)
            tqdm.set_lock(threading.RLock())
            self._bar = tqdm(total=max(1, payload.shot_count), file=self.stream if self.tty else io.StringIO(),
                             bar_format=BAR_FORMAT, leave=True, dynamic_ncols=self.tty)
        elif kind == "progress" and payload.stage != "queued":
            self._progress(payload)
        elif kind == "shot_failed":
            self._line(f"{self.label(payload.shot_id)} failed: {payload.reason}")
        elif kind == "done":
            if self._bar is not None:
                self._bar.close()
                self._bar = None
            self._line(f"done: {payload.shots_done} shot(s) generated, {payload.shots_failed} failed"
                       + (" (cancelled)" if payload.cancelled else ""))

    def _progress(self, payload) -> None:
        fraction = payload.fraction if payload.stage != "done" else 0.0
        position = min(float(payload.shot_count), payload.shots_done + fraction)
        description = f"{self.label(payload.shot_id)} {payload.stage}"
        bar = self._bar
        if bar is None:
            return
        bar.set_description_str(description, refresh=False)
        if position > bar.n:
            bar.update(position - bar.n)  # tqdm redraws at most ten times a second
        if description == self._last:
            return
        self._last = description
        if self.tty:
            bar.refresh()  # a new shot or stage shows at once
        elif payload.stage != "done":
            # a log: one line per shot and stage, with the estimate tqdm keeps
            self.stream.write(f"[{position:.1f}/{bar.total} shots] {description}{self._remaining(bar)}\n")
            self.stream.flush()

    @staticmethod
    def _remaining(bar: tqdm) -> str:
        info = bar.format_dict
        rate = info["rate"] or (info["n"] / info["elapsed"] if info["elapsed"] and info["n"] else None)
        if not rate:
            return ""
        return f", about {tqdm.format_interval((info['total'] - info['n']) / rate)} left"

    def _line(self, text: str) -> None:
        if self._bar is not None and self.tty:
            self._bar.write(text, file=self.stream)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()
