"""contacts: where a stroke arrived at its contact, and which stops are strikes of their own and
which a stronger strike's settling."""

from __future__ import annotations

import numpy as np

import pytest

from foleyline.server.media.contacts import ARRIVAL_INTERVALS, ARRIVAL_LEVEL, SETTLE, SETTLE_SHARE, arrivals, settling


def carried_on(after: int) -> tuple[np.ndarray, int, int]:
    """A stroke at top speed over intervals 4-10 that strikes at frame 10, then ``after`` intervals
    of something still moving at under ARRIVAL_LEVEL of its speed (the stick's rebound, the hand
    carrying on), then rest: (moving area per interval, the arrival, the fall that ends it)."""
    motion = np.zeros(30)
    motion[4:11] = 1.0
    motion[11 : 11 + after] = 0.9 * ARRIVAL_LEVEL
    return motion, 10, 10 + after


@pytest.mark.parametrize("fps", [15.0, 30.0])
def test_a_stroke_that_carries_on_after_its_contact_is_timed_where_it_arrived(fps):
    # The moving area of an interval saturates: the rebound after a contact holds the level up
    # for as many intervals at 15 fps as at 30, so the fall comes as many intervals late.
    motion, arrived, fall = carried_on(ARRIVAL_INTERVALS - 1)
    assert arrivals(motion, np.array([fall]), 1 / fps).tolist() == [arrived]


def test_the_arrival_is_looked_for_no_further_back_than_the_previous_fall():
    # Two strokes, the second slower and ending four intervals after the first: its arrival is
    # its own top speed, not the first stroke's.
    motion = np.zeros(20)
    motion[2:6] = 1.0
    motion[6:10] = 0.6
    assert arrivals(motion, np.array([5, 9]), 1 / 15).tolist() == [5, 9]


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
