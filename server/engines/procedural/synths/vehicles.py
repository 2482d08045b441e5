"""A car passing by, a tyre skidding, a train, and a siren.

A pass-by is geometry: a source moving at speed v along a straight road, passing a listener
at the closest distance d. Its level follows 1/r, so it swells, peaks as it passes and falls
away; its pitch is Doppler-shifted, higher while it approaches and lower once it has passed
(the "neeeow"); and the air takes more of the highs while it is far. The source is an engine
(a firing-rate pulse train, harmonics low down) and tyre roar on the road (broadband noise a
few hundred Hz to a few kHz), which dominates at speed.

A tyre skids by stick-slip: the locked or spinning tread grips the road, shears and lets go
hundreds to thousands of times a second, and the tread blocks and the sidewall ring at that rate:
a squeal, one strong partial around 1-3 kHz with its harmonics, over the broadband scrub of
rubber dragged on the road. The grip comes and goes with the load on the tyre, so the pitch
wobbles. A faster car skids longer (the distance to stop grows with the speed); as it slows the
slipping slows with it, so the squeal falls in pitch and level until the car stops.

A train is its wheels and its weight. Each wheel rolling over a rail joint strikes it: a
clack, a low thud of the axle's load with a bright ring of the steel. The wheels come in
pairs (an axle's two on one bogie, a couple of metres apart) and a car carries two bogies
near its ends, so a car passing is "clack-clack ... clack-clack" and the pattern repeats once
a car length has gone by (18-26 m: about once a second at 20 m/s, faster at speed). Under the
clacks, the rumble of the cars on the track, a few tens to a couple of hundred Hz.

A siren wails: a tone sweeping up and down between ~650 and ~1500 Hz every few seconds, with
the odd harmonics of its horn driver.
"""

from __future__ import annotations

import numpy as np

from ..dsp import (
    CONTROL_RATE,
    LOW_RATE,
    SAMPLE_RATE,
    at_low_rate,
    bandpass,
    control_len,
    decay_env,
    distance_filter,
    from_low_rate,
    low_white,
    lowpass,
    place_many,
    slow_curve,
    upsample,
    white,
)
from .base import SoundModel, SoundParams, finish

SPEED_OF_SOUND = 343.0
PASS_HALF = 2.5  # seconds before (and after) the closest point that the pass-by covers


