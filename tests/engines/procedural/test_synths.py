"""The synthesized sound models: each repeats per seed, varies between seeds, and its physical
parameters move the sound the way their names say."""

from __future__ import annotations

import numpy as np
import pytest

from foleyline.server.engines.procedural.dsp import SAMPLE_RATE, control_len, rng_for
from foleyline.server.engines.procedural.synths import CATALOG, SoundParams
from foleyline.server.engines.procedural.synths.whoosh import RISE

ONESHOTS = sorted(n for n, m in CATALOG.items() if m.shape == "oneshot")
TEXTURES = sorted(n for n, m in CATALOG.items() if m.shape == "texture")
N = SAMPLE_RATE * 2


def render(name: str, seed: int = 1, params: SoundParams | None = None, strength: float = 1.0, env_value: float = 0.8):
    model = CATALOG[name]
    params = params or model.defaults
    if model.shape == "oneshot":
        return model.render(rng_for(seed, name), params, strength)
    env = np.full(control_len(N), env_value, dtype=np.float32)
    return model.render(rng_for(seed, name), params, env, N)


def centroid(x: np.ndarray) -> float:
    spec = np.abs(np.fft.rfft(x))
    freqs = np.fft.rfftfreq(x.size, 1.0 / SAMPLE_RATE)
    return float((spec * freqs).sum() / spec.sum())


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def test_the_library_has_every_family():
    expected = {
        "impact_wood", "impact_metal", "impact_glass", "impact_body", "impact_soft",
        "steps_concrete", "steps_gravel", "steps_grass", "steps_wood", "steps_snow",
        "whoosh", "cloth", "wind", "rain", "water", "fire", "engine", "traffic", "crowd", "birds",
    }
    assert expected <= set(CATALOG)


@pytest.mark.parametrize("name", ONESHOTS + TEXTURES)
def test_same_seed_same_sound_other_seed_other_sound(name):
    a, b, c = render(name, 5), render(name, 5), render(name, 6)
    assert a.dtype == np.float32 and np.isfinite(a).all()
    assert np.array_equal(a, b)
    assert a.shape != c.shape or not np.allclose(a, c)
    assert 1e-4 < np.abs(a).max() < 2.0


@pytest.mark.parametrize("name", ["impact_wood", "impact_metal", "impact_glass", "impact_body"])
def test_bigger_objects_sound_lower(name):
    small = np.mean([centroid(render(name, s, CATALOG[name].defaults.with_(size=0.1))) for s in range(3)])
    big = np.mean([centroid(render(name, s, CATALOG[name].defaults.with_(size=0.9))) for s in range(3)])
    assert big < small


@pytest.mark.parametrize("name", ["impact_wood", "steps_concrete", "whoosh"])
def test_distance_makes_it_quieter_and_duller(name):
    near = render(name, 2, CATALOG[name].defaults.with_(distance=0.0))
    far = render(name, 2, CATALOG[name].defaults.with_(distance=0.9))
    assert rms(far) < 0.6 * rms(near)
    assert centroid(far) < centroid(near)


def test_harder_contact_is_brighter():
    soft = np.mean([centroid(render("impact_wood", s, SoundParams(hardness=0.05))[:4800]) for s in range(3)])
    hard = np.mean([centroid(render("impact_wood", s, SoundParams(hardness=0.95))[:4800]) for s in range(3)])
    assert hard > soft


def test_weaker_events_are_quieter():
    assert rms(render("impact_metal", 1, strength=0.2)) < 0.6 * rms(render("impact_metal", 1, strength=1.0))


def test_metal_rings_longer_than_wood():
    def ring(x):  # seconds until the level stays 40 dB under the peak
        above = np.flatnonzero(np.abs(x) > np.abs(x).max() * 0.01)
        return above[-1] / SAMPLE_RATE

    assert ring(render("impact_metal")) > 3 * ring(render("impact_wood"))


@pytest.mark.parametrize("name", ["steps_concrete", "steps_gravel", "steps_grass", "steps_wood", "steps_snow"])
def test_a_footstep_is_heel_then_toe(name):
    x = render(name, 3)
    level = np.abs(x[: x.size // 48 * 48]).reshape(-1, 48).max(axis=1)  # 1 ms frames
    heel = int(np.argmax(level[:30]))
    assert heel < 30  # the heel lands at the start: the step's time is the heel's contact
    # the toe: a second strike 50-110 ms after, above the heel's decay just before it
    later = level[45:120]
    assert later.max() > 1.3 * np.median(level[35:45]) or later.max() > 0.3 * level[heel]


def test_whoosh_peaks_at_its_lead_in():
    x = render("whoosh", 4)
    level = np.abs(x[: x.size // 480 * 480]).reshape(-1, 480).max(axis=1)  # 10 ms frames
    assert abs(np.argmax(level) * 0.01 - RISE) < 0.06
    assert CATALOG["whoosh"].lead_in == RISE


@pytest.mark.parametrize("name", TEXTURES)
def test_textures_follow_the_envelope(name):
    quiet, loud = render(name, 7, env_value=0.1), render(name, 7, env_value=1.0)
    assert quiet.shape == loud.shape == (N,)
    assert rms(loud) > 1.2 * rms(quiet)


@pytest.mark.parametrize("name", ["cloth", "wind", "rain", "water", "fire"])
def test_motion_driven_textures_fall_silent_without_motion(name):
    assert rms(render(name, 7, env_value=0.0)) < 1e-3 * max(rms(render(name, 7, env_value=1.0)), 1e-9) + 1e-6


def test_params_are_validated():
    with pytest.raises(ValueError, match="size"):
        SoundParams(size=1.5)
    assert SoundParams().with_(size=3.0).size == 1.0
