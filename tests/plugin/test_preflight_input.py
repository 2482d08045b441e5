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
