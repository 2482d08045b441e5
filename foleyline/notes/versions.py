"""Notes versions. Notes are versioned with the takes that used them: a take records the
version of the notes it was made from, so notes that sound different are a new version and
notes that sound the same keep theirs.

The one rule, ``recorded_version``, is applied by the server's store when it records the
notes a take used, by the panel before it sends an editor's notes (so what the editor sees is
what the take will say), and by the editors of notes (an edit is the next version).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from foleyline.notes.schema import Notes

__all__ = ["recorded_version", "same_sound"]


def same_sound(a: Notes, b: Notes) -> bool:
    """Equal in what drives the sound: their version, shot id and author aside."""
    return replace(a, version=0, shot_id="", author="") == replace(b, version=0, shot_id="", author="")


def recorded_version(notes: Notes, recorded: Iterable[Notes]) -> Notes:
    """``notes`` with the version they are recorded under, given the versions already recorded
    for the shot: the version of the newest recorded notes that sound the same, else one past
    the newest version (1 for a shot's first notes)."""
    history = sorted(recorded, key=lambda n: n.version)
    for earlier in reversed(history):
        if same_sound(earlier, notes):
            return replace(notes, version=earlier.version)
    return replace(notes, version=history[-1].version + 1 if history else 1)
