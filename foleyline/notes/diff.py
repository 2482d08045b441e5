"""What changed between two versions of a shot's notes: a unified diff of their text forms for
people, and the labels of the layers whose sound must be made again."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from foleyline.notes.schema import Notes
from foleyline.notes.text import to_text

__all__ = ["LayerChanges", "layer_changes", "affected_layers", "unified_diff"]


@dataclass(frozen=True)
class LayerChanges:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    reasoning_changed: bool

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.reasoning_changed)


def layer_changes(old: Notes, new: Notes) -> LayerChanges:
    """Layers are matched by label; a renamed layer counts as removed and added."""
    before = {layer.label: layer for layer in old.layers}
    after = {layer.label: layer for layer in new.layers}
    return LayerChanges(
        added=tuple(label for label in after if label not in before),
        removed=tuple(label for label in before if label not in after),
        changed=tuple(label for label, layer in after.items() if label in before and before[label] != layer),
        reasoning_changed=old.reasoning != new.reasoning,
    )


def affected_layers(old: Notes, new: Notes) -> tuple[str, ...]:
    """The labels, in the new notes' order, of layers to regenerate: added or changed ones.
    A removed layer needs no audio; an untouched one keeps its audio bit for bit."""
    changes = layer_changes(old, new)
    wanted = set(changes.added) | set(changes.changed)
    return tuple(layer.label for layer in new.layers if layer.label in wanted)


def unified_diff(old: Notes, new: Notes, *, context: int = 2) -> str:
    """A unified diff of the two text forms ("" when they are the same)."""
    lines = difflib.unified_diff(
        to_text(old).splitlines(keepends=True),
        to_text(new).splitlines(keepends=True),
        fromfile=f"notes v{old.version}",
        tofile=f"notes v{new.version}",
        n=context,
    )
    return "".join(lines)
