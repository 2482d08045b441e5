"""The live bridge: shots come from the timeline open in DaVinci Resolve, and accepted takes go
back onto it. Resolve is the interchange's documented fake of its scripting API."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import opentimelineio as otio
import pytest

from .conftest import connect_and_wait


def _fake_resolve_module():
    # The interchange's fake, loaded by path: it belongs to tests/plugin, not to this package.
    path = Path(__file__).resolve().parents[1] / "plugin" / "fake_resolve.py"
    spec = importlib.util.spec_from_file_location("foleyline_test_fake_resolve", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def resolve_edit(media_dir):
    """A 24 fps Resolve timeline at 01:00:00:00: two shots on V1 over the shared clips."""
    fake = _fake_resolve_module()
    timeline = fake.Timeline(name="Reel 1", fps="24", start_frame=86400)
    timeline.add_video(1, "hit metal", 24, 48, 6, media_dir / "condfoleygen_hitting_metal.mp4")
    timeline.add_video(1, "chopping", 96, 48, 12, media_dir / "condfoleygen_chopping.mp4")
    return fake, timeline


def test_shots_come_from_resolve_and_accepted_takes_go_back_onto_its_timeline(qtbot, window, resolve_edit, tmp_path):
    fake, timeline = resolve_edit
    resolve = fake.Resolve(timeline)
    connect_and_wait(qtbot, window)
    with qtbot.waitSignal(window.session.timeline_loaded):
        window.session.open_from_resolve(lambda: resolve)
    assert window.windowTitle() == "Foleyline — Reel 1 (Resolve)"
    assert [window.store.at(row).shot.name for row in range(2)] == ["hit metal", "chopping"]
    assert window.exporter.format.currentData() == "resolve"

    shot_id = window.store.at(1).shot.id
    window.shots.select_ids([shot_id])
    window.takes.generate_button.click()
    qtbot.waitUntil(lambda: len(window.store.get(shot_id).takes) == 1 and window.store.get(shot_id).progress is None)
    window.session.accept(shot_id, window.store.get(shot_id).takes[0].id)

    window.exporter.path.setText(str(tmp_path / "resolve-wavs"))
    with qtbot.waitSignal(window.session.exported) as blocker:
        window.exporter.export_button.click()
    result = blocker.args[0]
    assert result.target == "Resolve timeline 'Reel 1'" and not result.problems
    assert window.exporter.result.toPlainText().startswith("Placed on the Resolve timeline 'Reel 1'")
    # On Resolve's timeline: a "Foley FX" audio track holding the clip the panel listed, under
    # the shot (record frames 96..144 from the start), and a marker for the take.
    names = timeline.track_names["audio"]
    assert "Foley FX" in names
    items = timeline.tracks["audio"][names.index("Foley FX")]
    assert len(items) == len(result.clips) == 1
    tc = lambda frame: otio.opentime.to_timecode(otio.opentime.RationalTime(frame, 24), 24)
    assert (result.clips[0].record_in, result.clips[0].record_out) == (tc(items[0].start), tc(items[0].end))
    assert items[0].start <= 86400 + 96 and items[0].end >= 86400 + 144
    assert len(timeline.markers) == 1


def test_without_resolve_the_panel_says_what_to_do(qtbot, window):
    from foleyline.errors import Unavailable

    def missing():
        raise Unavailable("DaVinci Resolve's scripting module is not importable; run this from Resolve")

    with qtbot.waitSignal(window.session.timeline_failed) as blocker:
        window.session.open_from_resolve(missing)
    assert blocker.args[0].startswith("Could not open the Resolve timeline: DaVinci Resolve's scripting module")


def test_resolve_export_needs_a_timeline_opened_from_resolve(qtbot, window, timeline_path):
    from .conftest import open_and_wait

    connect_and_wait(qtbot, window)
    open_and_wait(qtbot, window, timeline_path)
    with qtbot.waitSignal(window.session.export_failed) as blocker:
        window.session.export("/tmp/x", fmt="resolve")
    assert "No accepted takes" in blocker.args[0] or "not opened from Resolve" in blocker.args[0]
