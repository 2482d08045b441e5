"""Small synthetic clips for the tests (the ``small_clip`` fixture in tests/conftest.py makes
them in a test's folder). A module of its own, imported by name: a test never imports
``tests.conftest``, which only the checkout as working folder puts on the path."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np


def write_small_clip(path: Path, *, rate: int, frames: int, timecode: str | None = None) -> Path:
    """A 64x48 clip of ``frames`` grey frames at ``rate`` fps; its container says it starts at
    ``timecode`` when one is given (as camera files and NLE renders do)."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        if timecode is not None:
            stream.metadata["timecode"] = timecode
        for index in range(frames):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), index % 250, np.uint8), format="rgb24")
            frame.pts = index
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path
