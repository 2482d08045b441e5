"""When a one-shot fires: at the picture's events of the kind its sound is."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from foleyline.notes import Event, LayerKind
from foleyline.server.engines.procedural import timing
from foleyline.server.engines.procedural.synths import CATALOG
from foleyline.server.media.frames import SoundSource, SourceKind

from .conftest import fx, make_shot

STEPS = np.array([0.4, 0.9, 1.4, 1.9])
BURSTS = np.array([0.3, 2.6])


def shot_with_a_walker_and_bursts():
    shot = make_shot(onsets=(0.5, 1.25, 2.0, 3.1))
    walker = SoundSource(SourceKind.STEPS, onsets=STEPS, strengths=np.array([1.0, 0.6, 0.9, 0.5]))
    shot.analysis = replace(shot.analysis, sources=(SoundSource(SourceKind.CONTACTS), walker),
                            bursts=BURSTS, burst_strengths=np.array([0.7, 1.0]))
    return shot


def test_each_model_fires_at_its_own_kind_of_event():
    assert timing.event_stream(CATALOG["steps_concrete"]) == "steps"
    assert timing.event_stream(CATALOG["impact_wood"]) == "contacts"
    assert timing.event_stream(None) == "contacts"


def test_footsteps_land_on_the_walkers_foot_contacts_not_on_the_hits():
    shot = shot_with_a_walker_and_bursts()
    fires = timing.fire_times(shot, fx("footsteps", kind=LayerKind.FOLEY), shot.analysis, CATALOG["steps_concrete"])
    assert [f.time for f in fires] == list(STEPS)
    assert [f.strength for f in fires] == [1.0, 0.6, 0.9, 0.5]


def test_hits_land_on_the_contacts():
    shot = shot_with_a_walker_and_bursts()
    fires = timing.fire_times(shot, fx("knock"), shot.analysis, CATALOG["impact_wood"])
    assert [f.time for f in fires] == [0.5, 1.25, 2.0, 3.1]


def test_without_a_walker_footsteps_land_on_the_contacts():
    shot = make_shot(onsets=(0.5, 1.0))
    fires = timing.fire_times(shot, fx("footsteps", kind=LayerKind.FOLEY), shot.analysis, CATALOG["steps_concrete"])
    assert [f.time for f in fires] == [0.5, 1.0]


def test_a_drafted_call_takes_the_time_and_size_of_the_burst_it_names():
    # The notes drafter writes a voice's calls at the bursts of motion: whatever model renders
    # them, each keeps its burst's size (so the louder calls are the bigger bursts).
    shot = shot_with_a_walker_and_bursts()
    layer = fx("calls", events=(Event(0.3, 0.3, "call 1"), Event(2.6, 2.6, "call 2")))
    fires = timing.fire_times(shot, layer, shot.analysis, CATALOG["impact_soft"])
    assert [(f.time, f.strength) for f in fires] == [(0.3, 0.7), (2.6, 1.0)]


def test_a_drafted_hit_fires_once_at_its_own_contact_not_at_the_stop_beside_it():
    # The notes kept the strike at 1.0 and left out the backswing's top 0.13 s later (notes.beat):
    # the hit snaps to its contact alone, and the stop left out stays silent.
    shot = make_shot(onsets=(1.0, 1.13, 2.0))
    layer = fx("knock", events=(Event(1.0, 1.0, "contact 1"), Event(2.0, 2.0, "contact 2")))
    fires = timing.fire_times(shot, layer, shot.analysis, CATALOG["impact_wood"])
    assert [f.time for f in fires] == [1.0, 2.0]


def test_a_typed_hit_snaps_to_the_nearest_contact():
    shot = make_shot(onsets=(1.0, 1.12))
    layer = fx("knock", events=(Event(1.1, 1.1, "knock"),))
    assert [f.time for f in timing.fire_times(shot, layer, shot.analysis, CATALOG["impact_wood"])] == [1.12]


def test_an_event_with_a_span_fires_at_every_contact_inside_it():
    shot = make_shot(onsets=(1.0, 1.13, 1.5, 2.5))
    layer = fx("knocks", events=(Event(0.95, 1.6, "a run of knocks"),))
    fires = timing.fire_times(shot, layer, shot.analysis, CATALOG["impact_wood"])
    assert [f.time for f in fires] == [1.0, 1.13, 1.5]
