"""Shots longer than an engine's window are generated in overlapping windows, joined with
equal-power crossfades with click-free seams."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import tolerances

from foleyline.errors import InvalidInput
from foleyline.notes import Layer, LayerKind, Notes
from foleyline.server.engines.base import SamplingSettings, ShotInput
from foleyline.server.media.frames import ANALYSIS_STREAM, FrameStream, MotionAnalysis
from foleyline.server.windowing import generate_layer, generate_windowed, plan_windows, window_input
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


# ---- planning and joining windows of audio ----------------------------------------------

RATE = 48000


def sine_render(freq: float = 440.0, calls: list | None = None):
    def render(start: float, duration: float) -> np.ndarray:
        if calls is not None:
            calls.append((start, duration))
        t = start + np.arange(int(round(duration * RATE))) / RATE
        return np.sin(2 * np.pi * freq * t)[None].astype(np.float32)

    return render


def test_a_short_range_is_one_call():
    calls = []
    out = generate_windowed(3.0, 8.0, 1.0, sine_render(calls=calls), RATE)
    assert calls == [(0.0, 3.0)] and out.shape == (1, 3 * RATE)


def test_windows_cover_the_range_with_the_overlap_and_never_exceed_the_limit():
    calls = []
    out = generate_windowed(20.0, 8.0, 1.0, sine_render(calls=calls), RATE)
    assert out.shape == (1, 20 * RATE)
    assert len(calls) == 3
    assert all(d <= 8.0 + 1e-9 for _, d in calls)
    assert calls[0][0] == 0.0 and calls[-1][0] + calls[-1][1] == pytest.approx(20.0)
    for (s0, d0), (s1, _) in zip(calls, calls[1:]):
        assert s0 + d0 - s1 >= 1.0 - 1e-6


def test_a_sine_across_the_seams_is_click_free():
    out = generate_windowed(20.0, 8.0, 1.0, sine_render(440.0), RATE)[0]
    reference = sine_render(440.0)(0.0, 20.0)[0]
    # A click is a jump: the second difference of a 440 Hz sine is tiny everywhere; any
    # discontinuity at a seam would stand out by orders of magnitude.
    curvature = np.abs(np.diff(out, 2))
    assert curvature.max() <= 1.5 * np.abs(np.diff(reference, 2)).max()
    # Coherent material rises by at most 3 dB mid-seam, smoothly, and never drops out.
    envelope = np.abs(out).reshape(-1, 480).max(axis=1)  # 10 ms blocks
    assert envelope.min() > 0.95 and envelope.max() < np.sqrt(2) + 0.01
    # Outside the seams the output is the render itself.
    np.testing.assert_allclose(out[: 6 * RATE], reference[: 6 * RATE], atol=tolerances.AUDIO_SAMPLE)


def test_uncorrelated_noise_keeps_its_power_across_a_seam():
    rng = np.random.default_rng(0)

    def noise(start: float, duration: float) -> np.ndarray:
        return rng.standard_normal((2, int(round(duration * RATE)))).astype(np.float32) * 0.1

    out = generate_windowed(12.0, 8.0, 2.0, noise, RATE)
    power = (out[0].reshape(-1, 4800) ** 2).mean(axis=1)  # 100 ms blocks
    assert power.min() > 0.7 * 0.01 and power.max() < 1.3 * 0.01


def test_no_window_limit():
    calls = []
    generate_windowed(30.0, None, 1.0, sine_render(calls=calls), RATE)
    assert calls == [(0.0, 30.0)]


def test_bad_plans():
    with pytest.raises(InvalidInput):
        plan_windows(0, 100, 10)
    with pytest.raises(InvalidInput, match="overlap"):
        plan_windows(1000, 100, 80)
