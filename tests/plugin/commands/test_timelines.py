"""The timeline side of the command line: a Premiere 23.976 XML from dry run to a re-read
write-back, relinking, files with several timelines, a plain video file, takes and jobs."""

from __future__ import annotations

import shutil
import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest

from foleyline.cli import main
from foleyline.plugin.timeline import find_shots, read_timeline
from foleyline.plugin.timeline.relink import raw_media_path
from timeline_exports import premiere_xml

NTSC = Fraction(24000, 1001)


def _movie(path: Path, frames: int = 96, rate: Fraction = NTSC, cut_at: int | None = None, timecode: str | None = None,
           light: dict[int, int] | None = None, bars: tuple[int, int] = (0, 220)) -> Path:
    """A small movie: a block falling each second on a grey ground; a different picture (bars
    of two ``bars`` levels) from ``cut_at`` on; ``light``: the ground's level from a frame on
    (a flash: the same picture in another light for a moment)."""
    levels = dict(light or {})
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        if timecode:
            stream.metadata["timecode"] = timecode
        shade = 40
        for i in range(frames):
            shade = levels.get(i, shade)
            image = np.full((96, 160, 3), shade, np.uint8)
            if cut_at is not None and i >= cut_at:
                image[:] = bars[0]
                image[:, (np.arange(160) // 16) % 2 == 1] = bars[1]
            y = min(60, int(0.2 * (i % 24) ** 2))
            image[y:y + 20, 70:90] = 255 - shade
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.fixture
def premiere(tmp_path: Path) -> tuple[Path, Path]:
    """A Premiere 23.976 FCP7 XML (media labelled DF, as Premiere does) and its media folder."""
    media = tmp_path / "media"
    media.mkdir()
    _movie(media / "A001.mov")
    shutil.copy(media / "A001.mov", media / "A002.mov")
    xml = premiere_xml(tmp_path / "cut.xml", media_dir=media, clips=[("A001", 0, 10, 30), ("A002", 30, 40, 24)])
    return xml, media


def test_a_premiere_23976_xml_from_dry_run_to_a_write_back_on_the_shots_frames(premiere, tmp_path, capsys) -> None:
    xml, _media = premiere
    out = tmp_path / "out"
    assert main(["generate", str(xml), "-o", str(out), "--dry-run"]) == 0
    table = capsys.readouterr().out
    assert "01:00:00:00" in table and "01:00:01:06" in table and "found" in table
    assert "write-back as FCP7 XML" in table and "preflight passed" in table
    assert not out.exists()  # a dry run generates nothing

    assert main(["generate", str(xml), "-o", str(out), "--seed", "3"]) == 0
    written = out / "cut_foley.xml"
    back = read_timeline(written)
    shots = {s.name: (s.record_in_frame, s.duration_frames) for s in find_shots(read_timeline(xml)).shots}
    placed = {}
    for track in back.tracks:  # FCP7 XML keeps no track names: the Foley clips are those of our WAVs
        if track.kind == otio.schema.TrackKind.Audio:
            for clip in track.find_clips():
                if Path(raw_media_path(clip.media_reference.target_url)).parent != out.resolve():
                    continue
                start = round(clip.range_in_parent().start_time.value) + 86400
                placed[clip.name.split(" - ")[0]] = (start, round(clip.range_in_parent().duration.value))
    assert placed and all(placed[name] == shots[name] for name in placed), (placed, shots)
    assert back.global_start_time.value == 86400 and abs(back.global_start_time.rate - float(NTSC)) < 1e-6


def test_missing_media_is_listed_per_file_and_relinked_by_path_or_by_name(premiere, tmp_path, capsys) -> None:
    _xml, media = premiere
    windows = premiere_xml(tmp_path / "win.xml", clips=[("A001", 0, 10, 30), ("A002", 30, 40, 24), ("A001", 54, 50, 10)])
    assert main(["generate", str(windows), "-o", str(tmp_path / "out"), "--dry-run"]) == 1
    table = capsys.readouterr().out
    assert "problem: missing media D:/media/A001.mov: 2 shot(s): A001 at 01:00:00:00, A001 at 01:00:02:06" in table
    assert "problem: missing media D:/media/A002.mov: 1 shot(s)" in table
    assert main(["generate", str(windows), "-o", str(tmp_path / "out"), "--dry-run", "--map-path", f"d:\\media={media}"]) == 0
    assert "preflight passed" in capsys.readouterr().out
    assert main(["generate", str(windows), "-o", str(tmp_path / "out"), "--dry-run", "--relink", str(media)]) == 0
    assert "relinked 'A002': D:/media/A002.mov" in capsys.readouterr().out


def test_a_file_with_two_sequences_is_listed_and_one_is_chosen(tmp_path, capsys) -> None:
    xml = premiere_xml(tmp_path / "two.xml", sequences=2)
    assert main(["timelines", str(xml)]) == 0
    listing = capsys.readouterr().out
    assert "1  Sequence 01  23.976  01:00:00:00" in listing and "2  Sequence 02" in listing
    assert main(["generate", str(xml), "-o", str(tmp_path / "out"), "--dry-run"]) == 2
    assert "--timeline" in capsys.readouterr().err
    assert main(["generate", str(xml), "-o", str(tmp_path / "out"), "--dry-run", "--timeline", "2"]) == 1  # media offline
    assert "3 shot(s) of Sequence 02" in capsys.readouterr().out


def test_an_unknown_output_format_is_refused_before_any_work(premiere, tmp_path, capsys) -> None:
    xml, _media = premiere
    with pytest.raises(SystemExit) as exited:  # argparse: --format takes one of the writers' names
        main(["generate", str(xml), "-o", str(tmp_path / "out"), "--format", "mp3"])
    assert exited.value.code == 2
    assert "invalid choice: 'mp3'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_video_file_is_a_timeline_of_its_cuts(tmp_path, capsys) -> None:
    movie = _movie(tmp_path / "clip.mp4", frames=72, rate=Fraction(25), cut_at=30)
    assert main(["generate", str(movie), "-o", str(tmp_path / "out"), "--dry-run"]) == 0
    table = capsys.readouterr().out
    assert "clip shot 001" in table and "clip shot 002" in table and "00:00:01:05" in table
    assert main(["generate", str(movie), "-o", str(tmp_path / "out"), "--dry-run", "--no-cuts"]) == 0
    assert "1 shot(s) of clip" in capsys.readouterr().out
    assert main(["generate", str(movie), "-o", str(tmp_path / "out"), "--seed", "1"]) == 0
    written = read_timeline(tmp_path / "out" / "clip_foley.otio")
    assert [t.kind for t in written.tracks][0] == otio.schema.TrackKind.Video
    assert any(t.name.startswith("Foley") for t in written.tracks)


def test_a_movie_is_one_timeline_to_list_and_to_choose(tmp_path, capsys) -> None:
    movie = _movie(tmp_path / "clip.mp4", frames=72, rate=Fraction(25), cut_at=30)
    assert main(["timelines", str(movie)]) == 0
    listing = capsys.readouterr().out
    assert "clip" in listing and "25" in listing and listing.rstrip().endswith("2")  # its two shots
    for chosen in ("1", "clip"):
        assert main(["generate", str(movie), "-o", str(tmp_path / "out"), "--dry-run", "--timeline", chosen]) == 0
        capsys.readouterr()
    # --timeline 2 was taken and ignored: the movie's one timeline was generated all the same
    assert main(["generate", str(movie), "-o", str(tmp_path / "out"), "--dry-run", "--timeline", "2"]) == 2
    assert "no timeline number 2; it holds 1 (1: 'clip')" in capsys.readouterr().err


@pytest.mark.parametrize(("light", "what"), [({30: 230, 32: 40}, "a flash"), ({30: 120, 31: 230, 33: 90, 34: 40},
                                                                           "a flash that fades"),
                                             ({30: 250, 31: 60, 33: 40}, "a burst that leaves a glow")])
def test_a_flash_the_picture_comes_back_from_is_no_cut(tmp_path, capsys, light, what) -> None:
    movie = _movie(tmp_path / "clip.mp4", frames=72, rate=Fraction(25), light=light)
    assert main(["generate", str(movie), "-o", str(tmp_path / "out"), "--dry-run"]) == 0
    assert "1 shot(s) of clip" in capsys.readouterr().out, what


@pytest.mark.parametrize(("ground", "bars", "what"), [(200, (0, 60), "from day to night"), (20, (150, 250), "from night to day")])
def test_a_cut_to_a_darker_or_brighter_picture_is_a_cut(tmp_path, capsys, ground, bars, what) -> None:
    # every pixel changes one way, as in a flash, but the picture does not come back
    movie = _movie(tmp_path / "clip.mp4", frames=72, rate=Fraction(25), cut_at=30, light={0: ground}, bars=bars)
    assert main(["generate", str(movie), "-o", str(tmp_path / "out"), "--dry-run"]) == 0
    assert "2 shot(s) of clip" in capsys.readouterr().out, what


def test_a_video_file_is_decoded_once_for_its_cuts_and_its_shots_with_the_same_takes(tmp_path, monkeypatch) -> None:
    import re
    from contextlib import nullcontext

    import soundfile as sf

    from foleyline import probe
    from foleyline.plugin.commands import generate
    from foleyline.server.media import decode

    movie = _movie(tmp_path / "clip.mp4", frames=72, rate=Fraction(25), cut_at=30)
    opened: list[Path] = []
    real_open = decode.open_media
    monkeypatch.setattr(decode, "open_media", lambda path: (opened.append(path), real_open(path))[1])
    described: list[Path] = []
    real_describe = probe.open_media
    monkeypatch.setattr(probe, "open_media", lambda path: (described.append(path), real_describe(path))[1])
    assert main(["generate", str(movie), "-o", str(tmp_path / "once"), "--seed", "1"]) == 0
    assert opened == []  # both shots' analysis came from the cut finder's pass
    assert len(described) == 1  # the cut finder's open: the server's probe of each shot read its facts
    monkeypatch.setattr(generate, "_decoded_once", lambda server, dry_run: nullcontext())
    assert main(["generate", str(movie), "-o", str(tmp_path / "each"), "--seed", "1"]) == 0
    assert len(opened) == 2  # without it, the server decodes each shot again

    def takes(folder: Path) -> dict[str, np.ndarray]:
        return {re.sub(r"_T\d+$", "", wav.stem): sf.read(wav)[0] for wav in folder.glob("*.wav")}

    once, each = takes(tmp_path / "once"), takes(tmp_path / "each")
    assert len(once) >= 2 and once.keys() == each.keys()
    assert all(np.array_equal(once[name], each[name]) for name in once)


def test_the_cut_finder_stops_with_the_error_of_a_frame_it_could_not_convert(tmp_path, monkeypatch) -> None:
    # Its pictures are made on a thread of their own while the decoder goes on: a failure there
    # is the command's, raised once, and leaves nothing kept.
    from foleyline.plugin.timeline.video import timeline_from_video
    from foleyline.server.media import whole_movie

    movie = _movie(tmp_path / "clip.mp4", frames=72, rate=Fraction(25), cut_at=30)
    real_add, seen = whole_movie.Recorder.add, []

    def add(recorder, frame):
        seen.append(frame.pts)
        if len(seen) == 20:
            raise MemoryError("frame 20")
        real_add(recorder, frame)

    monkeypatch.setattr(whole_movie.Recorder, "add", add)
    with whole_movie.keeping():
        with pytest.raises(MemoryError, match="frame 20"):
            timeline_from_video(movie)
        assert whole_movie.kept_for(movie) is None
    assert len(seen) == 20  # no frame converted after the failure
    assert [t.name for t in threading.enumerate() if t.name == "foleyline-cuts"] == []


def test_a_video_at_a_rate_timecode_does_not_count_goes_on_the_nearest_sequence_rate(tmp_path, capsys) -> None:
    # 21.5 fps (web clips, phones' variable rates): no SMPTE timecode exists at that rate.
    movie = _movie(tmp_path / "odd.mp4", frames=43, rate=Fraction(43, 2), cut_at=22)
    assert main(["generate", str(movie), "-o", str(tmp_path / "out"), "--dry-run"]) == 0
    assert "odd shot 002" in capsys.readouterr().out
    from foleyline.plugin.timeline.video import timeline_from_video

    timeline = timeline_from_video(movie)
    clips = list(timeline.find_clips())
    assert abs(clips[0].source_range.start_time.rate - float(NTSC)) < 1e-9
    # The cut (picture frame 22 of 21.5 fps = 1.023 s) and the length (2 s) kept in seconds.
    assert clips[1].source_range.start_time.value == round(22 / 21.5 * float(NTSC))
    assert clips[1].source_range.end_time_exclusive().value == round(2 * float(NTSC))


def test_takes_are_listed_accepted_and_alternates_sit_on_muted_tracks(premiere, tmp_path, capsys) -> None:
    xml, _media = premiere
    out = tmp_path / "out"
    assert main(["generate", str(xml), "-o", str(out), "--seed", "5", "--takes", "2", "--format", "otio"]) == 0
    capsys.readouterr()
    written = read_timeline(out / "cut_foley.otio")
    alternates = [t for t in written.tracks if " take 2" in t.name]
    assert alternates and all(not t.enabled for t in alternates)
    assert all(t.enabled for t in written.tracks if t.name.startswith("Foley") and " take " not in t.name)

    assert main(["takes", "list"]) == 0
    listing = capsys.readouterr().out
    assert "A001" in listing and "procedural" in listing and "LUFS" in listing
    assert main(["takes", "accept", "A001", "2"]) == 0
    assert "accepted take" in capsys.readouterr().out
    assert main(["takes", "list", "--shot", "A001"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("A001")]
    assert [row.split()[1] for row in rows if "*" in row.split()] == ["2"]
    assert main(["takes", "accept", "A001", "7"]) == 2
    assert "has 2 take(s)" in capsys.readouterr().err

    assert main(["jobs", "list"]) == 0
    assert "done" in capsys.readouterr().out


def _variable_rate_movie(path: Path) -> Path:
    """A phone-like movie: 30 fps for its first second, then one picture every 0.1 s for two
    seconds (21 pictures at an average of 10 fps, 3 s long)."""
    times = [i / 30 for i in range(30)] + [1 + i / 10 for i in range(20)]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        for t in times:
            frame = av.VideoFrame.from_ndarray(np.full((96, 160, 3), int(200 * t) % 255, np.uint8), format="rgb24")
            frame.pts, frame.time_base = round(t * 1000), Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_a_variable_rate_movie_is_as_long_as_its_timestamps_not_its_frame_count(tmp_path) -> None:
    from foleyline.plugin.timeline.video import timeline_from_video

    movie = _variable_rate_movie(tmp_path / "phone.mkv")
    for cuts in (True, False):
        clips = list(timeline_from_video(movie, cuts=cuts).find_clips())
        length = clips[-1].source_range.end_time_exclusive().to_seconds()
        assert abs(length - 3.0) < 0.25, (cuts, length)


def test_a_movie_is_known_by_its_content_and_a_sound_file_is_refused_saying_why(tmp_path, capsys) -> None:
    # Broadcast transport streams, and camera files under names no list holds, are movies.
    movie = _movie(tmp_path / "clip.mp4", frames=24, rate=Fraction(24))
    for name in ("broadcast.ts", "camera.xyz"):
        shutil.copy(movie, tmp_path / name)
        assert main(["generate", str(tmp_path / name), "-o", str(tmp_path / "out"), "--dry-run"]) == 0
        assert "1 shot(s)" in capsys.readouterr().out
    sound = tmp_path / "take.m4a"
    with av.open(str(sound), "w") as container:
        stream = container.add_stream("aac", rate=48000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        frame.sample_rate = 48000
        for packet in [*stream.encode(frame), *stream.encode()]:
            container.mux(packet)
    assert main(["generate", str(sound), "-o", str(tmp_path / "out")]) == 2
    assert "a sound file with no picture" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("a door")
    assert main(["generate", str(tmp_path / "notes.txt"), "-o", str(tmp_path / "out")]) == 2
    assert "neither a timeline export nor a movie Foleyline can open" in capsys.readouterr().err


def test_a_still_stream_before_the_picture_is_not_the_shot(tmp_path) -> None:
    # A poster frame stored as a video stream ahead of the camera's picture (the default).
    from foleyline.plugin.timeline.video import timeline_from_video

    path = tmp_path / "poster.mkv"
    with av.open(str(path), "w") as container:
        still = container.add_stream("mjpeg", rate=1)
        still.width, still.height, still.pix_fmt = 32, 32, "yuvj420p"
        movie = container.add_stream("libx264", rate=24)
        movie.width, movie.height, movie.pix_fmt = 64, 48, "yuv420p"
        movie.disposition, still.disposition = av.stream.Disposition.default, av.stream.Disposition(0)
        poster = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24").reformat(format="yuvj420p")
        for packet in [*still.encode(poster), *still.encode()]:
            container.mux(packet)
        for i in range(48):
            for packet in movie.encode(av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 5, np.uint8), format="rgb24")):
                container.mux(packet)
        for packet in movie.encode():
            container.mux(packet)
    (clip,) = timeline_from_video(path, cuts=False).find_clips()
    assert clip.source_range.duration.to_seconds() == pytest.approx(2.0, abs=0.05)


def test_an_empty_or_damaged_movie_says_what_to_do(tmp_path, capsys) -> None:
    (tmp_path / "empty.mov").write_bytes(b"")
    assert main(["generate", str(tmp_path / "empty.mov"), "-o", str(tmp_path / "out")]) != 0
    assert "the file is empty (0 bytes)" in capsys.readouterr().err
    whole = _movie(tmp_path / "whole.mp4", frames=24).read_bytes()
    (tmp_path / "cut.mp4").write_bytes(whole[: len(whole) // 3])
    assert main(["generate", str(tmp_path / "cut.mp4"), "-o", str(tmp_path / "out")]) != 0
    # a third of an MP4 is a recording cut before its index: probe.open_media's words, as the server says them
    assert "without its index" in capsys.readouterr().err


def test_a_file_list_named_like_a_movie_is_refused_as_the_server_refuses_it(tmp_path, capsys) -> None:
    # FFmpeg's concat demuxer would open the files a list names, wherever they are: the movie's
    # cut finder opens media as the server does (probe.open_media), one plain file only.
    _movie(tmp_path / "real.mp4", frames=24)
    (tmp_path / "list.mp4").write_text(f"ffconcat version 1.0\nfile '{tmp_path / 'real.mp4'}'\n")
    assert main(["generate", str(tmp_path / "list.mp4"), "-o", str(tmp_path / "out"), "--dry-run"]) != 0
    assert "not a media file Foleyline reads" in capsys.readouterr().err
