"""The CLIP rung: the motion analysis' layers named after what CLIP saw. The labels are given
here (or come from a stand-in embedder whose answers are known), so each test says exactly
what was seen and checks what the notes make of it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from foleyline.notes import Event, Layer, LayerKind, Notes, from_text, to_text
from foleyline.server.media.frames import MotionAnalysis
from foleyline.server.notes import draft_labels
from foleyline.server.notes.draft_labels import LabelSettings, SeenLabels, draft_from_labels, label_shot
from foleyline.server.notes.sound_labels import sound_labels
from foleyline.server.notes.zero_shot import Ranked, ZeroShot

DURATION = 4.0


def seen(*sounds: str, p: float = 0.6) -> SeenLabels:
    """SeenLabels holding the labels with these sounds, each under its own question."""
    by_sound = {label.sound: label for label in sound_labels()}
    found = SeenLabels("tiny-clip")
    for sound in sounds:
        label = by_sound[sound]
        group = {"place": found.places, "surface": found.surfaces}.get(label.role, found.sources)
        group.append(Ranked(label, p))
    return found


def analysis(onsets: Sequence[float] = (1.0, 2.0, 3.0)) -> MotionAnalysis:
    times = np.arange(0.0, DURATION, 0.1)
    return MotionAnalysis(times=times, energy=np.full(len(times), 0.3), onsets=np.asarray(onsets, float),
                          onset_strengths=np.full(len(onsets), 0.8))


def test_contacts_seen_as_a_pistol_become_pistol_gunshots_at_the_same_times() -> None:
    plain = draft_labels.draft_from_analysis(analysis(), duration=DURATION)
    notes = draft_from_labels(analysis(), seen("pistol gunshots", "city street ambience"), duration=DURATION, shot_id="s1")
    shots = notes.layer("pistol gunshots")
    assert shots.prompt == "pistol gunshots" and shots.kind is LayerKind.FX
    assert [e.start for e in shots.events] == [e.start for e in plain.layer("impacts").events]
    bed = notes.layer("city street ambience")
    assert bed.kind is LayerKind.BG and bed.events == (Event(0.0, DURATION, "bed"),)
    assert notes.author == "clip:tiny-clip+analysis" and notes.shot_id == "s1"
    assert notes.reasoning.startswith("1. CLIP (tiny-clip) sees a city street (0.60); a person firing a pistol (0.60).")
    assert "'impacts' becomes 'pistol gunshots'" in notes.reasoning
    assert from_text(to_text(notes)) == notes


def test_a_source_no_motion_layer_names_gets_its_own_layer_with_the_analysis_events() -> None:
    notes = draft_from_labels(analysis((0.5, 2.5)), seen("dog barking"), duration=DURATION)
    dog = notes.layer("dog barking")
    assert dog.prompt == "dog barking" and [e.start for e in dog.events] == [0.5, 2.5]
    engine = draft_from_labels(analysis(()), seen("car engine"), duration=DURATION).layer("car engine")
    assert engine.events == (Event(0.0, DURATION, "throughout"),)  # a continuous source: the whole shot


def test_further_places_seen_become_beds_of_their_own() -> None:
    notes = draft_from_labels(analysis(), seen("forest ambience", "rain"), duration=DURATION)
    beds = [layer.label for layer in notes.layers if layer.kind is LayerKind.BG]
    assert beds == ["forest ambience", "rain"]
    assert notes.layer("rain").gain_db < 0


def test_what_nothing_seen_fits_keeps_the_motions_own_words() -> None:
    plain = draft_labels.draft_from_analysis(analysis(), duration=DURATION)
    notes = draft_from_labels(analysis(), SeenLabels("tiny-clip"), duration=DURATION)
    assert [(layer.label, layer.prompt) for layer in notes.layers] == [(layer.label, layer.prompt) for layer in plain.layers]
    assert "CLIP (tiny-clip) sees nothing it is sure of." in notes.reasoning


MOTION = Notes(reasoning="1. Motion.", layers=(
    Layer("ambience", LayerKind.BG, prompt="quiet room tone", events=(Event(0.0, DURATION, "bed"),)),
    Layer("footsteps", LayerKind.FOLEY, prompt="footsteps on concrete", events=(Event(1.0, 1.0, "step 1"),)),
    Layer("crowd", LayerKind.BG, prompt="crowd walking"),
    Layer("source", LayerKind.FX, prompt="a steady rumble"),
    Layer("calls", LayerKind.FX, prompt="a dog", events=(Event(2.0, 2.0, "call 1"),)),
    Layer("movement", LayerKind.FOLEY, prompt="cloth and body movement"),
), author="analysis")


@pytest.fixture
def every_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    """A motion rung that drafts a layer of every kind it knows."""
    monkeypatch.setattr(draft_labels, "draft_from_analysis", lambda *a, **k: MOTION)


def test_each_kind_of_motion_layer_takes_the_best_source_of_its_kind(every_kind) -> None:
    notes = draft_from_labels(analysis(), seen("footsteps", "gravel", "train rumble", "dog barking", "crowd walla",
                                               "city street ambience"), duration=DURATION)
    assert [layer.label for layer in notes.layers] == [
        "city street ambience", "footsteps", "crowd walla", "train rumble", "dog barking", "movement"]
    assert notes.layer("footsteps").prompt == "footsteps on gravel"
    assert notes.layer("dog barking").events == (Event(2.0, 2.0, "call 1"),)   # the motion's events, kept
    assert notes.layer("movement").prompt == "cloth and body movement"


def test_a_surface_alone_still_says_what_the_steps_are_on(every_kind) -> None:
    notes = draft_from_labels(analysis(), seen("snow"), duration=DURATION)
    assert notes.layer("footsteps").prompt == "footsteps on snow"
    assert notes.layer("crowd").prompt == "crowd walking on snow"


def test_walkers_seen_without_a_crowd_name_the_crowd_bed(monkeypatch) -> None:
    crowd_only = Notes(layers=(MOTION.layers[0], MOTION.layers[2]), author="analysis")
    monkeypatch.setattr(draft_labels, "draft_from_analysis", lambda *a, **k: crowd_only)
    notes = draft_from_labels(analysis(), seen("footsteps", "concrete"), duration=DURATION)
    assert notes.layer("footsteps").prompt == "footsteps on concrete" and notes.layer("footsteps").kind is LayerKind.BG


class OneHot:
    """Each caption of the label set embeds to its own axis; a frame to the axes of the captions
    it is given (so the answers are known)."""

    name = "one-hot"
    cache_key = ""
    logit_scale = 100.0

    def __init__(self, shown: Sequence[str]) -> None:
        self.captions = [label.caption for label in sound_labels()]
        self.shown = shown

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.captions)))
        for row, text in enumerate(texts):
            out[row, self.captions.index(text[len("a photo of "):-1])] = 1.0
        return out

    def embed_images(self, frames: Sequence[np.ndarray]) -> np.ndarray:
        row = np.zeros(len(self.captions))
        for caption in self.shown:
            row[self.captions.index(caption)] = 1.0
        return np.stack([row] * len(frames))


def test_labelling_asks_where_what_and_underfoot_separately() -> None:
    embedder = OneHot(["a dog", "a forest", "a gravel path"])
    found = label_shot(ZeroShot(embedder), [np.zeros((4, 4, 3), np.uint8)] * 2)
    assert [r.label.sound for r in found.places] == ["forest ambience"]
    assert [r.label.sound for r in found.sources] == ["dog barking"]
    assert [r.label.sound for r in found.surfaces] == ["gravel"]
    assert all(r.probability > 0.99 for r in (*found.places, *found.sources, *found.surfaces))
    assert found.model == "one-hot"
    strict = label_shot(ZeroShot(embedder), [np.zeros((4, 4, 3), np.uint8)], LabelSettings(sources=(2, 1.01)))
    assert strict.sources == []
