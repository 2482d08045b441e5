"""The editor's own sound-effects library as a source of one-shots.

Point ``SfxLibrary`` at a folder: every sound file under it (``sfx_index.AUDIO_SUFFIXES``) is
indexed once into the persistent index (``sfx_index``: UCS CatID and FXName from the name,
BWF description, iXML, ID3/Vorbis tags) and later only what changed is read again. For a
layer, ``search`` ranks files by how well their words match the layer's prompt (weighted word
overlap, plus sentence-embedding similarity when the matcher has it; a prompt's UCS CatID
finds its category), ``find`` keeps the best and those matching about as well that decode
(``sfx_decode``), and ``render_events`` places the best files at the layer's fire times,
each with a little pitch and gain variation and with the file's own attack (not its leading
silence) on the picture's contact; ``render_bed`` loops a file under a texture layer instead.
"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soxr

from foleyline import config
from foleyline.errors import FoleylineError, InvalidInput, NotFound

from . import ucs
from .dsp import SAMPLE_RATE, place, rms, upsample
from .sfx_decode import decode_mono
from .sfx_index import AUDIO_SUFFIXES, IndexedFile, SfxIndex, ucs_words, words
from .timing import FireTime, certainty_gain

log = logging.getLogger(__name__)

PITCH_SEMITONES = 1.0       # +- random pitch per placement
GAIN_DB = 2.0               # +- random gain per placement
MIN_SCORE = 0.34            # share of the prompt's (weighted) words a file must match
# Added for a file filed under a UCS category the prompt asks for (it names the source, or its
# model renders that category): enough on its own ("gunshot" finds GUNPis_Glock 17 Single),
# and the words rank the files within the category.
CATEGORY_BONUS = MIN_SCORE
# The files played in turn for a layer are those scoring at least this share of the best match:
# variations of one sound. With the embedding matcher an unrelated file still clears MIN_SCORE
# (a dog bark 0.38 for "door slam", a punch 0.34 for "glass smash", beside the named file's 1.0),
# and the layer alternated the door slam with the bark. Any share from 0.4 to 0.9 keeps those
# out; 0.6 keeps a file that misses one of a prompt's three words.
VARIATION_SHARE = 0.6
# Above this many files the embedding matcher is not used: words only (a big library's names
# and descriptions are specific enough, and embedding each file once takes ~5 ms).
MAX_EMBEDDED_FILES = 5000
# A running server reads its library folder again, for new, changed and removed files, when a
# layer asks for it this long after the last reading (a walk of 3000 files takes 0.1 s; one of a
# big drive on a NAS seconds, so not on every layer).
REFRESH_S = 60.0
# Seams of a library bed looped under a long shot: long enough that a loop point is not heard as
# a cut in a steady bed (rain, room tone, traffic), short against the files beds come as (seconds).
BED_CROSSFADE_S = 0.5
# A seam goes where the file's tail most resembles its head, looked for this far before its end
# (a period of a 20 Hz hum): a tonal bed (a hum, an engine's idle) crossfaded out of phase with
# itself dips or flutters at every loop.
BED_SEAM_SEARCH_S = 0.05
# From this correlation of tail and head on, the file is cut there and the seam fades at equal gain
# (a sound faded into itself keeps its level so; at equal power it would bump 3 dB). Below it (noise,
# whose tail matches its head nowhere) the whole file loops and its seams fade at equal power.
BED_SEAM_COHERENT = 0.5

SfxEntry = IndexedFile

__all__ = ["AUDIO_SUFFIXES", "SfxEntry", "SfxLibrary", "words"]


def query_words(text: str) -> list[str]:
    """A prompt's words; a UCS CatID in it ("GUNPis") stands for its category's words."""
    out: list[str] = []
    for token in text.replace(",", " ").split():
        entry = ucs.entries().get(token.strip(".;:()"))
        out += ucs_words(entry) if entry is not None else words(token)
    return list(dict.fromkeys(out))


@dataclass
class _Catalogue:
    """The files of one reading of the folder and what searching them needs. A refresh replaces
    it whole, so a search beside it sees the old files or the new, never half of each."""

    entries: list[SfxEntry]
    postings: dict[str, np.ndarray]
    idf: dict[str, float]
    vectors: np.ndarray | None = None

    @classmethod
    def of(cls, entries: list[SfxEntry]) -> _Catalogue:
        postings: dict[str, list[int]] = defaultdict(list)
        for i, entry in enumerate(entries):
            for w in entry.words:
                postings[w].append(i)
        arrays = {w: np.asarray(ids) for w, ids in postings.items()}
        # Inverse document frequency: "concrete" tells more than "sfx" found on every file.
        return cls(entries, arrays, {w: math.log(1.0 + len(entries) / ids.size) for w, ids in arrays.items()})


class SfxLibrary:
    def __init__(self, root: str | os.PathLike, *, embedder=None, index_path: str | os.PathLike | None = None,
                 cache_files: int = 64, progress: bool = True) -> None:
        self.root = Path(root).expanduser().resolve()
        if not self.root.is_dir():
            raise NotFound(f"sound library folder not found: {self.root}; point it at a folder of sound files")
        self._embedder = embedder  # an EmbeddingScorer, or None for word matching only
        self.index = SfxIndex(index_path if index_path is not None else config.sfx_index_path())
        entries = self.index.update(self.root, progress=progress)
        self._read_at = time.monotonic()
        if not entries:
            unusable = self.index.unusable(self.root)
            raise InvalidInput(
                f"no sound file under {self.root} can be played: {unusable} could not be read (the log names each)"
                if unusable else f"no sound files under {self.root} (looked for {', '.join(sorted(AUDIO_SUFFIXES))})"
            )
        self._catalogue = _Catalogue.of(entries)
        self._audio: OrderedDict[Path, np.ndarray] = OrderedDict()
        self._cache_files = cache_files
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()
        self._unreadable: set[Path] = set()

    @property
    def entries(self) -> list[SfxEntry]:
        return self._catalogue.entries

    def __len__(self) -> int:
        return len(self.entries)

    def refresh(self) -> None:
        """Read the folder again when it was last read ``REFRESH_S`` ago or more: a server runs
        all day while the editor adds, replaces and removes files. A folder that is gone (an
        unplugged drive) keeps the files known; a job arriving during a refresh does not wait."""
        if time.monotonic() - self._read_at < REFRESH_S or not self._refreshing.acquire(blocking=False):
            return
        try:
            self._read_at = time.monotonic()
            if not self.root.is_dir():
                return
            entries = self.index.update(self.root, progress=False)
            if entries and entries != self._catalogue.entries:
                self._catalogue = _Catalogue.of(entries)
        except (FoleylineError, OSError, sqlite3.Error) as exc:
            log.warning("sound library %s not read again (%s); using the files known", self.root, exc)
        finally:
            self._refreshing.release()

    def _file_vectors(self, catalogue: _Catalogue) -> np.ndarray:
        """Embeddings of every file's text: from the index, the missing ones computed once."""
        with self._lock:
            if catalogue.vectors is None:
                model = getattr(self._embedder, "model_id", "embedding")
                stored = self.index.embeddings(model, [e.path for e in catalogue.entries])
                missing = [e for e in catalogue.entries if e.path not in stored]
                if missing:
                    fresh = self._embedder.embed([e.text for e in missing])
                    computed = dict(zip((e.path for e in missing), fresh))
                    self.index.store_embeddings(model, computed)
                    stored.update(computed)
                catalogue.vectors = np.stack([stored[e.path] for e in catalogue.entries])
            return catalogue.vectors

    def search(self, text: str, *, negative: str = "", limit: int = 5, categories: Collection[str] = ()) -> list[tuple[SfxEntry, float]]:
        """Files best matching ``text``, best first, with scores 0..1 (only those above MIN_SCORE).
        ``categories``: UCS CatIDs the prompt asks for; files filed under them rank higher."""
        query = query_words(text)
        if not query:
            return []
        catalogue = self._catalogue
        entries = catalogue.entries
        banned = set(words(negative))
        default_idf = math.log(1.0 + len(entries))
        total = sum(catalogue.idf.get(w, default_idf) for w in query)
        scores = np.zeros(len(entries))
        for w in query:
            if w in catalogue.postings:
                scores[catalogue.postings[w]] += catalogue.idf[w] / total
        if self._embedder is not None and len(entries) <= MAX_EMBEDDED_FILES:
            try:
                sims = self._file_vectors(catalogue) @ self._embedder.embed([text])[0]
                scores = np.maximum(scores, np.clip((sims - 0.2) / 0.5, 0.0, 1.0))
            except Exception as exc:  # the word score still stands
                log.info("library embedding failed (%s); using word matches", exc)
        if categories:
            filed = np.fromiter((e.cat_id in categories for e in entries), dtype=bool, count=len(entries))
            scores = np.minimum(scores + CATEGORY_BONUS * filed, 1.0)
        ranked = []
        for i in np.argsort(-scores, kind="stable"):
            if scores[i] < MIN_SCORE or len(ranked) >= limit:
                break
            entry = entries[i]
            if banned & entry.words or entry.path in self._unreadable:
                continue
            ranked.append((entry, float(scores[i])))
        return ranked

    def find(self, text: str, *, negative: str = "", limit: int = 5, categories: Collection[str] = ()) -> list[tuple[SfxEntry, float]]:
        """The files to play for ``text``: the best match and the files that match about as well
        (``VARIATION_SHARE`` of its score), all of them decodable. A damaged file among the best
        gives its place to the next match, not to synthesis."""
        while True:
            found = self.search(text, negative=negative, limit=limit, categories=categories)
            good = self.playable(found)
            if len(good) == len(found):
                break
        if not good:
            return []
        return [(entry, score) for entry, score in good if score >= VARIATION_SHARE * good[0][1]]

    def playable(self, found: Sequence[tuple[SfxEntry, float]]) -> list[tuple[SfxEntry, float]]:
        """The matches whose sound decodes. A library holds damaged and half-copied files; one
        of them is skipped (said once in the log), never the reason a take fails."""
        out = []
        for entry, score in found:
            if entry.path not in self._unreadable:
                try:
                    sound = self.audio(entry)
                    if sound.size and sound.any():
                        out.append((entry, score))
                        continue
                    problem = "no sound: digital silence" if sound.size else "no samples"
                except InvalidInput as exc:
                    problem = str(exc)
                with self._lock:
                    self._unreadable.add(entry.path)
                log.warning("sound library: skipping %s (%s)", entry.path, problem)
        return out

    def audio(self, entry: SfxEntry) -> np.ndarray:
        """The file as mono float32 at the engine rate (cached, most recent files kept)."""
        with self._lock:
            if entry.path in self._audio:
                self._audio.move_to_end(entry.path)
                return self._audio[entry.path]
        x = decode_mono(entry.path)
        with self._lock:
            self._audio[entry.path] = x
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
            gain = 10.0 ** (float(rng.uniform(-GAIN_DB, GAIN_DB)) / 20.0) * (0.3 + 0.7 * fire.strength) * certainty_gain(fire.strength)
            place(out, sound, fire.time - _attack(sound) / SAMPLE_RATE, gain=gain)
        return out


    def render_bed(self, rng: np.random.Generator, entry: SfxEntry, env: np.ndarray, n: int, level: float) -> np.ndarray:
        """``entry`` looped under the whole layer from a random point, following the layer's
        control-rate envelope ``env``, at RMS ``level`` (the level the engine's own texture would
        have had). Each seam is a crossfade: where the file's tail can match its head (a hum, an
        idle), cut there and faded at equal gain; else (noise) the whole file, at equal power."""
        whole = self.audio(entry)
        fade = min(int(BED_CROSSFADE_S * SAMPLE_RATE), whole.size // 4)
        length, coherence = _seam(whole, fade)
        coherent = coherence >= BED_SEAM_COHERENT
        sound = whole[:length] if coherent else whole
        out = np.zeros(n, dtype=np.float32)
        pos = -int(rng.integers(0, max(1, sound.size - fade)))
        if coherent:
            fade_in = np.linspace(0.0, 1.0, fade, dtype=np.float32)
            fade_out = 1.0 - fade_in
        else:
            fade_in = np.sin(np.linspace(0.0, np.pi / 2, fade, dtype=np.float32))
            fade_out = fade_in[::-1]
        while pos < n:
            piece = sound.copy()
            if fade:
                piece[:fade] *= fade_in
                piece[-fade:] *= fade_out
            place(out, piece, pos / SAMPLE_RATE)
            pos += max(1, sound.size - fade)
        out *= upsample(env, n)
        now = rms(out)
        return out * (level / now) if now > 0 else out


def _seam(sound: np.ndarray, fade: int) -> tuple[int, float]:
    """Where to end a file looped with ``fade``-sample seams: the length (at most
    ``BED_SEAM_SEARCH_S`` short of the whole) whose last ``fade`` samples best match the first
    ones, and their normalised correlation there."""
    search = min(int(BED_SEAM_SEARCH_S * SAMPLE_RATE), sound.size - 2 * fade)
    if fade == 0 or search <= 0:
        return sound.size, 0.0
    head = sound[:fade].astype(np.float64)
    tail = sound[sound.size - fade - search :].astype(np.float64)
    size = 1 << int(tail.size + fade - 1).bit_length()
    # Correlation of the head with every window of the tail region, through the FFT.
    products = np.fft.irfft(np.fft.rfft(tail, size) * np.conj(np.fft.rfft(head, size)), size)[: search + 1]
    energy = np.concatenate([[0.0], np.cumsum(tail**2)])
    windows = energy[fade:] - energy[:-fade]
    scores = products / np.sqrt(np.maximum(windows * float(head @ head), 1e-20))
    best = int(np.argmax(scores))
    return sound.size - search + best, float(scores[best])


def _attack(x: np.ndarray) -> int:
    """Sample index of the sound's attack: a little before it first reaches a quarter of its peak."""
    peak = float(np.abs(x).max()) if x.size else 0.0
    if peak <= 0.0:
        return 0
    first = int(np.argmax(np.abs(x) >= 0.25 * peak))
    return max(0, first - int(0.002 * SAMPLE_RATE))
