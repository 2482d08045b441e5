"""Opening what editors actually hand over: a file with several timelines asks which one (as
`foleyline timelines` lists them), and a timeline whose media moved shows what is missing
and is relinked by folder or by path prefix, the export then pointing at the media found."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from pathlib import Path

from foleyline.plugin.timeline import read_timeline
from foleyline.plugin.timeline.formats import read_timelines
from foleyline.plugin.timeline.timelines import describe

from .conftest import connect_and_wait, write_timeline

TWO_PREMIERE_SEQUENCES = ("premiere_example.xml", "premiere_enable_property.xml")


def two_sequence_xml(samples: Path, path: Path) -> Path:
    """One xmeml holding the sequences of two real Premiere exports, as Premiere writes a
    project with several sequences."""
    root = ET.Element("xmeml", version="4")
    for name in TWO_PREMIERE_SEQUENCES:
        root.append(copy.deepcopy(ET.parse(samples / name).getroot().find("sequence")))
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n' + ET.tostring(root, encoding="unicode"))
    return path


def _open_chooser(qtbot, window, path: Path):
    window.open_timeline(path)
    qtbot.waitUntil(lambda: window.timeline_dialogs.chooser is not None and window.timeline_dialogs.chooser.isVisible())
    return window.timeline_dialogs.chooser


def test_a_file_with_two_sequences_lists_them_and_the_second_one_opens(qtbot, window, otio_samples_dir, tmp_path):
    path = two_sequence_xml(otio_samples_dir, tmp_path / "project.xml")
    chooser = _open_chooser(qtbot, window, path)
    listed = [[chooser.table.item(row, column).text() for column in range(chooser.table.columnCount())]
              for row in range(chooser.table.rowCount())]
    infos = describe(read_timelines(path))  # what `foleyline timelines` prints
    assert listed == [[str(i.number), i.name, i.rate, i.start, i.duration, f"{i.video_tracks}V {i.audio_tracks}A",
                       str(i.clips)] for i in infos]
    assert [row[1] for row in listed] == ["sc01_sh010_layerA", "disabled_test_sequence"]
    assert [row[2] for row in listed] == ["30", "25"]
    assert not window.store.__len__()  # nothing loaded until one is chosen

    chooser.table.selectRow(1)
    with qtbot.waitSignal(window.session.timeline_loaded) as blocker:
        chooser.accept()
    loaded = blocker.args[0]
    assert loaded.timeline.name == "disabled_test_sequence"
    assert loaded.name == "project.xml — disabled_test_sequence" and "disabled_test_sequence" in window.windowTitle()
    expected = read_timeline(path, timeline=2)
    assert len(window.store) == len(loaded.shots) > 0
    assert {s.record_range.start_time.rate for s in loaded.shots} == {expected.global_start_time.rate}


def test_cancelling_the_chooser_opens_nothing(qtbot, window, otio_samples_dir, tmp_path):
    chooser = _open_chooser(qtbot, window, two_sequence_xml(otio_samples_dir, tmp_path / "project.xml"))
    chooser.reject()
    qtbot.wait(200)
    assert window.session.loaded is None and len(window.store) == 0


def _moved(tmp_path: Path, old: Path) -> Path:
    """A three-shot cut over the shared clips whose export names them under ``old``."""
    return write_timeline(tmp_path / "moved.otio", old, 3)


def _open_moved(qtbot, window, path: Path):
    with qtbot.waitSignal(window.session.timeline_loaded):
        window.open_timeline(path)
    dialog = window.timeline_dialogs.relink
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_missing_media_is_shown_per_file_and_found_in_a_folder(qtbot, window, media_dir, tmp_path):
    dialog = _open_moved(qtbot, window, _moved(tmp_path, Path("/Volumes/Old Drive/media")))
    files = [dialog.missing.topLevelItem(i) for i in range(dialog.missing.topLevelItemCount())]
    assert [f.text(0) for f in files] == [f"/Volumes/Old Drive/media/{s.shot.media_path.name}" for s in window.store]
    assert [f.text(1) for f in files] == ["1", "1", "1"] and files[0].child(0).text(0).endswith("at 01:00:00:00")
    assert dialog.summary.text() == "3 missing file(s), 3 shot(s) without picture"

    dialog.add_folder(media_dir)
    with qtbot.waitSignal(window.session.timeline_loaded) as blocker:
        dialog.relink_button.click()
    loaded = blocker.args[0]
    assert not loaded.missing and len(loaded.relinked) == 3
    assert all(s.shot.media_path.parent == media_dir.resolve() and not s.shot.missing_reason for s in window.store)
    assert dialog.summary.text() == "Every shot has its media" and not dialog.relink_button.isEnabled()


def test_a_path_prefix_mapping_relinks_and_the_export_points_at_the_media_found(qtbot, window, media_dir, tmp_path):
    connect_and_wait(qtbot, window)
    dialog = _open_moved(qtbot, window, _moved(tmp_path, Path("/mnt/editorial/media")))
    assert dialog.maps.rowCount() == 0
    dialog.add_mapping("/mnt/editorial", "")
    dialog.request()
    assert dialog.result.text() == "Mapping 1: give both the path in the export and the path here"

    dialog.maps.removeRow(0)
    dialog.add_mapping("/mnt/editorial/media", str(media_dir))
    with qtbot.waitSignal(window.session.timeline_loaded):
        dialog.relink_button.click()
    assert not window.session.loaded.missing

    shot_id = window.store.at(1).shot.id
    window.shots.select_ids([shot_id])
    window.draft_action.trigger()
    qtbot.waitUntil(lambda: window.store.get(shot_id).notes is not None)
    window.takes.generate_button.click()
    qtbot.waitUntil(lambda: bool(window.store.get(shot_id).takes) and window.store.get(shot_id).progress is None)
    window.session.accept(shot_id, window.store.get(shot_id).takes[0].id)
    out = tmp_path / "out" / "moved_foley.otio"
    out.parent.mkdir()
    window.exporter.path.setText(str(out))
    with qtbot.waitSignal(window.session.exported):
        window.exporter.export_button.click()
    pictures = [clip.media_reference.target_url for clip in read_timeline(out).video_tracks()[0].find_clips()]
    assert pictures and all(url.startswith(media_dir.resolve().as_uri()) for url in pictures)


def test_a_movie_opens_as_a_timeline_of_its_cuts(qtbot, window, media_dir):
    """A plain movie is a timeline too, as `foleyline generate clip.mov` reads it."""
    from foleyline.plugin.timeline.video import timeline_from_video

    movie = sorted(media_dir.glob("*.mp4"))[0]
    with qtbot.waitSignal(window.session.timeline_loaded, timeout=60000) as blocker:
        window.open_timeline(movie)
    loaded = blocker.args[0]
    expected = [clip.name for clip in timeline_from_video(movie).find_clips()]
    assert [shot.name for shot in loaded.shots] == expected and len(window.store) == len(expected)
