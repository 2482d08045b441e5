"""Where a timeline's source timecode lands in its media: a camera file counted at its own rate
inside an edit at another, and a path written by a Mac found on another system."""

from __future__ import annotations

import unicodedata
import urllib.parse
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from foleyline.plugin.shots import media_span
from foleyline.plugin.timeline import find_shots, read_timeline
from foleyline.plugin.timeline.relink import Relinker
from small_clips import write_small_clip

TC = otio.opentime
NTSC_FILM = Fraction(24000, 1001)


def _edl(folder: Path, source_in: str, source_out: str, record_out: str, clip: str) -> Path:
    path = folder / "cut.edl"
    path.write_text("TITLE: Cut\nFCM: NON-DROP FRAME\n\n"
                    f"001  A001     V     C        {source_in} {source_out} 01:00:00:00 {record_out}\n"
                    f"* FROM CLIP NAME: {clip}\n")
    return path


def test_an_edls_source_timecode_is_read_as_its_medias_own_at_another_rate(tmp_path: Path) -> None:
    # A 23.976 camera file starting at 01:00:00:00 cut into a 25 fps edit: the EDL's source in
    # 01:00:00:06 is the file's 6th frame (0.25 s), counted at 24 frames a second, not at 25.
    write_small_clip(tmp_path / "A001.mov", rate=NTSC_FILM, frames=12, timecode="01:00:00:00")
    edl = _edl(tmp_path, "01:00:00:06", "01:00:00:10", "01:00:00:04", "A001.mov")
    [shot] = find_shots(_relinked(edl, tmp_path)).shots
    span = media_span(shot)
    assert span.start == pytest.approx(6 / float(NTSC_FILM), abs=0.5 / 25)
    assert span.duration == pytest.approx(4 / 25)


def test_an_edl_at_its_medias_rate_keeps_its_source_timecode(tmp_path: Path) -> None:
    write_small_clip(tmp_path / "A001.mov", rate=25, frames=12, timecode="10:00:00:00")
    edl = _edl(tmp_path, "10:00:00:06", "10:00:00:10", "01:00:00:04", "A001.mov")
    [shot] = find_shots(_relinked(edl, tmp_path)).shots
    assert media_span(shot).start == pytest.approx(6 / 25)


def _relinked(path: Path, folder: Path) -> otio.schema.Timeline:
    from foleyline.plugin.timeline.relink import relink_timeline

    timeline = read_timeline(path, rate=25)
    relink_timeline(timeline, Relinker([folder]))
    return timeline


def test_a_path_a_mac_wrote_decomposed_finds_the_file_stored_composed(tmp_path: Path) -> None:
    folder = tmp_path / "Scène 1"
    folder.mkdir()
    clip = write_small_clip(folder / "Café.mov", rate=25, frames=5)
    decomposed = unicodedata.normalize("NFD", str(clip))
    assert not Path(decomposed).exists()  # the letters differ byte for byte
    timeline = otio.schema.Timeline(name="cut", global_start_time=TC.RationalTime(0, 25))
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    reference = otio.schema.ExternalReference(target_url="file://" + urllib.parse.quote(decomposed))
    track.append(otio.schema.Clip(name="Café", media_reference=reference,
                                  source_range=TC.TimeRange(TC.RationalTime(0, 25), TC.RationalTime(5, 25))))
    timeline.tracks.append(track)
    [shot] = find_shots(timeline).shots
    assert shot.missing_reason is None and shot.media_path.exists()


def test_relinking_by_name_ignores_how_an_accent_is_composed(tmp_path: Path) -> None:
    (tmp_path / "Café.mov").write_bytes(b"")
    relinker = Relinker([tmp_path])
    mac_path = unicodedata.normalize("NFD", "/Volumes/Media/Café.mov")
    assert relinker.find([mac_path], []) == tmp_path / "Café.mov"
