"""The persistent index of the editor's sound library: one SQLite file in the data folder.

Each sound file under a library folder is read once: its UCS CatID and FXName from the file
name (``CatID_FXName_CreatorID_SourceID.wav``, see ``ucs``) or from its embedded metadata, and
the words it can be found by (name, BWF description, iXML, ID3/Vorbis tags; ``sfx_metadata``).
A row is keyed by the file's path and remembers its modification time and size: the next time
the folder is opened only new or changed files are read again, and files that are gone are
dropped. A file whose header no decoder reads (empty, half-copied, not sound) keeps a row with
its problem, said once in the log and not offered for matching until it changes. Rows are
written every few seconds, so an interrupted first index of a big drive keeps what it read.
Sentence embeddings of the files' text are stored beside them, per embedding model, so they
too are computed once.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import stat as stat_module
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from foleyline.errors import Unavailable

from . import ucs
from .sfx_decode import probe
from .sfx_metadata import read_metadata

log = logging.getLogger(__name__)

# What libsndfile reads (Core Audio's CAF and Sony's Wave64 included), and (decoded through
# FFmpeg by PyAV) M4A/AAC/ALAC, raw AAC and WMA.
AUDIO_SUFFIXES = frozenset({
    ".wav", ".bwf", ".rf64", ".w64", ".aif", ".aiff", ".aifc", ".caf", ".flac", ".ogg", ".oga", ".opus",
    ".mp3", ".m4a", ".aac", ".wma",
})
MAX_FILES = 200_000
# Rows are committed this often while a folder is read: a first index of a big drive that is
# interrupted (Ctrl-C, a closed laptop) keeps what it read, and the next run reads the rest.
COMMIT_EVERY_S = 2.0
# 2: FLAC/Ogg/AIFF/M4A tags read through FFmpeg (every Vorbis comment), and "DOGBark" split into
# words. 3: a file no decoder reads is kept with its problem. Files indexed before are read again.
SCHEMA = 3
_STOP = frozenset("a an and the of on in at to with into onto from by for is are his her its their as it this that sound sounds".split())
# Words of a name: "rockHit2" and "DOGBark" (a capitals prefix, as libraries file by) split too.
_SPLIT = re.compile(r"[^A-Za-z]+|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
# A CatID written in metadata: "CATID: GUNPis", or a mixed-case token that is one ("GUNPis").
_CATID_FIELD = re.compile(r"\bcat[\s_-]?id\b\W{0,3}([A-Za-z]+)", re.IGNORECASE)
_MIXED = re.compile(r"\b[A-Z]{2,6}[a-z][A-Za-z]*\b")


def _unaccented(text: str) -> str:
    """Latin letters without their accents: "claquée" -> "claquee". A Mac writes file names
    decomposed (e + a combining accent) and a typed prompt is composed; split as they come,
    the one lost its accented words against the other."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Lower-case words of a file name or description, plural 's' dropped, stop words out."""
    out = []
    for w in _SPLIT.split(_unaccented(text)):
        w = w.lower()
        if len(w) < 2 or w in _STOP:
            continue
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.append(w)
    return out


def ucs_words(entry: ucs.UcsEntry) -> list[str]:
    """What a CatID says in words: its category and subcategory, and the CatID itself."""
    return words(f"{entry.category} {entry.subcategory}".replace("MISC", "").replace("GENERAL", "")) + [entry.cat_id.lower()]


@dataclass(frozen=True)
class IndexedFile:
    path: Path
    cat_id: str                   # "" when neither the name nor the metadata gives one
    fx_name: str                  # the UCS FXName, or the file's name without its extension
    words: frozenset[str]         # what it is found by
    text: str                     # everything known about it, one line (for the embedding matcher)


def describe(path: Path, metadata: dict[str, str]) -> IndexedFile:
    """What a file is, from its name and its metadata."""
    named = ucs.parse_file_name(path.stem)
    meta_text = " ".join(metadata.values())
    entry = named.entry if named is not None else (ucs.lookup(metadata.get("catid", "")) or _cat_id_in(meta_text))
    if named is not None:
        # UCS names: the CatID and the FXName say what it is; creator and source IDs do not.
        name_words, fx_name = words(named.fx_name), named.fx_name
    else:
        name_words, fx_name = words(path.stem), path.stem
    found = set(name_words) | set(words(meta_text))
    label = ""
    if entry is not None:
        found |= set(ucs_words(entry))
        label = f"{entry.category.lower()} {entry.subcategory.lower()}: "
    text = label + " ".join([fx_name] + list(metadata.values()))
    return IndexedFile(path, entry.cat_id if entry else "", fx_name, frozenset(found), text)


