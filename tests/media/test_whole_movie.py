"""whole_movie: a plain movie decoded once (for its cuts) serves its shots' analysis within one
command, with exactly what decoding each shot's range gives."""

from __future__ import annotations

import os
from fractions import Fraction

import av
import numpy as np
import pytest

from foleyline.plugin.timeline.video import timeline_from_video
from foleyline.probe import probe, video_stream
from foleyline.server.media import decode, whole_movie
from foleyline.server.media.decode import decode_shot
from foleyline.server.media.frames import ANALYSIS_STREAM, SYNC_STREAM

from .conftest import constant_rate


def _ranges(duration: float, fps: float) -> list[tuple[float, float]]:
    """Whole, head, tail, middle, odd offsets, one frame: the shapes a shot with handles takes."""
    frame = 1 / fps
    return [(0.0, duration), (0.0, 1.0), (duration - 0.7, 0.7), (duration / 3, duration / 3),
            (0.5 * frame, duration / 2), (1.37, 0.9), (duration - frame, frame), (0.0, duration - frame)]


def _same(a, b) -> bool:
    sa, sb = a.streams["analysis"], b.streams["analysis"]
    return (np.array_equal(sa.frames, sb.frames) and np.array_equal(sa.times, sb.times)
            and np.array_equal(sa.source_times, sb.source_times) and a.picture_end == b.picture_end
            and a.fps == b.fps and a.media == b.media and (a.start, a.duration) == (b.start, b.duration))


def _keep(path, shots: int) -> None:
    """Decode ``path`` whole into the open scope, kept for ``shots`` shots (as the cut finder does)."""
    with av.open(str(path)) as container:
        stream = video_stream(path, container)
        recorder = whole_movie.recorder_for(path, container, stream)
        for frame in container.decode(stream):
            recorder.add(frame)
        recorder.finish(shots)


def _served_and_decoded(path, ranges, monkeypatch):
    """Each range's analysis cut from the kept movie, and decoded on its own."""
    served = []
    with whole_movie.keeping():
        _keep(path, len(ranges))
        with monkeypatch.context() as patched:
            patched.setattr(decode, "open_media", _must_not_open)
            served = [decode_shot(path, start, length, [ANALYSIS_STREAM]) for start, length in ranges]
    return served, [decode_shot(path, start, length, [ANALYSIS_STREAM]) for start, length in ranges]


def _must_not_open(path):
    raise AssertionError(f"{path} was decoded again")


@pytest.mark.parametrize("name, pts", [
    ("constant.mp4", constant_rate(Fraction(25), 4.0)),
    ("ntsc.mp4", constant_rate(Fraction(30000, 1001), 3.0)),
    # a phone's variable rate: frames 1/30 and 1/20 s apart in turns
    ("variable.mp4", list(np.cumsum([0.0] + [1 / 30 if i % 2 else 1 / 20 for i in range(95)]))),
])
def test_every_range_of_a_kept_movie_is_what_decoding_the_range_gives(clip_factory, monkeypatch, name, pts):
    path = clip_factory(f"whole_{name}", pts)
    info = probe(path)
    ranges = _ranges(info.duration, info.fps)
    served, decoded = _served_and_decoded(path, ranges, monkeypatch)
    for (start, length), a, b in zip(ranges, served, decoded):
        assert _same(a, b), (name, start, length)


@pytest.mark.parametrize("name", ["condfoleygen_chopping.mp4", "debian_opencv-doc_vtest.avi",
                                  "decord_flipping_a_pancake.mkv", "frieren_gt_5gWlAdGamFo_000646.mp4"])
def test_real_movies_of_every_rate_and_codec_give_the_same_shots_once_kept(media_dir, monkeypatch, name):
    path = media_dir / name
    info = probe(path)
    ranges = _ranges(min(info.duration, 10.0), info.fps)
    served, decoded = _served_and_decoded(path, ranges, monkeypatch)
    for (start, length), a, b in zip(ranges, served, decoded):
        assert _same(a, b), (name, start, length)


def test_the_cut_finder_keeps_a_movie_for_its_shots_and_lets_it_go_once_each_is_served(tmp_path):
    path = tmp_path / "cut.mp4"
    with av.open(str(path), "w") as out:  # a square on grey for a second, then on bars: one cut
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        for i in range(50):
            image = np.full((96, 160, 3), 40, np.uint8)
            if i >= 25:
                image[:] = 0
                image[:, (np.arange(160) // 16) % 2 == 1] = 220
            image[30:60, 2 * i:2 * i + 20] = 128
            out.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        out.mux(stream.encode())
    with whole_movie.keeping():
        assert len(list(timeline_from_video(path).find_clips())) == 2
        assert whole_movie.kept_for(path) is not None
        assert whole_movie.kept_for(path) is not None
        assert whole_movie.kept_for(path) is None  # both shots served: a third ask decodes


def test_nothing_is_kept_outside_a_command_that_keeps_it(clip_factory):
    path = clip_factory("whole_outside.mp4", constant_rate(Fraction(25), 1.0))
    timeline_from_video(path)
    assert whole_movie.kept_for(path) is None
    with whole_movie.keeping():
        timeline_from_video(path)
        assert whole_movie.kept_for(path) is not None
    assert whole_movie.kept_for(path) is None  # the scope's end lets it go


def test_the_kept_pictures_cannot_be_changed_by_a_shot(clip_factory):
    path = clip_factory("whole_readonly.mp4", constant_rate(Fraction(25), 1.0))
    with whole_movie.keeping():
        timeline_from_video(path)
        shot = decode_shot(path, 0.2, 0.5, [ANALYSIS_STREAM])
        with pytest.raises(ValueError):
            shot.streams["analysis"].frames[0, 0, 0] = 1


def test_other_streams_the_files_sound_and_a_changed_file_are_decoded_again(clip_factory, tmp_path, monkeypatch):
    import shutil

    path = tmp_path / "changed.mp4"
    shutil.copy(clip_factory("whole_changed.mp4", constant_rate(Fraction(25), 2.0)), path)
    opened: list[str] = []
    real_open = decode.open_media
    monkeypatch.setattr(decode, "open_media", lambda p: (opened.append(str(p)), real_open(p))[1])
    with whole_movie.keeping():
        _keep(path, shots=3)
        decode_shot(path, 0.0, 1.0, [ANALYSIS_STREAM])
        assert opened == []
        decode_shot(path, 0.0, 1.0, [ANALYSIS_STREAM, SYNC_STREAM])  # the engines' pictures: not kept
        assert len(opened) == 1
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # rewritten since
        assert whole_movie.kept_for(path) is None
        decode_shot(path, 0.0, 1.0, [ANALYSIS_STREAM])
        assert len(opened) == 2


def test_a_movie_too_long_to_keep_is_decoded_per_shot(clip_factory, monkeypatch):
    path = clip_factory("whole_long.mp4", constant_rate(Fraction(25), 2.0))
    monkeypatch.setattr(whole_movie, "MAX_KEPT_BYTES", 20 * 160 * 120)  # 20 of its 50 pictures
    with whole_movie.keeping():
        timeline_from_video(path)
        assert whole_movie.kept_for(path) is None
