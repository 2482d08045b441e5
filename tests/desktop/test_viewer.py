"""The viewer: the shot's picture (still frames offscreen, where Qt Multimedia cannot play, and
it says so), scrubbing within the shot, and click-drag to draw a region of interest."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import QPoint, QPointF, Qt

from foleyline.desktop.jobs import JobRunner
from foleyline.desktop.roi import Box, RoiOverlay, picture_rect
from foleyline.desktop.timefmt import media_span
from foleyline.desktop.viewer import Viewer
from foleyline.plugin.timeline import find_shots, read_timeline

from .conftest import SAFETY_MS


@pytest.fixture
def viewer(qtbot):
    runner = JobRunner()
    view = Viewer(runner, use_multimedia=False)
    view.resize(640, 420)
    qtbot.addWidget(view)
    view.show()
    yield view
    runner.cancel_all()
    runner.wait(SAFETY_MS)


def test_without_multimedia_it_shows_still_frames_and_says_why(qtbot, viewer, timeline_path):
    shot = find_shots(read_timeline(timeline_path)).shots[0]
    viewer.set_shot(shot)
    qtbot.waitUntil(lambda: viewer.still_image is not None)
    assert viewer.still_image.width() == 604  # the clip's own size (604x340)
    assert viewer.banner.isVisibleTo(viewer)
    assert "still frames" in viewer.banner.text()
    assert viewer.time_label.text().startswith("01:00:00:00")


def test_scrubbing_stays_inside_the_shot_and_shows_record_timecode(qtbot, viewer, timeline_path):
    shot = find_shots(read_timeline(timeline_path)).shots[1]
    viewer.set_shot(shot)
    with qtbot.waitSignal(viewer.position_changed) as blocker:
        viewer.seek(1.5)
    assert blocker.args == [1.5]
    assert viewer.time_label.text().startswith("01:00:04:12")
    viewer.seek(99.0)
    assert viewer.position == pytest.approx(3.0)
    assert viewer.slider.maximum() == 3000


def test_still_frame_playback_advances_and_loops(qtbot, viewer, timeline_path):
    shot = find_shots(read_timeline(timeline_path)).shots[0]
    viewer.set_shot(shot)
    viewer.seek(2.9)
    viewer.play_button.click()
    assert viewer.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: viewer.position < 1.0)  # wrapped round to the shot start
    viewer.play_button.click()
    assert viewer.play_button.text() == "Play"


def test_media_span_is_the_source_range_in_container_seconds(timeline_path):
    shot = find_shots(read_timeline(timeline_path)).shots[2]
    span = media_span(shot)
    assert span.start == pytest.approx(14 / 24)
    assert span.duration == pytest.approx(3.0)


def test_picture_rect_letterboxes_by_aspect():
    rect = picture_rect(400, 300, 2.0)
    assert (rect.x(), rect.y(), rect.width(), rect.height()) == (0, 50, 400, 200)


def test_click_drag_draws_a_normalised_box(qtbot):
    overlay = RoiOverlay()
    overlay.resize(400, 300)
    overlay.set_aspect(2.0)  # picture: 400x200 at y=50
    qtbot.addWidget(overlay)
    overlay.show()
    with qtbot.waitSignal(overlay.box_drawn) as blocker:
        qtbot.mousePress(overlay, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
        qtbot.mouseMove(overlay, QPoint(200, 150))
        qtbot.mouseRelease(overlay, Qt.MouseButton.LeftButton, pos=QPoint(300, 200))
    box: Box = blocker.args[0]
    assert (box.x, box.y, box.width, box.height) == pytest.approx((0.25, 0.25, 0.5, 0.5))
    # A stray click is not a region.
    with qtbot.assertNotEmitted(overlay.box_drawn):
        qtbot.mouseClick(overlay, Qt.MouseButton.LeftButton, pos=QPoint(10, 100))
    assert overlay.to_normalised(QPointF(-50, 400)) == QPointF(0.0, 1.0)


def test_with_qt_multimedia_the_players_follow_the_shot_and_the_take(qtbot, monkeypatch, timeline_path, tmp_path):
    """Where Qt Multimedia loads (forced here: offscreen the viewer would use stills), the
    picture plays from the shot's source in and the take's audio stays aligned to it."""
    import numpy as np
    import soundfile

    from foleyline.desktop import viewer as viewer_module

    monkeypatch.setattr(viewer_module, "multimedia_status", lambda: (True, ""))
    runner = JobRunner()
    view = Viewer(runner)
    qtbot.addWidget(view)
    view.show()
    assert view.multimedia and not view.banner.isVisibleTo(view)
    shot = find_shots(read_timeline(timeline_path)).shots[1]
    start = media_span(shot).start
    view.set_shot(shot)
    view.seek(1.0)
    qtbot.waitUntil(lambda: abs(view._video_player.position() - (start + 1.0) * 1000) < 50)
    wav = tmp_path / "take.wav"
    soundfile.write(str(wav), np.zeros(48000 * 4, dtype=np.float32), 48000)
    view.set_take_audio(wav, head_seconds=0.5)
    qtbot.waitUntil(lambda: abs(view._audio_player.position() - 1500) < 50)
    view.set_playing(True)
    qtbot.waitUntil(lambda: view.position > 1.2)
    view.set_playing(False)