def _cat_id_in(text: str) -> ucs.UcsEntry | None:
    for match in _CATID_FIELD.finditer(text):
        entry = ucs.lookup(match.group(1))
        if entry is not None:
            return entry
    for token in _MIXED.findall(text):
        entry = ucs.lookup(token)
        if entry is not None and token in ucs.entries():
            return entry
    return None


class SfxIndex:
    """The index file. Cheap to create; every method opens its own connection (jobs on several
    threads, and two servers on one library, can share it: SQLite in WAL mode)."""

    def __init__(self, db_path: str | os.PathLike) -> None:
        self.db_path = Path(db_path)
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._create()
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError):  # locked, unwritable: not damage
                    raise
                self._set_aside(exc)
                self._create()
        except (sqlite3.OperationalError, OSError) as exc:
            raise Unavailable(f"cannot open the sound library index {self.db_path} ({exc}); "
                              "check that the data folder is writable") from None

    def _set_aside(self, exc: Exception) -> None:
        """A damaged index file (a partial copy, a sync tool's conflict copy) is moved aside:
        it is only a cache of the files, read again from them."""
        aside = self.db_path.with_name(self.db_path.name + ".damaged")
        log.warning("sound library index %s is damaged (%s); moved to %s, the library is read again",
                    self.db_path, exc, aside)
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{self.db_path}{suffix}")
            if part.exists():
                os.replace(part, Path(f"{aside}{suffix}"))

    def _create(self) -> None:
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = db.execute("SELECT value FROM info WHERE key = 'schema'").fetchone()
            if row is not None and int(row[0]) != SCHEMA:
                # An index written by another version: start over (it is only a cache of the files).
                db.executescript("DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS embeddings;")
            db.executescript(
                """
                CREATE TABLE IF NOT EXISTS files (
                    path TEXT PRIMARY KEY, root TEXT NOT NULL, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL,
                    cat_id TEXT NOT NULL, fx_name TEXT NOT NULL, words TEXT NOT NULL, text TEXT NOT NULL,
                    metadata TEXT NOT NULL, problem TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS files_root ON files (root);
                CREATE TABLE IF NOT EXISTS embeddings (
                    path TEXT NOT NULL, model TEXT NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (path, model));
                """
            )
            db.execute("INSERT OR REPLACE INTO info VALUES ('schema', ?)", (str(SCHEMA),))

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.db_path, timeout=30.0)) as db:
            with db:  # one transaction: all of an update lands, or none of it
                yield db

    def update(self, root: Path, *, progress: bool = True) -> list[IndexedFile]:
        """Bring the index of ``root`` up to date and return its usable files. Reads only new or
        changed files (by modification time and size); forgets files that are gone."""
        started = time.monotonic()
        root_key = str(root)
        walk = _Walk(root)
        on_disk = dict(walk)
        with self._db() as db:
            known = {p: (m, s) for p, m, s in db.execute("SELECT path, mtime_ns, size FROM files WHERE root = ?", (root_key,))}
            if known and not on_disk:
                # An empty folder where the files were: a drive's mount point with the drive
                # unplugged. Forgetting them would read the whole drive again when it is back.
                log.warning("sound library %s holds no sound files now (is its drive mounted?); "
                            "the index keeps its %d files for when it is back", root, len(known))
                return []
            gone = [p for p in known if p not in on_disk]
            db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in gone])
            db.executemany("DELETE FROM embeddings WHERE path = ?", [(p,) for p in gone])
        changed = [p for p, stat in on_disk.items() if known.get(p) != stat]
        rows: list[tuple] = []
        read = unusable = 0
        last_commit = time.monotonic()
        bar = tqdm(changed, desc=f"indexing {root.name or root}", unit="file", disable=not progress or None, leave=False)
        for path in bar:
            row = self._read(Path(path), root_key, on_disk[path])
            if row is None:
                continue
            rows.append(row)
            read += 1
            unusable += bool(row[-1])
            if time.monotonic() - last_commit > COMMIT_EVERY_S:
                self._write(rows)
                rows, last_commit = [], time.monotonic()
        self._write(rows)
        with self._db() as db:
            files = [
                IndexedFile(Path(p), cat_id, fx_name, frozenset(w.split()), text)
                for p, cat_id, fx_name, w, text in db.execute(
                    "SELECT path, cat_id, fx_name, words, text FROM files WHERE root = ? AND problem = '' ORDER BY path",
                    (root_key,))
            ]
        if changed or gone:
            others = ", ".join(f"{suffix or 'no suffix'} {n}" for suffix, n in walk.other_formats.most_common(8))
            log.info("sound library %s: %d files usable, %d read (new or changed), %d not usable, %d gone, in %.1f s%s",
                     root, len(files), read, unusable, len(gone), time.monotonic() - started,
                     f"; left out, not a sound format read here: {others}" if others else "")
        return files

    @staticmethod
    def _read(path: Path, root_key: str, stat: tuple[int, int]) -> tuple | None:
        """The index row of one file; None (and a warning) when it cannot be opened now (no
        permission, gone): without a row it is read again next time, when it may open."""
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            log.warning("sound library: cannot read %s (%s); not indexed", path, exc.strerror or exc)
            return None
        metadata = read_metadata(path)
        found = describe(path, metadata)
        problem = probe(path)
        if problem:
            log.warning("sound library: not using %s: %s", path, problem)
        return (str(path), root_key, *stat, found.cat_id, found.fx_name, " ".join(sorted(found.words)),
                found.text, json.dumps(metadata), problem)

    def _write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        with self._db() as db:
            db.executemany("DELETE FROM embeddings WHERE path = ?", [(r[0],) for r in rows])
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def unusable(self, root: Path) -> int:
        """How many files under ``root`` no decoder reads."""
        with self._db() as db:
            return db.execute("SELECT COUNT(*) FROM files WHERE root = ? AND problem != ''", (str(root),)).fetchone()[0]

    def embeddings(self, model: str, paths: list[Path]) -> dict[Path, np.ndarray]:
        with self._db() as db:
            rows = db.execute("SELECT path, vector FROM embeddings WHERE model = ?", (model,)).fetchall()
        wanted = {str(p) for p in paths}
        return {Path(p): np.frombuffer(v, dtype=np.float32) for p, v in rows if p in wanted}

    def store_embeddings(self, model: str, vectors: dict[Path, np.ndarray]) -> None:
        with self._db() as db:
            db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                           [(str(p), model, np.asarray(v, dtype=np.float32).tobytes()) for p, v in vectors.items()])


