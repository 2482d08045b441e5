"""Which stream of a file is the shot's picture, and a recording cut off before its index
(w15-media6): a still track before the picture is passed over however it is marked, and an
MP4/QuickTime file without its index is refused as the cut-off recording it is."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from foleyline.errors import MediaError
from foleyline.probe import probe
from foleyline.server.media.decode import decode_shot
from foleyline.server.media.frames import ANALYSIS_STREAM

from .conftest import square_frame, square_index

RATE = Fraction(25)


def _with_a_still_first(path: Path, *, still_default: bool) -> Path:
    """A one-picture MJPEG track (a cover, a poster muxed as a track) and then 20 moving frames."""
    height, width = square_frame(0).shape[:2]
    with av.open(str(path), "w") as out:
        still = out.add_stream("mjpeg", rate=1)
        still.width, still.height, still.pix_fmt = 64, 64, "yuvj420p"
        moving = out.add_stream("libx264", rate=RATE, options={"bf": "0"})
        moving.width, moving.height, moving.pix_fmt = width, height, "yuv420p"
        moving.codec_context.time_base = 1 / RATE
        still.disposition = av.stream.Disposition.default if still_default else 0
        moving.disposition = 0
        cover = av.VideoFrame.from_ndarray(np.full((64, 64, 3), 200, np.uint8), format="rgb24").reformat(format="yuvj420p")
        cover.pts = 0
        out.mux(still.encode(cover))
        out.mux(still.encode())
        for i in range(20):
            frame = av.VideoFrame.from_ndarray(square_frame(i), format="rgb24").reformat(format="yuv420p")
            frame.pts, frame.time_base = i, 1 / RATE
            out.mux(moving.encode(frame))
        out.mux(moving.encode())
    return path


@pytest.mark.parametrize("still_default", [False, True])
def test_a_still_track_before_the_picture_is_not_the_shot(tmp_path, still_default):
    # The still came first, so with neither marked (or the still marked, as FFmpeg marks the
    # first stream of a kind) the shot was one picture at 1 fps.
    path = _with_a_still_first(tmp_path / "poster.mkv", still_default=still_default)
    info = probe(path)
    assert info.fps == pytest.approx(25.0)
    assert info.duration == pytest.approx(20 / 25, abs=1 / 25)
    shot = decode_shot(path, 0.4, 0.4, [ANALYSIS_STREAM])
    assert [square_index(p) for p in shot.streams["analysis"].frames] == list(range(10, 20))


def test_a_recording_cut_before_its_index_is_refused_as_one(tmp_path):
    # A recorder writes the index (the moov box) when it stops: a flat battery or a full card
    # leaves the pictures (mdat) without it, and FFmpeg says only "invalid data".
    whole = tmp_path / "whole.mov"
    with av.open(str(whole), "w") as out:
        stream = out.add_stream("libx264", rate=RATE)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(10):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 20 * i, np.uint8), format="rgb24").reformat(format="yuv420p")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    data = whole.read_bytes()
    cut = tmp_path / "A001C002.mov"
    cut.write_bytes(data[: data.find(b"moov") - 4])
    with pytest.raises(MediaError, match=r"A001C002\.mov is an MP4/QuickTime movie without its index") as refused:
        probe(cut)
    assert "copy it again" in str(refused.value).lower()
    # other unreadable files keep the general message
    junk = tmp_path / "junk.mov"
    junk.write_bytes(b"\x00\x00\x00\x08free" + bytes(range(256)) * 8)
    with pytest.raises(MediaError, match="cannot read"):
        probe(junk)
