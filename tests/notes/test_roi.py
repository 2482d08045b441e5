"""Region of interest: a box drawn on one frame follows its object through the shot."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from foleyline.errors import InvalidInput
from foleyline.notes import Region
from foleyline.server.media.decode import decode_shot
from foleyline.server.media.frames import FrameStream, StreamSpec
from foleyline.server.media.roi import analyze_region, crop_stream, masked_stream, track_in_shot, track_region

W, H = 384, 288
# debian_opencv-doc_vtest.avi, first frame: the pedestrian in black on the right, walking left.
WALKER = Region(time=0.0, x=318 / W, y=116 / H, width=28 / W, height=46 / H)


@pytest.fixture(scope="module")
def plaza(media_dir) -> FrameStream:
    shot = decode_shot(media_dir / "debian_opencv-doc_vtest.avi", 0.0, 2.0, [StreamSpec("rgb", None, (W, H))])
    return shot.streams["rgb"]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised correlation of two patches, the second resized to the first."""
    b = cv2.resize(b, (a.shape[1], a.shape[0]))
    return float(cv2.matchTemplate(cv2.cvtColor(b, cv2.COLOR_RGB2GRAY), cv2.cvtColor(a, cv2.COLOR_RGB2GRAY),
                                   cv2.TM_CCOEFF_NORMED)[0, 0])


def test_the_box_follows_a_walking_pedestrian(plaza: FrameStream) -> None:
    tracked = track_region(plaza, WALKER)
    assert len(tracked) == len(plaza) == 20
    boxes = tracked.pixel_boxes(W, H)
    x0, y0, x1, y1 = boxes[0]
    first = plaza.frames[0, y0:y1, x0:x1]
    # the walker crosses about 60 px leftwards in two seconds; the box goes with them
    moved = tracked.centers()[-1, 0] - tracked.centers()[0, 0]
    assert moved * W < -40
    assert abs(tracked.centers()[-1, 1] - tracked.centers()[0, 1]) * H < 10
    fx0, fy0, fx1, fy1 = boxes[-1]
    followed = similarity(first, plaza.frames[-1, fy0:fy1, fx0:fx1])
    left_behind = similarity(first, plaza.frames[-1, y0:y1, x0:x1])
    assert followed > 0.3 and followed > left_behind + 0.2, (followed, left_behind)


def test_tracking_runs_backwards_from_the_drawn_frame(plaza: FrameStream) -> None:
    forward = track_region(plaza, WALKER)
    # draw the box where the tracker put it at 1 s (shot time 1.5 s with a 0.5 s head handle)
    x, y, w, h = forward.boxes[10]
    back = track_region(plaza, Region(1.5, x, y, w, h), offset=0.5)
    assert back.anchor_index == 10 and back.confidence[10] == 1.0
    assert np.abs(back.centers()[0] - forward.centers()[0]).max() * W < 8


def test_mask_keeps_only_the_box_and_crop_cuts_it_out(plaza: FrameStream) -> None:
    tracked = track_region(plaza, WALKER)
    masked = masked_stream(plaza, tracked)
    x0, y0, x1, y1 = tracked.pixel_boxes(W, H)[5]
    assert np.array_equal(masked.frames[5, y0:y1, x0:x1], plaza.frames[5, y0:y1, x0:x1])
    assert masked.frames[5].sum() == masked.frames[5, y0:y1, x0:x1].sum()
    crops = crop_stream(plaza, tracked, (64, 96))
    assert crops.frames.shape == (20, 96, 64, 3) and crops.spec.name == "rgb_roi"
    # a coarser stream (the analysis one) gets boxes interpolated at its own times
    gray = FrameStream(StreamSpec("g", 5.0, (W // 2, H // 2), gray=True),
                       plaza.frames[::2, ::2, ::2, 0].copy(), plaza.times[::2].copy())
    small = masked_stream(gray, tracked)
    assert small.frames.shape == gray.frames.shape and small.frames.sum() < gray.frames.sum() / 10


@pytest.mark.parametrize(("region", "message"), [
    (Region(0.0, 0.5, 0.5, 0.0, 0.1), "not inside the frame"),
    (Region(0.0, 1.2, 0.5, 0.1, 0.1), "not inside the frame"),
])
def test_bad_regions_are_refused(plaza: FrameStream, region: Region, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        track_region(plaza, region)


def test_an_empty_stream_is_refused() -> None:
    empty = FrameStream(StreamSpec("e", None, (8, 8)), np.zeros((0, 8, 8, 3), np.uint8), np.zeros(0))
    with pytest.raises(InvalidInput, match="no decoded frames"):
        track_region(empty, WALKER)


def test_a_region_tracked_on_the_sharp_stream_drives_the_motion_analysis(plaza: FrameStream) -> None:
    analysis_module = pytest.importorskip("foleyline.server.media.analysis")
    gray = FrameStream(StreamSpec("analysis", None, (160, 120), gray=True),
                       np.stack([cv2.resize(cv2.cvtColor(f, cv2.COLOR_RGB2GRAY), (160, 120)) for f in plaza.frames]),
                       plaza.times.copy())
    tracked = track_in_shot({"analysis": gray, "rgb": plaza}, WALKER)
    assert len(tracked) == len(plaza)  # tracked on the colour stream, the larger one
    boxes = tracked.boxes_at(gray.times)
    assert boxes.shape == (len(gray), 4) and np.allclose(boxes, tracked.boxes)
    inside = analysis_module.analyze_motion(gray, boxes=boxes)
    assert inside.energy.shape == (len(gray),) and np.isfinite(inside.energy).all()
    same = analyze_region({"analysis": gray, "rgb": plaza}, WALKER)
    assert np.array_equal(same.energy, inside.energy)
    with pytest.raises(InvalidInput, match="no 'analysis' frames"):
        analyze_region({"rgb": plaza}, WALKER)
    assert tracked.boxes_at(np.array([0.05]))[0, 0] == pytest.approx((tracked.boxes[0, 0] + tracked.boxes[1, 0]) / 2)



def test_tracking_is_repeatable(plaza: FrameStream) -> None:
    assert np.array_equal(track_region(plaza, WALKER).boxes, track_region(plaza, WALKER).boxes)
