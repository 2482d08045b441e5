"""Sync metrics of generated Foley against a reference (ReWaS / CondFoleyGen style).

Onset accuracy and average precision: every reference onset is matched to the most confident
generated onset within the tolerance (each generated onset used once). Accuracy is the share of
reference onsets matched. For AP, each reference onset is a positive scored by its match's
confidence (0 when unmatched) and each unmatched generated onset is a negative scored by its own
confidence; AP is the area under that precision-recall curve.

Precision is the share of generated onsets matched, and the ratio the number of generated onsets
over the reference's: a take that clicks everywhere scores a high accuracy, a low precision and a
high ratio.

Chance accuracy: the accuracy the generated onsets would score if the reference onsets fell at
random in the clip, i.e. the share of the clip within the tolerance of a generated onset. An
accuracy near it says the clip's sound is not tied to what the generated onsets follow (a street
behind a walking dog), whatever the engine does.

Energy MAE: the mean absolute difference of the two clips' energy curves (mean mel magnitude per
frame, each scaled to 0..1 over its own clip), as ReWaS measures energy control.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .onsets import Onsets, mel_power, to_analysis_rate


@dataclass(frozen=True)
class OnsetScore:
    tolerance: float
    accuracy: float
    ap: float
    matched: int
    reference: int
    generated: int
    chance: float | None = None  # accuracy if the reference onsets fell at random; None: no duration

    @property
    def precision(self) -> float:
        """The share of generated onsets that land on a reference onset (0 when none was generated)."""
        return self.matched / self.generated if self.generated else 0.0

    @property
    def ratio(self) -> float | None:
        """Generated onsets per reference onset (None when the reference has none)."""
        return self.generated / self.reference if self.reference else None


def chance_accuracy(times: np.ndarray, tolerance: float, duration: float) -> float:
    """The share of [0, duration] within ``tolerance`` of one of ``times``."""
    if duration <= 0:
        return 0.0
    covered, end = 0.0, 0.0
    for t in np.sort(np.asarray(times, dtype=np.float64)):
        lo, hi = max(t - tolerance, end, 0.0), min(t + tolerance, duration)
        if hi > lo:
            covered += hi - lo
            end = hi
    return covered / duration


def average_precision(labels: np.ndarray, scores: np.ndarray) -> float:
    """Step-wise AP over thresholds (ties share a threshold), as scikit-learn computes it."""
    labels = np.asarray(labels, dtype=bool)
    scores = np.asarray(scores, dtype=np.float64)
    positives = int(labels.sum())
    if positives == 0:
        return 0.0
    order = np.argsort(-scores, kind="mergesort")
    labels, scores = labels[order], scores[order]
    # The last index of each distinct score: a threshold.
    last = np.r_[np.flatnonzero(np.diff(scores)), scores.size - 1]
    tp = np.cumsum(labels)[last]
    fp = (last + 1) - tp
    precision = tp / (tp + fp)
    recall = tp / positives
    prev_recall = np.r_[0.0, recall[:-1]]
    return float(np.sum((recall - prev_recall) * precision))


def onset_score(reference: np.ndarray, generated: Onsets, tolerance: float, duration: float | None = None) -> OnsetScore:
    ref = np.sort(np.asarray(reference, dtype=np.float64))
    unused = list(range(generated.times.size))
    labels: list[int] = []
    scores: list[float] = []
    matched = 0
    for t in ref:
        window = [i for i in unused if abs(generated.times[i] - t) < tolerance]
        labels.append(1)
        if not window:
            scores.append(0.0)
            continue
        best = max(window, key=lambda i: generated.confidence[i])
        scores.append(float(generated.confidence[best]))
        unused.remove(best)
        matched += 1
    for i in unused:
        labels.append(0)
        scores.append(float(generated.confidence[i]))
    accuracy = matched / ref.size if ref.size else 0.0
    ap = average_precision(np.array(labels), np.array(scores)) if ref.size else 0.0
    chance = chance_accuracy(generated.times, tolerance, duration) if duration is not None else None
    return OnsetScore(tolerance, accuracy, ap, matched, int(ref.size), int(generated.times.size), chance)


def energy_curve(audio: np.ndarray, rate: int) -> np.ndarray:
    """Mean mel magnitude per 23 ms frame, scaled to 0..1 over the clip."""
    mag = np.sqrt(mel_power(to_analysis_rate(audio, rate))).mean(axis=1)
    span = mag.max() - mag.min() if mag.size else 0.0
    return (mag - mag.min()) / span if span > 0 else np.zeros_like(mag)


def energy_mae(generated: np.ndarray, generated_rate: int, reference: np.ndarray, reference_rate: int) -> float:
    a = energy_curve(generated, generated_rate)
    b = energy_curve(reference, reference_rate)
    n = min(a.size, b.size)
    if n == 0:
        raise ValueError("cannot compare energy of empty audio")
    return float(np.abs(a[:n] - b[:n]).mean())
