"""Every format the interchange reads opens in the panel; shots whose media is not on this
machine are listed as such, with the reason, and cannot be sent to the server."""

from __future__ import annotations

import pytest

from foleyline.desktop.shot_list import STATUS_COLUMN
from foleyline.plugin.timeline import find_shots, read_timeline

SAMPLES = [
    ("premiere_example.xml", None),
    ("fcpx_project.fcpxml", None),
    ("kdenlive_example_v240770.kdenlive", None),
    ("multi_audio.edl", 24.0),
    ("simple.aaf", None),
    ("hiero_xml_export.xml", None),
]


@pytest.mark.parametrize("name, rate", SAMPLES)
def test_nle_exports_open_and_list_their_shots(qtbot, window, otio_samples_dir, name, rate):
    path = otio_samples_dir / name
    expected = find_shots(read_timeline(path, rate=rate)).shots
    with qtbot.waitSignal(window.session.timeline_loaded):
        window.open_timeline(path, rate=rate)
    model = window.shots.model
    assert model.rowCount() == len(expected)
    for row, shot in enumerate(expected):
        status = model.data(model.index(row, STATUS_COLUMN))
        assert status == ("missing media" if shot.missing_reason else "no notes")
    if expected and expected[0].missing_reason:
        assert not window.takes.generate_button.isEnabled()
        # the reason, with the panel's way to relink rather than the command line's options
        said = window.viewer.area.picture.message
        assert expected[0].missing_reason.split(";")[0] in said
        assert "--relink" not in said and "Relink media…" in said


def test_a_timeline_that_cannot_be_read_is_reported_not_raised(qtbot, window, tmp_path):
    bad = tmp_path / "broken.otio"
    bad.write_text("{ not json")
    with qtbot.waitSignal(window.session.timeline_failed) as blocker:
        window.open_timeline(bad)
    assert blocker.args[0].startswith("Could not open broken.otio")
    assert window.status_text.text() == blocker.args[0]
    assert window.shots.model.rowCount() == 0
