"""Click-drag a box on the picture to set a layer's region of interest.

The overlay sits on top of whatever shows the picture (a QVideoWidget or a still frame) and
works in normalised picture coordinates (0..1, origin top-left, as ``Region`` is), so it needs
to know only the picture's aspect ratio to find the letterboxed picture inside itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from PyQt6.QtCore import QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PyQt6.QtWidgets import QWidget

from foleyline.desktop import style

MIN_SIZE = 0.01  # a box smaller than 1 % of the picture is a stray click, not a region


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


def picture_rect(widget_width: float, widget_height: float, aspect: float) -> QRectF:
    """Where a picture of ``aspect`` (width / height) sits, letterboxed and centred."""
    if widget_width <= 0 or widget_height <= 0 or aspect <= 0:
        return QRectF(0, 0, max(0.0, widget_width), max(0.0, widget_height))
    width = min(widget_width, widget_height * aspect)
    height = width / aspect
    return QRectF((widget_width - width) / 2, (widget_height - height) / 2, width, height)


class RoiOverlay(QWidget):
    box_drawn = pyqtSignal(object)  # Box

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setMouseTracking(False)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._aspect = 16 / 9
        self._boxes: list[tuple[str, Box, str]] = []  # label, box, colour
        self._origin: QPointF | None = None
        self._current: QPointF | None = None

    def set_aspect(self, aspect: float) -> None:
        self._aspect = aspect if aspect > 0 else 16 / 9
        self.update()

    def set_boxes(self, boxes: list[tuple[str, Box, str]]) -> None:
        self._boxes = list(boxes)
        self.update()

    def picture(self) -> QRectF:
        return picture_rect(self.width(), self.height(), self._aspect)

    def to_normalised(self, point: QPointF) -> QPointF:
        rect = self.picture()
        x = (point.x() - rect.x()) / max(rect.width(), 1e-9)
        y = (point.y() - rect.y()) / max(rect.height(), 1e-9)
        return QPointF(min(1.0, max(0.0, x)), min(1.0, max(0.0, y)))

    def _to_widget(self, box: Box) -> QRectF:
        rect = self.picture()
        return QRectF(rect.x() + box.x * rect.width(), rect.y() + box.y * rect.height(), box.width * rect.width(), box.height * rect.height())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._origin = self._current = event.position()
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._origin is not None:
            self._current = event.position()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._origin is None or event.button() != Qt.MouseButton.LeftButton:
            return
        a, b = self.to_normalised(self._origin), self.to_normalised(event.position())
        self._origin = self._current = None
        self.update()
        box = Box(min(a.x(), b.x()), min(a.y(), b.y()), abs(a.x() - b.x()), abs(a.y() - b.y()))
        if box.width >= MIN_SIZE and box.height >= MIN_SIZE:
            self.box_drawn.emit(box)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        for label, box, colour in self._boxes:
            rect = self._to_widget(box)
            painter.setPen(QPen(QColor(colour), 2))
            painter.drawRect(rect)
            painter.drawText(rect.topLeft() + QPointF(4, 14), label)
        if self._origin is not None and self._current is not None:
            painter.setPen(QPen(QColor(style.ROI), 1, Qt.PenStyle.DashLine))
            painter.drawRect(QRectF(self._origin, self._current).normalized())
        painter.end()
