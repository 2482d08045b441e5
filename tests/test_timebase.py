"""foleyline.timebase: exact rates, explicit drop-frame, timecode <-> frames <-> seconds <-> samples."""

from __future__ import annotations

from fractions import Fraction

import opentimelineio as otio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tolerances

from foleyline.errors import InvalidInput
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.timebase import (
    DEFAULT_HANDLE_FRAMES,
    OUTPUT_SAMPLE_RATE,
    FrameRate,
    MediaClock,
    add_handles,
    as_rate,
    counts_timecode,
    frames_to_time,
    frames_to_timecode,
    from_timecode,
    has_drop_frame,
    media_seconds,
    media_start,
    range_to_samples,
    rate_from_float,
    samples_since_midnight,
    seconds_to_samples,
    sequence_rate,
    shot_media_span,
    timecode_rate,
    timecode_to_frames,
    to_frames,
    to_seconds,
    to_timecode,
)
from foleyline.timebase.proto import range_from_proto, range_to_proto

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange

# Every rate the product promises, as (label, FrameRate).
RATES = [
    FrameRate(Fraction(24000, 1001)),
    FrameRate(Fraction(24)),
    FrameRate(Fraction(25)),
    FrameRate(Fraction(30000, 1001), drop_frame=True),
    FrameRate(Fraction(30000, 1001), drop_frame=False),
    FrameRate(Fraction(30)),
    FrameRate(Fraction(50)),
    FrameRate(Fraction(60000, 1001), drop_frame=False),
    FrameRate(Fraction(60000, 1001), drop_frame=True),
]
rates = st.sampled_from(RATES)
ONE_DAY_FRAMES_MAX = 24 * 3600 * 60  # more than a day at any rate here


class TestRates:
    @pytest.mark.parametrize(
        "value, exact",
        [
            (23.976, Fraction(24000, 1001)),
            (23.98, Fraction(24000, 1001)),
            (23.976023976023978, Fraction(24000, 1001)),  # what OTIO stores
            (29.97, Fraction(30000, 1001)),
            (59.94, Fraction(60000, 1001)),
            (24.0, Fraction(24)),
            (25, Fraction(25)),
            (15.0, Fraction(15)),
            (32.4, Fraction(162, 5)),
            (19.62, Fraction(981, 50)),
        ],
    )
    def test_a_float_rate_means_an_exact_fraction(self, value, exact):
        assert rate_from_float(value).fps == exact

    def test_drop_frame_is_never_inferred_from_the_rate(self):
        assert rate_from_float(29.97).drop_frame is False
        assert rate_from_float(29.97, drop_frame=True).drop_frame is True

    def test_a_float_given_to_frame_rate_is_snapped_too(self):
        assert FrameRate(29.97, drop_frame=True) == FrameRate(Fraction(30000, 1001), drop_frame=True)

    def test_drop_frame_only_exists_at_2997_and_5994(self):
        with pytest.raises(InvalidInput, match="drop-frame"):
            FrameRate(Fraction(25), drop_frame=True)

    @pytest.mark.parametrize(
        "text, expected",
        [
            ("25", FrameRate(Fraction(25))),
            ("29.97 DF", FrameRate(Fraction(30000, 1001), True)),
            ("29.97NDF", FrameRate(Fraction(30000, 1001), False)),
            ("30000/1001 DF", FrameRate(Fraction(30000, 1001), True)),
            ("23.976", FrameRate(Fraction(24000, 1001))),
        ],
    )
    def test_rates_can_be_written_as_text(self, text, expected):
        assert as_rate(text) == expected

    @pytest.mark.parametrize("bad", ["fast", "0", "-24", "29.97 XF"])
    def test_unreadable_rates_are_rejected(self, bad):
        with pytest.raises(InvalidInput):
            as_rate(bad)

    def test_timecode_is_undefined_at_odd_rates(self):
        with pytest.raises(InvalidInput, match="not defined at 32.4"):
            frames_to_timecode(10, 32.4)


