"""walkers: one walker's steps, where the feet land at a walking cadence, in the editor's
region or in the whole picture, and nothing that beats in place taken for a walker."""

from __future__ import annotations

import cv2
import numpy as np

from foleyline.plugin.commands import demo_scenes
from foleyline.server.media.analysis import analyze_motion
from foleyline.server.media.frames import ANALYSIS_STREAM, FrameStream, SourceKind
from foleyline.server.media.walkers import CADENCE, cadence_fits, periodic

from .test_sources import FPS, SIZE, blank, stream_of, walker


def test_a_walker_crossing_the_whole_picture_is_its_steps():
    frames, _, landings = walker(90)
    result = analyze_motion(stream_of(frames))
    steps = result.sources[0]
    assert steps.kind is SourceKind.STEPS and "walker" in steps.evidence, result.sources
    expected = (np.array(landings) + 0.5) / FPS  # between the last moving frame and the next
    assert len(steps.onsets) >= len(landings) - 1
    for t in steps.onsets:
        assert np.min(np.abs(expected - t)) <= 1.5 / FPS, (steps.onsets, expected)
    assert result.sources[1].kind in (SourceKind.CONTACTS, SourceKind.CONTINUOUS)  # what else it is


def test_a_walker_the_camera_follows_is_its_steps():
    # The camera pans with the walker over a textured place: the walker stays in the middle of
    # the picture, the place slides by.
    rng = np.random.default_rng(3)
    place = np.kron(rng.uniform(90, 140, (SIZE[0] // 6 + 1, 80)), np.ones((6, 6)))[: SIZE[0]]
    frames, _, landings = walker(90)
    followed = frames.copy()
    for i in range(90):
        pan = 10 + i  # the body's left edge in the walker's own picture
        view = place[:, pan : pan + SIZE[1]]
        own = frames[i]
        shown = np.roll(own, 60 - pan, axis=1)  # the walker kept at x = 60
        followed[i] = np.where(shown != 80.0, shown, view)
    result = analyze_motion(stream_of(followed))
    assert result.sources[0].kind is SourceKind.STEPS, result.sources
    expected = (np.array(landings) + 0.5) / FPS
    hits = [np.min(np.abs(expected - t)) <= 1.5 / FPS for t in result.sources[0].onsets]
    assert sum(hits) >= len(landings) - 2


def test_a_beat_in_place_is_no_walker():
    # A knife chopping at a walking cadence: its lowest part lands as steadily as feet, in place.
    frames = blank(90)
    blade = np.random.default_rng(4).uniform(150, 250, (20, 12))
    for i in range(90):  # down for 4 frames, rests on the board for 4, up for 4
        k = i % 12
        y = 20 + 6 * min(k, 4) if k < 8 else 44 - 6 * (k - 7)
        frames[i, y : y + 20, 70:82] = blade
    result = analyze_motion(stream_of(frames))
    assert result.sources[0].kind is SourceKind.CONTACTS
    assert not any(s.kind is SourceKind.STEPS for s in result.sources)


def test_a_box_sliding_to_a_stop_is_no_walker():
    # The demo's crate, shoved twice across the floor: its lowest third slows and stops with
    # the rest of it (a rigid thing), where a walker's feet stop while the body carries on.
    n = 96
    frames = np.stack([cv2.resize(cv2.cvtColor(demo_scenes.render(1, i), cv2.COLOR_RGB2GRAY), SIZE[::-1],
                                  interpolation=cv2.INTER_AREA) for i in range(n)])
    result = analyze_motion(FrameStream(ANALYSIS_STREAM, frames, np.arange(n) / float(demo_scenes.FPS)))
    assert result.sources[0].kind is SourceKind.CONTACTS, result.sources
    assert not any(s.kind is SourceKind.STEPS for s in result.sources)


def test_a_cadence_is_three_steady_steps_at_a_walking_pace():
    assert periodic(np.array([0.5, 1.0, 1.5, 2.0]))
    assert not periodic(np.array([0.5, 1.0]))             # too few
    assert not periodic(np.array([0.5, 0.6, 0.7, 0.8]))   # a drum roll, not a walk
    assert not periodic(np.array([0.5, 0.7, 1.6, 1.8]))   # not steady


def test_no_steps_a_range_too_short_for_a_cadence_can_hold_are_periodic():
    # Steps are timed between an arrival frame (1 .. n-2) and the next: wherever they fall in a
    # range that ``cadence_fits`` refuses, they make no cadence.
    rng = np.random.default_rng(5)
    for n in range(4, 40):
        times = np.arange(n) / 15.0
        earliest, latest = (times[1] + times[2]) / 2, (times[-2] + times[-1]) / 2
        if cadence_fits(times):
            assert latest - earliest >= 2 * CADENCE[0]
            continue
        for _ in range(200):
            steps = np.sort(rng.uniform(earliest, latest, int(rng.integers(3, 8))))
            assert not periodic(steps)
    assert not cadence_fits(np.arange(11) / 15.0) and cadence_fits(np.arange(12) / 15.0)  # 0.53 s, 0.6 s of steps


def test_a_range_too_short_for_three_steps_looks_for_no_walker_nor_the_camera(monkeypatch):
    from foleyline.server.media import analysis

    def camera_motion(gray):
        raise AssertionError("the camera's motion was estimated for a walker")

    frames, _, _ = walker(90)
    short = frames[30:42]  # 0.44 s at 25 fps: less than two steps at the fastest walking pace
    monkeypatch.setattr(analysis, "camera_motion", camera_motion)
    result = analyze_motion(stream_of(short))
    assert not any("walker" in s.evidence for s in result.sources), result.sources
