"""foleyline.probe: what a media file holds, from its headers: picture, rate, sound, timecode."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from foleyline.errors import MediaError
from foleyline.probe import probe
from foleyline.timebase import MediaClock


def test_probe_reads_the_readme_facts(media_dir):
    info = probe(media_dir / "condfoleygen_hitting_metal.mp4")
    assert (info.width, info.height, info.fps) == (604, 340, 15.0)
    assert info.duration == pytest.approx(6.0, abs=0.07)
    assert info.has_audio and info.audio_rate == 44100 and info.audio_channels == 2
    chopping = probe(media_dir / "condfoleygen_chopping.mp4")
    assert chopping.frame_rate.fps == Fraction(30000, 1001)
    assert not probe(media_dir / "debian_opencv-doc_vtest.avi").has_audio


@pytest.mark.parametrize("suffix", [".mov", ".mp4", ".mkv"])
def test_the_start_timecode_is_read_from_the_container(small_clip, suffix):
    info = probe(small_clip(f"tc{suffix}", timecode="10:00:00:00"))
    assert info.timecode == "10:00:00:00"
    assert info.clock == MediaClock(info.duration, "10:00:00:00", 25.0)  # the picture's rate counts the timecode
    assert info.duration == pytest.approx(1.0, abs=0.05)


def test_a_file_without_timecode_says_none(small_clip):
    assert probe(small_clip("plain.mp4")).timecode is None


def test_a_files_version_is_read_once_and_a_changed_file_again(small_clip, monkeypatch):
    from foleyline import probe as probe_module

    opened = []
    real = probe_module.open_media
    monkeypatch.setattr(probe_module, "open_media", lambda path: opened.append(path) or real(path))
    clip = small_clip("once.mp4", frames=25)
    first = probe(clip)
    assert probe(clip) == first and len(opened) == 1  # the same version: what was read is kept
    small_clip("once.mp4", frames=50)  # rewritten in place under the same name
    second = probe(clip)
    assert len(opened) == 2 and second.duration == pytest.approx(2 * first.duration, abs=0.05)
    small_clip("other.mp4", frames=25).replace(clip)  # replaced by another file
    assert probe(clip).duration == pytest.approx(first.duration, abs=0.05) and len(opened) == 3


def test_what_an_opened_file_was_described_as_answers_its_probe_under_any_of_its_names(small_clip, monkeypatch):
    from foleyline import probe as probe_module

    clip = small_clip("told.mp4", frames=25)
    path, container = probe_module.open_media(clip)
    try:
        told = probe_module.described(path, container)
    finally:
        container.close()
    opened = []
    monkeypatch.setattr(probe_module, "open_media", lambda path: opened.append(path))
    assert probe(clip) == told and opened == []
    monkeypatch.chdir(clip.parent)
    other = Path(clip.name)  # the same file named otherwise: its facts, under that name
    assert probe(other) == replace(told, path=other) and opened == []


def test_a_missing_file_says_where_it_looked(tmp_path):
    with pytest.raises(MediaError, match="not found"):
        probe(tmp_path / "nope.mov")


# ---- confinement: one plain local file, in a container that names no other file ------------


def _outside_clip(tmp_path, small_clip) -> Path:
    """A clip in a private folder beside the media (as a clip outside the allowed roots is)."""
    (tmp_path / "private").mkdir(mode=0o700)
    return small_clip("private/secret.mp4")


def _playlist(path: Path, entry: Path) -> Path:
    path.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n{entry}\n#EXT-X-ENDLIST\n")
    return path


def _in_time(fn, seconds: float = 60.0):
    """``fn()`` on a thread; fails the test when it blocks (a FIFO opened would)."""
    outcome: dict[str, BaseException | object] = {}
    thread = threading.Thread(target=lambda: outcome.update(result=_call(fn)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "probing blocked"
    return outcome["result"]


def _call(fn):
    try:
        return fn()
    except BaseException as exc:  # handed back to the test
        return exc


def test_a_playlist_naming_a_file_outside_is_refused_before_it_is_read(tmp_path, small_clip) -> None:
    secret = _outside_clip(tmp_path, small_clip)
    playlist = _playlist(tmp_path / "cut.m3u8", secret)
    # FFmpeg on its own follows the playlist to the private file...
    with av.open(str(playlist)) as opened:
        assert opened.format.name == "hls" and opened.streams.video
    # ...the probe does not.
    with pytest.raises(MediaError, match="playlists, file lists"):
        probe(playlist)
    with pytest.raises(MediaError):
        probe(_playlist(tmp_path / "disguised.mp4", secret))


def test_a_concat_list_naming_a_file_outside_is_refused(tmp_path, small_clip) -> None:
    secret = _outside_clip(tmp_path, small_clip)
    (tmp_path / "link.mp4").symlink_to(secret)
    listing = tmp_path / "reel.ffconcat"
    listing.write_text("ffconcat version 1.0\nfile 'link.mp4'\n")
    with av.open(str(listing)) as opened:
        assert opened.format.name == "concat" and opened.streams.video
    with pytest.raises(MediaError, match="playlists, file lists"):
        probe(listing)


def test_a_fifo_is_refused_without_blocking(tmp_path) -> None:
    fifo = tmp_path / "clip.mp4"
    os.mkfifo(fifo)
    error = _in_time(lambda: probe(fifo))
    assert isinstance(error, MediaError) and "not a plain file" in str(error)


def test_a_playlist_naming_a_fifo_is_refused_without_blocking(tmp_path) -> None:
    fifo = tmp_path / "segment.ts"
    os.mkfifo(fifo)
    error = _in_time(lambda: probe(_playlist(tmp_path / "cut.m3u8", fifo)))
    assert isinstance(error, MediaError) and "playlists" in str(error)


def test_a_device_is_refused(tmp_path) -> None:
    with pytest.raises(MediaError, match="not a plain file"):
        probe("/dev/zero")


@pytest.mark.parametrize("name", ["clip.mp4", "clip.mov", "clip.mkv", "clip.webm", "clip.avi", "clip.ts"])
def test_single_file_containers_open(tmp_path, name) -> None:
    path = tmp_path / name
    codec = "libvpx" if name.endswith(".webm") else "mpeg4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(50):
            out.mux(stream.encode(av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")))
        out.mux(stream.encode())
    assert probe(path).width == 64
