"""A one-line label for text the panel does not choose (a shot's name, a server's message, a
failure's reason): it is cut with "…" to the room it is given and says the whole text in its
tooltip. A plain QLabel asks for its whole text's width, so one 200-character shot name or a
long path in a message widens the window past the screen."""

from __future__ import annotations

from PyQt6.QtCore import QSize, Qt
from PyQt6.QtGui import QPainter, QPaintEvent
from PyQt6.QtWidgets import QLabel, QSizePolicy, QStyle, QStyleOption, QWidget

MIN_CHARS = 8  # what it asks for at least: enough to tell a shot or a message apart


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self._say_whole_when_cut()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = super().minimumSizeHint()
        return QSize(self.fontMetrics().horizontalAdvance("x" * MIN_CHARS), hint.height())

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(min(super().sizeHint().width(), self.fontMetrics().horizontalAdvance("x" * 60)), super().sizeHint().height())

    def elided_text(self) -> str:
        """The text as shown at the label's width (the whole text when it fits)."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, max(0, self.contentsRect().width()))

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._say_whole_when_cut()

    def _say_whole_when_cut(self) -> None:
        self.setToolTip(self.text() if self.elided_text() != self.text() else "")

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_Widget, option, painter, self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.setFont(self.font())
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(self.contentsRect(), int(align), self.elided_text())
