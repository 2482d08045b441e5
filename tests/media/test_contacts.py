"""contacts: which stops are strikes of their own, and which a stronger strike's settling."""

from __future__ import annotations

import numpy as np

from foleyline.server.media.contacts import SETTLE, SETTLE_SHARE, settling


def test_a_faint_stop_beside_a_strike_is_its_settling():
    # A strike, the hand coming to rest 0.4 s later at a tenth of its strength.
    assert settling([1.0, 1.4], [1.0, 0.1]).tolist() == [False, True]


def test_stops_of_a_like_strength_are_each_a_strike():
    # A keyboard's keys, light and hard in turn: the light ones above a fifth of the hard ones.
    times = np.arange(10) * 0.2
    strengths = np.where(np.arange(10) % 2 == 0, 1.0, 1.5 * SETTLE_SHARE)
    assert not settling(times, strengths).any()


def test_a_faint_stop_far_from_any_stronger_one_is_kept():
    assert settling([1.0, 1.0 + 2 * SETTLE], [1.0, 0.1]).tolist() == [False, False]


def test_no_stops_settle_nothing():
    assert settling(np.zeros(0), np.zeros(0)).shape == (0,)
