"""The analysis works each thing out once and only where it decides something: the pixels that
changed per interval, read by the cells, the movers and the walker alike; the camera's motion
only where a walker is looked for, and its grid-cell correlations only where the clip could
still turn out handheld. (What it decides is specified in test_analysis, test_sources,
test_walkers and test_camera; these say that the shortcuts decide the same.)"""

from __future__ import annotations

import numpy as np
import pytest

from foleyline.server.media import analysis, bursts, camera as camera_module
from foleyline.server.media.analysis import analyze_motion
from foleyline.server.media.camera import Camera, camera_motion, changed_pixels, frame_difference
from foleyline.server.media.contacts import GRID, NOISE_LEVEL, cell_differences
from foleyline.server.media.frames import SourceKind

from .test_camera import shaken, stream_of
from .test_sources import blank, square


def moving_square(n: int = 40) -> np.ndarray:
    frames = blank(n)
    for i in range(n):
        square(frames, i, 20 + 2 * i, 40)
    return frames


@pytest.mark.parametrize("camera", ["none", "still", "handheld"])
def test_the_changed_pixels_are_each_intervals_difference_over_the_noise_level(camera):
    frames, _ = shaken(20)
    cam = {"none": None, "still": Camera.still(len(frames)), "handheld": camera_motion(frames)}[camera]
    if camera == "handheld":
        assert cam.smoothing > 0
    changed = changed_pixels(frames, cam)
    assert changed.shape == frames.shape and not changed[0].any()
    for t in range(1, len(frames)):
        np.testing.assert_array_equal(changed[t], frame_difference(frames, t, cam) > NOISE_LEVEL)


def test_a_fixed_region_moves_as_much_as_the_same_box_tracked_frame_by_frame():
    frames = moving_square()
    box = np.zeros(frames.shape[1:], bool)
    box[30:60, 10:110] = True
    fixed, _, fixed_centre = cell_differences(frames, box, GRID)
    tracked, _, tracked_centre = cell_differences(frames, np.repeat(box[None], len(frames), 0), GRID)
    np.testing.assert_array_equal(fixed, tracked)
    np.testing.assert_array_equal(fixed_centre, tracked_centre)
    assert fixed[1:].min() > 0


