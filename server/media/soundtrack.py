"""The file's own sound, collected during the decode pass (for evaluation against it): any
sample format to (channels, n) float32, placed by timestamps over the range.
"""

from __future__ import annotations

import av
import numpy as np


def _audio_array(frame: av.AudioFrame) -> np.ndarray:
    """(channels, n) float32 of any sample format."""
    data = frame.to_ndarray()
    fmt = frame.format
    channels = len(frame.layout.channels)
    if not fmt.is_planar:
        data = data.reshape(-1, channels).T
    name = fmt.name.rstrip("p")
    if name == "s16":
        return data.astype(np.float32) / 32768.0
    if name == "s32":
        return (data / 2147483648.0).astype(np.float32)
    if name == "u8":
        return (data.astype(np.float32) - 128.0) / 128.0
    return data.astype(np.float32, copy=False)


class AudioCollector:
    """The file's own sound over the decoded range, placed by the frames' timestamps."""

    def __init__(self, stream: av.audio.stream.AudioStream, origin: float, duration: float) -> None:
        self.rate = int(stream.rate)
        self.channels = int(stream.codec_context.channels) or 1
        self.origin = origin
        self.length = round(duration * self.rate)
        self.buffer = np.zeros((self.channels, self.length), np.float32)
        self.next_index: int | None = None
        self.done = False

    def push(self, frame: av.AudioFrame) -> None:
        samples = _audio_array(frame)
        if frame.pts is not None and frame.time_base is not None:
            index = round((float(frame.pts * frame.time_base) - self.origin) * self.rate)
        else:
            index = self.next_index or 0
        self.next_index = index + samples.shape[1]
        if index >= self.length:
            self.done = True
            return
        lo, hi = max(index, 0), min(self.next_index, self.length)
        if hi > lo:
            channels = min(self.channels, samples.shape[0])
            self.buffer[:channels, lo:hi] = samples[:channels, lo - index : hi - index]


__all__ = ["AudioCollector"]
