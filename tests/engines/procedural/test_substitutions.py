"""Never a silent substitute: the engine says when a layer asks for a sound it has no model for,
and what it will play instead; an ambience made of one-shots is scattered through the shot."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile

from foleyline.notes import Event, Layer, LayerKind
from foleyline.server.engines.base import Engine, SamplingSettings
from foleyline.server.engines.procedural import ProceduralEngine
from foleyline.server.engines.procedural.dsp import SAMPLE_RATE

from .conftest import make_shot


def test_the_engine_reports_the_matchers_warning(keyword_matcher):
    engine = ProceduralEngine(matcher=keyword_matcher)
    (warning,) = engine.layer_warnings(Layer("train", LayerKind.FX, prompt="a steam train passing"))
    assert warning.startswith("layer 'train': no sound model for \"steam train\" (UCS TRNSteam)")
    assert engine.layer_warnings(Layer("bang", LayerKind.FX, prompt="gunshot")) == []
    assert engine.layer_warnings(Layer("x", LayerKind.FX, prompt="zorgle", mute=True)) == []


def test_other_engines_have_nothing_to_say_by_default():
    assert Engine.layer_warnings(object(), Layer("x", LayerKind.FX, prompt="zorgle")) == []


def test_a_library_file_that_answers_the_prompt_silences_the_warning(tmp_path, keyword_matcher):
    t = np.arange(int(0.5 * SAMPLE_RATE)) / SAMPLE_RATE
    soundfile.write(tmp_path / "TRNSteam_Steam Train Passing_TST_T1.wav", 0.5 * np.sin(2 * np.pi * 90 * t), SAMPLE_RATE)
    engine = ProceduralEngine(matcher=keyword_matcher, sfx_library=tmp_path, index_path=tmp_path / "index.sqlite3")
    layer = Layer("train", LayerKind.FX, prompt="a steam train passing")
    assert engine.layer_warnings(layer) == []
    (audio,) = engine.generate(make_shot(onsets=(1.0,)), layer, [1], SamplingSettings())
    assert np.abs(audio).max() > 0.1


def test_an_ambience_of_one_shots_fires_now_and_then_whatever_the_picture_does(keyword_matcher):
    engine = ProceduralEngine(matcher=keyword_matcher)
    shot = make_shot(duration=20.0, onsets=())
    layer = Layer("dogs", LayerKind.BG, prompt="dogs barking in the distance")
    a, b = engine.generate(shot, layer, [1, 2], SamplingSettings())
    (a2,) = engine.generate(shot, layer, [1], SamplingSettings())
    assert np.array_equal(a, a2) and not np.allclose(a, b)
    frame = SAMPLE_RATE // 10
    level = np.abs(a[0][: a.size // frame * frame]).reshape(-1, frame).max(axis=1)
    barks = np.flatnonzero((level[1:] > 0.05) & (level[:-1] <= 0.05))
    assert 2 <= barks.size <= 12            # every few seconds, not continuous
    # With timed events, it barks at them.
    timed = Layer("dogs", LayerKind.BG, prompt="dogs barking in the distance", events=(Event(3.0, 3.0, "bark"),))
    (c,) = engine.generate(shot, timed, [1], SamplingSettings())
    loud = np.flatnonzero(np.abs(c[0]) > 0.5 * np.abs(c[0]).max())
    assert abs(loud[0] / SAMPLE_RATE - 3.0) < 0.1


def test_a_library_file_replaces_a_stand_in_texture_on_a_layer_of_hits(tmp_path, keyword_matcher):
    # No model makes a boat: the plan is an engine bed and says so; the editor's file is a boat.
    t = np.arange(int(0.5 * SAMPLE_RATE)) / SAMPLE_RATE
    tone = 0.5 * np.sin(2 * np.pi * 440 * t) * np.exp(-t / 0.1)
    soundfile.write(tmp_path / "BOATMotr_Outboard Start_TST_T1.wav", tone, SAMPLE_RATE)
    layer = Layer("boat", LayerKind.FX, prompt="boat engine")
    plan = keyword_matcher.plan(layer)
    assert plan.oneshot is None and plan.texture is not None and plan.warning
    engine = ProceduralEngine(matcher=keyword_matcher, sfx_library=tmp_path, index_path=tmp_path / "index.sqlite3")
    assert engine.layer_warnings(layer) == []
    (audio,) = engine.generate(make_shot(onsets=(1.0, 2.5)), layer, [1], SamplingSettings())
    spectrum = np.abs(np.fft.rfft(audio))
    assert abs(np.fft.rfftfreq(audio.size, 1 / SAMPLE_RATE)[np.argmax(spectrum)] - 440) < 30  # the file, not the bed


def test_a_library_bed_loops_under_a_texture_layer_at_the_engines_level(tmp_path, keyword_matcher):
    # A 1.5 s file under a 4 s bed: looped with crossfaded seams, no gap, at the rain's level.
    # The files are noise in a narrow band (a bed is noise-like; its pitch says which file played).
    def band_noise(freq: float) -> np.ndarray:
        spectrum = np.fft.rfft(np.random.default_rng(0).standard_normal(int(1.5 * SAMPLE_RATE)))
        bins = np.fft.rfftfreq(int(1.5 * SAMPLE_RATE), 1 / SAMPLE_RATE)
        x = np.fft.irfft(spectrum * (np.abs(bins - freq) < 20), int(1.5 * SAMPLE_RATE))
        return 0.5 * x / np.abs(x).max()

    soundfile.write(tmp_path / "RAINMetl_Rain On Tin Roof_TST_T1.flac", band_noise(600.0), SAMPLE_RATE)
    soundfile.write(tmp_path / "AMBMrkt_Market Day Walla_TST_T1.flac", band_noise(300.0), SAMPLE_RATE)
    plain = ProceduralEngine(matcher=keyword_matcher)
    engine = ProceduralEngine(matcher=keyword_matcher, sfx_library=tmp_path, index_path=tmp_path / "index.sqlite3")
    shot = make_shot(duration=4.0)
    for prompt, freq in (("rain on a tin roof", 600.0), ("ambience of a market", 300.0)):
        layer = Layer("bed", LayerKind.BG, prompt=prompt)
        assert engine.layer_warnings(layer) == []  # the market has no model, but the editor's file answers
        audio = engine.generate(shot, layer, [1], SamplingSettings())[0].reshape(-1)  # mono
        spectrum = np.abs(np.fft.rfft(audio))
        assert abs(np.fft.rfftfreq(audio.size, 1 / SAMPLE_RATE)[np.argmax(spectrum)] - freq) < 25.0
        blocks = audio[: audio.size // 1200 * 1200].reshape(-1, 1200)  # 25 ms blocks: no silent seam
        assert np.sqrt((blocks**2).mean(axis=1)).min() > 0.2 * np.sqrt((audio**2).mean())
        synth = plain.generate(shot, layer, [1], SamplingSettings())[0]
        assert np.sqrt((audio**2).mean()) == pytest.approx(np.sqrt((synth**2).mean()), rel=0.1)


def test_a_tonal_library_bed_loops_without_a_dip_or_a_bump_at_its_seams(tmp_path):
    # A hum whose file does not hold a whole number of its periods: a seam crossfaded where the
    # tail is out of phase with the head cancels (a dip, a flutter at every loop); the seam goes
    # where the tail matches the head, and a bed that matches itself there fades at equal gain
    # (an equal-power fade of a sound into itself bumps 3 dB). Noise keeps its equal-power seams.
    from foleyline.server.engines.procedural.sfx_library import SfxLibrary

    t = np.arange(int(1.5 * SAMPLE_RATE)) / SAMPLE_RATE
    soundfile.write(tmp_path / "AMBMrkt_Market Hum_TST_T1.flac", 0.5 * np.sin(2 * np.pi * 101.3 * t), SAMPLE_RATE)
    soundfile.write(tmp_path / "RAINMetl_Rain_TST_T1.flac", 0.2 * np.random.default_rng(1).standard_normal(t.size),
                    SAMPLE_RATE)
    library = SfxLibrary(tmp_path, index_path=tmp_path / "index.sqlite3")
    n = 6 * SAMPLE_RATE
    for entry in library.entries:
        bed = library.render_bed(np.random.default_rng(0), entry, np.ones(600), n, 0.1)
        blocks = bed[: n // 2400 * 2400].reshape(-1, 2400)  # 50 ms blocks: five of the hum's periods
        levels = np.sqrt((blocks**2).mean(axis=1))
        spread = 0.2 if "Hum" in entry.path.name else 0.5  # noise's own 50 ms levels vary
        assert levels.min() > (1 - spread) * np.median(levels) and levels.max() < (1 + spread) * np.median(levels)
