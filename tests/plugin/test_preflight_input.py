"""What `generate` says when the path it is given is no timeline and no movie: both kinds it
takes are named, and a folder is called a folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from foleyline.errors import InvalidInput, NotFound
from foleyline.plugin.timeline.preflight import preflight


def test_a_missing_path_is_named_as_a_timeline_or_a_movie(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no such timeline or movie: .*take.mov"):
        preflight(tmp_path / "take.mov")


def test_a_folder_is_called_a_folder_and_both_inputs_are_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"a folder; give an NLE export .* or the movie file itself"):
        preflight(tmp_path)


def test_a_file_that_is_neither_names_both_inputs(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# spotting notes\n")
    with pytest.raises(InvalidInput, match=r"neither a timeline export nor a movie .* \.edl, .* or the movie file"):
        preflight(notes)


def test_a_final_cut_bundle_is_still_read_as_a_timeline(tmp_path: Path) -> None:
    bundle = tmp_path / "cut.fcpxmld"
    bundle.mkdir()
    with pytest.raises(InvalidInput) as refused:
        preflight(bundle)
    assert "a folder" not in str(refused.value)


@pytest.mark.parametrize("name, application, export", [
    ("cut.mlt", "Shotcut", "File > Export > EDL"),
    ("cut.prproj", "Premiere Pro", "Final Cut Pro XML"),
    ("cut.drp", "DaVinci Resolve", "Export > Timeline"),
])
def test_an_nle_project_file_names_the_export_that_application_makes(tmp_path: Path, name, application, export) -> None:
    # Shotcut saves MLT XML timed by a clock ("00:00:04.680"); no adapter reads it, nor the others
    project = tmp_path / name
    project.write_text('<?xml version="1.0"?>\n<mlt LC_NUMERIC="C" producer="main_bin">\n'
                       '  <playlist id="playlist0"><entry producer="chain0" in="00:00:00.000" out="00:00:04.680"/></playlist>\n'
                       '</mlt>\n')
    with pytest.raises(InvalidInput) as refused:
        preflight(project)
    message = str(refused.value)
    assert application in message and export in message and "not an export" in message
    assert "neither a timeline export nor a movie" not in message
