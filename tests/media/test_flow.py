"""The optical flow of the analysis (media.momentum.Flow): computed once per interval, only
where asked, and the same whether the intervals a decision needs are computed together on
OpenCV's threads or one by one, and whether a long shot's contacts are judged all at once or
a group at a time (its flow let go behind them)."""

from __future__ import annotations

import cv2
import numpy as np

from foleyline.server.media.momentum import Flow


def drifting_texture(n: int = 12) -> np.ndarray:
    rng = np.random.default_rng(3)
    base = cv2.GaussianBlur((rng.random((90, 200)) * 255).astype(np.uint8), (5, 5), 1.5)
    return np.stack([base[:, 2 * k : 2 * k + 160] for k in range(n)]).astype(np.float32)


def test_intervals_computed_together_equal_each_computed_alone(monkeypatch):
    gray, times = drifting_texture(), np.arange(12) / 25.0
    alone = Flow(gray, times)
    expected = {t: alone(t).copy() for t in range(1, 12)}
    together = Flow(gray, times)
    calls = []
    real = cv2.calcOpticalFlowFarneback
    monkeypatch.setattr(cv2, "calcOpticalFlowFarneback", lambda *a, **k: calls.append(1) or real(*a, **k))
    together.prefetch([3, 4, 5, 9, 4, 0, 12])  # out-of-range and repeated intervals are skipped
    for t in (3, 4, 5, 9):
        np.testing.assert_array_equal(together(t), expected[t])
    assert len(calls) == 4  # each once, none again when read
    np.testing.assert_array_equal(together(7), expected[7])  # one not prefetched: computed when read
    assert len(calls) == 5


def test_the_analysis_computes_flow_only_around_its_contacts(monkeypatch):
    """Three swings that stop in 100 frames: the flow is computed over a few intervals around
    each stop, none elsewhere (the strokes' starts, the rests between)."""
    from foleyline.server.media import momentum
    from foleyline.server.media.analysis import analyze_motion

    from .test_analysis import FPS, synthetic

    x, positions = 10, []
    for i in range(100):
        x += 8 if 10 <= i < 20 or 70 <= i < 80 else (-8 if 40 <= i < 50 else 0)
        positions.append((x, 40))
    computed = []
    real = momentum.Flow._compute
    monkeypatch.setattr(momentum.Flow, "_compute", lambda self, t: computed.append(t) or real(self, t))
    result = analyze_motion(synthetic(positions))
    contacts = np.round(result.onsets * FPS).astype(int)
    assert len(contacts) == 3
    assert computed and len(computed) == len(set(computed))  # each interval once
    assert all(np.min(np.abs(contacts - t)) <= 4 for t in computed)  # only around the contacts
    assert len(computed) <= 8 * len(contacts)  # of 99 intervals


def test_a_source_without_contacts_gets_no_flow(monkeypatch):
    from foleyline.server.media import momentum
    from foleyline.server.media.analysis import analyze_motion
    from foleyline.server.media.frames import SourceKind

    from .test_analysis import synthetic

    computed = []
    monkeypatch.setattr(momentum.Flow, "_compute", lambda self, t: computed.append(t))
    still = analyze_motion(synthetic([None] * 60))
    assert still.sources[0].kind is SourceKind.NONE and computed == []


def test_flow_let_go_of_is_computed_again_the_same(monkeypatch):
    gray, times = drifting_texture(), np.arange(12) / 25.0
    flow = Flow(gray, times)
    first = {t: flow(t).copy() for t in (2, 5, 9)}
    flow.forget(6)  # a long shot's flow is held only around the contacts being judged
    calls = []
    real = cv2.calcOpticalFlowFarneback
    monkeypatch.setattr(cv2, "calcOpticalFlowFarneback", lambda *a, **k: calls.append(1) or real(*a, **k))
    np.testing.assert_array_equal(flow(9), first[9])  # kept
    assert calls == []
    for t in (2, 5):
        np.testing.assert_array_equal(flow(t), first[t])
    assert len(calls) == 2


def test_a_long_shot_judged_a_group_of_contacts_at_a_time_is_judged_the_same(monkeypatch):
    """Six swings that stop in 200 frames, their contacts judged on the flow a few intervals'
    worth at a time (as a long shot's are, so its flow is never held whole) and all at once:
    the same analysis, and no interval's flow computed twice."""
    from foleyline.server.media import analysis, momentum
    from foleyline.server.media.analysis import analyze_motion

    from .test_analysis import synthetic

    x, positions = 10, []
    for i in range(200):
        x += 8 if (i // 15) % 2 == 0 and i % 15 >= 5 else -8 if i % 15 >= 5 else 0
        positions.append((min(max(x, 10), 140), 40))
    stream = synthetic(positions)
    whole = analyze_motion(stream)
    assert len(whole.onsets) >= 4
    computed, held = [], []
    real = momentum.Flow._compute
    monkeypatch.setattr(momentum.Flow, "_compute",
                        lambda self, t: computed.append(t) or held.append(len(self._flows)) or real(self, t))
    monkeypatch.setattr(analysis, "_FLOW_GROUP", 8)
    grouped = analyze_motion(stream)
    np.testing.assert_array_equal(grouped.onsets, whole.onsets)
    np.testing.assert_array_equal(grouped.onset_strengths, whole.onset_strengths)
    assert computed and len(computed) == len(set(computed))
    assert max(held) < len(computed) / 2  # the earlier groups' flow was let go
