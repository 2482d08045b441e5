"""Foley track names come from a preset: today's ("Foley FX", "Foley FX 2") or the short one
(BG / FX / FOL, numbered when a kind has several), chosen in the config or by the caller."""

from __future__ import annotations

from dataclasses import replace

import pytest

from foleyline.errors import InvalidInput
from foleyline.notes.schema import LayerKind
from foleyline.plugin.timeline import Selection, find_shots, placed_clips
from foleyline.plugin.timeline.track_names import PRESETS, track_names

from .test_writeback import placements_for


def _names(timeline_factory, wav_factory, preset, kinds) -> list[str]:
    # two FX layers on one shot need two FX tracks; one BG layer needs one
    timeline = timeline_factory(clips=[("A001", 24, 100, 48)])
    shots = find_shots(timeline, Selection()).shots
    placements = [replace(p, track_names=PRESETS[preset]) for p in placements_for(shots, wav_factory(), kinds=kinds)]
    return sorted({clip.track_name for clip in placed_clips(timeline, placements)})


def test_the_default_preset_is_todays_names(timeline_factory, wav_factory) -> None:
    kinds = (LayerKind.BG, LayerKind.FX, LayerKind.FX, LayerKind.FOLEY)
    assert _names(timeline_factory, wav_factory, "foley", kinds) == ["Foley", "Foley BG", "Foley FX", "Foley FX 2"]


def test_the_short_preset_numbers_a_kind_with_several_tracks(timeline_factory, wav_factory) -> None:
    kinds = (LayerKind.BG, LayerKind.FX, LayerKind.FX, LayerKind.FOLEY)
    assert _names(timeline_factory, wav_factory, "short", kinds) == ["BG", "FOL", "FX 1", "FX 2"]


def test_the_preset_is_configured_and_an_unknown_one_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("FOLEYLINE_TRACK_NAMES", "SHORT")
    assert track_names() is PRESETS["short"]
    with pytest.raises(InvalidInput, match="choose one of foley, short"):
        track_names("long")