class TestTimecode:
    @pytest.mark.parametrize(
        "timecode, rate, frames",
        [
            ("01:00:00:00", "24", 86400),
            ("01:00:00:00", "23.976", 86400),  # a label counted at the nominal 24
            ("01:00:00:00", "25", 90000),
            ("01:00:00:00", "29.97 NDF", 108000),
            ("01:00:00;00", "29.97 DF", 107892),
            ("00:01:00;02", "29.97 DF", 1800),
            ("00:10:00;00", "29.97 DF", 17982),
            ("00:01:00;04", "59.94 DF", 3600),
            ("23:59:59;29", "29.97 DF", 2589407),
        ],
    )
    def test_known_labels(self, timecode, rate, frames):
        assert timecode_to_frames(timecode, rate) == frames
        assert frames_to_timecode(frames, rate) == timecode

    def test_non_drop_2997_keeps_its_label(self):
        # OTIO guesses drop-frame from 29.97 and would print 01:00:03;18 for this.
        rt = from_timecode("01:00:00:00", "29.97 NDF")
        assert to_timecode(rt, "29.97 NDF") == "01:00:00:00"
        assert to_timecode(rt, "29.97 DF") == "01:00:03;18"

    def test_a_drop_frame_label_with_a_non_drop_rate_is_an_error(self):
        with pytest.raises(InvalidInput, match="drop-frame"):
            timecode_to_frames("01:00:00;00", "29.97 NDF")

    @pytest.mark.parametrize(
        "bad, rate",
        [("00:01:00;00", "29.97 DF"), ("00:01:00;01", "29.97 DF"), ("00:00:00:25", "25"), ("1:2:3", "25"),
         ("00:61:00:00", "24"), ("", "24")],
    )
    def test_impossible_labels_are_rejected(self, bad, rate):
        with pytest.raises(InvalidInput):
            timecode_to_frames(bad, rate)

    def test_timecode_wraps_at_midnight(self):
        assert frames_to_timecode(24 * 3600 * 25 + 3, "25") == "00:00:00:03"
        assert frames_to_timecode(-1, "25") == "23:59:59:24"

    @pytest.mark.parametrize("rate", RATES, ids=lambda r: r.label)
    def test_agrees_with_opentimelineio_when_told_the_drop_flag(self, rate):
        for frames in (0, 1, 1799, 1800, 17982, 107892, 863999, 2589406):
            ours = frames_to_timecode(frames, rate)
            theirs = otio.opentime.to_timecode(RT(frames, float(rate.fps)), float(rate.fps), rate.drop_frame)
            assert ours == theirs, (frames, rate)

    @settings(max_examples=300, deadline=None)
    @given(rate=rates, frames=st.integers(0, ONE_DAY_FRAMES_MAX))
    def test_frames_round_trip_through_timecode(self, rate, frames):
        per_day = timecode_to_frames("23:59:59" + (";" if rate.drop_frame else ":") + f"{rate.timecode_base - 1:02d}", rate) + 1
        label = frames_to_timecode(frames, rate)
        assert timecode_to_frames(label, rate) == frames % per_day

    @settings(max_examples=300, deadline=None)
    @given(rate=rates, h=st.integers(0, 23), m=st.integers(0, 59), s=st.integers(0, 59), f=st.integers(0, 59))
    def test_labels_round_trip_through_frames(self, rate, h, m, s, f):
        base = rate.timecode_base
        f %= base
        if rate.drop_frame and s == 0 and m % 10 and f < (2 if base == 30 else 4):
            f += 4  # a dropped label; tested elsewhere
        label = f"{h:02d}:{m:02d}:{s:02d}{';' if rate.drop_frame else ':'}{f:02d}"
        assert frames_to_timecode(timecode_to_frames(label, rate), rate) == label


