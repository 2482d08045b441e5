"""Files as cameras, capture cards and old exports write them (w13-media4): each is read with
its pictures at the times a player shows them, or refused naming the file and what to do."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from foleyline.errors import InvalidInput, MediaError
from foleyline.plugin.timeline.video import is_video_file, timeline_from_video
from foleyline.probe import open_media, probe
from foleyline.server.media.decode import decode_shot
from foleyline.server.media.frames import ANALYSIS_STREAM, StreamSpec

from .conftest import square_frame, square_index

RATE = Fraction(25)


def _write(path: Path, frames: int, *, codec: str = "libx264", options: dict | None = None, rate=RATE,
           size: tuple[int, int] | None = None, pix_fmt: str = "yuv420p", shift_s: float = 0.0) -> Path:
    """Frame i shows square_frame(i) at (i / rate + shift_s) seconds, encoded as given."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, options=options or {})
        stream.width, stream.height = size or (square_frame(0).shape[1], square_frame(0).shape[0])
        stream.pix_fmt = pix_fmt
        stream.codec_context.time_base = 1 / Fraction(rate)
        for i in range(frames):
            picture = square_frame(i)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24").reformat(
                width=stream.width, height=stream.height, format=pix_fmt)
            frame.time_base = 1 / Fraction(rate)
            frame.pts = i + round(shift_s * rate)
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def _shown(shot, name: str = "analysis") -> list[int]:
    return [square_index(p) for p in shot.streams[name].frames]


def test_an_avi_with_b_frames_shows_each_picture_at_its_own_slot(tmp_path):
    # AVI stores no presentation times: FFmpeg stamps pictures with decode-order slots, so B-frames
    # came out carrying other pictures' times (and were dropped as out of order) and a stream
    # with a decoder delay started a frame late.
    # After a seek, which display slot a keyframe holds is not in the file (an H.264 keyframe at
    # slot 21 shows picture 24): ranges past the seek threshold are decoded from the start.
    for codec in ("libx264", "mpeg4"):
        path = _write(tmp_path / f"{codec}.avi", 60, codec=codec, options={"bf": "2", "g": "12"})
        info = probe(path)
        shot = decode_shot(path, 0.0, info.duration, [ANALYSIS_STREAM])
        assert _shown(shot) == list(range(60)), codec
        np.testing.assert_allclose(shot.streams["analysis"].times, np.arange(60) / 25, atol=1e-6)
        for start in (0.4, 1.6):  # before and past the seek threshold
            first = round(start * 25)
            later = decode_shot(path, start, 0.4, [ANALYSIS_STREAM])
            assert _shown(later) == list(range(first, first + 10)), (codec, start)
            windowed = decode_shot(path, start, 0.4, [StreamSpec("s", fps=25.0, size=(160, 120), fit="resize")],
                                   held_bytes=0)
            assert _shown(windowed, "s") == list(range(first, first + 10)), (codec, start)


def test_a_movie_given_as_an_avi_with_b_frames_keeps_its_length_and_the_analysis_its_times(tmp_path):
    path = _write(tmp_path / "b.avi", 20, options={"bf": "2", "g": "20"})
    timeline = timeline_from_video(path, cuts=True)
    clip = next(iter(timeline.find_clips()))
    assert clip.source_range.duration.to_frames() == 20


def test_a_transport_stream_with_one_keyframe_decodes_a_range_deep_in_it(tmp_path):
    # A TS has no index: the seek lands on a packet that is not a keyframe and the decoder gives
    # no picture until the next one, which may never come. The range is decoded from the top.
    path = _write(tmp_path / "one_key.ts", 50, options={"g": "250", "bf": "0"}, shift_s=3600.0)
    info = probe(path)
    assert info.start_time == pytest.approx(3600.0, abs=0.2)  # the muxer's own delay on top
    shot = decode_shot(path, 1.4, 0.4, [ANALYSIS_STREAM])
    assert _shown(shot) == list(range(35, 45))


def test_a_transport_stream_whose_timestamps_wrap_decodes_every_range(tmp_path):
    # MPEG-TS timestamps are 33 bits at 90 kHz: a capture left running wraps them every 26.5 h.
    # FFmpeg unwraps them, so the file starts below 0, where seeking to 0 is not its top.
    wrap = 2**33 / 90000
    path = _write(tmp_path / "wrapped.ts", 50, options={"g": "250", "bf": "0"}, shift_s=wrap - 1.0 - 1.4)
    info = probe(path)
    assert info.duration == pytest.approx(2.0, abs=0.05)
    for start in (0.2, 1.2, 1.4):
        shot = decode_shot(path, start, 0.4, [ANALYSIS_STREAM])
        first = round(start * 25)
        assert _shown(shot) == list(range(first, first + 10)), (info.start_time, start)
        windowed = decode_shot(path, start, 0.4, [StreamSpec("s", fps=25.0, size=(160, 120), fit="resize")],
                               held_bytes=0)
        assert _shown(windowed, "s") == list(range(first, first + 10)), (info.start_time, start)