def render_pass_by(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    n = int(2 * PASS_HALF * SAMPLE_RATE)
    m = control_len(n)
    t = (np.arange(m, dtype=np.float64) / CONTROL_RATE) - PASS_HALF
    speed = (12.0 + 25.0 * params.intensity) * float(rng.uniform(0.85, 1.15))  # m/s
    closest = 3.0 + 25.0 * params.distance
    x = speed * t
    r = np.sqrt(x * x + closest * closest)
    # Doppler: the radial speed is speed * (-x / r) (positive while approaching).
    doppler = SPEED_OF_SOUND / (SPEED_OF_SOUND - speed * (-x / r))
    level = (closest / r).astype(np.float32)
    # The engine (revs at speed: a few thousand rpm, wavering a little) and the air it pushes,
    # at the low rate: nothing of them is above ~1 kHz.
    firing = (60.0 + 50.0 * (1.0 - params.size)) * (1.0 + 0.02 * (slow_curve(rng, m, 1.0, 1.0) - 1.0))
    low_n = int(2 * PASS_HALF * LOW_RATE)
    phase = np.cumsum(at_low_rate((firing * doppler).astype(np.float32), low_n), dtype=np.float64) / LOW_RATE
    frac = (phase % 1.0).astype(np.float32)
    engine = lowpass(np.exp(frac * np.float32(-6.0)) - np.float32(0.28), 900.0, order=2, rate=LOW_RATE)
    air = lowpass(low_white(rng, low_n), 500.0, order=1, rate=LOW_RATE)
    out = from_low_rate((2.0 * engine + 0.7 * air) * at_low_rate(level, low_n), n)
    # Tyre roar, brightening as the car comes close (far away the highs are gone).
    out += 0.8 * bandpass(white(rng, n), 250.0, 3500.0, order=1) * upsample(level ** 1.5, n)
    # The geometry has made the distance already (the closest approach, 1/r): no air filter.
    return finish(out, params, strength, peak=0.8, strength_floor=0.4, distance_drop=0.5, air=False)


def render_skid(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    seconds = (0.5 + 1.7 * params.intensity) * float(rng.uniform(0.85, 1.15))  # a faster car, a longer skid
    n = int(seconds * SAMPLE_RATE)
    m = control_len(n)
    left = 1.0 - np.arange(m, dtype=np.float64) / (m - 1)                     # of the speed, to the stop
    start_hz = (1300.0 + 700.0 * params.intensity - 400.0 * params.size) * float(rng.uniform(0.92, 1.08))
    # the slip slows with the car: the squeal glides down to 0.6 of its pitch (nine semitones) as it
    # stops; a bigger tyre squeals lower
    wobble = 1.0 + 0.03 * np.sin(2.0 * np.pi * float(rng.uniform(6.0, 11.0)) * np.arange(m) / CONTROL_RATE
                                 + float(rng.uniform(0, 2 * np.pi)))
    freq = start_hz * (0.6 + 0.4 * left) * wobble * slow_curve(rng, m, 4.0, 0.04)
    phase = 2.0 * np.pi * np.cumsum(upsample(freq.astype(np.float32), n), dtype=np.float64) / SAMPLE_RATE
    tone = np.sin(phase) + 0.45 * np.sin(2.0 * phase + 0.3) + 0.2 * np.sin(3.0 * phase + 1.1)
    # grip coming and going: the squeal's own level flutters under the load
    grip = np.clip(slow_curve(rng, m, 12.0, 0.35), 0.3, None)
    scrub = bandpass(white(rng, n), 300.0, 6000.0, order=1)
    onset = np.minimum(np.arange(m) / (0.03 * CONTROL_RATE), 1.0)            # the tread bites in ~30 ms
    level = onset * np.sqrt(left)
    out = (upsample((level * grip).astype(np.float32), n) * tone.astype(np.float32)
           + 0.3 * upsample(level.astype(np.float32), n) * scrub)
    # A sustained tone where loudness weighs most: at the hits' peak (0.7) four skids measured
    # -14..-13 LUFS through the engine, 6 dB over the horn; at 0.3, -22..-20, beside a metal clang
    return finish(out.astype(np.float32), params, strength, peak=0.3, strength_floor=0.5)


def render_train(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    speed = (8.0 + 27.0 * params.intensity) * float(rng.uniform(0.9, 1.1))  # m/s: a crawl to 125 km/h
    car = (18.0 + 8.0 * params.size) * float(rng.uniform(0.95, 1.05))      # a car's length, m
    axles = np.array([0.0, 2.5, car - 5.5, car - 3.0])                      # two bogies of two axles
    cars = int(n / SAMPLE_RATE * speed / car) + 2
    where = (np.arange(cars)[:, None] * car + axles[None, :]).ravel() + float(rng.uniform(0.0, car))
    starts = ((where / speed + rng.normal(0.0, 0.003, where.size)) * SAMPLE_RATE).astype(np.int64) - int(car / speed * SAMPLE_RATE)
    keep = (starts >= 0) & (starts < n)
    clack_n = int(0.08 * SAMPLE_RATE)
    t = np.arange(clack_n, dtype=np.float32) / SAMPLE_RATE
    thud_hz = 110.0 - 50.0 * params.size                                    # a heavier car, a lower thud
    bank = [(np.sin(2.0 * np.pi * thud_hz * float(rng.uniform(0.9, 1.1)) * t) * decay_env(clack_n, 0.025)
             + 1.5 * bandpass(white(rng, clack_n), 700.0, 4000.0, order=1) * decay_env(clack_n, 0.008)).astype(np.float32)
            for _ in range(4)]
    out = np.zeros(n, dtype=np.float32)
    place_many(out, bank, starts[keep], rng.uniform(0.7, 1.0, int(keep.sum())), rng)
    low_n = int(n / SAMPLE_RATE * LOW_RATE) + 1
    rumble = lowpass(low_white(rng, low_n), 120.0 + 80.0 * (1.0 - params.size), order=2, rate=LOW_RATE)
    out += (0.3 + 0.2 * params.size) * from_low_rate(rumble * at_low_rate(slow_curve(rng, control_len(n), 0.5, 0.2), low_n), n)
    out = distance_filter(out, params.distance)
    level = upsample(0.6 + 0.4 * np.minimum(env, 1.0), n)
    return (out * level * np.float32(0.5 * (0.4 + 0.6 * params.intensity))).astype(np.float32)


def render_siren(rng: np.random.Generator, params: SoundParams, env: np.ndarray, n: int) -> np.ndarray:
    m = env.size
    period = float(rng.uniform(3.0, 5.0)) * (1.0 - 0.6 * params.hardness)  # hard: a fast yelp
    t = np.arange(m, dtype=np.float64) / 1000.0
    sweep = 0.5 - 0.5 * np.cos(2.0 * np.pi * t / period + float(rng.uniform(0, 2 * np.pi)))
    freq = (650.0 + 850.0 * sweep) * float(rng.uniform(0.95, 1.05))
    phase = 2.0 * np.pi * np.cumsum(upsample(freq.astype(np.float32), n), dtype=np.float64) / SAMPLE_RATE
    tone = np.sin(phase) + 0.35 * np.sin(3.0 * phase) + 0.15 * np.sin(5.0 * phase)
    out = distance_filter(tone.astype(np.float32), max(params.distance, 0.35))
    return (out * upsample(0.7 + 0.3 * np.minimum(env, 1.0), n) * 0.3 * (0.4 + 0.6 * params.intensity)).astype(np.float32)


def render_horn(rng: np.random.Generator, params: SoundParams, strength: float) -> np.ndarray:
    """A car's horn: two electromagnetic horns a third or so apart, each a buzzing diaphragm
    (a pulse-like wave, strong harmonics up to a few kHz) through its flared bell, pressed for
    a moment; a harder press of the button is a longer honk."""
    seconds = (0.25 + 0.6 * params.intensity) * float(rng.uniform(0.85, 1.15))
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n, dtype=np.float64) / SAMPLE_RATE
    low = (500.0 - 200.0 * params.size) * float(rng.uniform(0.95, 1.05))
    out = np.zeros(n, dtype=np.float32)
    for freq in (low, low * float(rng.uniform(1.2, 1.27))):
        phase = (freq * t + float(rng.random())) % 1.0
        out += np.where(phase < 0.3, 1.0, -0.43).astype(np.float32)  # a narrow pulse: every harmonic
    out = bandpass(out, 250.0, 4000.0, order=1)
    ramp = min(int(0.01 * SAMPLE_RATE), n // 4)
    out[:ramp] *= np.linspace(0.0, 1.0, ramp, dtype=np.float32)
    out[-ramp:] *= np.linspace(1.0, 0.0, ramp, dtype=np.float32)
    return finish(out, params, strength, peak=0.7, strength_floor=0.6)


TYRE_WORDS = ("tire", "tires", "tyre", "tyres", "wheel", "wheels", "brakes", "brake", "car", "cars", "vehicle", "truck",
              "van", "bus", "taxi", "motorbike", "motorcycle")
_TRAIN_WORDS = ("train", "trains", "locomotive", "locomotives", "freight train", "subway", "tram", "trams", "metro")

VEHICLE_MODELS: tuple[SoundModel, ...] = (
    SoundModel(
        "car_pass", "oneshot",
        "a car passing by: a vehicle driving past fast, approaching, whooshing by and receding",
        ("passing", "passes", "pass", "drives", "driving", "past", "by", "speeding", "zooms", "whizzes", "pass-by", "passby",
         "car", "cars", "vehicle", "truck", "motorbike", "motorcycle"),
        render_pass_by, SoundParams(size=0.5, hardness=0.5, intensity=0.6, distance=0.2), lead_in=PASS_HALF,
        requires=("car", "cars", "vehicle", "truck", "motorbike", "motorcycle", "van", "bus", "taxi", "traffic"),
        ucs=("VEHBy", "VEHCar", "VEHRace", "VEHTire"),
    ),
    SoundModel(
        "skid", "oneshot",
        "a car skidding: its tires screech and squeal on the road as the car brakes hard to a stop or pulls away",
        ("skid", "skids", "skidding", "skidded", "screech", "screeches", "screeching", "squeal", "squeals",
         "squealing"),
        render_skid, SoundParams(size=0.5, hardness=0.6, intensity=0.6, distance=0.1),
        # a screech or a squeal is the tyres' only beside what has them: a bird's, a creature's or
        # a pig's is warned about
        happens_to=TYRE_WORDS,
        # and only where the skid or the hard braking is said: a car pulling up and stopping
        # reads near "brakes hard to a stop" to the embedding, and is no skid
        happens=("skid", "skids", "skidding", "skidded", "screech", "screeches", "screeching", "screeched", "squeal",
                 "squeals", "squealing", "squealed", "brake", "brakes", "braking", "braked", "burnout"),
        ucs=("VEHSkid", "VEHTire"),
    ),
    SoundModel(
        "train", "texture",
        "a train rolling by: the clickety-clack of its wheels over the rail joints and the rumble of its cars",
        _TRAIN_WORDS + ("clickety", "railway", "railroad", "rails", "tracks"),
        render_train, SoundParams(size=0.6, hardness=0.6, intensity=0.6, distance=0.2),
        # a rumble, a drone or a rhythm read near the train: only a prompt that names one gets it
        happens_to=_TRAIN_WORDS,
        ucs=("TRNMisc", "TRNClak", "TRNDiesl", "TRNElec", "TRNSbwy", "TRNTram"),
    ),
    SoundModel(
        "siren", "texture",
        "a siren wailing: a police car, ambulance or fire engine siren",
        ("siren", "sirens", "ambulance", "police", "wailing", "wail", "emergency", "firetruck"),
        render_siren, SoundParams(size=0.5, hardness=0.3, intensity=0.7, distance=0.5),
        ucs=("ALRMSirn", "VEHSirn"),
    ),
    SoundModel(
        "horn", "oneshot",
        "a car horn honking: a driver sounding the horn, a truck's or an air horn's blare",
        ("horn", "horns", "honk", "honks", "honking", "honked", "hooter", "car horn", "air horn", "blare", "blares"),
        render_horn, SoundParams(size=0.4, hardness=0.6, intensity=0.5, distance=0.2),
        ucs=("VEHHorn", "HORNMisc", "HORNAir"),
    ),
)
