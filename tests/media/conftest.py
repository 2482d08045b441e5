"""Synthetic clips for the media tests, made in a temp folder with PyAV.

A white square moves one step per frame over grey, so a decoded picture tells which source
frame it is (``square_index``), whatever the frame rate or timestamps.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

WIDTH, HEIGHT, STEP, SQUARE = 320, 240, 4, 16


def square_frame(index: int) -> np.ndarray:
    img = np.full((HEIGHT, WIDTH, 3), 96, np.uint8)
    x = (index * STEP) % (WIDTH - SQUARE)
    img[100 : 100 + SQUARE, x : x + SQUARE] = 255
    return img


def square_index(picture: np.ndarray) -> int:
    """Which frame a decoded picture (any size, grey or RGB) shows, from the square's position."""
    grey = picture if picture.ndim == 2 else picture.mean(axis=2)
    columns = np.nonzero(grey.max(axis=0) > 180)[0]
    left = columns.min() / grey.shape[1] * WIDTH
    return int(round(left / STEP))


def write_clip(path: Path, pts_seconds: list[float], *, codec: str = "libx264", time_base=Fraction(1, 90000),
               rate: Fraction = Fraction(25), audio_seconds: float | None = None, pix_fmt: str = "yuv420p") -> Path:
    """Frame i shows square_frame(i) at presentation time pts_seconds[i]."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, pix_fmt
        stream.time_base = time_base
        stream.codec_context.time_base = time_base
        if codec == "libx264":
            stream.options = {"preset": "ultrafast", "bf": "0"}
        astream = None
        if audio_seconds:
            astream = out.add_stream("aac", rate=48000)
            astream.layout = "stereo"
        for i, t in enumerate(pts_seconds):
            frame = av.VideoFrame.from_ndarray(square_frame(i), format="rgb24").reformat(format=pix_fmt)
            frame.pts = int(round(t / time_base))
            frame.time_base = time_base
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
        if astream is not None:
            n = int(audio_seconds * 48000)
            tone = (0.25 * np.sin(2 * np.pi * 440 * np.arange(n) / 48000)).astype(np.float32)
            for start in range(0, n, 1024):
                chunk = np.stack([tone[start : start + 1024]] * 2)
                af = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="fltp", layout="stereo")
                af.sample_rate = 48000
                af.pts = start
                af.time_base = Fraction(1, 48000)
                out.mux(astream.encode(af))
            out.mux(astream.encode())
    return path


@pytest.fixture(scope="session")
def clip_factory(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")

    def make(name: str, pts_seconds: list[float], **kwargs) -> Path:
        path = folder / name
        if not path.exists():
            write_clip(path, pts_seconds, **kwargs)
        return path

    return make


def constant_rate(fps: Fraction, seconds: float) -> list[float]:
    return [float(i / fps) for i in range(int(seconds * fps))]
