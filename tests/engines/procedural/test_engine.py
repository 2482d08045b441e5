"""The procedural engine honours the Engine contract and lands its sounds on the picture."""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import pytest

import tolerances

from foleyline.errors import Cancelled
from foleyline.notes import EnergyPoint, Event, Layer, LayerKind
from foleyline.server.engines.base import SamplingSettings
from foleyline.server.engines.procedural import ProceduralEngine
from foleyline.server.media.frames import ANALYSIS_STREAM

from .conftest import fx, make_shot

RATE = 48000


def onset_samples(audio: np.ndarray, threshold: float = 0.08) -> list[float]:
    """Seconds where the 2 ms-frame level jumps above a threshold after being below it."""
    frame = 96
    x = audio[: audio.size // frame * frame].reshape(-1, frame)
    level = np.abs(x).max(axis=1)
    above = level > threshold * level.max()
    starts = np.flatnonzero(above[1:] & ~above[:-1]) + 1
    return [s * frame / RATE for s in starts]


def test_capabilities_and_streams():
    engine = ProceduralEngine()
    caps = engine.capabilities()
    assert caps.name == "procedural" and caps.sample_rate == RATE and caps.device == "cpu"
    assert ANALYSIS_STREAM in engine.required_streams()


def test_output_shape_length_and_dtype(keyword_matcher):
    shot = make_shot(duration=2.37)
    out = ProceduralEngine(matcher=keyword_matcher).generate(shot, fx("wood knock"), [1, 2], SamplingSettings())
    assert len(out) == 2
    for audio in out:
        assert audio.dtype == np.float32
        assert audio.shape == (1, round(2.37 * RATE))
        assert np.isfinite(audio).all() and np.abs(audio).max() <= 1.0


def test_same_seed_repeats_exactly_and_seeds_differ(keyword_matcher):
    shot = make_shot()
    engine = ProceduralEngine(matcher=keyword_matcher)
    a1, a2 = engine.generate(shot, fx("metal clang"), [7, 8], SamplingSettings())
    (b1,) = ProceduralEngine(matcher=keyword_matcher).generate(shot, fx("metal clang"), [7], SamplingSettings())
    assert np.array_equal(a1, b1)
    assert not np.allclose(a1, a2)


def test_hits_start_at_the_visual_onsets(keyword_matcher):
    onsets = (0.5, 1.25, 2.0, 3.1)
    shot = make_shot(onsets=onsets)
    (audio,) = ProceduralEngine(matcher=keyword_matcher).generate(shot, fx("wood knock"), [3], SamplingSettings())
    found = onset_samples(audio[0], threshold=0.3)
    for t in onsets:
        assert min(abs(f - t) for f in found) < 0.01, (t, found)


def test_never_silent_where_there_is_motion(keyword_matcher):
    # Motion throughout but no contact at all: the texture must still move with the picture.
    times = np.arange(0, 3, 1 / 24)
    shot = make_shot(duration=3.0, onsets=(), energy=0.6 + 0.4 * np.sin(times * 3))
    (audio,) = ProceduralEngine(matcher=keyword_matcher).generate(shot, fx("handling a bag"), [1], SamplingSettings())
    rms = np.sqrt((audio[0].reshape(-1, 4800) ** 2).mean(axis=1))
    assert (rms > 1e-3).all()


def test_energy_points_replace_the_motion_curve(keyword_matcher):
    shot = make_shot(duration=4.0, onsets=())
    points = (EnergyPoint(0.0, 0.0), EnergyPoint(1.9, 0.0), EnergyPoint(2.0, 1.0), EnergyPoint(4.0, 1.0))
    layer = Layer("wind", LayerKind.BG, prompt="strong wind", energy_points=points)
    (audio,) = ProceduralEngine(matcher=keyword_matcher).generate(shot, layer, [1], SamplingSettings())
    first, second = audio[0, : RATE * 2 - 4800], audio[0, RATE * 2 + 4800 :]
    assert np.sqrt((second**2).mean()) > 4 * np.sqrt((first**2).mean())


def test_energy_scale_scales_the_texture(keyword_matcher):
    shot = make_shot(onsets=())
    quiet = Layer("air", LayerKind.BG, prompt="wind", energy_scale=0.25)
    loud = Layer("air", LayerKind.BG, prompt="wind", energy_scale=1.0)
    engine = ProceduralEngine(matcher=keyword_matcher)
    (q,) = engine.generate(shot, quiet, [1], SamplingSettings())
    (l,) = engine.generate(shot, loud, [1], SamplingSettings())
    assert np.sqrt((l**2).mean()) > 1.5 * np.sqrt((q**2).mean())


def test_layer_with_events_fires_at_its_events_and_snaps_to_near_onsets(keyword_matcher):
    # Onsets at 0.5 and 2.0; the editor typed 1.95 (snaps to 2.0) and 3.0 (no onset: fires as typed).
    shot = make_shot(onsets=(0.5, 2.0))
    layer = fx("door slam", events=(Event(1.95, 1.95, "door slams"), Event(3.0, 3.0, "door slams")))
    (audio,) = ProceduralEngine(matcher=keyword_matcher).generate(shot, layer, [1], SamplingSettings())
    found = onset_samples(audio[0], threshold=0.2)
    assert min(abs(f - 2.0) for f in found) < 0.01
    assert min(abs(f - 3.0) for f in found) < 0.01
    assert min(abs(f - 0.5) for f in found) > 0.2  # not this layer's event


def test_notes_times_are_shot_times_shifted_by_the_offset(keyword_matcher):
    # A 0.5 s head handle: the shot's 1.0 s is stream time 1.5 s.
    shot = make_shot(offset=-0.5, onsets=())
    layer = fx("wood knock", events=(Event(1.0, 1.0, "knock"),))
    (audio,) = ProceduralEngine(matcher=keyword_matcher).generate(shot, layer, [1], SamplingSettings())
    found = onset_samples(audio[0], threshold=0.2)
    assert min(abs(f - 1.5) for f in found) < 0.01


def test_gain_and_mute(keyword_matcher):
    shot = make_shot()
    engine = ProceduralEngine(matcher=keyword_matcher)
    (base,) = engine.generate(shot, fx("wood knock", gain_db=-12.0), [1], SamplingSettings())
    (muted,) = engine.generate(shot, fx("wood knock", mute=True), [1], SamplingSettings())
    assert 0.0 < np.abs(base).max() < 0.3
    assert not muted.any()


def test_cancel_stops_before_rendering(keyword_matcher):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        ProceduralEngine(matcher=keyword_matcher).generate(make_shot(), fx("knock"), [1], SamplingSettings(), cancel=cancel)


def test_a_cancel_is_answered_while_the_text_model_is_still_loading(keyword_matcher):
    loading, release = threading.Event(), threading.Event()
    real_plan = keyword_matcher.plan

    def slow_plan(layer):  # the first text of a cold process: the embedding model loads
        loading.set()
        release.wait(30)
        return real_plan(layer)

    keyword_matcher.plan = slow_plan
    cancel = threading.Event()
    threading.Thread(target=lambda: loading.wait(30) and cancel.set(), daemon=True).start()
    try:
        with pytest.raises(Cancelled, match="matching"):
            ProceduralEngine(matcher=keyword_matcher).generate(make_shot(), fx("knock"), [1], SamplingSettings(),
                                                              cancel=cancel)
        assert not release.is_set()  # answered while the load was still going
    finally:
        release.set()


def test_progress_reports_each_seed(keyword_matcher):
    seen: list[float] = []
    ProceduralEngine(matcher=keyword_matcher).generate(
        make_shot(duration=1.0), fx("knock"), [1, 2, 3], SamplingSettings(), progress=seen.append
    )
    assert seen == pytest.approx([1 / 3, 2 / 3, 1.0])


def test_shot_without_analysis_still_sounds(keyword_matcher):
    shot = make_shot()
    shot.analysis = None
    (audio,) = ProceduralEngine(matcher=keyword_matcher).generate(shot, Layer("bg", LayerKind.BG), [1], SamplingSettings())
    assert np.sqrt((audio**2).mean()) > 1e-3


def _two_droppers(fps: float = 24.0, seconds: float = 3.0):
    """A square falls and lands on the left at ~1.0 s; another on the right at ~2.0 s."""
    from foleyline.server.media.frames import FrameStream

    rng = np.random.default_rng(1)
    patch = rng.integers(120, 255, (12, 12)).astype(np.uint8)
    n = int(seconds * fps)
    frames = np.zeros((n, 90, 160), np.uint8)
    frames[:, 80:, :] = 40  # the floor
    for i in range(n):
        t = i / fps
        for x0, land in ((20, 1.0), (120, 2.0)):
            fall = np.clip(t - (land - 0.45), 0.0, 0.45)  # falls for 0.45 s, then rests
            y = int(10 + (68 - 10) * (fall / 0.45) ** 2)
            frames[i, y : y + 12, x0 : x0 + 12] = patch
    return FrameStream(ANALYSIS_STREAM, frames, np.arange(n) / fps)


def test_a_layers_region_limits_its_hits_to_that_part_of_the_picture(keyword_matcher):
    from foleyline.notes import Region
    from foleyline.server.media.analysis import analyze_motion

    stream = _two_droppers()
    shot = make_shot(duration=3.0, onsets=())
    shot.streams = {ANALYSIS_STREAM.name: stream}
    shot.analysis = analyze_motion(stream)
    assert any(abs(t - 1.0) < 0.1 for t in shot.analysis.onsets) and any(abs(t - 2.0) < 0.1 for t in shot.analysis.onsets)
    engine = ProceduralEngine(matcher=keyword_matcher)
    left = fx("wood knock", region=Region(time=0.0, x=0.0, y=0.0, width=0.45, height=1.0))
    (audio,) = engine.generate(shot, left, [1], SamplingSettings())
    found = onset_samples(audio[0], threshold=0.3)
    assert any(abs(f - 1.0) < 0.1 for f in found)
    assert not any(abs(f - 2.0) < 0.1 for f in found)


def test_a_texture_layer_sounds_only_inside_its_event_spans(keyword_matcher):
    times = np.arange(0, 4, 1 / 24)
    shot = make_shot(duration=4.0, onsets=(), energy=np.full(times.size, 0.8))
    layer = Layer("moves", LayerKind.FOLEY, prompt="cloth and body movement following the action",
                  events=(Event(1.0, 2.0, "movement"),))
    engine = ProceduralEngine(matcher=keyword_matcher)
    assert engine.plan(layer).oneshot is None  # spans shape the rustle; they are not hits
    (audio,) = engine.generate(shot, layer, [1], SamplingSettings())
    inside = audio[0, int(1.2 * RATE) : int(1.8 * RATE)]
    outside = np.r_[audio[0, : int(0.8 * RATE)], audio[0, int(2.2 * RATE) :]]
    assert np.sqrt((inside**2).mean()) > 1e-3
    assert np.abs(outside).max() < tolerances.AUDIO_SAMPLE


def test_a_bg_event_that_names_a_sound_fires_it(keyword_matcher):
    shot = make_shot(duration=3.0, onsets=())
    layer = Layer("room", LayerKind.BG, prompt="quiet room tone", events=(Event(2.0, 2.0, "a door slams"),))
    (audio,) = ProceduralEngine(matcher=keyword_matcher).generate(shot, layer, [1], SamplingSettings())
    found = onset_samples(audio[0], threshold=0.3)
    assert any(abs(f - 2.0) < 0.01 for f in found)


def test_drafted_event_notes_keep_the_layers_sound(keyword_matcher):
    # Drafted notes describe events by when, not what: "contact 2, strength 0.85".
    shot = make_shot(onsets=(0.5, 2.0))
    layer = fx("wood knock", events=(Event(0.5, 0.5, "contact 1, strength 1.00"), Event(2.0, 2.0, "contact 2, strength 0.85")))
    engine = ProceduralEngine(matcher=keyword_matcher)
    assert engine._model_for_event(engine.plan(layer), "contact 2, strength 0.85", "").name == "impact_wood"
    (audio,) = engine.generate(shot, layer, [1], SamplingSettings())
    found = onset_samples(audio[0], threshold=0.3)
    assert any(abs(f - 0.5) < 0.01 for f in found) and any(abs(f - 2.0) < 0.01 for f in found)


def test_long_shots_render_in_windows_with_every_hit_in_place(keyword_matcher, monkeypatch):
    import threading as _threading

    from foleyline.server.engines.procedural import engine as engine_module
    from foleyline.server.windowing import generate_layer

    monkeypatch.setattr(engine_module, "MAX_WINDOW_S", 2.0)
    onsets = (0.4, 1.7, 1.95, 3.3, 4.6)  # 1.7 and 1.95 fall in the overlap of the first two windows
    shot = make_shot(duration=5.0, onsets=onsets)
    engine = ProceduralEngine(matcher=keyword_matcher)
    assert engine.capabilities().max_window_seconds == 2.0
    (audio,) = generate_layer(engine, shot, fx("wood knock"), [1], SamplingSettings(), progress=None, cancel=_threading.Event())
    assert audio.shape == (1, 5 * RATE)
    found = onset_samples(audio[0], threshold=0.3)
    for t in onsets:
        assert min(abs(f - t) for f in found) < 0.01, (t, found)


@pytest.mark.parametrize("duration", [0.0, 0.001, 0.02])
@pytest.mark.parametrize("prompt", ["knock", "rain", "crowd", "birds", "traffic", "fire", "water", "wind", "cloth"])
def test_tiny_shots_and_a_damaged_analysis_still_give_finite_audio(keyword_matcher, duration, prompt):
    from foleyline.server.media.frames import MotionAnalysis

    t = np.arange(0, 3, 1 / 24)
    shot = make_shot(duration=duration)
    shot.analysis = MotionAnalysis(t, np.full(t.size, np.nan), np.array([-1.0, 0.01, np.nan]), np.array([1.0, np.nan, 1.0]))
    (audio,) = ProceduralEngine(matcher=keyword_matcher).generate(shot, fx(prompt), [1], SamplingSettings())
    assert audio.shape == (1, round(duration * RATE)) and np.isfinite(audio).all()


def test_a_negative_duration_is_a_clear_error(keyword_matcher):
    from foleyline.errors import InvalidInput

    shot = make_shot()
    shot.duration = -1.0
    with pytest.raises(InvalidInput, match="duration"):
        ProceduralEngine(matcher=keyword_matcher).generate(shot, fx("knock"), [1], SamplingSettings())


def test_an_uncertain_event_sounds_quieter_than_a_sure_one(keyword_matcher):
    # The analysis' strength is how sure it is of each stop: a take's onsets are ranked by how
    # loud they are, so the hits it barely saw must not sound as sure as the clean ones.
    shot = make_shot(onsets=(0.5, 2.0))
    shot.analysis = replace(shot.analysis, onset_strengths=np.array([1.0, 0.2]))
    (audio,) = ProceduralEngine(matcher=keyword_matcher).generate(shot, fx("wood knock"), [3], SamplingSettings())
    sure = np.abs(audio[0, int(0.45 * RATE):int(0.9 * RATE)]).max()
    unsure = np.abs(audio[0, int(1.95 * RATE):int(2.4 * RATE)]).max()
    assert unsure < 0.3 * sure  # a fifth as sure: under a third as loud (the sound itself is also duller)


def _with_strengths(shot, strengths):
    return replace(shot, analysis=replace(shot.analysis, onset_strengths=np.asarray(strengths, dtype=np.float64)))


def test_a_counted_sound_fires_at_the_strongest_contacts_in_time_order(keyword_matcher):
    # "two gunshots" over four contacts: the two the picture is surest of, not the first two
    shot = _with_strengths(make_shot(onsets=(0.5, 1.25, 2.0, 3.1)), (0.4, 1.0, 0.6, 0.9))
    (audio,) = ProceduralEngine(matcher=keyword_matcher).generate(shot, fx("two gunshots"), [3], SamplingSettings())
    found = onset_samples(audio[0], threshold=0.2)
    assert all(min(abs(f - t) for f in found) < 0.01 for t in (1.25, 3.1)), found
    assert all(min(abs(f - t) for f in found) > 0.1 for t in (0.5, 2.0)), found


def test_a_count_leaves_the_editors_own_events_and_invents_no_hit(keyword_matcher):
    engine = ProceduralEngine(matcher=keyword_matcher)
    shot = make_shot(onsets=(0.5, 1.25, 2.0, 3.1))
    events = tuple(Event(start=t, end=t) for t in (0.5, 1.25, 2.0))
    (placed,) = engine.generate(shot, fx("two gunshots", events=events), [3], SamplingSettings())
    assert len(onset_samples(placed[0], threshold=0.2)) == 3
    (few,) = engine.generate(make_shot(onsets=(1.0,)), fx("five gunshots"), [3], SamplingSettings())
    assert len(onset_samples(few[0], threshold=0.2)) == 1
