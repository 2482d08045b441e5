"""The strip under the picture: the take's waveform, its energy curve and the notes' events on
the shot's time axis (seconds from the shot's first frame, handles excluded). Click or drag to
scrub.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile
from PyQt6.QtCore import QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PyQt6.QtWidgets import QSizePolicy, QWidget

from foleyline.desktop import style
from foleyline.errors import MediaError
from foleyline.notes.schema import Notes

BUCKETS = 2000  # peak pairs kept per take: enough for a 4K-wide strip


@dataclass(frozen=True)
class TakeAudio:
    """A take's mix reduced for drawing. ``head`` is the handle before the shot's first frame,
    in seconds, so audio time = shot time + head."""

    path: Path
    sample_rate: int
    duration: float
    head: float
    minima: np.ndarray   # (BUCKETS,) in -1..1
    maxima: np.ndarray
    energy: np.ndarray   # (BUCKETS,) RMS normalised to 0..1


def load_take_audio(path: Path, head: float) -> TakeAudio:
    """Read a WAV and reduce it to peaks and an RMS energy curve. Worker threads only."""
    try:
        audio, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError) as exc:
        raise MediaError(f"cannot read the take's audio {path}: {exc}; fetch the take again") from exc
    mono = audio.mean(axis=1) if audio.size else np.zeros(1, dtype=np.float32)
    buckets = max(1, min(BUCKETS, mono.size))
    edges = np.linspace(0, mono.size, buckets + 1).astype(np.int64)
    minima = np.empty(buckets, dtype=np.float32)
    maxima = np.empty(buckets, dtype=np.float32)
    energy = np.empty(buckets, dtype=np.float32)
    for i in range(buckets):
        chunk = mono[edges[i]:max(edges[i + 1], edges[i] + 1)]
        minima[i] = chunk.min()
        maxima[i] = chunk.max()
        energy[i] = float(np.sqrt(np.mean(chunk.astype(np.float64) ** 2)))
    peak = float(energy.max())
    if peak > 0:
        energy /= peak
    return TakeAudio(Path(path), int(rate), mono.size / float(rate), head, minima, maxima, energy)


class WaveformWidget(QWidget):
    seek_requested = pyqtSignal(float)  # shot seconds

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._audio: TakeAudio | None = None
        self._notes: Notes | None = None
        self._duration = 0.0
        self._position = 0.0
        self._message = "No take selected"

    # -- state

    @property
    def audio(self) -> TakeAudio | None:
        return self._audio

    def set_shot_duration(self, seconds: float) -> None:
        self._duration = max(0.0, seconds)
        self.update()

    def set_audio(self, audio: TakeAudio | None, message: str = "") -> None:
        self._audio = audio
        self._message = message or ("" if audio else "No take selected")
        self.update()

    def set_notes(self, notes: Notes | None) -> None:
        self._notes = notes
        self.update()

    def set_position(self, seconds: float) -> None:
        self._position = seconds
        self.update()

    # -- geometry

    def _span(self) -> float:
        if self._duration > 0:
            return self._duration
        return self._audio.duration if self._audio else 1.0

    def x_of(self, seconds: float) -> float:
        return seconds / self._span() * max(1, self.width() - 1)

    def time_at(self, x: float) -> float:
        return min(self._span(), max(0.0, x / max(1, self.width() - 1) * self._span()))

    # -- events

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.seek_requested.emit(self.time_at(event.position().x()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.seek_requested.emit(self.time_at(event.position().x()))

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(style.PANEL))
        height = self.height()
        middle = height / 2
        if self._audio is not None:
            self._paint_waveform(painter, middle)
            self._paint_energy(painter, height)
        elif self._message:
            painter.setPen(QColor(style.DIM))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._message)
        self._paint_events(painter, height)
        self._paint_ruler(painter, height)
        x = self.x_of(self._position)
        painter.setPen(QPen(QColor(style.PLAYHEAD), 1))
        painter.drawLine(QPointF(x, 0), QPointF(x, height))
        painter.end()

    def _bucket_range(self) -> tuple[np.ndarray, np.ndarray]:
        """Bucket index per pixel column, for the shot's span of the take's audio."""
        audio = self._audio
        assert audio is not None
        columns = max(1, self.width())
        times = np.linspace(0.0, self._span(), columns) + audio.head
        index = np.clip((times / max(audio.duration, 1e-9) * audio.minima.size).astype(np.int64), 0, audio.minima.size - 1)
        return np.arange(columns), index

    def _paint_waveform(self, painter: QPainter, middle: float) -> None:
        audio = self._audio
        assert audio is not None
        columns, index = self._bucket_range()
        painter.setPen(QPen(QColor(style.WAVEFORM), 1))
        scale = middle * 0.92
        for x, i in zip(columns, index):
            painter.drawLine(QPointF(x, middle - audio.maxima[i] * scale), QPointF(x, middle - audio.minima[i] * scale))

    def _paint_energy(self, painter: QPainter, height: float) -> None:
        audio = self._audio
        assert audio is not None
        columns, index = self._bucket_range()
        path = QPainterPath()
        for n, (x, i) in enumerate(zip(columns, index)):
            point = QPointF(float(x), height - 4 - audio.energy[i] * (height - 8))
            path.moveTo(point) if n == 0 else path.lineTo(point)
        painter.setPen(QPen(QColor(style.ENERGY), 1.5))
        painter.drawPath(path)

    def _paint_ruler(self, painter: QPainter, height: float) -> None:
        """Ticks along the bottom in shot seconds: every second, or every half second on short shots."""
        span = self._span()
        step = 0.5 if span <= 4 else 1.0 if span <= 20 else 5.0
        painter.setPen(QColor(style.DIM))
        tick = 0.0
        while tick <= span + 1e-9:
            x = self.x_of(tick)
            painter.drawLine(QPointF(x, height - 5), QPointF(x, height))
            if tick == int(tick) and 0 < tick < span:
                painter.drawText(QPointF(x + 2, height - 6), f"{int(tick)} s")
            tick += step

    def _paint_events(self, painter: QPainter, height: float) -> None:
        if self._notes is None:
            return
        row = 0
        for layer in self._notes.layers:
            colour = QColor(style.KIND_COLOURS.get(layer.kind.value, style.EVENT))
            for event in layer.events:
                x0, x1 = self.x_of(event.start), self.x_of(event.end)
                if x1 - x0 >= 2:
                    fill = QColor(colour)
                    fill.setAlpha(50)
                    painter.fillRect(QRectF(x0, 0, x1 - x0, height), fill)
                painter.setPen(QPen(colour, 1, Qt.PenStyle.DashLine))
                painter.drawLine(QPointF(x0, 0), QPointF(x0, height))
                painter.setPen(colour)
                painter.drawText(QPointF(x0 + 3, 12 + 12 * (row % 3)), event.description[:24])
                row += 1
