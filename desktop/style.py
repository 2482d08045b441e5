"""Colours, sizes and the style sheet, in one place (widgets never hard-code a colour)."""

from __future__ import annotations

from PyQt6.QtCore import QSize

from foleyline.desktop.state import Status

THUMB_WIDTH = 64
THUMB_HEIGHT = 36

BACKGROUND = "#1e1f22"
PANEL = "#26282c"
TEXT = "#dcdfe4"
DIM = "#8b9099"
ACCENT = "#4fa3f7"
ERROR = "#f26d6d"
OK = "#5fcf80"
WARN = "#f2c14e"

WAVEFORM = "#5fb3b3"
ENERGY = "#f2c14e"
EVENT = "#e88f6a"
PLAYHEAD = "#ffffff"
ROI = "#f2c14e"

# Layer kinds get the colours their tracks will have in the NLE.
KIND_COLOURS = {"BG": "#7f9cf5", "FX": "#e88f6a", "FOLEY": "#5fcf80"}

STATUS_COLOURS = {
    Status.MISSING: ERROR,
    Status.FAILED: ERROR,
    Status.NO_NOTES: DIM,
    Status.NOTES: TEXT,
    Status.DRAFTING: ACCENT,
    Status.GENERATING: ACCENT,
    Status.TAKES: WARN,
    Status.ACCEPTED: OK,
}

# Server connection light.
LIGHT_COLOURS = {"connected": OK, "connecting": WARN, "disconnected": DIM, "error": ERROR}


def thumb_size() -> QSize:
    return QSize(THUMB_WIDTH, THUMB_HEIGHT)


STYLE_SHEET = f"""
QWidget {{ background: {BACKGROUND}; color: {TEXT}; font-size: 12px; }}
QTableView, QPlainTextEdit, QLineEdit, QListWidget, QSpinBox, QComboBox, QTextEdit {{
    background: {PANEL}; border: 1px solid #34373c; selection-background-color: #2f5d8a;
}}
QTableView {{ alternate-background-color: #2a2c31; }}
QHeaderView::section {{ background: {BACKGROUND}; color: {DIM}; border: none; padding: 3px; }}
QPushButton, QToolButton {{ background: #33363c; border: 1px solid #3d4047; padding: 4px 10px; border-radius: 3px; }}
QPushButton:hover, QToolButton:hover {{ background: #3c4047; }}
QPushButton:checked {{ background: #2f5d8a; }}
QPushButton:disabled, QToolButton:disabled {{ color: #5c6068; }}
QTabBar::tab {{ background: {BACKGROUND}; padding: 5px 12px; color: {DIM}; }}
QTabBar::tab:selected {{ color: {TEXT}; border-bottom: 2px solid {ACCENT}; }}
QProgressBar {{ border: 1px solid #34373c; border-radius: 3px; text-align: center; background: {PANEL}; }}
QProgressBar::chunk {{ background: {ACCENT}; }}
QLabel#dim {{ color: {DIM}; }}
QLabel#error {{ color: {ERROR}; }}
QLabel#heading {{ font-weight: bold; color: {TEXT}; }}
QSplitter::handle {{ background: #2b2d31; }}
QSlider::groove:horizontal {{ height: 4px; background: #3a3d44; border-radius: 2px; }}
QSlider::sub-page:horizontal {{ background: {ACCENT}; border-radius: 2px; }}
QSlider::handle:horizontal {{ background: {TEXT}; width: 10px; margin: -5px 0; border-radius: 5px; }}
"""
