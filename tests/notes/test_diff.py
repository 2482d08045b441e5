"""What changed between two versions of notes, and which layers to regenerate."""

from __future__ import annotations

from dataclasses import replace

from foleyline.notes import Event, Layer, LayerKind, Notes
from foleyline.notes.diff import affected_layers, layer_changes, unified_diff

OLD = Notes(reasoning="r", layers=(
    Layer("wind", LayerKind.BG), Layer("steps", LayerKind.FOLEY, events=(Event(1, 1),)), Layer("door", LayerKind.FX)))


def test_only_added_and_changed_layers_are_regenerated() -> None:
    new = replace(OLD, version=2, layers=(
        replace(OLD.layers[0], gain_db=-3.0), OLD.layers[1], Layer("thunder", LayerKind.FX)))
    changes = layer_changes(OLD, new)
    assert changes.added == ("thunder",) and changes.removed == ("door",) and changes.changed == ("wind",)
    assert affected_layers(OLD, new) == ("wind", "thunder")


def test_the_diff_reads_as_a_unified_diff_of_the_text() -> None:
    new = replace(OLD, version=2, layers=(replace(OLD.layers[0], gain_db=-3.0), *OLD.layers[1:]))
    diff = unified_diff(OLD, new)
    assert diff.startswith("--- notes v1\n+++ notes v2\n")
    assert "+gain: -3 dB\n" in diff and "-version: 1\n" in diff


def test_same_notes_give_no_diff() -> None:
    assert unified_diff(OLD, OLD) == ""
    assert layer_changes(OLD, OLD).empty and affected_layers(OLD, OLD) == ()
