"""A fixed-rate stream of a slower source holds each picture once: 25 fps of a 10 fps clip
shows every picture two or three times, and is built in full only when a consumer reads it."""

from __future__ import annotations

import numpy as np
import pytest

from foleyline.server.media.decode import decode_shot
from foleyline.server.media.frames import FrameStream, StreamSpec

SYNC = StreamSpec("sync", fps=25.0, size=(32, 24))
EVERY = StreamSpec("every", fps=None, size=(32, 24))


def test_a_slow_source_is_held_once_and_reads_as_every_target(small_clip):
    shot = decode_shot(small_clip("slow.mp4", rate=10, frames=30), 0.0, 3.0, [SYNC, EVERY])
    sync, every = shot.streams["sync"], shot.streams["every"]
    assert len(sync) == 75 and len(every) == 30
    assert sync.nbytes == every.nbytes  # 30 pictures, not 75
    # Each target shows the source frame on screen at its time (the latest with pts <= t).
    shown = np.searchsorted(every.times, sync.times + 1e-6, side="right") - 1
    np.testing.assert_array_equal(sync.frames, every.frames[shown])
    picks = np.array([0, 3, 74, 40])
    np.testing.assert_array_equal(sync.take(picks), every.frames[shown[picks]])


def test_a_window_shares_the_pictures(small_clip):
    sync = decode_shot(small_clip("slow.mp4", rate=10, frames=30), 0.0, 3.0, [SYNC]).streams["sync"]
    keep = (sync.times >= 1.0) & (sync.times < 2.0)
    window = sync.subset(keep, 1.0)
    assert len(window) == 25 and window.nbytes == sync.nbytes  # nothing copied
    np.testing.assert_allclose(window.times, sync.times[keep] - 1.0)
    np.testing.assert_array_equal(window.frames, sync.frames[keep])


def test_a_source_as_fast_as_the_stream_is_plain_frames(small_clip):
    sync = decode_shot(small_clip("same.mp4", rate=25, frames=25), 0.0, 1.0, [SYNC]).streams["sync"]
    assert len(sync) == 25 and sync.nbytes == sync.frames.nbytes


def test_a_stream_holds_frames_or_pictures_not_both():
    frames = np.zeros((2, 4, 4), np.uint8)
    with pytest.raises(ValueError, match="either frames"):
        FrameStream(SYNC, frames, np.zeros(2), pictures=frames, index=np.zeros(2, int))


def test_a_window_of_plain_frames_is_a_view_of_them(small_clip):
    sync = decode_shot(small_clip("same.mp4", rate=25, frames=50), 0.0, 2.0, [SYNC]).streams["sync"]
    keep = (sync.times >= 0.5) & (sync.times < 1.5)
    window = sync.subset(keep, 0.5)
    assert len(window) == 25 and np.shares_memory(window.frames, sync.frames)
    np.testing.assert_array_equal(window.frames, sync.frames[keep])
    scattered = sync.subset(np.arange(50) % 2 == 0)  # not one run: copied, still right
    np.testing.assert_array_equal(scattered.frames, sync.frames[::2])
