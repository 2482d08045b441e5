"""Any shot length on a network that runs whole seconds.

The reference only runs whole seconds d (clip 8·d, sync 24·d, latent round(44100/2048·d)
frames). For a window of any length we run the smallest whole-second length whose decoded audio
(latent·2048 samples) covers it, feed the picture past the window's end as a held last frame
(only when the shot itself ends there), and keep exactly the window's samples, so the audio
starts on the first frame and lands on the last. Shots longer than ``MAX_WINDOW_SECONDS`` are
made of overlapping windows joined with equal-power crossfades by
``foleyline.server.windowing.generate_windowed``.
"""

from __future__ import annotations

import numpy as np

from foleyline.errors import InvalidInput
from foleyline.server.engines.thinksound.configuration_thinksound import (
    CLIP_FPS,
    HOP_LENGTH,
    SAMPLE_RATE,
    SequenceLengths,
    ThinkSoundConfig,
)

__all__ = [
    "MAX_WINDOW_SECONDS",
    "OVERLAP_SECONDS",
    "clip_frame_times",
    "frame_indices",
    "model_seconds",
    "sync_frame_times",
]

# The longest run the reference documents is 10 s; its decoded audio is 215·2048 samples
# (9.985 s), so that is the longest window that still runs as 10 s rather than 11.
MAX_WINDOW_SECONDS = ThinkSoundConfig.sequence_lengths(10).latent * HOP_LENGTH / SAMPLE_RATE
OVERLAP_SECONDS = 1.0
SYNC_FPS = 25.0
SYNC_SEGMENT_FRAMES = 16
SYNC_SEGMENT_STEP = 8


def model_seconds(samples: int) -> int:
    """The smallest whole-second length whose decoded audio covers ``samples`` samples."""
    if samples <= 0:
        raise InvalidInput(f"nothing to generate: {samples} samples")
    # the decoded length round(21.53·d)·2048 is not d·44100: it can be a little longer (1 s
    # decodes 45,056 samples) or shorter (2 s decodes 88,064 < 88,200), so search from below
    seconds = max(1, samples // SAMPLE_RATE)
    while ThinkSoundConfig.sequence_lengths(seconds).latent * HOP_LENGTH < samples:
        seconds += 1
    return seconds


def clip_frame_times(start: float, lengths: SequenceLengths) -> np.ndarray:
    """Times (s, from the shot's audio start) of the MetaCLIP frames: 8 fps from ``start``."""
    return start + np.arange(lengths.clip) / CLIP_FPS


def sync_frame_times(start: float, lengths: SequenceLengths) -> np.ndarray:
    """Times of the 25 fps frames whose 16-frame segments (step 8) give ``lengths.sync`` tokens."""
    segments = lengths.sync // 8
    count = SYNC_SEGMENT_STEP * (segments - 1) + SYNC_SEGMENT_FRAMES
    return start + np.arange(count) / SYNC_FPS


def frame_indices(stream_times: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each wanted time, the frame on screen then (the last one starting at or before it,
    small timestamp jitter tolerated); past the stream's end the last frame is held."""
    if len(stream_times) == 0:
        raise InvalidInput("the frame stream is empty")
    idx = np.searchsorted(stream_times, wanted + 1e-6, side="right") - 1
    return np.clip(idx, 0, len(stream_times) - 1)
