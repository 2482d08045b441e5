"""What an editor sees in the panel at the edges of ordinary work (the panel hunt, w16-panel):
long and many shot names, a small screen, no server, missing media, a folder that refuses the
export, notes typed and the panel closed. Each test states what the editor reads or can reach,
never pixels or timings."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from foleyline.desktop.main_window import MainWindow
from foleyline.desktop.session import Session

from .conftest import SAFETY_MS, connect_and_wait, open_and_wait, write_timeline

TC = otio.opentime
LONG_NAME = "sh010 " + "a very long descriptive shot name from the assistant editor " * 4


def _renamed(path: Path, names: dict[int, str]) -> Path:
    timeline = otio.adapters.read_from_file(str(path))
    clips = list(timeline.find_clips())
    for index, name in names.items():
        clips[index].name = name
    otio.adapters.write_to_file(timeline, str(path))
    return path


def _moved(path: Path, index: int, where: Path) -> Path:
    timeline = otio.adapters.read_from_file(str(path))
    list(timeline.find_clips())[index].media_reference.target_url = where.as_uri()
    otio.adapters.write_to_file(timeline, str(path))
    return path


def test_the_window_fits_an_800_by_600_screen(qtbot, window):
    hint = window.minimumSizeHint()
    assert hint.width() <= 800 and hint.height() <= 600, hint
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.width() == 800 and window.height() == 600)


def test_a_long_shot_name_is_cut_in_the_notes_heading_not_widening_the_window(qtbot, window, tmp_path, media_dir):
    path = _renamed(write_timeline(tmp_path / "cut.otio", media_dir, 2), {0: LONG_NAME})
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, path)
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.width() == 800)
    assert window.minimumSizeHint().width() <= 800
    heading = window.notes.heading
    assert heading.text().startswith(LONG_NAME)           # the whole name is what it holds...
    assert heading.elided_text().endswith("…")            # ...cut where the room ends...
    assert heading.toolTip() == heading.text()             # ...and said whole on hover


def test_a_long_message_is_cut_in_the_status_line_and_said_whole_on_hover(qtbot, window):
    text = "Generation failed: cannot read /Volumes/Media/" + "deep/" * 60 + "A001C003.mov"
    window.show_message(text, True)
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.width() == 800)
    assert window.status_text.text() == text
    assert window.status_text.toolTip() == text
    assert window.minimumSizeHint().width() <= 800


def test_without_a_server_the_takes_panel_keeps_saying_why_after_a_timeline_opens(qtbot, window, fake_client, timeline_path):
    fake_client.fail_connect = True
    with qtbot.waitSignal(window.session.connection_changed, check_params_cb=lambda state, _d: state == "error"):
        window.session.connect_to("127.0.0.1:1")
    open_and_wait(qtbot, window, timeline_path)
    # The status line has moved on to the timeline...
    assert window.status_text.text().startswith("cut.otio: 5 shots")
    # ...while beside the buttons it turned off, the panel still says what happened and what to do.
    said = window.takes.message.text()
    assert "cannot reach" in said and "Start local server" in said
    assert not window.takes.generate_button.isEnabled()
    with qtbot.waitSignal(window.session.connection_changed, check_params_cb=lambda state, _d: state == "connected"):
        fake_client.fail_connect = False
        window.session.connect_to("fake:1")
    assert window.takes.message.text() == ""
    assert window.takes.generate_button.isEnabled()


def test_a_shot_whose_media_moved_is_counted_as_such_and_the_panel_says_how_to_relink(qtbot, window, tmp_path, media_dir):
    path = _moved(write_timeline(tmp_path / "cut.otio", media_dir, 3), 1, tmp_path / "moved" / "gone.mp4")
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, path)
    status = window.status_text.text()
    assert status.startswith("cut.otio: 3 shots; 1 without media: use Relink media")
    assert "skipped" not in status                         # the shot is in the list, not skipped
    model = window.shots.model
    tooltip = model.data(model.index(1, 1), 3)              # Qt.ToolTipRole
    assert "gone.mp4" in tooltip and "Relink media…" in tooltip and "--relink" not in tooltip
    # Selected, the picture says why there is none, wrapped within the picture (the whole path).
    window.shots.select_ids([window.store.at(1).shot.id])
    picture = window.viewer.area.picture
    assert "gone.mp4" in picture.message
    assert picture.rect().contains(picture.message_bounds())


def test_one_of_anything_is_said_in_the_singular(qtbot, window, tmp_path, media_dir):
    path = write_timeline(tmp_path / "one.otio", media_dir, 1)
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, path)
    assert window.status_text.text() == "one.otio: 1 shot"
    assert window.shots.count_label.text() == "1 shot"


def test_an_export_the_folder_refuses_says_which_folder_and_keeps_the_accepted_take(qtbot, window, timeline_path, tmp_path):
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    shot_id = window.store.at(0).shot.id
    window.session.generate([shot_id])
    qtbot.waitUntil(lambda: len(window.store.get(shot_id).takes) == 1 and window.store.get(shot_id).progress is None)
    take_id = window.store.get(shot_id).takes[0].id
    window.session.accept(shot_id, take_id)
    # A file where the folder should be refuses even the superuser, as a read-only volume does.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with qtbot.waitSignal(window.session.export_failed) as failed:
        window.session.export(blocker / "cut_foley.otio")
    said = failed.args[0]
    assert said.startswith(f"cannot write {blocker}") and "choose an Output folder you can write to" in said
    assert "Errno" not in said
    assert window.store.get(shot_id).accepted_take_id == take_id


def test_notes_typed_and_not_generated_are_there_when_the_panel_opens_again(qtbot, window, fake_client, timeline_path):
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    second = window.store.at(1).shot.id
    window.shots.select_ids([second])
    window.notes.reasoning.setPlainText("A heavy door slams at 1 s; the latch rattles after.")
    window.close()  # as the editor does: no generate, no export

    session = Session(client_factory=lambda address, token: fake_client)
    again = MainWindow(session, use_multimedia=False)
    qtbot.addWidget(again)
    again.show()
    connect_and_wait(qtbot, again)
    open_and_wait(qtbot, again, timeline_path)
    assert again.store.get(second).notes.reasoning == "A heavy door slams at 1 s; the latch rattles after."
    assert again.store.at(0).notes is None                  # a shot nobody typed for stays empty
    again.session.shutdown(SAFETY_MS)


def test_a_duration_fits_its_column_from_one_frame_to_a_whole_film(qtbot, window):
    from foleyline.desktop.shot_list import DURATION_COLUMN
    from foleyline.desktop.timefmt import duration_words

    assert [duration_words(s) for s in (1 / 24, 3.0, 99.99, 100.0, 185.4, 3 * 3600.0)] == [
        "0.04 s", "3.00 s", "99.99 s", "1:40", "3:05", "3:00:00"]
    room = window.shots.table.columnWidth(DURATION_COLUMN)
    metrics = window.shots.table.fontMetrics()
    for seconds in (99.99, 59 * 60 + 59.0, 99 * 3600.0):
        assert metrics.horizontalAdvance(duration_words(seconds)) < room


def test_the_shot_by_shot_actions_have_keys_and_their_tooltips_say_them(qtbot, window, timeline_path):
    from PyQt6.QtCore import Qt

    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    assert "(Ctrl+G)" in window.generate_action.toolTip()
    assert "(Ctrl+D)" in window.draft_action.toolTip()
    assert "(Ctrl+E)" in window.export_action.toolTip()
    shot_id = window.current_id
    window.shots.table.setFocus()
    qtbot.waitUntil(window.shots.table.hasFocus)
    qtbot.keyClick(window.shots.table, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(window.store.get(shot_id).takes) == 1 and window.store.get(shot_id).progress is None)
    qtbot.keyClick(window.shots.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.exporter
