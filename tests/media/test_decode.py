"""decode: a range decoded once into every requested stream, by timestamps."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import tolerances

from foleyline.errors import InvalidInput, MediaError
from foleyline.probe import open_media, probe, read_info
from foleyline.server.media.decode import decode_shot, extract_audio
from foleyline.server.media.frames import ANALYSIS_STREAM, CLIP_STREAM, SYNC_STREAM, StreamSpec
from foleyline.server.media.streams import FrameConverter

from .conftest import constant_rate, square_index

SHARED_CLIPS = [
    "condfoleygen_chopping.mp4",
    "condfoleygen_hitting_bag.mp4",
    "condfoleygen_hitting_metal.mp4",
    "debian_opencv-doc_vtest.avi",
    "decord_flipping_a_pancake.mkv",
    "foleycrafter_avsync_1.mp4",
    "foleycrafter_avsync_2.mp4",
    "maskvat_axe_gt.mp4",
    "maskvat_ice_gt.mp4",
    "videofeatures_v_ZNVhz7ctTq0.mp4",
]
# A stream that keeps the whole picture, so the square's position tells the source frame.
WHOLE = StreamSpec("whole", fps=25.0, size=(160, 120), fit="resize")


class TestRealClips:
    @pytest.mark.parametrize("name", SHARED_CLIPS)
    def test_every_clip_decodes_to_its_duration_within_one_frame(self, media_dir, name):
        info = probe(media_dir / name)
        shot = decode_shot(media_dir / name, 0.0, info.duration, [ANALYSIS_STREAM])
        analysis = shot.streams["analysis"]
        frame = 1 / info.fps
        assert abs(shot.picture_end - info.duration) <= frame
        assert abs(len(analysis) - info.duration * info.fps) <= 1
        assert np.all(np.diff(analysis.times) > 0)
        assert analysis.times[0] == pytest.approx(0.0, abs=tolerances.CONTAINER_TICK_S)

    def test_engine_streams_have_exact_lengths_and_times(self, media_dir):
        shot = decode_shot(media_dir / "maskvat_axe_gt.mp4", 0.0, 8.0, [CLIP_STREAM, SYNC_STREAM, ANALYSIS_STREAM])
        clip, sync = shot.streams["clip"], shot.streams["sync"]
        assert clip.frames.shape == (64, 384, 384, 3) and clip.frames.dtype == np.uint8
        assert sync.frames.shape == (200, 224, 224, 3)
        np.testing.assert_allclose(clip.times, np.arange(64) / 8)
        np.testing.assert_allclose(sync.times, np.arange(200) / 25)
        # Each sample shows the source frame on screen at its instant: at most one source
        # frame (1/21 s) earlier, never later.
        assert np.all(sync.source_times <= sync.times + 1e-6)
        assert np.all(sync.times - sync.source_times < 1 / 21 + 1e-6)
        assert shot.streams["analysis"].frames.shape[1:] == (90, 160)

    def test_a_range_inside_the_clip_matches_the_full_decode(self, media_dir):
        path = media_dir / "condfoleygen_chopping.mp4"
        full = decode_shot(path, 0.0, 8.0, [ANALYSIS_STREAM]).streams["analysis"]
        part = decode_shot(path, 4.0, 1.5, [ANALYSIS_STREAM]).streams["analysis"]  # seeks
        offset = int(np.searchsorted(full.times, 4.0 - 1e-6))  # first frame at or after 4.0 s
        assert len(part) == pytest.approx(1.5 * 30000 / 1001, abs=1)
        np.testing.assert_allclose(part.times, full.times[offset : offset + len(part)] - 4.0, atol=tolerances.CONTAINER_TICK_S)
        np.testing.assert_array_equal(part.frames, full.frames[offset : offset + len(part)])

    def test_decoding_from_the_top_after_a_seek_gives_the_same_result(self, media_dir):
        # The fallback when a seek lands late or finds no keyframe: the file opened again and
        # decoded from the start.
        from foleyline.server.media import decode as decode_module

        passes = []
        for seek in (True, False):
            path, container = open_media(media_dir / "condfoleygen_chopping.mp4")
            try:
                info = read_info(path, container)
                passes.append(decode_module._decode(container, info, 3.0, 1.0, [ANALYSIS_STREAM], True, seek=seek))
            finally:
                container.close()
        seeked, again = passes
        np.testing.assert_array_equal(seeked.streams["analysis"].frames, again.streams["analysis"].frames)
        np.testing.assert_allclose(seeked.audio, again.audio, atol=0.01)

    def test_the_clips_own_sound_comes_out_over_the_same_range(self, media_dir):
        audio, rate = extract_audio(media_dir / "condfoleygen_hitting_metal.mp4", 0.5, 2.0)
        assert rate == 44100 and audio.shape == (2, 88200) and audio.dtype == np.float32
        assert 0.05 < np.abs(audio).max() <= 1.0


class TestTimestamps:
    @pytest.mark.parametrize("fps", [Fraction(162, 5), Fraction(981, 50), Fraction(15), Fraction(30000, 1001)])
    def test_odd_frame_rates_are_decoded_by_timestamps(self, clip_factory, fps):
        path = clip_factory(f"rate_{float(fps)}.mkv", constant_rate(fps, 2.0), rate=fps)
        info = probe(path)
        shot = decode_shot(path, 0.0, info.duration, [ANALYSIS_STREAM, WHOLE])
        analysis, whole = shot.streams["analysis"], shot.streams["whole"]
        assert len(analysis) == len(constant_rate(fps, 2.0))
        np.testing.assert_allclose(analysis.times, np.arange(len(analysis)) / float(fps), atol=tolerances.CONTAINER_TICK_S)  # mkv: ms
        # The frame on screen at each 25 fps instant, by the stored timestamps.
        expected = [int(np.searchsorted(analysis.times, t + 1e-6)) - 1 for t in whole.times]
        assert [square_index(f) for f in whole.frames] == expected

    def test_variable_frame_rate_follows_the_timestamps(self, clip_factory):
        pts = [0.0, 0.03, 0.1, 0.25, 0.26, 0.5, 0.9, 1.0]
        path = clip_factory("vfr.mp4", pts)
        shot = decode_shot(path, 0.0, 1.0, [ANALYSIS_STREAM, WHOLE])
        np.testing.assert_allclose(shot.streams["analysis"].times, pts[:-1], atol=tolerances.CONTAINER_TICK_S)
        shown = [square_index(f) for f in shot.streams["whole"].frames]
        expected = [max(i for i, p in enumerate(pts) if p <= t + 1e-6) for t in np.arange(25) / 25]
        assert shown == expected

    def test_a_range_past_the_last_frame_holds_it_within_two_frames(self, clip_factory):
        path = clip_factory("hold.mp4", constant_rate(Fraction(25), 1.0))
        shot = decode_shot(path, 0.0, 1.06, [WHOLE])
        assert len(shot.streams["whole"]) == 27
        assert square_index(shot.streams["whole"].frames[-1]) == 24


class TestBadInput:
    def test_missing_file(self, tmp_path):
        with pytest.raises(MediaError, match="not found"):
            probe(tmp_path / "nope.mp4")

    def test_folder(self, tmp_path):
        with pytest.raises(MediaError, match="folder"):
            probe(tmp_path)

    def test_zero_length_file(self, tmp_path):
        (tmp_path / "empty.mp4").write_bytes(b"")
        with pytest.raises(MediaError, match="empty"):
            decode_shot(tmp_path / "empty.mp4", 0, 1, [ANALYSIS_STREAM])

    def test_random_bytes(self, tmp_path):
        path = tmp_path / "noise.mp4"
        path.write_bytes(np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
        with pytest.raises(MediaError, match="corrupt"):
            decode_shot(path, 0, 1, [ANALYSIS_STREAM])

    def test_truncated_mp4_without_its_index(self, media_dir, tmp_path):
        data = (media_dir / "condfoleygen_hitting_metal.mp4").read_bytes()
        path = tmp_path / "cut.mp4"
        path.write_bytes(data[: len(data) // 2])
        with pytest.raises(MediaError):
            decode_shot(path, 0, 2, [ANALYSIS_STREAM])

    def test_truncated_stream_says_so(self, clip_factory, tmp_path):
        data = clip_factory("long.mkv", constant_rate(Fraction(25), 4.0)).read_bytes()
        path = tmp_path / "long_cut.mkv"
        path.write_bytes(data[: len(data) // 3])
        with pytest.raises(MediaError, match="truncated"):
            decode_shot(path, 0, 3.9, [ANALYSIS_STREAM])

    @pytest.mark.parametrize("suffix", ["mkv", "mp4"])
    def test_garbage_in_the_middle_gives_a_media_error_not_a_traceback(self, clip_factory, tmp_path, suffix):
        data = bytearray(clip_factory(f"long.{suffix}", constant_rate(Fraction(25), 4.0)).read_bytes())
        rng = np.random.default_rng(1)
        for offset in (len(data) // 3, len(data) // 2, 2 * len(data) // 3):
            data[offset : offset + 3000] = rng.integers(0, 256, 3000, dtype=np.uint8).tobytes()
        path = tmp_path / f"damaged.{suffix}"
        path.write_bytes(bytes(data))
        with pytest.raises(MediaError, match="re-export"):
            decode_shot(path, 0, 3.9, [ANALYSIS_STREAM])

    def test_audio_only(self, tmp_path):
        import soundfile

        path = tmp_path / "tone.wav"
        soundfile.write(path, np.zeros(4800, np.float32), 48000)
        with pytest.raises(MediaError, match="no picture"):
            decode_shot(path, 0, 0.1, [ANALYSIS_STREAM])

    def test_music_with_cover_art_has_no_picture(self, tmp_path):
        import av

        path = tmp_path / "song.m4a.mp4"
        with av.open(str(path), "w") as out:
            sound = out.add_stream("aac", rate=48000)
            sound.layout = "mono"
            art = out.add_stream("mjpeg", rate=1)
            art.width, art.height, art.pix_fmt = 64, 64, "yuvj420p"
            art.disposition = av.stream.Disposition.attached_pic
            picture = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24").reformat(format="yuvj420p")
            picture.pts = 0
            out.mux(art.encode(picture))
            out.mux(art.encode())
            chunk = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            chunk.sample_rate, chunk.pts = 48000, 0
            out.mux(sound.encode(chunk))
            out.mux(sound.encode())
        with pytest.raises(MediaError, match="no picture .*cover art"):
            probe(path)

    def test_no_sound_to_extract(self, media_dir):
        with pytest.raises(MediaError, match="no sound"):
            decode_shot(media_dir / "debian_opencv-doc_vtest.avi", 0, 1, [], with_audio=True)

    def test_absurd_picture_size(self, tmp_path):
        path = tmp_path / "huge.y4m"
        path.write_bytes(b"YUV4MPEG2 W12000 H12000 F25:1 Ip A1:1 C420jpeg\nFRAME\n")
        with pytest.raises(MediaError, match="larger than"):
            probe(path)

    def test_absurd_output_size(self, media_dir):
        with pytest.raises(MediaError, match="shorten the range"):
            decode_shot(media_dir / "maskvat_axe_gt.mp4", 0, 8, [CLIP_STREAM], max_bytes=10_000_000)

    @pytest.mark.parametrize("start, duration", [(0, 0), (0, -1), (-3, 1), (99, 1), (float("nan"), 1)])
    def test_impossible_ranges(self, media_dir, start, duration):
        with pytest.raises(InvalidInput):
            decode_shot(media_dir / "condfoleygen_hitting_metal.mp4", start, duration, [ANALYSIS_STREAM])

    def test_duplicate_stream_names(self, media_dir):
        with pytest.raises(InvalidInput, match="unique"):
            decode_shot(media_dir / "condfoleygen_hitting_metal.mp4", 0, 1, [ANALYSIS_STREAM, ANALYSIS_STREAM])


class TestPixels:
    @pytest.mark.parametrize("codec, pix_fmt", [
        ("libx264", "yuv420p"),   # limited-range 4:2:0: the SIMD path
        ("mjpeg", "yuvj420p"),    # full-range JPEG levels: the colour-matrix path
        ("libx264", "yuv444p"),   # 4:4:4: the colour-matrix path
        ("ffv1", "bgr0"),         # RGB: libswscale
    ])
    def test_pixel_formats_give_the_same_picture(self, clip_factory, codec, pix_fmt):
        path = clip_factory(f"fmt_{pix_fmt}.mkv", constant_rate(Fraction(25), 0.4), codec=codec, pix_fmt=pix_fmt)
        shot = decode_shot(path, 0.0, 0.4, [WHOLE, ANALYSIS_STREAM])
        whole = shot.streams["whole"].frames
        assert [square_index(f) for f in whole] == list(range(10))
        background = whole[:, 5:40, -40:-5].reshape(-1, 3).mean(axis=0)
        np.testing.assert_allclose(background, [96, 96, 96], atol=3)
        assert [square_index(f) for f in shot.streams["analysis"].frames] == list(range(10))

    @pytest.mark.parametrize("codec, pix_fmt", [
        ("libx264", "yuv420p"), ("mjpeg", "yuvj420p"), ("libx264", "yuv444p"), ("ffv1", "bgr0"),
    ])
    @pytest.mark.parametrize("spec", [CLIP_STREAM, SYNC_STREAM, ANALYSIS_STREAM], ids=lambda s: s.name)
    def test_a_picture_written_into_its_streams_array_is_the_picture_converted_alone(self, clip_factory, codec,
                                                                                     pix_fmt, spec):
        import av

        path = clip_factory(f"fmt_{pix_fmt}.mkv", constant_rate(Fraction(25), 0.4), codec=codec, pix_fmt=pix_fmt)
        with av.open(str(path)) as container:
            frame = next(container.decode(video=0))
        converter = FrameConverter(spec, frame.width, frame.height)
        alone = converter(frame)
        array = np.zeros((3, *converter.shape), np.uint8)
        written = converter(frame, array[1])
        assert np.shares_memory(written, array[1])  # written in place, not copied in
        np.testing.assert_array_equal(array[1], alone)  # the same pixels: exact
        assert not array[0].any() and not array[2].any()  # nothing written beside it

    @pytest.mark.parametrize("name, tolerance", [
        ("condfoleygen_hitting_metal.mp4", 2.0),  # untagged BT.601, limited range: OpenCV's I420 path
        ("maskvat_axe_gt.mp4", 5.0),              # tagged BT.709: our matrix (libswscale assumes 601)
    ])
    def test_rgb_matches_libswscale_within_a_few_levels(self, media_dir, name, tolerance):
        import av
        import cv2

        with av.open(str(media_dir / name)) as container:
            first = next(container.decode(video=0))
            reference = cv2.resize(first.to_ndarray(format="rgb24"), (384, 384), interpolation=cv2.INTER_AREA)
        ours = decode_shot(media_dir / name, 0.0, 0.2, [CLIP_STREAM]).streams["clip"].frames[0]
        assert np.abs(ours.astype(int) - reference).mean() < tolerance


def test_a_short_range_decodes_to_the_same_frames_with_or_without_frame_threads(media_dir, monkeypatch):
    """Frame threads are for long ranges only (their setup costs a short shot more than they
    save); which threads decode changes the time taken, never a frame."""
    from foleyline.server.media import decode

    clip = media_dir / "condfoleygen_hitting_metal.mp4"
    short = decode_shot(clip, 1.5, 1.5, [ANALYSIS_STREAM, SYNC_STREAM])
    monkeypatch.setattr(decode, "FRAME_THREADS_MIN_S", 0.0)
    threaded = decode_shot(clip, 1.5, 1.5, [ANALYSIS_STREAM, SYNC_STREAM])
    for name in ("analysis", "sync"):
        assert np.array_equal(short.streams[name].frames, threaded.streams[name].frames)
        assert np.array_equal(short.streams[name].times, threaded.streams[name].times)


def _decoded_frames(monkeypatch, clip, start, duration, streams):
    """The shot, and how many pictures the decoder gave (every one is timed by ``frame_time``)."""
    from foleyline.server.media import decode

    given = []
    timed = decode.frame_time

    def counting(frame, *args):
        given.append(frame.pts)
        return timed(frame, *args)

    monkeypatch.setattr(decode, "frame_time", counting)
    shot = decode_shot(clip, start, duration, streams)
    monkeypatch.setattr(decode, "frame_time", timed)
    return shot, len(given)


def test_the_pre_roll_decodes_only_the_frames_others_refer_to_and_the_range_is_the_same(media_dir, monkeypatch):
    """From the keyframe to the range, the frames no later frame refers to (non-reference B
    frames) are not decoded: nothing shows them. Every picture of the range stays the same."""
    from foleyline.server.media import decode

    clip = media_dir / "condfoleygen_hitting_metal.mp4"  # one keyframe, B frames: 22 frames of pre-roll
    skipped, fewer = _decoded_frames(monkeypatch, clip, 1.5, 1.5, [ANALYSIS_STREAM, SYNC_STREAM])
    monkeypatch.setattr(decode, "_PREROLL_KEPT_FRAMES", 10**6)
    full, every = _decoded_frames(monkeypatch, clip, 1.5, 1.5, [ANALYSIS_STREAM, SYNC_STREAM])
    assert fewer <= every - 5
    assert skipped.picture_end == full.picture_end
    for name in ("analysis", "sync"):
        assert np.array_equal(skipped.streams[name].frames, full.streams[name].frames)
        assert np.array_equal(skipped.streams[name].source_times, full.streams[name].source_times)


def test_a_skipped_frame_that_may_be_on_screen_at_the_start_has_the_range_decoded_in_full(media_dir, monkeypatch):
    """The pre-roll skips only frames before every picture the range shows; were a skipped
    frame later than the picture held at the start (a long frame of variable-rate video), the
    range is decoded again with every frame. (Forced here by skipping into the range.)"""
    from foleyline.server.media import decode

    clip = media_dir / "condfoleygen_hitting_metal.mp4"
    full = decode_shot(clip, 1.5, 1.0, [ANALYSIS_STREAM, SYNC_STREAM])
    monkeypatch.setattr(decode, "_PREROLL_KEPT_FRAMES", -4)  # skip up to 4 frames into the range
    again = decode_shot(clip, 1.5, 1.0, [ANALYSIS_STREAM, SYNC_STREAM])
    for name in ("analysis", "sync"):
        assert np.array_equal(again.streams[name].frames, full.streams[name].frames)
        assert np.array_equal(again.streams[name].times, full.streams[name].times)


# A clip with one keyframe and 3 s of frames that refer to others, written by ``codec``. In a
# process of its own: the SVT-AV1 encoder makes the thread that opens it real-time (SCHED_FIFO)
# where it may, and every process started from the test run after it would inherit that.
_B_FRAME_CLIP = """
import json, sys
import av
from tests.media.conftest import HEIGHT, WIDTH, square_frame
path, codec, options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
with av.open(path, "w") as out:
    stream = out.add_stream(codec, rate=25)
    stream.width, stream.height, stream.pix_fmt, stream.options = WIDTH, HEIGHT, "yuv420p", options
    for i in range(75):
        frame = av.VideoFrame.from_ndarray(square_frame(i), format="rgb24").reformat(format="yuv420p")
        frame.pts = i
        out.mux(stream.encode(frame))
    out.mux(stream.encode())
