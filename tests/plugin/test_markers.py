"""Marker selections mean what they say in every format, or say why they cannot."""

from __future__ import annotations

import pytest

from foleyline.errors import InvalidInput
from foleyline.plugin.timeline import Selection, find_shots, read_timeline
from foleyline.plugin.timeline.markers import check_marker_selection, inventory
from foleyline.plugin.timeline.preflight import preflight


@pytest.mark.parametrize("name,colour", [("screening_example.edl", "PINK"), ("kdenlive_example_v240770.kdenlive", "GREEN"),
                                         ("multitrack.aaf", "GREEN"), ("23.98.fcpxml", "ORANGE")])
def test_colours_read_from_every_format_that_carries_them_select_some_shots(otio_samples_dir, name, colour):
    timeline = read_timeline(otio_samples_dir / name, guess_rate=True)
    assert check_marker_selection(timeline, colour, None) is None
    chosen = find_shots(timeline, Selection(marker_color=colour)).shots
    assert 0 < len(chosen) < len(find_shots(timeline).shots)


def test_fcp7_xml_has_no_colours_so_a_colour_selection_offers_the_names(otio_samples_dir, tmp_path):
    timeline = read_timeline(otio_samples_dir / "premiere_example.xml")
    assert inventory(timeline).colourless
    with pytest.raises(InvalidInput, match=r"carries no marker colours.*--marker-name.*'My MArker 1', 'dsf' \(2 unnamed\)"):
        preflight(otio_samples_dir / "premiere_example.xml", Selection(marker_color="RED"))
    assert check_marker_selection(timeline, None, "marker 1") is None


def test_a_colour_no_marker_has_lists_the_colours_there_are(otio_samples_dir):
    timeline = read_timeline(otio_samples_dir / "Complex.fcpxml")
    said = check_marker_selection(timeline, "PINK", None)
    assert said.startswith("no marker is PINK: 29 marker(s): RED x8, BLUE x8, ORANGE x7, GREEN x6")
    assert "the timeline has no markers" in check_marker_selection(read_timeline(otio_samples_dir / "simple.aaf"), "RED", None)
