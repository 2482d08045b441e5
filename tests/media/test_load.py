"""load: a range of a media file becomes what an engine reads, in one decode pass."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from foleyline.notes import Layer, LayerKind, Notes
from foleyline.server.media.frames import ANALYSIS_STREAM, CLIP_STREAM
from foleyline.server.media.load import load_shot

from .conftest import constant_rate


def test_a_range_becomes_an_engine_input_with_its_analysis(clip_factory):
    path = clip_factory("load.mp4", constant_rate(Fraction(25), 3.0))
    notes = Notes(layers=(Layer("hit", LayerKind.FX),))
    loaded = load_shot(path, 0.5, 2.0, [CLIP_STREAM], shot_id="sh1", offset=-0.5, notes=notes,
                       extras={"shot_duration": 1.0})
    shot = loaded.input
    assert (shot.shot_id, shot.duration, shot.offset, shot.fps) == ("sh1", 2.0, -0.5, 25.0)
    assert set(shot.streams) == {"clip", "analysis"}  # the analysis stream always comes along
    assert len(shot.streams["clip"]) == 16 and shot.analysis is not None
    np.testing.assert_array_equal(shot.analysis.times, shot.streams["analysis"].times)
    assert shot.notes is notes
    assert shot.extras == {"media_path": str(path), "shot_duration": 1.0}
    assert loaded.decoded.start == 0.5 and loaded.decoded.audio is None


def test_without_notes_the_input_carries_empty_notes_of_the_shot(clip_factory):
    path = clip_factory("load.mp4", constant_rate(Fraction(25), 3.0))
    shot = load_shot(path, 0.0, 1.0, [ANALYSIS_STREAM], shot_id="sh2").input
    assert shot.notes == Notes(shot_id="sh2") and list(shot.streams) == ["analysis"]


def test_the_files_own_sound_comes_with_it_on_request(clip_factory):
    path = clip_factory("load_sound.mp4", constant_rate(Fraction(25), 2.0), audio_seconds=2.0)
    loaded = load_shot(path, 0.0, 1.0, [], shot_id="sh3", with_audio=True)
    assert loaded.decoded.audio_rate == 48000 and loaded.decoded.audio.shape == (2, 48000)
    assert np.abs(loaded.decoded.audio).max() == pytest.approx(0.25, abs=0.02)
