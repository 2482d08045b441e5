"""The viewer's still frames show the shot's picture as a player does: the picture stream, not a
still track before it, upright, at its displayed shape."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from foleyline.desktop.frames import decode_frame

RATE = Fraction(25)


def _upright(width: int, height: int) -> np.ndarray:
    """Grey, with a red block at the bottom left: which way up a picture is shown."""
    picture = np.full((height, width, 3), 90, np.uint8)
    picture[height - height // 4:, : width // 4] = (230, 20, 20)
    return picture


def _write(path, stored: np.ndarray, *, rotation: int = 0, sar: Fraction | None = None, still_first: bool = False):
    with av.open(str(path), "w") as out:
        still = out.add_stream("mjpeg", rate=1) if still_first else None
        moving = out.add_stream("libx264", rate=RATE, options={"bf": "0"})
        moving.height, moving.width = stored.shape[:2]
        moving.pix_fmt = "yuv420p"
        moving.codec_context.time_base = 1 / RATE
        if sar is not None:
            moving.codec_context.sample_aspect_ratio = sar
        if rotation:
            moving.set_display_rotation(rotation)
        if still is not None:
            still.width, still.height, still.pix_fmt = 64, 64, "yuvj420p"
            cover = av.VideoFrame.from_ndarray(np.full((64, 64, 3), 200, np.uint8), format="rgb24").reformat(format="yuvj420p")
            cover.pts = 0
            out.mux(still.encode(cover))
            out.mux(still.encode())
        for i in range(10):
            frame = av.VideoFrame.from_ndarray(stored, format="rgb24").reformat(format="yuv420p")
            frame.pts, frame.time_base = i, 1 / RATE
            out.mux(moving.encode(frame))
        out.mux(moving.encode())
    return path


def _red_at_bottom_left(image) -> bool:
    colour = image.pixelColor(image.width() // 16, image.height() - 1 - image.height() // 16)
    return colour.red() > 150 and colour.green() < 100


def test_a_still_track_before_the_picture_is_not_what_the_viewer_shows(tmp_path):
    image = decode_frame(_write(tmp_path / "poster_first.mkv", _upright(160, 96), still_first=True), 0.2)
    assert (image.width(), image.height()) == (160, 96)


@pytest.mark.parametrize("degrees", [90, 270])
def test_a_phones_portrait_clip_is_shown_upright(tmp_path, degrees):
    # stored landscape, turned the other way; the display matrix says how to turn it back
    stored = np.ascontiguousarray(np.rot90(_upright(96, 160), -degrees // 90))
    image = decode_frame(_write(tmp_path / f"phone{degrees}.mp4", stored, rotation=degrees), 0.2)
    assert (image.width(), image.height()) == (96, 160)
    assert _red_at_bottom_left(image)


def test_an_anamorphic_clip_is_shown_at_its_displayed_shape(tmp_path):
    squeezed = np.ascontiguousarray(_upright(160, 96)[:, ::2])  # 80x96 with 2:1 pixels
    image = decode_frame(_write(tmp_path / "anamorphic.mp4", squeezed, sar=Fraction(2, 1)), 0.2, max_width=120)
    assert (image.width(), image.height()) == (120, 72)
    assert _red_at_bottom_left(image)
