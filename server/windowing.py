"""Shots longer than an engine's window: generate in overlapping windows, join them with
equal-power crossfades, all seeds of a window in one engine call.

"Window" here means one thing: the span an engine generates in one call
(``EngineCapabilities.max_window_seconds`` is the longest). A longer shot is cut into ``k``
equal windows that overlap by at least ``overlap`` seconds::

    |---- window 0 ----|
                 |---- window 1 ----|
                              |---- window 2 ----|
                 <overlap>

and across each overlap the earlier window fades out with cos and the later one fades in
with sin (cos^2 + sin^2 = 1: constant power for the uncorrelated material generated sound
is; correlated material rises by at most 3 dB mid-seam, smoothly, never with a click).

Each window gets its own ``ShotInput`` (``window_input``): the frame streams and the analysis
cut to the window and re-timed from its start, and ``offset`` moved on, so notes times (shot
times) still mean the same moment. (Where a shot's audio lies in its media, handles included,
is its ``ShotTiming``; the part of a file the panel previews is a ``MediaSpan``.)
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from foleyline.errors import InvalidInput
from foleyline.notes import Layer
from foleyline.server.engines.base import Engine, SamplingSettings, ShotInput
from foleyline.server.media.audio import as_channels, fit_length
from foleyline.server.media.frames import FrameStream, MotionAnalysis
from foleyline.timebase import seconds_to_samples

RenderFn = Callable[[float, float], np.ndarray]
# Overlap between windows: long enough for a smooth seam, short enough to waste little work.
MAX_OVERLAP_S = 1.0


# ---------------------------------------------------------------------------------------------
# Planning and joining windows of audio


@dataclass(frozen=True)
class Window:
    start: int   # first sample
    length: int  # samples


def plan_windows(total_samples: int, max_window_samples: int, overlap_samples: int) -> list[Window]:
    """Equal windows covering ``total_samples`` with overlaps of at least ``overlap_samples``."""
    if total_samples <= 0:
        raise InvalidInput(f"nothing to generate: {total_samples} samples")
    if total_samples <= max_window_samples:
        return [Window(0, total_samples)]
    if not 0 < overlap_samples < max_window_samples // 2 + 1:
        raise InvalidInput(
            f"the overlap ({overlap_samples} samples) must be positive and at most half the window "
            f"({max_window_samples} samples)"
        )
    step = max_window_samples - overlap_samples
    count = math.ceil((total_samples - overlap_samples) / step)
    length = min(max_window_samples, math.ceil((total_samples + (count - 1) * overlap_samples) / count))
    starts = [round(i * (total_samples - length) / (count - 1)) for i in range(count)]
    return [Window(s, length) for s in starts]


def generate_windowed(
    total_duration: float,
    max_window: float | None,
    overlap: float,
    render: RenderFn,
    rate: int,
) -> np.ndarray:
    """Audio for ``total_duration`` seconds from ``render(start_s, duration_s) -> (ch, n)``.

    ``max_window`` None means no limit (one call). The result has exactly
    round(total_duration * rate) samples.
    """
    total = seconds_to_samples(total_duration, rate)
    limit = total if max_window is None else seconds_to_samples(max_window, rate)
    windows = plan_windows(total, limit, seconds_to_samples(overlap, rate))
    out: np.ndarray | None = None
    previous_end = 0
    for window in windows:
        start_s = float(Fraction(window.start, rate))
        piece = fit_length(render(start_s, float(Fraction(window.length, rate))), window.length)
        if out is None:
            out = np.zeros((piece.shape[0], total), np.float32)
        elif piece.shape[0] != out.shape[0]:
            raise InvalidInput(f"render returned {piece.shape[0]} channels after {out.shape[0]}")
        seam = max(0, previous_end - window.start)
        if seam:
            x = (np.arange(seam) + 0.5) / seam
            fade_in = np.sin(0.5 * np.pi * x).astype(np.float32)
            fade_out = np.cos(0.5 * np.pi * x).astype(np.float32)
            region = slice(window.start, window.start + seam)
            out[:, region] = out[:, region] * fade_out + piece[:, :seam] * fade_in
        out[:, window.start + seam : window.start + window.length] = piece[:, seam:]
        previous_end = window.start + window.length
    assert out is not None
    return as_channels(out)


# ---------------------------------------------------------------------------------------------
# An engine's input cut to a window, and a layer generated window by window


def _cut_stream(stream: FrameStream, start: float, end: float) -> FrameStream:
    keep = (stream.times >= start) & (stream.times < end)
    return stream.subset(keep, start)


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


__all__ = ["MAX_OVERLAP_S", "Window", "generate_layer", "generate_windowed", "plan_windows", "window_input"]
