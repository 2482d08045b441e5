"""What the preflight says about head handles a shot cannot have."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from foleyline.plugin.timeline.preflight import preflight

from .conftest import make_timeline


def _warnings(tmp_path: Path, clips) -> list[str]:
    timeline = make_timeline(start_tc="00:00:00:00", clips=clips, media_dir=tmp_path)
    path = tmp_path / "cut.otio"
    otio.adapters.write_to_file(timeline, str(path))
    return [w for w in preflight(path).warnings if "head handle" in w]


def test_a_shot_a_few_frames_after_midnight_is_told_its_head_handle_is_short(tmp_path: Path) -> None:
    said = _warnings(tmp_path, [("A001", 3, 100, 24)])
    assert len(said) == 1 and "its head handle is 3 frame(s), not 12 (no audio before midnight)" in said[0]


def test_a_shot_that_uses_its_media_from_the_first_frame_is_not(tmp_path: Path) -> None:
    # No picture before it to make a handle from, nor to extend the cut into: a plain movie's
    # one shot at 00:00:00:00 (`foleyline generate clip.mov`) is the everyday case.
    assert _warnings(tmp_path, [("A001", 0, 0, 24)]) == []
