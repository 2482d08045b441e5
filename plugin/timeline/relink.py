"""Relinking: pointing a timeline's clips at media that moved since the export.

Exports name media where the editor's machine had it: ``D:/media/A001.mov`` (Premiere on
Windows), ``\\\\server\\share\\A001.mov`` or ``file://server/share/...`` (Avid and AAF locators
on a network share), ``/Volumes/Media/A001.mov`` (a Mac). Two remedies, in this order:

- ``--map-path OLD=NEW`` rewrites a path prefix (``D:/media=/mnt/media``,
  ``//server/share=/Volumes/share``; drive letters and UNC shares compare case-insensitively,
  ``\\`` and ``/`` alike), both ways: a POSIX prefix can map to a Windows one too;
- ``--relink DIR...`` finds a missing file by its name under the folders, else by the clip's
  reel/tape name or clip name as a file's stem (``A001`` finds ``A001.mov``).

Paths the export only mentions (Avid's SOURCE FILE comments in an EDL, user comments and
locators in an AAF) are tried as well. The timeline is changed in place, so the written Foley
timeline points at the relinked media.
"""

from __future__ import annotations

import os
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Iterable, Sequence

import opentimelineio as otio

from foleyline.errors import InvalidInput
from foleyline.plugin.timeline.formats import META_KEY

__all__ = ["PathMap", "parse_map", "Relinker", "RelinkReport", "relink_timeline", "raw_media_path", "as_stored",
           "media_base", "absolute_media_paths"]

MEDIA_SUFFIXES = (".mov", ".mp4", ".mxf", ".m4v", ".avi", ".mkv", ".wav", ".aif", ".aiff", ".mts", ".r3d", ".braw")
_WINDOWS = re.compile(r"^(?:[A-Za-z]:|//|\\\\)")


def _slashes(path: str) -> str:
    return path.replace("\\", "/")


def _is_windows(path: str) -> bool:
    return bool(_WINDOWS.match(path))


@dataclass(frozen=True)
class PathMap:
    old: str
    new: str

    def apply(self, path: str) -> str | None:
        """``path`` with the ``old`` prefix replaced by ``new``, or None when it does not start so."""
        have, old = _slashes(path), _slashes(self.old).rstrip("/")
        folded = _is_windows(old) or _is_windows(have)
        head = have[: len(old)]
        if (head.casefold() == old.casefold()) if folded else head == old:
            rest = have[len(old):]
            if rest and not rest.startswith("/"):
                return None  # /media/a must not map /media/ab
            return _slashes(self.new).rstrip("/") + rest  # "/" is a separator on Windows too
        return None


def parse_map(text: str) -> PathMap:
    """``OLD=NEW`` (the first '=' splits: paths may hold more)."""
    old, sep, new = text.partition("=")
    if not sep or not old.strip() or not new.strip():
        raise InvalidInput(f"--map-path {text!r}: give OLD=NEW, e.g. --map-path D:/media=/mnt/media")
    return PathMap(old.strip(), new.strip())


def raw_media_path(url: str) -> str | None:
    """The path a media URL or plain path names, Windows and UNC forms kept as written:
    ``file://localhost/D%3a/m/a.mov`` -> ``D:/m/a.mov``, ``file://srv/share/a.mov`` -> ``//srv/share/a.mov``,
    ``file://localhost/%5c%5csrv%5cshare%5ca.mov`` -> ``\\\\srv\\share\\a.mov``."""
    if not url:
        return None
    if _is_windows(url) or url.startswith("/"):
        return url
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "":
        return urllib.parse.unquote(url)  # a relative path (Kdenlive, .otioz bundles)
    if parsed.scheme != "file":
        return None
    path = urllib.parse.unquote(parsed.path)
    if re.match(r"^/(?:[A-Za-z]:|\\\\|//)", path):  # Premiere on Windows: file://localhost/%5c%5cnas/share
        return path[1:]
    if parsed.netloc and parsed.netloc.lower() != "localhost":
        return f"//{parsed.netloc}{path}"
    return path


def as_stored(path: Path) -> Path | None:
    """``path`` as this file system stores it, or None when it is not there in any form.

    A Mac writes accented names decomposed (NFD: "e" and a combining accent), Windows and Linux
    composed (NFC, "é"), and an export keeps the form of the machine it was made on: a file copied
    from a Mac's export to Linux is not found by the same letters. Linux compares bytes, so both
    forms are tried, the path as written first."""
    if path.exists():
        return path
    for form in ("NFC", "NFD"):
        other = Path(unicodedata.normalize(form, str(path)))
        if other != path and other.exists():
            return other
    return None


def _name_key(name: str) -> str:
    """A file name as the index compares it: case and Unicode composition folded."""
    return unicodedata.normalize("NFC", name).casefold()


def _file_name(path: str) -> str:
    return PureWindowsPath(path).name if _is_windows(path) or "\\" in path else PurePosixPath(path).name