"""


@pytest.mark.parametrize("codec, options", [
    ("libx265", {"x265-params": "keyint=300:bframes=3:log-level=error"}),  # HEVC's non-reference frames
    ("mpeg4", {"g": "300", "bf": "2"}),                                     # MPEG-4's B frames
    ("libsvtav1", {"svtav1-params": "keyint=300"}),  # AV1: libdav1d would skip into the range, so it skips nothing
])
def test_the_pre_roll_skips_frames_only_where_the_decoder_stops_skipping_at_the_range(tmp_path, monkeypatch, codec,
                                                                                       options):
    import json
    import subprocess
    import sys
    from pathlib import Path

    from foleyline.server.media import decode

    path = tmp_path / f"{codec}.mp4"
    # the checkout on the path by name: not as the working folder, which PYTHONSAFEPATH=1 leaves off
    root = str(Path(__file__).resolve().parents[2])
    subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {root!r})\n" + _B_FRAME_CLIP, str(path), codec,
                    json.dumps(options)], check=True, capture_output=True)
    for start in (1.3, 1.52):
        skipped = decode_shot(path, start, 0.8, [ANALYSIS_STREAM, SYNC_STREAM])
        monkeypatch.setattr(decode, "_PREROLL_KEPT_FRAMES", 10**6)
        full = decode_shot(path, start, 0.8, [ANALYSIS_STREAM, SYNC_STREAM])
        monkeypatch.undo()
        shown = [i for i in range(75) if start - 1e-6 <= i / 25 < start + 0.8 - 1e-6]
        assert [square_index(p) for p in skipped.streams["analysis"].frames] == shown
        for name in ("analysis", "sync"):
            assert np.array_equal(skipped.streams[name].frames, full.streams[name].frames), (codec, start, name)
