"""A take's layers as WAV files in a folder: the one naming of take files, shared by
``foleyline generate``, the panel's export and the Resolve run.

The full take id is a file's identity. Takes are immutable, so a name already in the folder
holds that take's layer, and a second take of the same shot (accepted later, exported into the
same folder) always gets a name of its own: a timeline written after it links its audio, never
the earlier take's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from foleyline.plugin.shots import Shot
from foleyline.plugin.timeline.takes import safe_stem
from foleyline.protos.v1 import foley_pb2 as pb

__all__ = ["Fetch", "take_file_name", "write_take_files"]

Fetch = Callable[[str, Path], Path]  # (sha256, destination) -> the file written there, atomically


def take_file_name(shot: Shot, take: pb.Take, layer: pb.LayerAudio) -> str:
    """``SHOT_LAYER_TAKEID.wav``. The take id is kept whole (never shortened): it is what keeps
    two takes apart."""
    take_id = re.sub(r"[^A-Za-z0-9._-]+", "_", take.id)
    return f"{safe_stem(shot.name)}_{safe_stem(layer.label)}_{take_id}.wav"


def write_take_files(shot: Shot, take: pb.Take, folder: Path, fetch: Fetch) -> list[tuple[pb.LayerAudio, Path]]:
    """Each layer of ``take`` that has audio, as a WAV in ``folder`` named by
    :func:`take_file_name`; returns (layer, path) in layer order. A file already there is kept
    only when it holds exactly that layer's audio (its sha256); otherwise ``fetch`` writes it."""
    written = []
    for layer in take.layers:
        if not layer.audio.sha256:
            continue
        path = Path(folder) / take_file_name(shot, take, layer)
        if not _holds(path, layer.audio.sha256):
            fetch(layer.audio.sha256, path)
        written.append((layer, path))
    return written


def _holds(path: Path, sha256: str) -> bool:
    if not path.is_file():
        return False
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest() == sha256
