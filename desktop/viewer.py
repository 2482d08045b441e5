"""The shot's picture with the selected take's audio, looping over the shot, with a scrub bar and
the ROI overlay.

Qt Multimedia needs system libraries (PulseAudio, GStreamer/FFmpeg plugins) that a headless box
or a minimal install may lack. Then the viewer shows still frames decoded with PyAV (scrubbing
and stepping still work, there is no sound) and says so in a banner instead of failing.
"""

from __future__ import annotations

import importlib
import logging
import time
from pathlib import Path

import opentimelineio as otio

from PyQt6.QtCore import QRect, QRectF, Qt, QTimer, QUrl, pyqtSignal
from PyQt6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPaintEvent, QResizeEvent
from PyQt6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from foleyline.desktop import style, timefmt
from foleyline.desktop.frames import FrameCache
from foleyline.desktop.jobs import JobRunner
from foleyline.desktop.roi import Box, RoiOverlay, picture_rect
from foleyline.desktop.state import in_panel_words
from foleyline.plugin.shots import Shot
from foleyline.timebase import MediaSpan

log = logging.getLogger(__name__)

TICK_MS = 40          # transport clock in still-frame mode
FRAME_INTERVAL = 0.1  # seconds between decoded stills while "playing" without multimedia


def multimedia_status() -> tuple[bool, str]:
    """Whether Qt Multimedia loads here, and if not, why (shown to the editor)."""
    if QGuiApplication.platformName() == "offscreen":
        return False, "Playback is off on the offscreen display; showing still frames, no sound."
    try:
        for module in ("PyQt6.QtMultimedia", "PyQt6.QtMultimediaWidgets"):
            importlib.import_module(module)
    except ImportError as exc:
        return False, f"Playback unavailable: Qt Multimedia could not load ({exc}). Showing still frames, no sound."
    return True, ""


