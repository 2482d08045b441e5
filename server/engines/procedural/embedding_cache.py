"""Sentence embeddings kept on disk: a text is embedded once per machine and model version.

The sound models' fixed descriptions and the prompts that drafted notes repeat are then read
back in milliseconds, and the embedding model (seconds to load, hundreds of MB) is loaded only
when a text nobody embedded before needs matching.

Beneath it lies a read-only table shipped with the package (``embeddings/<model>-<version>.npz``
beside this module, written by ``shipped_embeddings``): the texts every default run matches, so a
fresh machine's first run reads them too instead of loading the model (5 s and 500 MB more for
a one-shot ``foleyline generate``). It is used only for the model version it was computed with.

One folder per model version (``<data dir>/cache/embeddings/<model>-<version>``) of batch files,
each an ``.npz`` of text hashes (SHA-256) and their float32 vectors, written atomically and named
by their content, so processes sharing the folder never write the same file twice. Many small
batches (one per new prompt) are merged into one when the folder is read. A batch that cannot
be read is skipped: its texts are embedded again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from foleyline import config
from foleyline.fsutil import write_bytes_atomic

log = logging.getLogger(__name__)

# Merge the batch files when a folder holds more than this many.
MAX_BATCHES = 32

SHIPPED_DIR = Path(__file__).with_name("embeddings")


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_table(path: Path) -> dict[str, np.ndarray]:
    """The vectors of one ``.npz`` batch by text key; empty when it cannot be read."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return dict(zip(data["keys"].tolist(), data["vectors"].astype(np.float32)))
    except (OSError, ValueError, KeyError) as exc:  # half-written by a crash, or foreign
        log.info("embedding cache %s skipped (%s)", path, exc)
        return {}


class EmbeddingCache:
    """Vectors by text for one model version, in ``folder``."""

    def __init__(self, folder: Path, shipped: Path | None = None) -> None:
        self.folder = Path(folder)
        self.shipped = shipped
        self._vectors: dict[str, np.ndarray] | None = None
        self._shipped: dict[str, np.ndarray] | None = None

    @classmethod
    def for_model(cls, model: str, version: str) -> EmbeddingCache:
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{model}-{version}")  # its folder's and its table's
        return cls(config.data_dir() / "cache" / "embeddings" / name, SHIPPED_DIR / f"{name}.npz")

    def _read(self) -> dict[str, np.ndarray]:
        if self._vectors is None:
            self._vectors = {}
            batches = sorted(self.folder.glob("*.npz"))
            for path in batches:
                self._vectors.update(read_table(path))
            if len(batches) > MAX_BATCHES:
                self._merge(batches)
        return self._vectors

    def _read_shipped(self) -> dict[str, np.ndarray]:
        if self._shipped is None:
            self._shipped = read_table(self.shipped) if self.shipped is not None and self.shipped.is_file() else {}
        return self._shipped

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The cached vectors of those ``texts`` that have one (shipped, or embedded here before)."""
        found: dict[str, np.ndarray] = {}
        for table in (self._read_shipped(), self._read()):
            found.update((t, table[k]) for t in texts if t not in found and (k := text_key(t)) in table)
        return found

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store one batch; a cache that cannot be written costs time later, never a take."""
        keys = [text_key(t) for t in texts]
        self._read().update(zip(keys, np.asarray(vectors, np.float32)))
        try:
            self._write(keys, np.asarray(vectors, np.float32))
        except OSError as exc:
            log.info("embedding cache not written to %s (%s)", self.folder, exc)

    def _write(self, keys: list[str], vectors: np.ndarray) -> Path:
        buffer = io.BytesIO()
        np.savez(buffer, keys=np.asarray(keys), vectors=vectors)
        data = buffer.getvalue()
        return write_bytes_atomic(self.folder / f"{hashlib.sha256(data).hexdigest()[:32]}.npz", data)

    def _merge(self, batches: list[Path]) -> None:
        assert self._vectors is not None
        try:
            keys = sorted(self._vectors)
            merged = self._write(keys, np.stack([self._vectors[k] for k in keys]))
        except OSError as exc:
            log.info("embedding cache %s not merged (%s)", self.folder, exc)
            return
        for path in batches:  # another process may have merged them already
            if path == merged:
                continue
            with contextlib.suppress(OSError):
                path.unlink()


__all__ = ["EmbeddingCache", "MAX_BATCHES", "SHIPPED_DIR", "read_table", "text_key"]
