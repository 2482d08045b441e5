"""A long shot's engine streams are not held: the decode pass times their frames, and their
pictures are decoded again, a window at a time, when an engine reads them; what it reads is
what one pass would have given."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from foleyline.errors import MediaError

from foleyline.server.media import windowed
from foleyline.server.media.decode import decode_shot
from foleyline.server.media.frames import StreamSpec
from foleyline.server.media.load import load_shot
from foleyline.server.windowing import window_input

from .conftest import SQUARE, STEP, WIDTH, constant_rate, square_index

CLIP = StreamSpec("clip", fps=8.0, size=(96, 96), fit="resize")
SYNC = StreamSpec("sync", fps=25.0, size=(64, 64), fit="center_crop")
GREY = StreamSpec("grey", fps=None, size=(80, 60), fit="keep_aspect", gray=True)
HOLD_ALL = 1 << 40


@pytest.fixture
def long_clip(clip_factory):
    """12 s at 10 fps: a slow source, so SYNC shows each picture two or three times."""
    return clip_factory("long10.mp4", constant_rate(Fraction(10), 12.0), rate=Fraction(10))


def windows(stream, duration: float, length: float, overlap: float = 1.0):
    start = 0.0
    while start < duration:
        keep = (stream.times >= start) & (stream.times < start + length)
        yield stream.subset(keep, start)
        start += length - overlap


def test_a_long_shots_engine_streams_hold_no_pictures(long_clip):
    shot = decode_shot(long_clip, 0.0, 12.0, [CLIP, SYNC, GREY], held_bytes=0)
    clip, sync, grey = shot.streams["clip"], shot.streams["sync"], shot.streams["grey"]
    assert clip.deferred and sync.deferred and clip.nbytes == 0 and sync.nbytes == 0
    assert len(clip) == 96 and len(sync) == 300
    # Every frame of the analysis-like stream is still decoded in the pass (the analysis reads them all).
    assert not grey.deferred and grey.nbytes == grey.frames.nbytes and len(grey) == 120


def test_a_shot_within_the_budget_is_decoded_in_one_pass(long_clip):
    shot = decode_shot(long_clip, 0.0, 12.0, [CLIP, SYNC])
    assert not shot.streams["clip"].deferred and shot.streams["clip"].nbytes > 0


@pytest.mark.parametrize("start", [0.0, 3.05])
def test_windows_read_what_one_pass_gives(long_clip, start):
    held = decode_shot(long_clip, start, 8.0, [CLIP, SYNC], held_bytes=HOLD_ALL)
    read = decode_shot(long_clip, start, 8.0, [CLIP, SYNC], held_bytes=0)
    for name in ("clip", "sync"):
        one, later = held.streams[name], read.streams[name]
        np.testing.assert_array_equal(later.times, one.times)
        np.testing.assert_array_equal(later.source_times, one.source_times)
        for a, b in zip(windows(one, 8.0, 3.0), windows(later, 8.0, 3.0)):
            np.testing.assert_array_equal(b.take(np.arange(len(b))), a.take(np.arange(len(a))))
        np.testing.assert_array_equal(later.take(np.array([5, 0, 5])), one.frames[[5, 0, 5]])
        np.testing.assert_array_equal(later.frames, one.frames)  # the whole range at once


def test_each_frame_shows_the_source_picture_on_screen_at_its_time(long_clip):
    whole = StreamSpec("whole", fps=25.0, size=(160, 120), fit="resize")  # the square's position tells the frame
    sync = decode_shot(long_clip, 0.0, 12.0, [whole], held_bytes=0).streams["whole"]
    shown = [square_index(p) for p in sync.take(np.arange(0, 300, 7))]
    laps = (WIDTH - SQUARE) // STEP  # the square goes round after this many frames
    assert shown == [int(np.floor(t * 10 + 1e-6)) % laps for t in sync.times[::7]]


def test_windows_read_in_order_decode_the_file_once_more(long_clip, monkeypatch):
    read = decode_shot(long_clip, 0.0, 12.0, [CLIP, SYNC], held_bytes=0)
    opened = []
    real_open = windowed.open_media
    monkeypatch.setattr(windowed, "open_media", lambda path: opened.append(path) or real_open(path))
    streams = read.streams
    for start in (0.0, 4.0, 8.0):  # 5 s engine windows overlapping by 1 s, CLIP then SYNC each
        for name in ("clip", "sync"):
            keep = (streams[name].times >= start) & (streams[name].times < start + 5.0)
            part = streams[name].subset(keep, start)
            part.take(np.arange(len(part)))
    assert len(opened) == 1
    # Going back (a window read again) starts decoding again from there.
    streams["clip"].take(np.array([0]))
    assert len(opened) == 2


def test_an_engine_window_of_a_long_shot_reads_its_own_frames(long_clip, monkeypatch):
    monkeypatch.setattr("foleyline.server.media.decode.HELD_BYTES", 0)  # any shot is long
    loaded = load_shot(long_clip, 0.0, 12.0, [CLIP, SYNC], shot_id="long")
    assert loaded.input.streams["clip"].deferred
    held = decode_shot(long_clip, 0.0, 12.0, [CLIP, SYNC], held_bytes=HOLD_ALL)
    window = window_input(loaded.input, 6.0, 4.0)
    clip = window.streams["clip"]
    keep = (held.streams["clip"].times >= 6.0) & (held.streams["clip"].times < 10.0)
    np.testing.assert_array_equal(clip.take(np.arange(len(clip))), held.streams["clip"].frames[keep])


def test_a_long_shot_is_not_refused_for_pictures_it_does_not_hold(long_clip):
    # Held, the three streams would take ~7 MB; read a window at a time, only the grey one (0.6 MB) is held.
    shot = decode_shot(long_clip, 0.0, 12.0, [CLIP, SYNC, GREY], max_bytes=1_000_000, held_bytes=0)
    assert shot.streams["clip"].deferred and len(shot.streams["grey"]) == 120
    with pytest.raises(MediaError, match="shorten the range"):
        decode_shot(long_clip, 0.0, 12.0, [CLIP, SYNC, GREY], max_bytes=1_000_000, held_bytes=1 << 40)