class TestSamples:
    def test_the_issue_example(self):
        assert samples_since_midnight("01:00:02:00", "23.976", 48000) == 173_068_896

    @pytest.mark.parametrize(
        "timecode, rate, expected",
        [
            ("01:00:00:00", "24", 3600 * 48000),
            ("01:00:00:00", "25", 3600 * 48000),
            ("01:00:00:00", "23.976", 86400 * 2002),  # 3603.6 real seconds
            ("01:00:00:00", "29.97 NDF", 108000 * 1001 * 48000 // 30000),
            ("01:00:00;00", "29.97 DF", round(Fraction(107892 * 1001 * 48000, 30000))),  # 3599.9964 s
            ("00:00:00:01", "29.97 NDF", 1602),  # 1601.6 rounds half up to the nearest sample
        ],
    )
    def test_time_reference_is_counted_at_the_real_rate(self, timecode, rate, expected):
        assert samples_since_midnight(timecode, rate) == expected

    def test_a_rational_time_uses_its_own_rate(self):
        rt = RT(86448, 24000 / 1001)  # OTIO's float rate for 23.976
        assert samples_since_midnight(rt) == 173_068_896

    def test_a_rational_time_at_another_rate_is_converted_from_its_own(self):
        rt = RT(3600 * 48000, 48000)  # one hour, counted in samples
        assert samples_since_midnight(rt, "25") == 3600 * 48000

    def test_seconds_to_samples_rounds_half_up(self):
        assert seconds_to_samples(Fraction(1, 96000), 48000) == 1  # exactly 0.5 sample
        assert seconds_to_samples(1 / 3, 48000) == 16000
        assert seconds_to_samples(Fraction(1001, 30000), 48000) == 1602

    @settings(max_examples=200, deadline=None)
    @given(rate=rates, frames=st.integers(0, 10**7), sr=st.sampled_from([16000, 44100, 48000, 96000]))
    def test_frames_samples_seconds_agree(self, rate, frames, sr):
        rt = frames_to_time(frames, rate)
        assert to_frames(rt, rate) == frames
        seconds = to_seconds(rt)
        assert seconds == Fraction(frames) / rate.fps  # OTIO's float rate is snapped back exactly
        samples = seconds_to_samples(seconds, sr)
        assert abs(samples - seconds * sr) <= Fraction(1, 2)


class TestMediaTime:
    @settings(max_examples=200, deadline=None)
    @given(
        rate=rates,
        start_tc=st.integers(0, 23 * 3600 * 24),
        offset=st.integers(0, 100_000),
    )
    def test_media_seconds_with_a_start_timecode(self, rate, start_tc, offset):
        media_start = frames_to_time(start_tc, rate)
        source = frames_to_time(start_tc + offset, rate)
        assert media_seconds(source, media_start) == pytest.approx(offset / float(rate.fps), abs=tolerances.SECONDS)

    def test_media_seconds_across_rates(self):
        # A 25 fps range start against a media start expressed at 50 fps.
        assert media_seconds(RT(90025, 25), RT(180000, 50)) == pytest.approx(1.0)

    def test_range_to_samples_tiles_without_gaps(self):
        rate = FrameRate(Fraction(30000, 1001))
        first_a, count_a = range_to_samples(TR(frames_to_time(0, rate), frames_to_time(7, rate)), 48000)
        first_b, count_b = range_to_samples(TR(frames_to_time(7, rate), frames_to_time(5, rate)), 48000)
        assert first_a + count_a == first_b
        assert count_a + count_b == seconds_to_samples(Fraction(12 * 1001, 30000), 48000)

    def test_handles_are_clamped_to_the_available_media(self):
        rate = 24.0
        source = TR(RT(86405, rate), RT(48, rate))
        available = TR(RT(86400, rate), RT(60, rate))
        handled = add_handles(source, 12, 12, available)
        assert (handled.head_frames, handled.tail_frames) == (5, 7)
        assert handled.range.start_time.value == 86400
        assert handled.range.duration.value == 60

    def test_handles_without_available_media_are_full(self):
        handled = add_handles(TR(RT(100, 25.0), RT(50, 25.0)))
        assert (handled.head_frames, handled.tail_frames) == (12, 12)
        assert handled.range.start_time.value == 88

    def test_empty_range_is_rejected(self):
        with pytest.raises(InvalidInput, match="empty"):
            add_handles(TR(RT(100, 25.0), RT(0, 25.0)))


class TestDropFrameRule:
    @pytest.mark.parametrize(
        "rate, exists",
        [
            (23.976, False), (24000 / 1001, False), (24, False), (25, False),
            (29.97, True), (30000 / 1001, True), (29.970029970029973, True), ("29.97", True),
            (FrameRate(Fraction(30000, 1001)), True),
            (30, False), (50, False), (59.94, True), (60000 / 1001, True), (60, False),
            (29.98, False),  # further from 29.97 than the one NTSC tolerance: an odd rate
        ],
    )
    def test_drop_frame_exists_at_2997_and_5994_only(self, rate, exists):
        assert has_drop_frame(rate) is exists

    @pytest.mark.parametrize("rate", [23.976, 24, 25, 30, 50, 60])
    def test_a_claimed_drop_frame_at_other_rates_means_non_drop(self, rate):
        assert timecode_rate(rate, True) == FrameRate(as_rate(rate).fps, False)

    @pytest.mark.parametrize("rate", [29.97, 59.94, "29.97 NDF"])
    def test_the_flag_is_honoured_where_drop_frame_exists(self, rate):
        assert timecode_rate(rate, True).drop_frame is True
        assert timecode_rate(rate, False).drop_frame is False

    def test_the_output_format_promised_to_editors(self):
        # README: 48 kHz Broadcast WAVs with 12-frame handles
        assert (OUTPUT_SAMPLE_RATE, DEFAULT_HANDLE_FRAMES) == (48000, 12)


class TestMediaStart:
    """Where a shot starts in its media file: the one rule the server decodes from and the
    panel previews from."""

    @pytest.mark.parametrize("rate", RATES, ids=lambda r: r.label)
    @pytest.mark.parametrize("offset", [0, 1, 37, 1799, 17983])
    def test_the_files_start_timecode_when_the_export_gives_no_available_range(self, rate, offset):
        sep = ";" if rate.drop_frame else ":"
        label = f"00:59:58{sep}{rate.timecode_base // 2 + 1:02d}"  # an odd start, not on the hour
        first = timecode_to_frames(label, rate)
        source = TR(frames_to_time(first + offset, rate), frames_to_time(24, rate))
        clock = MediaClock(duration_s=float(Fraction(offset + 48) / rate.fps), timecode=label)
        assert to_frames(media_start(source, None, clock), rate) == first
        span = shot_media_span(source, None, clock)
        assert span.start == pytest.approx(float(offset / rate.fps), abs=tolerances.SECONDS)
        assert span.duration == pytest.approx(float(24 / rate.fps), abs=tolerances.SECONDS)

    def test_the_available_range_wins(self):
        source = TR(RT(86448, 24), RT(24, 24))
        available = TR(RT(86400, 24), RT(240, 24))
        assert media_start(source, available, MediaClock(10.0, "10:00:00:00")) == RT(86400, 24)
        assert shot_media_span(source, available).start == pytest.approx(2.0)

    def test_a_range_inside_the_file_counted_from_zero_is_container_time(self):
        source = TR(RT(48, 24), RT(24, 24))
        assert media_start(source, None, MediaClock(10.0, "01:00:00:00")).to_seconds() == 0
        assert media_start(source, None, None).to_seconds() == 0
        assert shot_media_span(source).start == pytest.approx(2.0)

    def test_untimecoded_media_counts_from_zero(self):
        source = TR(RT(86448, 24), RT(24, 24))
        assert shot_media_span(source, None, MediaClock(10.0, None)).start == pytest.approx(3602.0)


class TestProto:
    @pytest.mark.parametrize("rate", RATES, ids=lambda r: r.label)
    def test_a_range_round_trips_through_the_api(self, rate):
        time_range = TR(frames_to_time(86400 + 7, rate), frames_to_time(131, rate))
        assert range_from_proto(range_to_proto(time_range)) == time_range

    def test_a_duration_at_another_rate_is_read_at_the_starts_rate(self):
        message = pb.TimeRange(start_time=pb.RationalTime(value=100, rate=25), duration=pb.RationalTime(value=100, rate=50))
        assert range_from_proto(message) == TR(RT(100, 25), RT(50, 25))

    def test_a_range_without_a_rate_is_refused(self):
        with pytest.raises(InvalidInput, match="no rate"):
            range_from_proto(pb.TimeRange(start_time=pb.RationalTime(value=100), duration=pb.RationalTime(value=10)))


@pytest.mark.parametrize(
    "picture, timeline",
    [(25, "25"), (15, "15"), (23.976, "24000/1001"), (21.5, "24000/1001"), (29.87, "30000/1001"),
     (12.5, "24000/1001"), (59.7, "60000/1001"), (100, "100"), (119.5, "120000/1001")],
)
def test_picture_at_any_rate_has_a_timeline_rate_that_counts_timecode(picture, timeline) -> None:
    rate = sequence_rate(picture)
    assert rate.fps == Fraction(timeline)
    assert counts_timecode(rate) and rate.timecode_base > 0
