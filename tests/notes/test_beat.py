"""A repeated action's beat: its strokes keep a steady period, and the weaker stops between them
(the top of a backswing, a hand settling) are no strikes."""

from __future__ import annotations

import numpy as np

from foleyline.server.notes.beat import find_beat

STROKES = np.arange(8) * 0.75 + 0.1      # a drumstick striking every 0.75 s


def test_the_weaker_stops_between_a_repeated_actions_strokes_are_off_its_beat() -> None:
    tops = STROKES[1:5] + 0.37               # the stick's backswing stops halfway
    times = np.sort(np.r_[STROKES, tops])
    strengths = np.where(np.isin(times, tops), 0.4, 0.8)
    beat = find_beat(times, strengths)
    assert beat is not None and abs(beat.period - 0.75) < 0.02
    assert list(times[beat.on]) == list(STROKES)


def test_a_stroke_that_goes_unseen_does_not_break_the_beat() -> None:
    seen = np.delete(STROKES, 3)
    times = np.sort(np.r_[seen, seen[2] + 0.4])
    beat = find_beat(times, np.where(np.isin(times, seen), 0.9, 0.3))
    assert beat is not None and list(times[beat.on]) == list(seen)


def test_an_off_beat_stop_as_strong_as_the_strokes_is_kept() -> None:
    # A real extra hit (a second strike, a drop) sounds, whatever the beat.
    times = np.sort(np.r_[STROKES, 2.4])
    beat = find_beat(times, np.ones_like(times))
    assert beat is not None and beat.on.all()


def test_events_with_no_steady_beat_are_left_alone() -> None:
    rng = np.random.default_rng(0)
    typing = np.sort(rng.uniform(0.0, 8.0, 25))   # keys, a cough, a kitchen: no one period
    assert find_beat(typing, rng.uniform(0.1, 1.0, 25)) is None
    assert find_beat(STROKES[:4], np.ones(4)) is None  # too few strokes to call a beat
