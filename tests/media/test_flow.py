"""The optical flow of the analysis (media.momentum.Flow): computed once per interval, only
where asked, and the same whether the intervals a decision needs are computed together on
OpenCV's threads or one by one."""

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
