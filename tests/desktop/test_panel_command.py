"""`foleyline panel`: argument checks, and --screenshot rendering the panel to a PNG."""

from __future__ import annotations

import pytest
from PyQt6.QtGui import QImage

from foleyline import cli
from foleyline.desktop.commands.panel import parse_size
from foleyline.errors import InvalidInput
from fresh_imports import imported_after


def test_screenshot_renders_the_panel_with_the_timeline_loaded(qtbot, timeline_path, tmp_path, capsys):
    png = tmp_path / "docs" / "panel.png"
    code = cli.main(["panel", "--no-connect", "--size", "1280x800", "--screenshot", str(png), str(timeline_path)])
    assert code == 0
    assert capsys.readouterr().out.strip() == f"wrote {png}"
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1280, 800)
    # Not a blank window: many distinct colours (thumbnails, the frame, text).
    colours = {image.pixel(x, y) for x in range(0, 1280, 16) for y in range(0, 800, 16)}
    assert len(colours) > 200


def test_a_missing_timeline_is_a_one_line_error(tmp_path, capsys):
    code = cli.main(["panel", "--screenshot", str(tmp_path / "p.png"), str(tmp_path / "nope.otio")])
    assert code == 2
    assert "timeline not found" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["big", "10x10", "1280x"])
def test_bad_sizes_are_refused(text):
    with pytest.raises(InvalidInput, match="WIDTHxHEIGHT|width"):
        parse_size(text)


def test_sizes_parse():
    assert parse_size("1680x980") == (1680, 980)


def test_the_panel_never_imports_the_server():
    """The panel talks gRPC only (DESIGN.md: desktop -> plugin -> protos, never the server)."""
    code = """
        import pkgutil, importlib, foleyline.desktop as d
        for m in pkgutil.walk_packages(d.__path__, 'foleyline.desktop.'): importlib.import_module(m.name)
    """
    assert imported_after(code, ("foleyline.server",), env={"QT_QPA_PLATFORM": "offscreen"}, timeout=120) == []