class _Walk:
    """(path, (mtime_ns, size)) of every sound file under a folder. Hidden files and folders
    (".DS_Store", macOS "._" resource forks, ".Trashes") are left out; linked folders are
    followed, each real folder once (a link loop ends); a folder that cannot be listed is named
    in the log. ``other_formats`` counts, by suffix, the files left out as not sound this reads."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.other_formats: Counter[str] = Counter()

    def __iter__(self) -> Iterator[tuple[str, tuple[int, int]]]:
        count = 0
        seen: set[tuple[int, int]] = set()
        for dirpath, dirs, files in os.walk(self.root, followlinks=True, onerror=self._unlisted):
            try:
                here = os.stat(dirpath)
            except OSError:
                continue
            if (here.st_dev, here.st_ino) in seen:
                dirs[:] = []
                continue
            seen.add((here.st_dev, here.st_ino))
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                if Path(name).suffix.lower() not in AUDIO_SUFFIXES:
                    self.other_formats[Path(name).suffix.lower()] += 1
                    continue
                path = os.path.join(dirpath, name)
                try:
                    path.encode("utf-8")
                except UnicodeEncodeError:  # a name from another system's code page: the index keeps UTF-8
                    log.warning("sound library: skipping %s: its name is not UTF-8; rename it to index it",
                                path.encode("utf-8", "backslashreplace").decode())
                    continue
                try:
                    stat = os.stat(path)
                except OSError as exc:  # a dangling link, or a file vanishing while we walk
                    log.debug("skipping %s: %s", path, exc)
                    continue
                if not stat_module.S_ISREG(stat.st_mode):  # a pipe named .wav would block a read forever
                    continue
                yield path, (stat.st_mtime_ns, stat.st_size)
                count += 1
                if count >= MAX_FILES:
                    log.warning("sound library %s has more than %d files; indexing the first ones", self.root, MAX_FILES)
                    return

    @staticmethod
    def _unlisted(exc: OSError) -> None:
        log.warning("sound library: cannot list %s (%s); the files in it are not indexed", exc.filename, exc.strerror or exc)
