"""peaks.find_peaks gives SciPy's peaks (and heights) for the selections the analysis uses:
peaks are indices, so the comparison is exact."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from foleyline.server.media.peaks import find_peaks


def signals(seed: int):
    """Random signals of the kinds peak finding meets: smooth, noisy, quantised (plateaus and
    equal peaks), short, with flat runs at the ends."""
    rng = np.random.default_rng(seed)
    for n in (0, 1, 2, 3, 5, 40, 300, 2000):
        yield rng.standard_normal(n)
        yield np.convolve(rng.standard_normal(n + 8), np.ones(9) / 9, mode="valid")[:n]
        yield rng.integers(0, 4, n).astype(float)  # plateaus, ties between peaks
        yield np.repeat(rng.integers(0, 6, max(1, n // 3)), 3)[:n].astype(float)
        yield np.clip(rng.standard_normal(n), -0.5, 0.5)


@pytest.mark.parametrize("seed", range(12))
def test_the_same_peaks_as_scipy(seed):
    rng = np.random.default_rng(1000 + seed)
    for x in signals(seed):
        for height, distance in ((None, None), (0.1, None), (None, 1), (None, 2.5), (0.0, 7), (1.0, 30),
                                 (float(rng.uniform(-1, 1)), int(rng.integers(1, 50)))):
            ours, ours_props = find_peaks(x, height=height, distance=distance)
            theirs, their_props = signal.find_peaks(x, height=height, distance=distance)
            assert ours.tolist() == theirs.tolist(), (x.tolist(), height, distance)
            assert sorted(ours_props) == sorted(their_props)
            if height is not None:
                assert ours_props["peak_heights"].tolist() == their_props["peak_heights"].tolist()


def test_a_plateau_peak_is_at_its_middle_and_the_ends_never_peak():
    x = np.array([3.0, 1.0, 2.0, 2.0, 2.0, 2.0, 0.0, 1.0, 1.0])
    assert find_peaks(x)[0].tolist() == [3]


def test_distance_keeps_the_highest_of_close_peaks():
    x = np.zeros(20)
    x[[4, 6, 12]] = [1.0, 2.0, 0.5]
    peaks, props = find_peaks(x, height=0.1, distance=3)
    assert peaks.tolist() == [6, 12] and props["peak_heights"].tolist() == [2.0, 0.5]


def test_a_distance_under_one_sample_is_refused():
    with pytest.raises(ValueError, match="distance"):
        find_peaks(np.zeros(5), distance=0.5)
