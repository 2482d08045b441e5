"""Zero-shot labels: which captions of a label set best describe a shot's frames, by a CLIP-style
model (``clip_models.py``: an ``Embedder``).

The mechanics, each testable with a stand-in embedder whose answers are known:

- **label prompts**: each caption is put in every template ("a photo of {}."); a caption's
  text embedding is the mean of its prompts' embeddings, made unit length again;
- **the shot**: the frames' unit embeddings averaged and made unit length: one description of
  the whole shot (a frame alone may catch a blur or a cut);
- **scores**: a softmax over the label set of ``logit_scale`` times the cosine of the shot and
  each caption; the sets are asked separately (where is it, what sounds, what is walked on), so
  a place never competes with a dog;
- **thresholds and top-k**: the ``top_k`` best captions whose probability is at least
  ``min_probability``, best first.

Text embeddings depend only on the model and the captions: they are computed once per process
and kept on disk (``<data dir>/label-embeddings``), since a large text tower on a CPU takes
minutes over a few hundred captions.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import numpy as np

from foleyline.config import data_dir
from foleyline.fsutil import write_bytes_atomic

__all__ = ["DEFAULT_TEMPLATES", "Embedder", "Ranked", "ZeroShot", "top_labels"]

log = logging.getLogger(__name__)

DEFAULT_TEMPLATES: tuple[str, ...] = ("a photo of {}.",)
T = TypeVar("T")


class Embedder(Protocol):
    """Unit-length embeddings of images and texts in one space (a CLIP model)."""

    name: str
    logit_scale: float
    cache_key: str                   # which weights: texts embedded once are kept under it ("" keeps none)

    def embed_images(self, frames: Sequence[np.ndarray]) -> np.ndarray: ...   # (N, D), RGB uint8 in
    def embed_texts(self, texts: Sequence[str]) -> np.ndarray: ...            # (M, D)


@dataclass(frozen=True)
class Ranked(Generic[T]):
    label: T
    probability: float


def _unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float64)
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def top_labels(labels: Sequence[T], probabilities: np.ndarray, *, top_k: int, min_probability: float
               ) -> list[Ranked[T]]:
    """The ``top_k`` labels of at least ``min_probability``, best first (ties: the list's order)."""
    order = sorted(range(len(labels)), key=lambda i: (-float(probabilities[i]), i))[:max(0, top_k)]
    return [Ranked(labels[i], float(probabilities[i])) for i in order if probabilities[i] >= min_probability]


class ZeroShot:
    def __init__(self, embedder: Embedder, templates: Sequence[str] = DEFAULT_TEMPLATES,
                 cache_dir: Path | None = None) -> None:
        if not templates or any("{}" not in t for t in templates):
            raise ValueError(f"every template needs a {{}} for the caption; got {list(templates)}")
        self.embedder = embedder
        self.templates = tuple(templates)
        self.cache_dir = cache_dir
        self._texts: dict[tuple[str, ...], np.ndarray] = {}
        self._lock = threading.Lock()

    def prompts(self, caption: str) -> list[str]:
        return [template.format(caption) for template in self.templates]

    def _cache_file(self, captions: tuple[str, ...]) -> Path | None:
        key = getattr(self.embedder, "cache_key", "")
        if not key:
            return None
        digest = hashlib.sha256("\n".join((key, *self.templates, "", *captions)).encode()).hexdigest()[:24]
        return (self.cache_dir or data_dir() / "label-embeddings") / f"{digest}.npy"

    def text_embeddings(self, captions: Sequence[str]) -> np.ndarray:
        """(len(captions), D): each caption's prompts averaged, unit length."""
        key = tuple(captions)
        with self._lock:
            if key in self._texts:
                return self._texts[key]
            path = self._cache_file(key)
            found = self._read(path, len(key))
            if found is None:
                flat = self.embedder.embed_texts([p for c in key for p in self.prompts(c)])
                per_caption = _unit(flat).reshape(len(key), len(self.templates), -1).mean(axis=1)
                found = _unit(per_caption)
                self._write(path, found)
            self._texts[key] = found
            return found

    @staticmethod
    def _read(path: Path | None, rows: int) -> np.ndarray | None:
        if path is None or not path.is_file():
            return None
        try:
            data = np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            return None  # a damaged cache only means embedding again
        return data if data.ndim == 2 and data.shape[0] == rows else None

    @staticmethod
    def _write(path: Path | None, data: np.ndarray) -> None:
        if path is None:
            return
        buffer = io.BytesIO()
        np.save(buffer, data, allow_pickle=False)
        try:
            write_bytes_atomic(path, buffer.getvalue())
        except OSError as exc:  # a read-only data folder costs time, not the labels
            log.info("label embeddings not cached at %s: %s", path, exc)

    def shot_embedding(self, frames: Sequence[np.ndarray]) -> np.ndarray:
        """(D,): the frames' embeddings averaged, unit length."""
        if not frames:
            raise ValueError("no frames to label")
        return _unit(_unit(self.embedder.embed_images(frames)).mean(axis=0))

    def probabilities(self, shot: np.ndarray, captions: Sequence[str]) -> np.ndarray:
        """Softmax over ``captions`` of logit_scale × cosine with the shot embedding."""
        logits = float(self.embedder.logit_scale) * (self.text_embeddings(captions) @ shot)
        logits = logits - logits.max()
        weights = np.exp(logits)
        return weights / weights.sum()

    def rank(self, shot: np.ndarray, labels: Sequence[T], captions: Sequence[str], *, top_k: int,
             min_probability: float) -> list[Ranked[T]]:
        """``labels`` (one per caption) ranked for the shot: top-k over the threshold."""
        if len(labels) != len(captions):
            raise ValueError(f"{len(labels)} labels for {len(captions)} captions")
        if not labels:
            return []
        return top_labels(labels, self.probabilities(shot, captions), top_k=top_k, min_probability=min_probability)
