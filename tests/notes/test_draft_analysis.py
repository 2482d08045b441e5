"""Notes drafted from motion: the kind of source the picture shows, its events, and cuts."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from foleyline.notes import LayerKind, from_text, problems, to_text
from foleyline.server.media.frames import MotionAnalysis, SoundSource, SourceKind
from foleyline.server.notes.draft_analysis import MAX_ENERGY_POINTS, draft_from_analysis


def analysis(onsets: list[float], cuts: list[float] = (), fps: float = 25.0, length: float = 4.5,
             sources: tuple[SoundSource, ...] = (), bursts: list[float] = ()) -> MotionAnalysis:
    times = np.arange(0, length, 1 / fps)
    energy = np.zeros_like(times)
    for t in [*onsets, *bursts]:  # motion builds up to each contact, then stops
        energy = np.maximum(energy, np.clip(1 - np.abs(times - (t - 0.15)) / 0.2, 0, 1))
    return MotionAnalysis(times=times, energy=energy, onsets=np.array(onsets, dtype=float),
                          onset_strengths=np.linspace(0.5, 1.0, len(onsets)), cuts=np.array(cuts, dtype=float),
                          sources=sources, bursts=np.array(bursts, dtype=float),
                          burst_strengths=np.ones(len(bursts)))


def test_each_contact_becomes_a_hit_at_shot_time() -> None:
    # 0.5 s head handle: the analysis starts half a second before the shot
    notes = draft_from_analysis(analysis([0.3, 1.0, 1.9, 2.7, 4.4]), duration=3.5, offset=-0.5, shot_id="sh1")
    impacts = notes.layer("impacts")
    assert impacts.kind is LayerKind.FX
    assert [e.start for e in impacts.events] == [0.5, 1.4, 2.2]  # 0.3 is in the head handle, 4.4 past the end
    assert notes.author == "analysis" and notes.shot_id == "sh1"
    assert problems(notes, 3.5) == []


def test_reasoning_is_step_by_step_and_explains_the_layers() -> None:
    notes = draft_from_analysis(analysis([0.5, 1.0, 1.5, 2.0], cuts=[3.0]), duration=4.0)
    steps = notes.reasoning.splitlines()
    assert [s.split(".")[0] for s in steps] == [str(i) for i in range(1, len(steps) + 1)]
    assert "4 time(s), at 0.50, 1.00, 1.50, 2.00 s" in notes.reasoning
    assert "regularly, about every 0.50 s" in notes.reasoning
    assert "cuts at 3.00 s" in notes.reasoning
    assert steps[-1].startswith(f"{len(steps)}. So: an ambience bed")
    assert [layer.label for layer in notes.layers] == ["ambience", "impacts"]


def test_a_picture_dropped_unevenly_from_its_camera_is_said_to_judder() -> None:
    shown = analysis([0.5, 1.0, 1.5], fps=21.5)
    notes = draft_from_analysis(replace(shown, camera_rate=30.0), duration=4.0)
    assert "from a 30 fps camera to 21.5 fps by dropping frames unevenly" in notes.reasoning
    assert "judder" not in draft_from_analysis(shown, duration=4.0).reasoning


def test_hits_have_nothing_under_them_but_the_ambience() -> None:
    # A bed that follows the motion swells before each contact and blurs the attacks.
    notes = draft_from_analysis(analysis([0.5, 1.0, 1.5, 2.0]), duration=4.0)
    assert [(layer.label, layer.kind) for layer in notes.layers] == [("ambience", LayerKind.BG), ("impacts", LayerKind.FX)]
    assert notes.layer("ambience").gain_db < 0


def test_motion_that_neither_strikes_nor_sustains_gets_a_quiet_movement_layer() -> None:
    moves = SoundSource(SourceKind.NONE, evidence="things move, but nothing stops or strikes")
    notes = draft_from_analysis(analysis([], bursts=[1.0, 2.5], sources=(moves,)), duration=4.0)
    assert [layer.label for layer in notes.layers] == ["ambience", "movement"]
    assert notes.layer("movement").gain_db <= -12
    points = notes.layer("movement").energy_points
    assert 2 <= len(points) <= MAX_ENERGY_POINTS
    assert points[0].time == 0.0 and points[-1].time == 4.0
    assert all(0 <= p.value <= 1 for p in points)
    peak = max(points, key=lambda p: p.value)
    assert abs(peak.time - 0.85) < 0.3 or abs(peak.time - 2.35) < 0.3


def test_a_still_picture_gets_only_an_ambience_bed() -> None:
    still = SoundSource(SourceKind.NONE, evidence="almost nothing moves (0.2% of the picture at most)")
    notes = draft_from_analysis(analysis([], sources=(still,)), duration=3.0)
    assert [layer.label for layer in notes.layers] == ["ambience"]
    assert notes.layers[0].events[0].end == 3.0
    assert "almost nothing moves" in notes.reasoning


def test_a_crowd_walking_is_a_bed_of_footsteps_not_a_hit_per_stop() -> None:
    crowd = SoundSource(SourceKind.STEPS, movers=4, evidence="about 4 separate things of a size move at once")
    notes = draft_from_analysis(analysis([], sources=(crowd,)), duration=4.0)
    assert [layer.label for layer in notes.layers] == ["ambience", "crowd"]
    bed = notes.layer("crowd")
    assert bed.kind is LayerKind.BG and not bed.events and bed.energy_points
    assert "footsteps" in bed.prompt and "About 4 people walk" in notes.reasoning


def test_one_walkers_steps_are_a_footsteps_layer_at_the_foot_contacts() -> None:
    walker = SoundSource(SourceKind.STEPS, onsets=np.array([0.4, 0.9, 1.4, 1.9]), strengths=np.ones(4),
                         evidence="the lowest third of the region lands 4 times at a walking cadence")
    notes = draft_from_analysis(analysis([], sources=(walker,)), duration=2.5)
    steps = notes.layer("footsteps")
    assert steps.kind is LayerKind.FOLEY and "footsteps" in steps.prompt
    assert [e.start for e in steps.events] == [0.4, 0.9, 1.4, 1.9]


def test_a_continuous_source_is_a_texture_with_no_hits() -> None:
    train = SoundSource(SourceKind.CONTINUOUS, evidence="the motion never stops")
    notes = draft_from_analysis(analysis([1.0, 2.0], sources=(train,)), duration=4.0, labels=["a freight train"])
    assert [layer.label for layer in notes.layers] == ["ambience", "source"]
    assert notes.layer("source").prompt == "a freight train" and not notes.layer("source").events
    assert notes.layer("source").energy_points


def test_labels_of_an_animal_make_its_calls_start_at_the_bursts_of_motion() -> None:
    contacts = SoundSource(SourceKind.CONTACTS, onsets=np.array([0.8]), strengths=np.ones(1))
    notes = draft_from_analysis(analysis([0.8], bursts=[0.5, 1.6], sources=(contacts,)), duration=3.0,
                                labels=["a dog barking", "a playground"])
    calls = notes.layer("calls")
    assert calls.prompt == "a dog barking" and [e.start for e in calls.events] == [0.5, 1.6]
    assert "impacts" not in [layer.label for layer in notes.layers]


def test_bursts_without_contacts_are_a_layer_of_sudden_bangs() -> None:
    # Fireworks over a still night: nothing strikes, the picture flashes twice.
    still = SoundSource(SourceKind.NONE, evidence="almost nothing moves")
    flashes = SoundSource(SourceKind.BURSTS, onsets=np.array([0.7, 2.2]), strengths=np.array([1.0, 0.4]),
                          evidence="the picture flashes 2 time(s) (fireworks, a blast): a sound where each starts")
    notes = draft_from_analysis(analysis([0.7, 2.2], sources=(still, flashes)), duration=3.0)
    assert [layer.label for layer in notes.layers] == ["ambience", "bursts"]
    bangs = notes.layer("bursts")
    assert bangs.kind is LayerKind.FX and [e.start for e in bangs.events] == [0.7, 2.2]
    assert "strength 0.40" in bangs.events[1].description
    assert "flashes 2 time(s)" in notes.reasoning


def test_drafted_notes_round_trip_through_text() -> None:
    notes = draft_from_analysis(analysis([0.4, 1.3]), duration=2.0, labels=["a drumstick hitting metal"])
    assert "drumstick" in notes.layer("impacts").prompt
    assert from_text(to_text(notes)) == notes


def test_a_real_clip_drafts_valid_notes_with_its_hits_on_analysed_contacts(media_dir) -> None:
    media_analysis = pytest.importorskip("foleyline.server.media.analysis")
    from foleyline.server.media.decode import decode_shot
    from foleyline.server.media.frames import ANALYSIS_STREAM

    shot = decode_shot(media_dir / "condfoleygen_hitting_metal.mp4", 0.0, 6.0, [ANALYSIS_STREAM])
    result = media_analysis.analyze_motion(shot.streams["analysis"])
    notes = draft_from_analysis(result, duration=6.0, shot_id="metal")
    hits = [e.start for e in notes.layer("impacts").events]
    analysed = [round(float(t), 3) for t in result.onsets if 0 <= t <= 6.0]
    assert set(hits) <= set(analysed)  # the stops off the drumming's beat get none (notes.beat)
    assert len(hits) >= 6  # the drumstick strikes eight times (media README)
    assert problems(notes, 6.0) == []
    assert from_text(to_text(notes)) == notes


def test_the_weaker_stops_between_a_repeated_strokes_get_no_hit() -> None:
    # Drumming every 0.6 s; the stick's backswing stops halfway between, more weakly.
    strokes = [0.2 + 0.6 * i for i in range(7)]
    tops = [s + 0.3 for s in strokes[:3]]
    onsets = sorted(strokes + tops)
    strengths = np.array([0.4 if t in tops else 0.9 for t in onsets])
    source = SoundSource(SourceKind.CONTACTS, onsets=np.array(onsets), strengths=strengths)
    base = analysis(onsets, length=4.5)
    notes = draft_from_analysis(MotionAnalysis(times=base.times, energy=base.energy, onsets=base.onsets,
                                               onset_strengths=strengths, sources=(source,)), duration=4.5)
    assert [e.start for e in notes.layer("impacts").events] == [round(s, 3) for s in strokes]
    assert "beat of about 0.60 s; 3 weaker stop(s) off it" in notes.reasoning
