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
    with pytest.raises(InvalidInput, match=r"carries no marker colours.*--marker-name.*'My MArker 1', 'dsf' \(4 unnamed\)"):
        preflight(otio_samples_dir / "premiere_example.xml", Selection(marker_color="RED"))
    assert check_marker_selection(timeline, None, "marker 1") is None


def test_a_colour_no_marker_has_lists_the_colours_there_are(otio_samples_dir):
    timeline = read_timeline(otio_samples_dir / "Complex.fcpxml")
    said = check_marker_selection(timeline, "PINK", None)
    assert said.startswith("no marker is PINK: 29 marker(s): RED x8, BLUE x8, ORANGE x7, GREEN x6")
    assert "the timeline has no markers" in check_marker_selection(read_timeline(otio_samples_dir / "simple.aaf"), "RED", None)


def test_a_timeline_without_picture_says_so_rather_than_blame_the_selection(tmp_path):
    # an audio-only sequence (a music or dialogue edit) has no shot whatever is selected
    pal = "<rate><timebase>25</timebase><ntsc>FALSE</ntsc></rate>"
    path = tmp_path / "music.xml"
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<xmeml version="4"><sequence id="s1"><name>Music</name>'
        f"<duration>100</duration>{pal}<media><video><track/></video><audio><track>"
        f'<clipitem id="a1"><name>score.wav</name><duration>500</duration>{pal}<start>0</start><end>100</end>'
        f'<in>0</in><out>100</out><file id="f1"><name>score.wav</name><pathurl>file:///m/score.wav</pathurl>{pal}'
        f"<duration>500</duration><media><audio><channelcount>2</channelcount></audio></media></file></clipitem>"
        f"</track></audio></media></sequence></xmeml>\n")
    [error] = preflight(path).errors
    assert error == ("no shots: the timeline has no picture (its 1 clip(s) are all sound); Foley is placed under "
                     "shots of picture: export the sequence with its video tracks")


def test_a_timeline_of_generators_only_says_so_rather_than_blame_the_selection(tmp_path):
    # a Premiere sequence of slugs and mattes (a leader, bars, a colour card): no camera shot
    # exists for any --track or --range to find
    film = "<rate><timebase>24</timebase><ntsc>TRUE</ntsc></rate>"
    matte = ('<generatoritem id="g{n}"><name>Matte {n}</name><duration>1000</duration><start>{s}</start><end>{e}</end>'
             f'<in>0</in><out>24</out>{film}<effect><name>Color</name><effectid>Color</effectid>'
             '<effectcategory>Matte</effectcategory><effecttype>generator</effecttype><mediatype>video</mediatype>'
             '</effect></generatoritem>')
    path = tmp_path / "cards.xml"
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<xmeml version="4"><sequence id="s1"><name>Cards</name>'
        f"<duration>48</duration>{film}<media><video><track>"
        + matte.format(n=1, s=0, e=24) + matte.format(n=2, s=24, e=48)
        + "</track></video></media></sequence></xmeml>\n")
    [error] = preflight(path).errors
    assert error.startswith("no shots: the timeline's picture is all made in the NLE (2 generator clip(s)")
    assert "--track" not in error
