"""The editor's own sound-effects library as a source of one-shots.

Point ``SfxLibrary`` at a folder: every sound file under it is indexed by its file name (split
into words: ``FOLEY_Footstep-Concrete_03.wav`` -> "foley footstep concrete") and the text its
header carries (BWF description, iXML, RIFF INFO, ID3, Vorbis/FLAC tags; see ``sfx_metadata``).
For a layer, ``search`` ranks files by how well that text matches the layer's prompt (weighted
word overlap, plus sentence-embedding similarity when the matcher has it), and ``render_events``
places the best files at the layer's fire times, each with a little pitch and gain variation
and with the file's own attack (not its leading silence) on the picture's contact.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import soundfile
import soxr

from foleyline.errors import InvalidInput, NotFound

from .dsp import SAMPLE_RATE, place
from .sfx_metadata import read_metadata
from .timing import FireTime

log = logging.getLogger(__name__)

AUDIO_SUFFIXES = frozenset({".wav", ".bwf", ".rf64", ".aif", ".aiff", ".flac", ".ogg", ".mp3"})
MAX_FILES = 200_000
MAX_SECONDS = 20.0          # a one-shot longer than this is cut (a library "one-shot" is short)
PITCH_SEMITONES = 1.0       # +- random pitch per placement
GAIN_DB = 2.0               # +- random gain per placement
MIN_SCORE = 0.34            # share of the prompt's (weighted) words a file must match
# Embedding every file's text costs ~5 ms a file once; above this many files, words only (a
# big library's names and descriptions are usually specific enough).
MAX_EMBEDDED_FILES = 2000
_STOP = frozenset("a an and the of on in at to with into onto from by for is are his her its their as it this that sound sounds".split())
_SPLIT = re.compile(r"[^A-Za-z]+|(?<=[a-z])(?=[A-Z])")


def words(text: str) -> list[str]:
    """Lower-case words of a file name or description, plural 's' dropped, stop words out."""
    out = []
    for w in _SPLIT.split(text):
        w = w.lower()
        if len(w) < 2 or w in _STOP:
            continue
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.append(w)
    return out


@dataclass(frozen=True)
class SfxEntry:
    path: Path
    name_words: tuple[str, ...]
    metadata: dict[str, str]

    @property
    def text(self) -> str:
        """Everything known about the file, as one line (what the embedding matcher reads)."""
        return " ".join([" ".join(self.name_words)] + list(self.metadata.values()))

    @property
    def vocabulary(self) -> frozenset[str]:
        return frozenset(self.name_words) | frozenset(words(" ".join(self.metadata.values())))


class SfxLibrary:
    def __init__(self, root: str | os.PathLike, *, embedder=None, cache_files: int = 64) -> None:
        self.root = Path(root).expanduser()
        if not self.root.is_dir():
            raise NotFound(f"sound library folder not found: {self.root}; point it at a folder of sound files")
        self._embedder = embedder  # an EmbeddingScorer, or None for word matching only
        self.entries = self._index()
        if not self.entries:
            raise InvalidInput(
                f"no sound files under {self.root} (looked for {', '.join(sorted(AUDIO_SUFFIXES))})"
            )
        counts = Counter(w for e in self.entries for w in e.vocabulary)
        n = len(self.entries)
        # Inverse document frequency: "concrete" tells more than "sfx" found on every file.
        self._idf = {w: math.log(1.0 + n / c) for w, c in counts.items()}
        self._audio: OrderedDict[Path, tuple[np.ndarray, int]] = OrderedDict()
        self._cache_files = cache_files
        self._lock = threading.Lock()

    def _index(self) -> list[SfxEntry]:
        entries = []
        for dirpath, _dirs, files in os.walk(self.root):
            for name in sorted(files):
                path = Path(dirpath) / name
                if path.suffix.lower() not in AUDIO_SUFFIXES or name.startswith("."):
                    continue
                entries.append(SfxEntry(path, tuple(words(path.stem)), read_metadata(path)))
                if len(entries) >= MAX_FILES:
                    log.warning("sound library %s has more than %d files; indexing the first ones", self.root, MAX_FILES)
                    return entries
        return entries

    def __len__(self) -> int:
        return len(self.entries)

    def search(self, text: str, *, negative: str = "", limit: int = 5) -> list[tuple[SfxEntry, float]]:
        """Files best matching ``text``, best first, with scores 0..1 (only those above MIN_SCORE)."""
        query = [w for w in dict.fromkeys(words(text))]
        if not query:
            return []
        banned = set(words(negative))
        default_idf = math.log(1.0 + len(self.entries))
        total = sum(self._idf.get(w, default_idf) for w in query)
        scores = np.array([
            sum(self._idf.get(w, default_idf) for w in query if w in e.vocabulary) / total for e in self.entries
        ])
        if self._embedder is not None and len(self.entries) <= MAX_EMBEDDED_FILES:
            try:
                sims = self._embedder.similarities(text, [e.text for e in self.entries])
                scores = np.maximum(scores, np.clip((sims - 0.2) / 0.5, 0.0, 1.0))
            except Exception as exc:  # the word score still stands
                log.info("library embedding failed (%s); using word matches", exc)
        ranked = []
        for i in np.argsort(-scores, kind="stable"):
            if scores[i] < MIN_SCORE or len(ranked) >= limit:
                break
            entry = self.entries[i]
            if banned & entry.vocabulary:
                continue
            ranked.append((entry, float(scores[i])))
        return ranked

    def audio(self, entry: SfxEntry) -> np.ndarray:
        """The file as mono float32 at the engine rate (cached, most recent files kept)."""
        with self._lock:
            if entry.path in self._audio:
                self._audio.move_to_end(entry.path)
                return self._audio[entry.path][0]
        x = _decode_mono(entry.path)
        with self._lock:
            self._audio[entry.path] = (x, SAMPLE_RATE)
            while len(self._audio) > self._cache_files:
                self._audio.popitem(last=False)
        return x

    def render_events(
        self, rng: np.random.Generator, entries: Sequence[SfxEntry], fires: Sequence[FireTime], n: int
    ) -> np.ndarray:
        """The chosen files placed at ``fires``, never the same file twice in a row when there
        is a choice, each with its attack on the fire time."""
        out = np.zeros(n, dtype=np.float32)
        last = -1
        for fire in fires:
            choices = [i for i in range(len(entries)) if i != last] or [0]
            pick = int(rng.choice(choices))
            last = pick
            sound = self.audio(entries[pick])
            ratio = 2.0 ** (float(rng.uniform(-PITCH_SEMITONES, PITCH_SEMITONES)) / 12.0)
            if abs(ratio - 1.0) > 1e-3:
                sound = soxr.resample(sound, SAMPLE_RATE * ratio, SAMPLE_RATE).astype(np.float32)
            gain = 10.0 ** (float(rng.uniform(-GAIN_DB, GAIN_DB)) / 20.0) * (0.3 + 0.7 * fire.strength)
            place(out, sound, fire.time - _attack(sound) / SAMPLE_RATE, gain=gain)
        return out


def _attack(x: np.ndarray) -> int:
    """Sample index of the sound's attack: a little before it first reaches a quarter of its peak."""
    peak = float(np.abs(x).max()) if x.size else 0.0
    if peak <= 0.0:
        return 0
    first = int(np.argmax(np.abs(x) >= 0.25 * peak))
    return max(0, first - int(0.002 * SAMPLE_RATE))


def _decode_mono(path: Path) -> np.ndarray:
    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True, frames=int(MAX_SECONDS * 192000))
        x = data.mean(axis=1)
    except Exception:
        x, rate = _decode_with_av(path)
    x = x[: int(MAX_SECONDS * rate)]
    if rate != SAMPLE_RATE:
        x = soxr.resample(x, rate, SAMPLE_RATE)
    peak = float(np.abs(x).max()) if x.size else 0.0
    # Library files come at any level; bring each to a common peak so gain means the same.
    return (x / peak * 0.7 if peak > 0 else x).astype(np.float32)


def _decode_with_av(path: Path) -> tuple[np.ndarray, int]:
    """Formats libsndfile cannot read (some MP3s, M4A): FFmpeg, mixed to mono at the engine rate."""
    chunks: list[np.ndarray] = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise InvalidInput(f"library file {path} has no audio stream")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(container.streams.audio[0]):
                chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
                if sum(c.size for c in chunks) > MAX_SECONDS * SAMPLE_RATE:
                    break
            chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    except av.error.FFmpegError as exc:
        raise InvalidInput(f"cannot decode library file {path}: {exc}") from None
    x = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, dtype=np.float32)
    return x, SAMPLE_RATE
