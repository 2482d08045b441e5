"""Shots longer than an engine's window: generate in overlapping windows, join with equal-power
crossfades (``foleyline.server.media.windows``), all seeds of a window in one engine call.

Each window gets its own ``ShotInput``: the frame streams and the analysis cut to the window
and re-timed from its start, and ``offset`` moved on, so notes times (shot times) still mean
the same moment.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from foleyline.notes import Layer
from foleyline.server.engines.base import Engine, SamplingSettings, ShotInput
from foleyline.server.media.frames import FrameStream, MotionAnalysis

# Overlap between windows: long enough for a smooth seam, short enough to waste little work.
MAX_OVERLAP_S = 1.0


def _cut_stream(stream: FrameStream, start: float, end: float) -> FrameStream:
    keep = (stream.times >= start) & (stream.times < end)
    return FrameStream(stream.spec, stream.frames[keep], stream.times[keep] - start)


def _cut_analysis(analysis: MotionAnalysis, start: float, end: float) -> MotionAnalysis:
    keep = (analysis.times >= start) & (analysis.times < end)
    hits = (analysis.onsets >= start) & (analysis.onsets < end)
    cuts = analysis.cuts[(analysis.cuts >= start) & (analysis.cuts < end)] - start
    return MotionAnalysis(
        times=analysis.times[keep] - start,
        energy=analysis.energy[keep],
        onsets=analysis.onsets[hits] - start,
        onset_strengths=analysis.onset_strengths[hits],
        cuts=cuts,
    )


def window_input(shot: ShotInput, start: float, duration: float) -> ShotInput:
    """The part of a shot from ``start`` (seconds from its first audio sample) for ``duration``."""
    end = start + duration
    return replace(
        shot,
        duration=duration,
        offset=shot.offset + start,
        streams={name: _cut_stream(stream, start, end) for name, stream in shot.streams.items()},
        analysis=None if shot.analysis is None else _cut_analysis(shot.analysis, start, end),
        extras={**shot.extras, "window_start": start},
    )


def generate_layer(
    engine: Engine,
    shot: ShotInput,
    layer: Layer,
    seeds: Sequence[int],
    sampling: SamplingSettings,
    *,
    progress: Callable[[float], None] | None,
    cancel: threading.Event,
) -> list[np.ndarray]:
    """One layer for every seed, windowed when the shot is longer than the engine's window."""
    caps = engine.capabilities()
    limit = caps.max_window_seconds
    if not limit or shot.duration <= limit:
        return engine.generate(shot, layer, seeds, sampling, progress=progress, cancel=cancel)

    from foleyline.server.media.windows import generate_windowed, plan_windows
    from foleyline.timebase import seconds_to_samples

    rate = caps.sample_rate
    overlap = min(MAX_OVERLAP_S, limit / 4)
    count = len(plan_windows(seconds_to_samples(shot.duration, rate), seconds_to_samples(limit, rate), seconds_to_samples(overlap, rate)))
    cache: dict[float, list[np.ndarray]] = {}

    def render_all(start: float, duration: float) -> list[np.ndarray]:
        if start not in cache:
            done = len(cache)

            def window_progress(fraction: float) -> None:
                if progress is not None:
                    progress((done + fraction) / count)

            cache[start] = engine.generate(window_input(shot, start, duration), layer, seeds, sampling,
                                           progress=window_progress, cancel=cancel)
        return cache[start]

    return [
        generate_windowed(shot.duration, limit, overlap, lambda s, d, _i=i: render_all(s, d)[_i], rate)
        for i in range(len(seeds))
    ]
