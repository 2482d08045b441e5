"""The shot list: rows per shot with record timecodes, duration and status; filters; lazy
thumbnails; a 500-shot timeline loads without freezing the window."""

from __future__ import annotations

import threading

from PyQt6.QtCore import QTimer

from foleyline.desktop.shot_list import (
    DURATION_COLUMN,
    IN_COLUMN,
    NAME_COLUMN,
    OUT_COLUMN,
    STATUS_COLUMN,
    STATUS_ROLE,
    ShotListView,
)
from foleyline.desktop.state import ShotStore, Status
from foleyline.notes.schema import Notes
from foleyline.plugin.timeline import find_shots, read_timeline

from .conftest import SAFETY_MS, open_and_wait, write_timeline


def _view(qtbot, path) -> ShotListView:
    store = ShotStore()
    store.set_shots(list(find_shots(read_timeline(path)).shots))
    view = ShotListView(store)
    qtbot.addWidget(view)
    return view


def test_rows_show_name_record_timecodes_duration_and_status(qtbot, qtmodeltester, timeline_path):
    view = _view(qtbot, timeline_path)
    model = view.model
    qtmodeltester.check(model)
    qtmodeltester.check(view.proxy)
    assert model.rowCount() == 5
    cell = lambda row, column: model.data(model.index(row, column))
    assert cell(0, NAME_COLUMN) == "sh001 condfoleygen_hitting_metal"
    assert (cell(0, IN_COLUMN), cell(0, OUT_COLUMN)) == ("01:00:00:00", "01:00:03:00")
    assert (cell(1, IN_COLUMN), cell(1, OUT_COLUMN)) == ("01:00:03:00", "01:00:06:00")
    assert cell(0, DURATION_COLUMN) == "3.00 s"
    assert cell(0, STATUS_COLUMN) == "no notes"


def test_status_follows_the_shot_through_notes_generation_takes_and_accept(qtbot, timeline_path):
    from foleyline.protos.v1 import foley_pb2 as pb

    view = _view(qtbot, timeline_path)
    store, model = view.store, view.model
    shot_id = store.at(0).shot.id
    status = lambda: model.data(model.index(0, STATUS_COLUMN))
    store.update(shot_id, notes=Notes(reasoning="steps"))
    assert status() == "notes"
    store.update(shot_id, progress=0.42, stage="generate")
    assert status() == "generating 42 %"
    store.update(shot_id, progress=None)
    store.add_take(pb.Take(id="t1", shot_id=shot_id))
    store.add_take(pb.Take(id="t2", shot_id=shot_id))
    assert status() == "2 takes"
    store.update(shot_id, accepted_take_id="t2")
    assert status() == "accepted"
    assert model.data(model.index(0, 0), STATUS_ROLE) is Status.ACCEPTED


def test_filters_by_name_and_by_status(qtbot, timeline_path):
    view = _view(qtbot, timeline_path)
    view.search.setText("chopping")
    assert view.proxy.rowCount() == 1
    assert view.count_label.text() == "1 of 5 shots"
    view.search.setText("")
    view.store.update(view.store.at(3).shot.id, notes=Notes(reasoning="x"))
    view.status_filter.setCurrentText("Has notes")
    assert view.proxy.rowCount() == 1
    view.status_filter.setCurrentText("Needs notes")
    assert view.proxy.rowCount() == 4
    # A shot that changes status leaves the filtered view on its own.
    view.store.update(view.store.at(0).shot.id, notes=Notes(reasoning="y"))
    assert view.proxy.rowCount() == 3


def test_selection_reports_shot_ids_in_timeline_order(qtbot, timeline_path):
    view = _view(qtbot, timeline_path)
    ids = [view.store.at(row).shot.id for row in (3, 1)]
    with qtbot.waitSignal(view.selection_changed) as blocker:
        view.select_ids(ids)
    assert blocker.args[0] == sorted(ids, key=view.store.row_of)
    assert view.current_id() == ids[0]


def test_a_500_shot_timeline_loads_off_the_gui_thread_and_stays_responsive(qtbot, qtmodeltester, window, tmp_path, media_dir,
                                                                          monkeypatch):
    from foleyline.desktop import calls

    path = write_timeline(tmp_path / "long.otio", media_dir, 500, length=24)
    # The parse waits until the window has shown it keeps running meanwhile: its timer ticks
    # and it answers a search (a parse on the GUI thread would block both, and itself).
    parsing, release, readers = threading.Event(), threading.Event(), []
    real = calls.read_timelines

    def read_timelines(*args, **kwargs):
        readers.append(threading.current_thread())
        parsing.set()
        release.wait(SAFETY_MS / 1000)
        return real(*args, **kwargs)

    monkeypatch.setattr(calls, "read_timelines", read_timelines)
    ticks: list[int] = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(1))
    with qtbot.waitSignal(window.session.timeline_loaded):
        window.open_timeline(path)
        qtbot.waitUntil(parsing.is_set)
        timer.start()
        qtbot.waitUntil(lambda: len(ticks) >= 3)
        window.shots.search.setText("sh")
        window.shots.search.clear()
        release.set()
    timer.stop()
    assert readers and threading.main_thread() not in readers
    assert window.shots.model.rowCount() == 500
    # Painting the list asks for the thumbnails on screen, not for all 500.
    window.shots.table.viewport().repaint()
    qtbot.wait(50)
    requested = len(window.shots.model._requested)
    assert 0 < requested < 100
    # Filtering 500 rows is done when the text is set: no work left for later.
    window.shots.search.setText("sh4")
    assert window.shots.proxy.rowCount() == 100  # sh400..sh499
    qtmodeltester.check(window.shots.model)


def test_thumbnails_arrive_for_the_rows_on_screen(qtbot, window, timeline_path):
    from PyQt6.QtCore import Qt

    from foleyline.desktop import style

    open_and_wait(qtbot, window, timeline_path)
    model = window.shots.model
    window.shots.table.viewport().repaint()
    qtbot.waitUntil(lambda: all(model.data(model.index(row, 0), Qt.ItemDataRole.DecorationRole) is not None for row in range(5)))
    image = model.data(model.index(2, 0), Qt.ItemDataRole.DecorationRole)
    assert image.width() == style.THUMB_WIDTH