def test_a_matroska_file_whose_timestamps_start_late_declares_its_own_length(tmp_path):
    # Matroska counts its durations from the segment's time 0, not from the first picture.
    path = _write(tmp_path / "late.mkv", 25, shift_s=3600.0)
    info = probe(path)
    assert info.start_time == pytest.approx(3600.0, abs=1e-3)
    assert info.duration == pytest.approx(1.0, abs=0.05)
    # so a range ending at the file's end is read (its handles held to the picture), not refused
    shot = decode_shot(path, 0.6, info.duration - 0.6, [ANALYSIS_STREAM])
    assert _shown(shot) == list(range(15, 25))


def test_a_frame_rate_no_camera_records_is_read_from_the_timestamps(tmp_path):
    # A DV file written with a 1/60000 time base declares 60000 fps for its 25 fps pictures.
    path = _write(tmp_path / "pal.dv", 3, codec="dvvideo", size=(720, 576), pix_fmt="yuv420p")
    info = probe(path)
    assert info.fps == pytest.approx(25.0)
    timeline = timeline_from_video(path, cuts=False)
    clip = next(iter(timeline.find_clips()))
    assert clip.source_range.duration.rate == pytest.approx(25.0)
    assert clip.source_range.duration.value == 3


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".gif", ".tif"])
def test_a_picture_file_is_refused_as_a_picture_naming_it(tmp_path, suffix):
    path = tmp_path / f"title card{suffix}"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    with pytest.raises(InvalidInput, match=rf"title card\{suffix} is a picture file .*not a movie.*export the shot as"):
        is_video_file(path)
    with pytest.raises(MediaError, match=r"is a picture file"):
        open_media(path)


def _drop_first_packets(source: Path, path: Path, count: int) -> Path:
    """The file as a capture cut mid-GOP writes it: its first ``count`` video packets gone."""
    with av.open(str(source)) as src, av.open(str(path), "w") as out:
        stream = out.add_stream_from_template(src.streams.video[0])
        for i, packet in enumerate(p for p in src.demux(src.streams.video[0]) if p.size):
            if i >= count:
                packet.stream = stream
                out.mux(packet)
    return path


def test_a_movie_cut_mid_gop_keeps_the_head_no_keyframe_precedes(tmp_path):
    # 20 frames, keyframes at 0 and 10; the first 3 packets cut: the file starts at frame 3's
    # time (0.12 s) and its first picture that decodes is frame 10 (0.4 s). The shot is the
    # file from its start to its end (17 frames), not the 10 decodable frames' count.
    whole = _write(tmp_path / "whole.mkv", 20, options={"g": "10", "bf": "0", "sc_threshold": "0"})
    path = _drop_first_packets(whole, tmp_path / "cut.mkv", 3)
    for cuts in (True, False):
        clip = next(iter(timeline_from_video(path, cuts=cuts).find_clips()))
        assert clip.source_range.duration.to_seconds() == pytest.approx(17 / 25, abs=1e-6), cuts
    shot = decode_shot(path, 0.0, 17 / 25, [ANALYSIS_STREAM])
    assert _shown(shot) == list(range(10, 20))
    np.testing.assert_allclose(shot.streams["analysis"].times, (np.arange(10, 20) - 3) / 25, atol=1e-6)


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_a_picture_stored_turned_with_a_display_matrix_comes_out_as_a_player_shows_it(tmp_path, degrees):
    # A phone stores its portrait shot turned and says, in the display matrix, how to turn it
    # back (degrees counterclockwise). Frame i is stored as square_frame(i) turned the other way.
    path = tmp_path / f"turned{degrees}.mp4"
    upright = [square_frame(i) for i in range(8)]
    stored = [np.ascontiguousarray(np.rot90(p, -degrees // 90)) for p in upright]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=RATE, options={"bf": "0"})
        stream.height, stream.width = stored[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = 1 / RATE
        stream.set_display_rotation(degrees)
        for i, picture in enumerate(stored):
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24").reformat(format="yuv420p")
            frame.pts, frame.time_base = i, 1 / RATE
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    shot = decode_shot(path, 0.0, 8 / 25, [ANALYSIS_STREAM, StreamSpec("s", fps=25.0, size=(160, 120), fit="center_crop")])
    assert shot.streams["analysis"].frames.shape[1:] == (90, 120)  # landscape again, its aspect kept
    assert _shown(shot) == list(range(8))
    assert _shown(shot, "s") == list(range(8))


def test_an_anamorphic_picture_comes_out_at_its_displayed_shape(tmp_path):
    # Stored 160x240 with 2:1 pixels: shown 320x240, as the squeezed square_frame was shot.
    path = tmp_path / "anamorphic.mkv"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=RATE, options={"bf": "0"})
        stream.width, stream.height, stream.pix_fmt = 160, 240, "yuv420p"
        stream.codec_context.sample_aspect_ratio = Fraction(2, 1)
        stream.codec_context.time_base = 1 / RATE
        for i in range(6):
            frame = av.VideoFrame.from_ndarray(square_frame(i), format="rgb24").reformat(
                width=160, height=240, format="yuv420p")
            frame.pts, frame.time_base = i, 1 / RATE
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    assert probe(path).pixel_aspect == pytest.approx(2.0)
    shot = decode_shot(path, 0.0, 6 / 25, [ANALYSIS_STREAM])
    assert shot.streams["analysis"].frames.shape[1:] == (90, 120)  # 4:3 as shown, not 2:3 as stored
    assert _shown(shot) == list(range(6))
