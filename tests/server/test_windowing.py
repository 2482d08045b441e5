"""Shots longer than an engine's window are generated in overlapping windows."""

from __future__ import annotations

import threading

import numpy as np

from foleyline.notes import Layer, LayerKind, Notes
from foleyline.server.engines.base import SamplingSettings, ShotInput
from foleyline.server.media.frames import ANALYSIS_STREAM, FrameStream, MotionAnalysis
from foleyline.server.windowing import generate_layer, window_input
from serverkit import FakeEngine


class WindowedFake(FakeEngine):
    def capabilities(self):
        from dataclasses import replace

        return replace(super().capabilities(), max_window_seconds=4.0)


def _shot(duration: float = 10.0) -> ShotInput:
    times = np.arange(0, duration, 0.04)
    stream = FrameStream(ANALYSIS_STREAM, np.zeros((len(times), 9, 16), np.uint8), times)
    analysis = MotionAnalysis(times=times, energy=np.zeros(len(times)), onsets=np.array([1.0, 5.0, 9.0]),
                              onset_strengths=np.ones(3), cuts=np.array([6.0]))
    return ShotInput("s", duration, -0.5, 25.0, {"analysis": stream}, analysis, Notes())


def test_a_window_is_cut_and_retimed_from_its_start() -> None:
    part = window_input(_shot(), 4.0, 3.0)
    assert part.duration == 3.0 and part.offset == 3.5
    assert part.analysis.onsets.tolist() == [1.0]
    assert part.analysis.cuts.tolist() == [2.0]
    assert part.streams["analysis"].times[0] == 0.0 and part.streams["analysis"].times[-1] < 3.0


def test_a_long_shot_is_generated_in_windows_with_all_seeds_per_call() -> None:
    engine = WindowedFake()
    layer = Layer("hit", LayerKind.FX)
    out = generate_layer(engine, _shot(), layer, [1, 2], SamplingSettings(), progress=None, cancel=threading.Event())
    assert len(out) == 2 and all(a.shape == (1, 160000) for a in out)
    # 10 s in 4 s windows overlapping by 1 s: 3 windows, each called once with both seeds
    assert [call[2] for call in engine.calls] == [(1, 2)] * 3
    assert not np.array_equal(out[0], out[1])


def test_a_short_shot_is_one_call() -> None:
    engine = WindowedFake()
    generate_layer(engine, _shot(3.0), Layer("hit", LayerKind.FX), [1], SamplingSettings(), progress=None, cancel=threading.Event())
    assert len(engine.calls) == 1
