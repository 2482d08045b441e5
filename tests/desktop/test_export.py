"""The panel's export: each accepted take's layers as WAVs beside the written timeline, named
by the export settings (a take number in each name), so exporting again after accepting another
take links that take; the server is told which take is accepted (it circles its WAVs)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from foleyline.plugin.timeline import read_timeline

from .conftest import connect_and_wait, open_and_wait


def _export(qtbot, window, out: Path):
    with qtbot.waitSignal(window.session.exported) as blocker:
        window.session.export(out)
    return blocker.args[0]


def _linked_wavs(timeline_path: Path, shot_id: str) -> list[Path]:
    """The WAVs the Foley clips of ``shot_id`` link, in the written timeline."""
    timeline = read_timeline(timeline_path)
    return [
        Path(unquote(urlparse(clip.media_reference.target_url).path))
        for track in timeline.audio_tracks() if track.name.startswith(("Foley", "BG", "FX", "FOL"))
        for clip in track.find_clips()
        if clip.metadata.get("foleyline", {}).get("shot_id") == shot_id
    ]


def test_exporting_again_after_accepting_another_take_links_the_new_takes_audio(qtbot, window, timeline_path,
                                                                                 tmp_path, fake_client):
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    shot_id = window.store.at(1).shot.id
    window.session.generate([shot_id], num_takes=2)
    qtbot.waitUntil(lambda: len(window.store.get(shot_id).takes) == 2 and window.store.get(shot_id).progress is None)
    first, second = window.store.get(shot_id).takes
    audio = {take.id: fake_client.files[take.layers[0].audio.sha256].read_bytes() for take in (first, second)}
    assert audio[first.id] != audio[second.id]
    out = tmp_path / "export" / "cut_foley.otio"
    out.parent.mkdir()

    window.session.accept(shot_id, first.id)
    _export(qtbot, window, out)
    (linked,) = _linked_wavs(out, shot_id)
    assert linked.read_bytes() == audio[first.id]

    window.session.accept(shot_id, second.id)
    _export(qtbot, window, out)
    (relinked,) = _linked_wavs(out, shot_id)
    assert relinked.read_bytes() == audio[second.id]
    # The first take's file is still there, untouched: a timeline written before links it.
    assert linked.read_bytes() == audio[first.id]


def _one_accepted_take(qtbot, window, timeline_path, tmp_path):
    """A shot with one generated take, accepted; the export's path (its folder made)."""
    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    shot_id = window.store.at(1).shot.id
    window.session.generate([shot_id])
    qtbot.waitUntil(lambda: len(window.store.get(shot_id).takes) == 1 and window.store.get(shot_id).progress is None)
    (take,) = window.store.get(shot_id).takes
    window.session.accept(shot_id, take.id)
    out = tmp_path / "export" / "cut_foley.otio"
    out.parent.mkdir()
    return shot_id, take, out


def test_a_file_under_a_takes_name_that_holds_other_audio_is_replaced(qtbot, window, timeline_path, tmp_path,
                                                                       fake_client):
    shot_id, take, out = _one_accepted_take(qtbot, window, timeline_path, tmp_path)
    _export(qtbot, window, out)
    (linked,) = _linked_wavs(out, shot_id)
    linked.write_bytes(b"not this take")

    _export(qtbot, window, out)
    assert _linked_wavs(out, shot_id) == [linked]
    assert linked.read_bytes() == fake_client.files[take.layers[0].audio.sha256].read_bytes()


def test_the_export_settings_name_the_files_and_tracks_and_the_server_circles_the_take(qtbot, window, timeline_path,
                                                                                      tmp_path, fake_client):
    shot_id, take, out = _one_accepted_take(qtbot, window, timeline_path, tmp_path)
    window.exporter.file_names.setText("{layer}_{shot}_take{take}")
    window.exporter.track_names.setCurrentIndex(window.exporter.track_names.findData("short"))
    with qtbot.waitSignal(window.session.exported):
        window.session.export(out, naming=window.exporter.naming())
    assert fake_client.accepted == [take.id]
    written = read_timeline(out)
    tracks = [t for t in written.audio_tracks() if t.name in ("BG", "FX", "FOL")]
    assert tracks, [t.name for t in written.audio_tracks()]
    (clip,) = [c for t in tracks for c in t.find_clips() if c.metadata["foleyline"]["shot_id"] == shot_id]
    assert Path(unquote(urlparse(clip.media_reference.target_url).path)).name.endswith(f"take{take.number}.wav")


def test_a_bad_file_name_template_is_said_in_the_panel_and_nothing_is_exported(qtbot, window, fake_client):
    window.exporter.path.setText("/tmp/never/cut_foley.otio")
    window.exporter.file_names.setText("{shot}.wav")
    window.exporter._export()
    assert "must name the shot, the layer and the take" in window.exporter.result.toPlainText()
