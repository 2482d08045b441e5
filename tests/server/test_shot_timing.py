"""Where a shot's audio lies: handles, clamping, the media start, the Broadcast WAV time stamp;
and the media check before any of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from foleyline.errors import InvalidInput, MediaError, PermissionDenied
from foleyline.server.pipeline import check_allowed
from foleyline.server.records import ShotRequest
from foleyline.server.shot_timing import shot_timing
from foleyline.timebase import MediaClock, RationalTime, TimeRange


def _range(start: float, duration: float, rate: float) -> TimeRange:
    return TimeRange(RationalTime(start, rate), RationalTime(duration, rate))


def _shot(start: float, length: float, *, rate: float = 24.0, record: float = 86400, available: TimeRange | None = None) -> ShotRequest:
    return ShotRequest(
        id="s", name="s", media_path=None, media_hash=None,
        source_range=_range(start, length, rate), record_range=_range(record, length, rate),
        available_range=available, rate=rate, drop_frame=False,
    )


def test_handles_widen_the_shot_and_stamp_the_first_sample() -> None:
    timing = shot_timing(_shot(100, 48, available=_range(0, 1000, 24.0)), 12, MediaClock(1000 / 24))
    assert (timing.head_frames, timing.tail_frames) == (12, 12)
    assert timing.media_start_s == pytest.approx(88 / 24)
    assert timing.duration_s == pytest.approx(72 / 24)
    assert timing.samples == 144000
    assert (timing.head_samples, timing.tail_samples) == (24000, 24000)
    # 01:00:00:00 at 24 fps minus 12 frames
    assert timing.time_reference == 3600 * 48000 - 24000


def test_handles_are_clamped_to_the_available_range() -> None:
    timing = shot_timing(_shot(5, 48, available=_range(0, 60, 24.0)), 12, None)
    assert (timing.head_frames, timing.tail_frames) == (5, 7)


def test_no_head_handle_before_midnight() -> None:
    # a timeline starting at 00:00:00:00: the shot 5 frames in gets a 5-frame head, stamped at 0
    timing = shot_timing(_shot(100, 48, record=5, available=_range(0, 1000, 24.0)), 12, MediaClock(1000 / 24))
    assert (timing.head_frames, timing.tail_frames) == (5, 12)
    assert timing.time_reference == 0
    assert timing.media_start_s == pytest.approx(95 / 24)


def test_media_with_a_start_timecode_counts_from_it() -> None:
    # available range 01:00:00:00 + 10 s at 23.976; the shot starts 2 s (48 frames) in
    rate = 24000 / 1001
    timing = shot_timing(_shot(86400 + 48, 24, rate=rate, available=_range(86400, 240, rate)), 12, MediaClock(10.01))
    assert timing.media_start_s == pytest.approx(36 * 1001 / 24000)


def test_without_an_available_range_the_files_own_timecode_is_the_media_start() -> None:
    # an EDL counts in the media's timecode (01:00:00:00) and does not say where the file starts
    timing = shot_timing(_shot(86400 + 48, 24), 12, MediaClock(10.0, "01:00:00:00"))
    assert timing.media_start_s == pytest.approx(36 / 24)
    assert (timing.head_frames, timing.tail_frames) == (12, 12)


def test_a_drop_frame_file_timecode_is_read_drop_frame() -> None:
    rate = 30000 / 1001
    # 01:00:00;00 at 29.97 DF is frame 107,892; the shot starts 60 frames after it
    timing = shot_timing(_shot(107_892 + 60, 30, rate=rate), 0, MediaClock(10.0, "01:00:00;00"))
    assert timing.media_start_s == pytest.approx(60 * 1001 / 30000)


def test_without_an_available_range_a_range_inside_the_file_is_container_time() -> None:
    timing = shot_timing(_shot(48, 24), 0, MediaClock(10.0, "01:00:00:00"))
    assert timing.media_start_s == pytest.approx(2.0)


def test_23976_record_time_reference_is_exact() -> None:
    rate = 24000 / 1001
    timing = shot_timing(_shot(48, 24, rate=rate, record=86448, available=_range(0, 240, rate)), 0, MediaClock(10.01))
    # 01:00:02:00 at 23.976 is 173,068,896 samples at 48 kHz (timebase's own example)
    assert timing.time_reference == 173_068_896


def test_a_zero_length_shot_is_invalid() -> None:
    with pytest.raises(InvalidInput, match="zero length"):
        shot_timing(_shot(10, 0), 12, MediaClock(10.0))


def test_a_shot_beyond_the_media_says_to_relink() -> None:
    with pytest.raises(MediaError, match="relink"):
        shot_timing(_shot(500, 24), 12, MediaClock(3.0))


def test_paths_outside_the_allowed_roots_are_refused_by_name(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    inside = root / "a.mov"
    assert check_allowed(inside, [root], "s1") == inside.resolve()
    with pytest.raises(PermissionDenied, match=r"media /etc/passwd of shot s1 is outside the server's allowed roots"):
        check_allowed(Path("/etc/passwd"), [root], "s1")
    # a path that climbs out with .. is judged where it really points
    with pytest.raises(PermissionDenied):
        check_allowed(root / ".." / "other.mov", [root], "s1")
    # a symlink inside a root pointing outside it is refused too
    link = root / "link.mov"
    link.symlink_to("/etc/hostname")
    with pytest.raises(PermissionDenied):
        check_allowed(link, [root], "s1")


def test_an_available_range_longer_than_the_file_is_clamped_to_the_file() -> None:
    # the export claims 1000 frames; the file has 60 (2.5 s)
    timing = shot_timing(_shot(40, 16, available=_range(0, 1000, 24.0)), 12, MediaClock(2.5))
    assert (timing.head_frames, timing.tail_frames) == (12, 4)
