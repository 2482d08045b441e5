"""The sync metrics: onset accuracy and AP at a tolerance, and energy MAE (ReWaS style)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as sklearn_metrics

from foleyline.server.evaluation.metrics import (
    average_precision,
    chance_accuracy,
    energy_curve,
    energy_mae,
    onset_score,
)
from foleyline.server.evaluation.onsets import Onsets

RATE = 48000


def onsets(times, conf=None):
    times = np.asarray(times, dtype=np.float64)
    return Onsets(times, np.asarray(conf if conf is not None else np.ones(times.size), dtype=np.float64))


def test_perfect_generation_scores_one():
    s = onset_score(np.array([0.5, 1.0, 2.0]), onsets([0.52, 0.98, 2.03]), 0.1)
    assert (s.accuracy, s.ap, s.matched, s.reference, s.generated) == (1.0, 1.0, 3, 3, 3)


def test_late_onsets_count_only_inside_the_tolerance():
    generated = onsets([0.5 + 0.2, 1.0 + 0.05])
    assert onset_score(np.array([0.5, 1.0]), generated, 0.1).accuracy == 0.5
    assert onset_score(np.array([0.5, 1.0]), generated, 0.3).accuracy == 1.0


def test_each_generated_onset_matches_one_reference_only():
    s = onset_score(np.array([1.0, 1.05]), onsets([1.02]), 0.1)
    assert s.matched == 1 and s.accuracy == 0.5


def test_confident_extra_onsets_lower_ap_quiet_ones_less():
    reference = np.array([1.0, 2.0])
    loud_extra = onset_score(reference, onsets([1.0, 1.5, 2.0], [0.5, 1.0, 0.5]), 0.1)
    quiet_extra = onset_score(reference, onsets([1.0, 1.5, 2.0], [0.5, 0.1, 0.5]), 0.1)
    assert loud_extra.accuracy == quiet_extra.accuracy == 1.0
    assert quiet_extra.ap == 1.0 and loud_extra.ap < 1.0


def test_no_reference_onsets_scores_zero_not_an_error():
    s = onset_score(np.zeros(0), onsets([1.0]), 0.1)
    assert s.accuracy == 0.0 and s.ap == 0.0


def test_average_precision_matches_scikit_learn():
    rng = np.random.default_rng(3)
    for _ in range(20):
        labels = rng.integers(0, 2, 30)
        labels[0] = 1
        scores = np.round(rng.random(30), 1)  # ties included
        assert average_precision(labels, scores) == pytest.approx(sklearn_metrics.average_precision_score(labels, scores))


def test_energy_mae_is_zero_for_the_same_shape_and_grows_with_mismatch():
    t = np.arange(RATE * 2) / RATE
    noise = np.random.default_rng(0).standard_normal(t.size)
    rising = noise * t
    falling = noise * (2.0 - t)
    assert energy_mae(rising, RATE, 3.0 * rising, RATE) < 0.02  # level does not matter, shape does
    assert energy_mae(rising, RATE, falling, RATE) > 0.3
    assert energy_curve(rising, RATE).min() == 0.0 and energy_curve(rising, RATE).max() == 1.0


def test_chance_accuracy_is_the_share_of_the_clip_near_a_generated_onset():
    # Two onsets far apart cover 2 x 0.2 s of a 4 s clip; overlapping ones count once; the
    # clip's edges clip the windows.
    assert chance_accuracy(np.array([1.0, 3.0]), 0.1, 4.0) == pytest.approx(0.1)
    assert chance_accuracy(np.array([1.0, 1.05]), 0.1, 4.0) == pytest.approx(0.25 / 4.0)
    assert chance_accuracy(np.array([0.0, 4.0]), 0.1, 4.0) == pytest.approx(0.05)
    assert chance_accuracy(np.zeros(0), 0.1, 4.0) == 0.0
    assert onset_score(np.array([1.0]), onsets([1.0, 3.0]), 0.1, duration=4.0).chance == pytest.approx(0.1)
    assert onset_score(np.array([1.0]), onsets([1.0]), 0.1).chance is None
