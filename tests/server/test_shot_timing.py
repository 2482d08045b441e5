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


def test_a_files_timecode_counts_at_its_own_rate_in_an_edit_at_another() -> None:
    # A 23.976 camera file from 01:00:00:00 in a 25 fps edit, without an available range: the
    # shot 10.01 s in (its 240th frame) is 3.6 s after what 01:00:00:00 counted at 25 fps is.
    film = 24000 / 1001
    start = RationalTime(86400 + 240, film).rescaled_to(25)
    shot = ShotRequest(id="s", name="s", media_path=None, media_hash=None,
                       source_range=TimeRange(start, RationalTime(25, 25)), record_range=_range(90000, 25, 25),
                       available_range=None, rate=25, drop_frame=False)
    timing = shot_timing(shot, 0, MediaClock(20.02, "01:00:00:00", film))
    assert timing.media_start_s == pytest.approx(240 / film, abs=0.5 / 25)


def test_a_50p_files_timecode_is_counted_at_the_25_fps_edits_rate() -> None:
    # cameras count 50p timecode at 25: 10:00:01:00 is 1 s into a file starting at 10:00:00:00
    timing = shot_timing(_shot(900_025, 25, rate=25, record=90000), 0, MediaClock(10.0, "10:00:00:00", 50))
    assert timing.media_start_s == pytest.approx(1.0)


@pytest.mark.parametrize("timecode, said", [(None, "carries no start timecode"), ("02:00:00:00", "02:00:00:00-02:00:04:00")])
def test_a_shot_outside_a_proxy_names_the_file_and_both_timecodes(timecode: str | None, said: str) -> None:
    # a proxy rendered without the camera's timecode, or with another, for a shot at 01:00:01:00
    with pytest.raises(MediaError) as refused:
        shot_timing(_shot(86400 + 24, 24), 12, MediaClock(4.0, timecode, 24), "A001_proxy.mp4")
    message = str(refused.value)
    assert "A001_proxy.mp4" in message and "01:00:01:00-01:00:02:00" in message and said in message
    assert "relink" in message


def test_a_5994_files_timecode_with_frames_2997_has_not_counts_at_5994() -> None:
    # 01:00:00;45 is a label only 59.94 counts; the shot 600 frames at 29.97 after 01:00:00;00
    ntsc = 30000 / 1001
    start = 107_892 + 600
    shot = ShotRequest(id="s", name="s", media_path=None, media_hash=None,
                       source_range=_range(start, 30, ntsc), record_range=_range(107_892, 30, ntsc),
                       available_range=None, rate=ntsc, drop_frame=True)
    timing = shot_timing(shot, 0, MediaClock(60.0, "01:00:00;45", 60000 / 1001))
    assert timing.media_start_s == pytest.approx(600 * 1001 / 30000 - 45 * 1001 / 60000, abs=0.5 / 30)


def test_a_shot_running_past_a_shorter_file_is_refused_in_timecode() -> None:
    # a 2 s copy of a clip from 01:00:00:00, the shot 01:00:01:00-01:00:04:00: Foley over the
    # second the file covers, silent after it, would pass for the shot's; the editor is told
    # what the file holds and to copy the whole file again
    with pytest.raises(MediaError) as refused:
        shot_timing(_shot(86400 + 24, 72), 12, MediaClock(2.0, "01:00:00:00", 24), "A001.mov")
    message = str(refused.value)
    assert "A001.mov" in message and "01:00:01:00-01:00:04:00" in message and "01:00:00:00-01:00:02:00" in message
    assert "ends 2.000 s before the shot" in message and "copy or re-export the whole file" in message


def test_a_shot_ending_a_frame_past_the_files_end_is_timed_and_three_are_refused() -> None:
    # container durations are approximate; the decoder holds the last picture this far
    timing = shot_timing(_shot(86400 + 24, 25), 12, MediaClock(2.0, "01:00:00:00", 24))
    assert (timing.head_frames, timing.tail_frames) == (12, 0)
    with pytest.raises(MediaError, match="before the shot does"):
        shot_timing(_shot(86400 + 24, 27), 12, MediaClock(2.0, "01:00:00:00", 24))
