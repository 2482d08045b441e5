"""The development set: which real clips tune the analysis, which validate it, and what each
clip's sound is (its category). The split is a data file beside this module (devset.toml),
decided once from the clips' descriptions; docs/evaluation.md says how."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from foleyline.errors import InvalidInput, NotFound

Split = Literal["tune", "validation"]
SPLITS: tuple[str, ...] = ("tune", "validation")
# In the order reports list them; the names devset.toml uses.
CATEGORIES: tuple[str, ...] = ("contacts", "steps", "voices", "machines", "ambiences")
CATEGORY_TITLES = {
    "contacts": "contacts",
    "steps": "steps",
    "voices": "animals and voices",
    "machines": "machines and continuous sources",
    "ambiences": "ambiences",
}
SPLIT_FILE = Path(__file__).with_name("devset.toml")


@dataclass(frozen=True)
class DevClip:
    file: str        # file name inside the media folder
    category: str    # one of CATEGORIES
    split: str       # "tune" or "validation"


@lru_cache(maxsize=4)
def load(path: Path = SPLIT_FILE) -> tuple[DevClip, ...]:
    """The clips of the split file, in its order; a malformed entry is an error naming it."""
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    clips: list[DevClip] = []
    for i, entry in enumerate(data.get("clip", []), 1):
        clip = DevClip(str(entry.get("file", "")), str(entry.get("category", "")), str(entry.get("split", "")))
        if not clip.file or clip.category not in CATEGORIES or clip.split not in SPLITS:
            raise InvalidInput(f"{path}: clip {i} ({clip.file or 'no file'}) needs a file, a category "
                               f"({', '.join(CATEGORIES)}) and a split ({', '.join(SPLITS)})")
        clips.append(clip)
    names = [c.file for c in clips]
    if len(set(names)) != len(names):
        raise InvalidInput(f"{path}: a clip is listed twice; each clip belongs to one half")
    return tuple(clips)


def category_of(file_name: str) -> str | None:
    """The category of a clip by its file name, None when it is not in the development set."""
    return next((c.category for c in load() if c.file == file_name), None)


def select(split: str, media_dir: Path) -> list[tuple[Path, DevClip]]:
    """The clips of ``split`` ("tune", "validation" or "all") found in ``media_dir``."""
    if split not in (*SPLITS, "all"):
        raise InvalidInput(f"unknown split {split!r}; use tune, validation or all")
    media_dir = Path(media_dir)
    if not media_dir.is_dir():
        raise NotFound(f"media folder not found: {media_dir} (point --media at the development clips)")
    chosen = [c for c in load() if split == "all" or c.split == split]
    missing = [c.file for c in chosen if not (media_dir / c.file).is_file()]
    if missing:
        raise NotFound(f"{len(missing)} clip(s) of the split are not in {media_dir}: {', '.join(missing[:3])}"
                       f"{' ...' if len(missing) > 3 else ''}; point --media at the development clips")
    return [(media_dir / c.file, c) for c in chosen]
