"""The viewer's still frames show the shot's picture: a still track before it is passed over."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np

from foleyline.desktop.frames import decode_frame


def test_a_still_track_before_the_picture_is_not_what_the_viewer_shows(tmp_path):
    path = tmp_path / "poster_first.mkv"
    with av.open(str(path), "w") as out:
        still = out.add_stream("mjpeg", rate=1)
        still.width, still.height, still.pix_fmt = 64, 64, "yuvj420p"
        moving = out.add_stream("libx264", rate=25)
        moving.width, moving.height, moving.pix_fmt = 160, 96, "yuv420p"
        moving.codec_context.time_base = Fraction(1, 25)
        cover = av.VideoFrame.from_ndarray(np.full((64, 64, 3), 200, np.uint8), format="rgb24").reformat(format="yuvj420p")
        cover.pts = 0
        out.mux(still.encode(cover))
        out.mux(still.encode())
        for i in range(10):
            frame = av.VideoFrame.from_ndarray(np.full((96, 160, 3), 20 * i, np.uint8), format="rgb24").reformat(format="yuv420p")
            frame.pts, frame.time_base = i, Fraction(1, 25)
            out.mux(moving.encode(frame))
        out.mux(moving.encode())
    image = decode_frame(path, 0.2)
    assert (image.width(), image.height()) == (160, 96)