def _counting(monkeypatch, owner, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_the_camera_is_estimated_only_where_a_walker_is_looked_for(monkeypatch):
    calls = _counting(monkeypatch, analysis, "camera_motion")
    still = blank(40) + np.random.default_rng(0).normal(0, 1.5, (40, *blank(1).shape[1:]))
    assert analyze_motion(stream_of(still)).sources[0].kind is SourceKind.NONE
    analyze_motion(stream_of(moving_square()), region=(0.0, 0.0, 1.0, 1.0))  # the editor's region: no walker search
    assert calls == []
    shaking = analyze_motion(stream_of(shaken(30)[0]))  # the whole picture moves: is it a walker?
    assert shaking.sources[0].kind is not SourceKind.NONE and len(calls) == 1


def test_a_still_camera_is_told_without_the_grid_cells_correlations(monkeypatch):
    calls = _counting(monkeypatch, camera_module._Correlation, "cells")
    assert camera_motion(moving_square()).smoothing == 0 and calls == []
    assert camera_motion(shaken(30)[0]).smoothing > 0 and calls  # a handheld clip needs them


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_the_changed_shares_are_each_intervals_share_of_pixels_over_the_noise_level(dtype):
    frames = np.random.default_rng(3).integers(0, 256, (analysis._CHUNK + 7, 12, 17)).astype(dtype)
    frames[5] = frames[4]  # a still interval
    shares = analysis.changed_shares(frames)
    expected = [float((np.abs(frames[t].astype(np.float32) - frames[t - 1]) > NOISE_LEVEL).mean())
                for t in range(1, len(frames))]
    assert shares.tolist() == expected  # counts over the same size: exact
    assert shares[4] == 0.0


@pytest.mark.parametrize("height, width", [(1, 5), (2, 2), (3, 3), (7, 11), (90, 160), (91, 161), (92, 162)])
def test_the_spread_counts_the_cells_of_numpys_three_way_split(height, width):
    rng = np.random.default_rng(height * 1000 + width)
    for share in (0.0, 0.004, 0.02, 0.4):
        changed = rng.random((height, width)) < share
        rows, cols = (np.array_split(np.arange(n), 3) for n in (height, width))
        moving = [changed[np.ix_(r, c)].mean() >= camera_module._SPREAD_LEVEL for r in rows for c in cols
                  if len(r) and len(c)]
        assert camera_module.spread(changed) == sum(moving) / 9


def test_the_cut_neighbours_median_is_numpys():
    rng = np.random.default_rng(4)
    for n in range(1, 8):
        values = rng.random(n).tolist()
        assert analysis._median(values) == float(np.median(values))
    assert analysis._median([]) == 0.0


@pytest.mark.parametrize("frames", [1, analysis._CHUNK, analysis._CHUNK + 1, 3 * analysis._CHUNK - 5])
def test_the_cut_histograms_are_numpys_per_frame(frames):
    gray = np.random.default_rng(frames).integers(0, 256, (frames, 9, 13)).astype(np.uint8)
    expected = np.stack([np.histogram(g, bins=analysis._HIST_BINS, range=(0, 256))[0] for g in gray])
    np.testing.assert_array_equal(analysis._level_histograms(gray), expected)  # counts: exact


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_the_one_way_counts_decide_each_intervals_light_change_as_light_change_does(dtype):
    rng = np.random.default_rng(7)
    frames = rng.integers(0, 200, (bursts._CHUNK + 9, 24, 30)).astype(dtype)
    frames[10] = np.clip(frames[9].astype(float) + 40, 0, 255).astype(dtype)  # a flash
    frames[20] = frames[19]  # nothing changes
    frames[30, :8] = frames[29, :8] + 30  # a light change in one band only
    one_way = bursts.OneWay.of(frames)
    light = one_way.light()
    assert not light[0] and light[10] and not light[20]
    for t in range(1, len(frames)):
        change = frames[t].astype(np.float32) - frames[t - 1]
        assert one_way.lighter[t] == np.count_nonzero(change > 6.0)
        assert one_way.darker[t] == np.count_nonzero(change < -6.0)
        assert light[t] == bursts.light_change(frames[t - 1], frames[t])


def test_the_flashes_are_the_same_with_the_one_way_counts_given():
    rng = np.random.default_rng(8)
    frames = np.repeat(rng.integers(0, 120, (1, 24, 30)).astype(np.float32), 30, axis=0)
    frames[12:] += 60.0  # the picture lights up at 12
    times = np.arange(30) / 25.0
    given = bursts.flashes(frames, times, np.zeros(0, int), bursts.OneWay.of(frames))
    found = bursts.flashes(frames, times, np.zeros(0, int))
    assert len(found[0]) == 1
    np.testing.assert_array_equal(given[0], found[0])
    np.testing.assert_array_equal(given[1], found[1])


def test_the_grid_cells_shift_is_the_median_of_the_cells_correlations(monkeypatch):
    found = [(0.5, -1.0), (2.0, 0.25), (-1.5, 3.0), (0.0, 0.0), (1.0, 1.0), (0.75, -2.0), (3.0, 0.5), (-0.5, 0.0),
             (1.25, 2.0)]
    shifts = iter(found)
    monkeypatch.setattr(camera_module._Correlation, "_refined", staticmethod(lambda *args: next(shifts)))
    frames, _ = shaken(2)
    correlation = camera_module._Correlation(frames.shape[1:])
    median = tuple(float(v) for v in np.median(np.array(found), axis=0))
    assert correlation.cells(frames[0].astype(np.float32), frames[1].astype(np.float32)) == median == (0.75, 0.25)


@pytest.mark.parametrize("height, width", [(24, 30), (2, 5)])
def test_the_differences_gone_over_once_give_what_each_measure_gives_on_its_own(height, width):
    rng = np.random.default_rng(9)
    gray = rng.integers(0, 256, (analysis._CHUNK + 9, height, width)).astype(np.float32)
    gray[10] = gray[9]  # a repeat
    gray[30] = np.clip(gray[29] + 40, 0, 255)  # a flash
    changes = analysis._Changes(gray)
    assert changes.shares.tolist() == analysis.changed_shares(gray).tolist()
    np.testing.assert_array_equal(changes.changed, changed_pixels(gray, Camera.still(len(gray))))
    one_way = bursts.OneWay.of(gray)
    for name in ("lighter", "darker", "spread"):
        np.testing.assert_array_equal(getattr(changes.one_way, name), getattr(one_way, name))
    assert changes.mad[0] == 0.0 and changes.mad[10] == 0.0
    assert changes.mad[1:].tolist() == [float(np.abs(gray[t] - gray[t - 1]).mean()) for t in range(1, len(gray))]