@dataclass
class Relinker:
    """Looks files up under ``folders`` (walked once, on first use) and through ``maps``."""

    folders: Sequence[Path] = ()
    maps: Sequence[PathMap] = ()
    _by_name: dict[str, list[Path]] | None = None
    _by_stem: dict[str, list[Path]] | None = None

    def __post_init__(self) -> None:
        for folder in self.folders:
            if not Path(folder).is_dir():
                raise InvalidInput(f"--relink {folder}: no such folder; give folders that hold the media")

    def _index(self) -> None:
        self._by_name, self._by_stem = {}, {}
        for folder in self.folders:
            for root, dirs, files in os.walk(folder):
                # Walked in name order: when two files share a name, the same one is found on
                # every machine (a folder lists in the file system's own order).
                dirs.sort()
                for name in sorted(files):
                    path = Path(root) / name
                    self._by_name.setdefault(_name_key(name), []).append(path)
                    if path.suffix.lower() in MEDIA_SUFFIXES:
                        self._by_stem.setdefault(_name_key(path.stem), []).append(path)

    def mapped(self, path: str) -> Path | None:
        for path_map in self.maps:
            new = path_map.apply(path)
            found = as_stored(Path(new)) if new is not None else None
            if found is not None:
                return found
        return None

    def find(self, paths: Iterable[str], names: Iterable[str]) -> Path | None:
        """A file for the first of ``paths`` that maps or whose name is found, else for the first
        of ``names`` (reel, clip name) that is a media file's stem."""
        paths = [p for p in paths if p]
        for path in paths:
            found = self.mapped(path)
            if found is not None:
                return found
        if not self.folders:
            return None
        if self._by_name is None:
            self._index()
        for path in paths:
            hits = self._by_name.get(_name_key(_file_name(path)))
            if hits:
                return hits[0]
        for name in names:
            if not name:
                continue
            stem = Path(_file_name(name)).stem if Path(name).suffix.lower() in MEDIA_SUFFIXES else name
            hits = self._by_stem.get(_name_key(stem.strip())) or self._by_name.get(_name_key(name.strip()))
            if hits:
                return hits[0]
        return None


@dataclass
class RelinkReport:
    relinked: list[tuple[str, str, Path]] = field(default_factory=list)  # (clip name, was, now)


def _mentioned(obj: object, depth: int = 0) -> Iterable[str]:
    """Path-like strings an export keeps beside a clip (comments, locators, SOURCE FILE)."""
    if depth > 5:
        return
    if isinstance(obj, str):
        text = obj.split(":", 1)[1].strip() if obj.upper().startswith("SOURCE FILE:") else obj.strip()
        if Path(_file_name(text)).suffix.lower() in MEDIA_SUFFIXES and ("/" in text or "\\" in text or ":" not in text):
            yield raw_media_path(text) or text
        return
    if hasattr(obj, "items"):
        for _key, value in obj.items():
            yield from _mentioned(value, depth + 1)
    elif isinstance(obj, (list, tuple)) or type(obj).__name__ == "AnyVector":
        for value in obj:
            yield from _mentioned(value, depth + 1)


def _names_of(clip: otio.schema.Clip) -> list[str]:
    names = []
    for adapter in ("cmx_3600", "fcp_xml", "AAF"):
        meta = clip.metadata.get(adapter)
        if hasattr(meta, "get"):
            for key in ("reel", "ReelName", "TapeName"):
                if meta.get(key):
                    names.append(str(meta.get(key)))
    return names + [clip.name]


def relink_timeline(timeline: otio.schema.Timeline, relinker: Relinker, base_dir: Path | None = None) -> RelinkReport:
    """Point every clip whose media is not where the export says at the media ``relinker``
    finds, in place (media found where the export says is left alone). Relative paths are
    taken from ``base_dir``, by default the folder of the file the timeline was read from."""
    report = RelinkReport()
    if not relinker.folders and not relinker.maps:
        return report
    base_dir = base_dir or media_base(timeline)
    for clip in timeline.find_clips():
        reference = clip.media_reference
        if isinstance(reference, otio.schema.GeneratorReference):
            continue
        said = raw_media_path(getattr(reference, "target_url", "") or "")
        if said and _exists(said, base_dir):
            continue
        paths = [said] if said else []
        paths += list(_mentioned(clip.metadata)) + list(_mentioned(getattr(reference, "metadata", {})))
        found = relinker.find(paths, _names_of(clip))
        if found is None:
            continue
        available = getattr(reference, "available_range", None)
        new = otio.schema.ExternalReference(target_url=found.resolve().as_uri(), available_range=available)
        new.name = found.name
        if reference is not None:
            new.metadata.update(dict(reference.metadata))
        clip.media_reference = new
        report.relinked.append((clip.name, said or "(no path)", found))
    return report


def media_base(timeline: otio.schema.Timeline) -> Path | None:
    """The folder a timeline's relative media paths start from: a bundle's (an unpacked .otioz,
    an .otiod folder), else the folder of the file it was read from."""
    meta = timeline.metadata.get(META_KEY) or {}
    if meta.get("media_base"):
        return Path(meta["media_base"])
    return Path(meta["source_path"]).parent if meta.get("source_path") else None


def absolute_media_paths(timeline: otio.schema.Timeline) -> None:
    """Every relative media path of the timeline's clips made absolute from its media base, in
    place: a timeline written elsewhere (the Foley timeline in its output folder, a new bundle)
    would otherwise name media beside itself that is not there (an .otiod's ``media/A001.mov``)."""
    base = media_base(timeline)
    if base is None:
        return
    for clip in timeline.find_clips():
        reference = clip.media_reference
        said = raw_media_path(getattr(reference, "target_url", "") or "") if isinstance(reference, otio.schema.ExternalReference) else None
        if said and not _is_windows(said) and not Path(said).is_absolute():
            reference.target_url = (base / said).absolute().as_uri()


def _exists(path: str, base_dir: Path | None) -> bool:
    if _is_windows(path) and os.name != "nt":
        return False
    candidate = Path(path)
    if not candidate.is_absolute() and base_dir is not None:
        candidate = base_dir / candidate
    return as_stored(candidate) is not None