class StillFrame(QWidget):
    """Paints one QImage letterboxed (the fallback picture)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.message = "No shot selected"

    def set_image(self, image: QImage | None, message: str = "") -> None:
        self.image = image
        self.message = message
        self.update()

    def _message_layout(self) -> tuple[QRect, int]:
        """Where the message goes and how it wraps: at words, or anywhere when one word (a
        file's whole path) is wider than the picture. On one centred line a missing file's
        message ran off both edges."""
        margin = self.fontMetrics().height()
        room = self.rect().adjusted(margin, margin, -margin, -margin)
        widest = max((self.fontMetrics().horizontalAdvance(word) for word in self.message.split()), default=0)
        wrap = Qt.TextFlag.TextWrapAnywhere if widest > room.width() else Qt.TextFlag.TextWordWrap
        return room, int(Qt.AlignmentFlag.AlignCenter | wrap)

    def message_bounds(self) -> QRect:
        """The rectangle the message takes when drawn."""
        room, flags = self._message_layout()
        return self.fontMetrics().boundingRect(room, flags, self.message)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#000000"))
        if self.image is not None and not self.image.isNull():
            aspect = self.image.width() / max(1, self.image.height())
            painter.drawImage(picture_rect(self.width(), self.height(), aspect), self.image, QRectF(self.image.rect()))
        elif self.message:
            painter.setPen(QColor(style.DIM))
            room, flags = self._message_layout()
            painter.drawText(room, flags, self.message)
        painter.end()


class PictureArea(QWidget):
    """The picture widget with the ROI overlay stacked on top, sized together."""

    def __init__(self, picture: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picture = picture
        picture.setParent(self)
        self.overlay = RoiOverlay(self)
        self.overlay.raise_()
        # 16:9 at the least that still shows what moves; 320x180 kept an 800x600 window from
        # fitting (with the waveform and the takes below it).
        self.setMinimumSize(256, 144)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.picture.setGeometry(self.rect())
        self.overlay.setGeometry(self.rect())
        super().resizeEvent(event)


class Viewer(QWidget):
    position_changed = pyqtSignal(float)   # shot seconds
    region_drawn = pyqtSignal(object, float)  # Box, shot seconds it was drawn at

    def __init__(self, runner: JobRunner, parent: QWidget | None = None, *, use_multimedia: bool | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._frames = FrameCache(capacity=16)  # ~2.7 MB a 1280-wide frame: scrub history, not a cache of the film
        # Offscreen there is nothing to show video on (and grab() cannot capture it), so
        # multimedia_status() says no there without loading the library.
        available, reason = multimedia_status()
        self.multimedia = bool(available and use_multimedia is not False)
        self.unavailable_reason = "" if self.multimedia else (reason or "Playback is switched off; showing still frames, no sound.")

        self._shot: Shot | None = None
        self._span = MediaSpan(0.0, 0.0)
        self._position = 0.0
        self._playing = False
        self._take_audio: Path | None = None
        self._take_head = 0.0
        self._frame_job = None
        self._frame_pending: float | None = None
        self._last_frame_request = 0.0
        self._clock_start = 0.0
        self._clock_origin = 0.0

        if self.multimedia:
            self._build_players()
            picture = self._video_widget
        else:
            picture = StillFrame()
        self.area = PictureArea(picture)
        self.area.overlay.box_drawn.connect(lambda box: self.region_drawn.emit(box, self._position))

        self.banner = QLabel(self.unavailable_reason)
        self.banner.setObjectName("dim")
        self.banner.setWordWrap(True)
        self.banner.setVisible(bool(self.unavailable_reason))

        self.play_button = QPushButton("Play")
        self.play_button.setCheckable(True)
        self.loop_box = QCheckBox("Loop shot")
        self.loop_box.setChecked(True)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.time_label = QLabel("--:--:--:--")
        self.time_label.setMinimumWidth(150)

        transport = QHBoxLayout()
        transport.addWidget(self.play_button)
        transport.addWidget(self.loop_box)
        transport.addWidget(self.slider, 1)
        transport.addWidget(self.time_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.area, 1)
        layout.addWidget(self.banner)
        layout.addLayout(transport)

        self._clock = QTimer(self)
        self._clock.setInterval(TICK_MS)
        self._clock.timeout.connect(self._tick)
        self.play_button.toggled.connect(self.set_playing)
        self.slider.sliderMoved.connect(lambda ms: self.seek(ms / 1000.0))
        self.slider.valueChanged.connect(self._on_slider_value)

    # -- multimedia players (video picture + take audio, the video's own sound stays muted)

    def _build_players(self) -> None:
        # Qt Multimedia is imported here and in the status slots below, never at the top: it
        # needs system libraries a headless box may lack (see multimedia_status()).
        from PyQt6.QtMultimedia import QAudioOutput, QMediaPlayer
        from PyQt6.QtMultimediaWidgets import QVideoWidget

        self._video_widget = QVideoWidget()
        self._video_player = QMediaPlayer(self)
        self._video_player.setVideoOutput(self._video_widget)
        self._audio_output = QAudioOutput(self)
        self._audio_player = QMediaPlayer(self)
        self._audio_player.setAudioOutput(self._audio_output)
        self._video_player.positionChanged.connect(self._on_video_position)
        # A seek before the file has loaded is dropped by the player: apply it once loaded.
        self._video_player.mediaStatusChanged.connect(self._on_video_status)
        self._audio_player.mediaStatusChanged.connect(self._on_audio_status)

    def _on_video_status(self, status) -> None:
        from PyQt6.QtMultimedia import QMediaPlayer

        if status == QMediaPlayer.MediaStatus.LoadedMedia and self._shot is not None:
            self._video_player.setPosition(int((self._span.start + self._position) * 1000))

    def _on_audio_status(self, status) -> None:
        from PyQt6.QtMultimedia import QMediaPlayer

        if status == QMediaPlayer.MediaStatus.LoadedMedia and self._take_audio:
            self._audio_player.setPosition(int((self._position + self._take_head) * 1000))
            if self._playing:
                self._audio_player.play()

    def _on_video_position(self, ms: int) -> None:
        # Paused, the viewer's own seeks set the position; the player also reports positions
        # while loading a file (0, before the shot's source in) which must not move it.
        if not self._playing:
            return
        shot_seconds = ms / 1000.0 - self._span.start
        if shot_seconds < -0.05:
            return
        if self._playing and self.loop_box.isChecked() and shot_seconds >= self._span.duration:
            self.seek(0.0)
            return
        self._set_position(shot_seconds)

    # -- public API

    @property
    def shot(self) -> Shot | None:
        return self._shot

    @property
    def position(self) -> float:
        return self._position

    def set_shot(self, shot: Shot | None) -> None:
        self.set_playing(False)
        self._shot = shot
        self._span = timefmt.media_span(shot) if shot is not None else MediaSpan(0.0, 0.0)
        self.slider.setRange(0, int(self._span.duration * 1000))
        self.area.overlay.set_boxes([])
        if shot is None or shot.media_path is None or shot.missing_reason:
            reason = "No shot selected" if shot is None else f"No picture: {in_panel_words(shot.missing_reason or 'the shot has no media file')}"
            self._show_still(None, reason)
            self._set_position(0.0)
            return
        if self.multimedia:
            self._video_player.setSource(QUrl.fromLocalFile(str(shot.media_path)))
        self.seek(0.0)

    def set_take_audio(self, path: Path | None, head_seconds: float = 0.0) -> None:
        """The WAV heard with the picture (handles included: ``head_seconds`` before frame 0)."""
        self._take_audio = path
        self._take_head = head_seconds
        if self.multimedia:
            self._audio_player.setSource(QUrl.fromLocalFile(str(path)) if path else QUrl())
            self._audio_player.setPosition(int((self._position + head_seconds) * 1000))
            if self._playing and path:
                self._audio_player.play()

    def set_regions(self, boxes: list[tuple[str, Box, str]]) -> None:
        self.area.overlay.set_boxes(boxes)

    def seek(self, shot_seconds: float) -> None:
        shot_seconds = min(max(0.0, shot_seconds), self._span.duration)
        self._clock_origin = shot_seconds
        self._clock_start = time.monotonic()
        if self.multimedia and self._shot is not None:
            self._video_player.setPosition(int((self._span.start + shot_seconds) * 1000))
            if self._take_audio:
                self._audio_player.setPosition(int((shot_seconds + self._take_head) * 1000))
        self._set_position(shot_seconds)
        if not self.multimedia:
            self._request_frame(shot_seconds, force=True)

    def set_playing(self, playing: bool) -> None:
        playing = bool(playing) and self._shot is not None
        self._playing = playing
        if self.play_button.isChecked() != playing:
            self.play_button.blockSignals(True)
            self.play_button.setChecked(playing)
            self.play_button.blockSignals(False)
        self.play_button.setText("Pause" if playing else "Play")
        if self.multimedia:
            for player in (self._video_player, self._audio_player):
                (player.play if playing else player.pause)()
            return
        if playing:
            self._clock_origin = self._position
            self._clock_start = time.monotonic()
            self._clock.start()
        else:
            self._clock.stop()

    # -- still-frame transport

    def _tick(self) -> None:
        shot_seconds = self._clock_origin + (time.monotonic() - self._clock_start)
        if shot_seconds >= self._span.duration:
            if not self.loop_box.isChecked():
                self._set_position(self._span.duration)
                self.set_playing(False)
                return
            self._clock_origin, self._clock_start, shot_seconds = 0.0, time.monotonic(), 0.0
        self._set_position(shot_seconds)
        self._request_frame(shot_seconds)

    def _request_frame(self, shot_seconds: float, *, force: bool = False) -> None:
        """Decode the frame at a shot time on a worker; while one decodes, keep only the latest
        request (scrubbing fast must not queue hundreds of decodes)."""
        shot = self._shot
        if shot is None or shot.media_path is None or shot.missing_reason:
            return
        now = time.monotonic()
        if not force and now - self._last_frame_request < FRAME_INTERVAL:
            return
        if self._frame_job is not None:
            self._frame_pending = shot_seconds
            return
        self._last_frame_request = now
        job = self._runner.run("frame", _frame_job, self._frames, shot.media_path, self._span.start + shot_seconds)
        job.succeeded.connect(lambda image, shot_id=shot.id: self._on_frame(shot_id, image))
        job.failed.connect(lambda exc: self._show_still(None, str(exc)))
        job.ended.connect(self._on_frame_job_ended)
        self._frame_job = job
        job.start()

    def _on_frame(self, shot_id: str, image: QImage) -> None:
        if self._shot is not None and self._shot.id == shot_id:
            self._show_still(image)

    def _on_frame_job_ended(self) -> None:
        self._frame_job = None
        if self._frame_pending is not None:
            pending, self._frame_pending = self._frame_pending, None
            self._request_frame(pending, force=True)

    def _show_still(self, image: QImage | None, message: str = "") -> None:
        if isinstance(self.area.picture, StillFrame):
            self.area.picture.set_image(image, message)
            if image is not None:
                self.area.overlay.set_aspect(image.width() / max(1, image.height()))

    @property
    def still_image(self) -> QImage | None:
        picture = self.area.picture
        return picture.image if isinstance(picture, StillFrame) else None

    # -- position display

    def _set_position(self, shot_seconds: float) -> None:
        self._position = shot_seconds
        if not self.slider.isSliderDown():
            self.slider.blockSignals(True)
            self.slider.setValue(int(shot_seconds * 1000))
            self.slider.blockSignals(False)
        self.time_label.setText(self._timecode(shot_seconds))
        self.position_changed.emit(shot_seconds)

    def _on_slider_value(self, ms: int) -> None:
        # Keyboard/page steps on the slider (drags arrive through sliderMoved).
        if not self.slider.isSliderDown():
            self.seek(ms / 1000.0)

    def _timecode(self, shot_seconds: float) -> str:
        shot = self._shot
        if shot is None:
            return "--:--:--:--"
        record = shot.record_range.start_time + otio.opentime.from_seconds(shot_seconds, shot.rate)
        return f"{shot.timecode(record)}  +{shot_seconds:5.2f} s"


def _frame_job(holder, cache: FrameCache, path: Path, seconds: float):
    holder.check()
    return cache.frame(path, seconds, max_width=1280)
    yield  # a generator, so GeneratorWorker can run (and quit) it
