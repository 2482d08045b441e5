"""Server test helpers: a test-only engine, a tiny synthetic clip, shots, event collection.

The fake engine is deterministic per seed, records its calls and can be slowed down or hold
chosen shots until the test lets them go, so jobs can be cancelled or killed in the middle. It
renders at 16 kHz to exercise the 48 kHz post step.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from foleyline.errors import Cancelled
from foleyline.notes import Event, Layer, LayerKind, Notes
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.server.engines.base import Engine, EngineCapabilities
from foleyline.server.media.frames import ANALYSIS_STREAM
from foleyline.server.records import AudioFile, JobSettings, LayerTake, ShotRequest, Take
from foleyline.server.store import Store
from foleyline.timebase import RationalTime, TimeRange

CLIP_FPS = 24
CLIP_FRAMES = 72  # 3 s
TOKEN = "test-token-of-the-server-tests"


class FakeEngine(Engine):
    """A test engine: a click at each analysis onset over a seed-dependent noise floor."""

    thread_safe = True

    def __init__(self, name: str = "fake", rate: int = 16000, delay: float = 0.0) -> None:
        self.name = name
        self.rate = rate
        self.delay = delay
        self.calls: list[tuple[str, str, tuple[int, ...]]] = []
        # Shots whose layers wait, cancellably, while their id is here: a test that needs a shot
        # still running when it acts holds it, rather than hoping a delay outlasts a loaded machine.
        self.held: set[str] = set()

    def capabilities(self) -> EngineCapabilities:
        return EngineCapabilities(
            name=self.name, model="fake-model", version="0", sample_rate=self.rate, channels=1,
            max_window_seconds=None, supports_text=True, supports_cot=False, supports_roi=False,
            supports_edit=False, supports_negative_prompt=False, device="cpu",
        )

    def required_streams(self):
        return (ANALYSIS_STREAM,)

    def holds(self, shot_id: str) -> bool:
        return shot_id in self.held

    def generate(self, shot, layer, seeds, settings, *, progress=None, cancel=None):
        self.calls.append((shot.shot_id, layer.label, tuple(seeds)))
        n = int(round(shot.duration * self.rate))
        out = []
        for seed in seeds:
            deadline = time.monotonic() + self.delay
            while time.monotonic() < deadline or self.holds(shot.shot_id):
                if cancel is not None and cancel.is_set():
                    raise Cancelled("cancelled")
                time.sleep(0.01)
            rng = np.random.default_rng([seed, len(layer.label), sum(map(ord, layer.label))])
            audio = 0.05 * rng.standard_normal(n).astype(np.float32)
            if shot.analysis is not None:
                for onset in shot.analysis.onsets:
                    i = int(onset * self.rate)
                    audio[i : i + 400] += 0.5 * np.hanning(min(400, max(0, n - i)))[: max(0, min(400, n - i))]
            out.append(audio[None, :])
            if progress is not None:
                progress(1.0)
        return out


def time_range(start: float, duration: float, rate: float) -> TimeRange:
    return TimeRange(RationalTime(start, rate), RationalTime(duration, rate))


def shot_record(shot_id: str) -> ShotRequest:
    """A shot as the server records it."""
    return ShotRequest(
        id=shot_id, name=f"name {shot_id}", media_path=Path("/media/a.mov"), media_hash=None,
        source_range=time_range(10, 48, 24.0), record_range=time_range(86400, 48, 24.0), available_range=None,
        rate=24.0, drop_frame=False,
        notes=Notes(reasoning="r", layers=(Layer("hit", LayerKind.FX, events=(Event(1.0, 1.0, "x"),)),)),
    )


def take_record(store: Store, take_id: str, shot_id: str, job_id: str, payload: bytes, **changes) -> Take:
    """A take as the server records it, its one WAV (``payload``) adopted into ``store``."""
    staged = store.staging_path()
    staged.write_bytes(payload)
    sha, size = store.adopt_audio(staged)
    audio = AudioFile(sha, size, 48000, 24, 1, 100)
    return replace(Take(
        id=take_id, shot_id=shot_id, shot_name="n", job_id=job_id, notes=Notes(layers=(Layer("hit", LayerKind.FX),)),
        engine="fake", model="m", engine_version="0", seed=7, settings=JobSettings(seed=7),
        layers=(LayerTake("hit", "FX", audio, -20.0, -3.0),), mix=audio, loudness_lufs=-20.0,
        created_at="2026-01-01T00:00:00.000+00:00", audio_source_range=time_range(-2, 72, 24.0),
        record_range=time_range(86400, 48, 24.0), handle_head_frames=12, handle_tail_frames=12,
    ), **changes)



def write_clip(path: Path, frames: int = CLIP_FRAMES, fps: int = CLIP_FPS, size: tuple[int, int] = (160, 96)) -> Path:
    """A small clip: a square falls and stops on the floor at frame 30, then stays still."""
    width, height = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(frames):
            image = np.full((height, width, 3), 40, np.uint8)
            y = min(60, 2 + int(0.07 * i * i))
            image[y : y + 20, 70:90] = 230
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def make_shot(media: Path | None, *, shot_id: str = "shot-1", name: str = "fall", start: int = 12, length: int = 48,
              record: int = 86400, rate: float = 24.0, available: int | None = CLIP_FRAMES) -> pb.Shot:
    shot = pb.Shot(
        id=shot_id, name=name, rate=rate,
        source_range=pb.TimeRange(start_time=pb.RationalTime(value=start, rate=rate), duration=pb.RationalTime(value=length, rate=rate)),
        record_range=pb.TimeRange(start_time=pb.RationalTime(value=record, rate=rate), duration=pb.RationalTime(value=length, rate=rate)),
    )
    if media is not None:
        shot.media.path = str(media)
    if available is not None:
        shot.available_range.CopyFrom(
            pb.TimeRange(start_time=pb.RationalTime(value=0, rate=rate), duration=pb.RationalTime(value=available, rate=rate))
        )
    return shot


def two_layer_notes(shot_id: str = "shot-1") -> pb.Notes:
    return pb.Notes(
        shot_id=shot_id, version=1, reasoning="A box falls and lands.", author="editor",
        layers=[
            pb.Layer(label="impact", kind=pb.LAYER_KIND_FX, prompt="box lands on wood", energy_scale=1.0,
                     events=[pb.Event(start=0.75, end=0.75, description="lands")]),
            pb.Layer(label="room", kind=pb.LAYER_KIND_BG, prompt="quiet room tone", energy_scale=1.0),
        ],
    )


def collect(call) -> dict[str, list]:
    """GenerateEvents grouped by kind."""
    grouped: dict[str, list] = {}
    for event in call:
        kind = event.WhichOneof("event")
        grouped.setdefault(kind, []).append(getattr(event, kind))
        grouped.setdefault("_job", [event.job_id])
    return grouped


class SlowFakeEngine(FakeEngine):
    """The fake engine at half a second per layer, for a server in a process of its own: slow
    enough to kill a server mid-job. The shots named in the file ``$HELD_SHOTS_ENV`` (one id a
    line) are held while they are named there."""

    def __init__(self) -> None:
        super().__init__(name="slowfake", delay=0.5)
        self.held_file = os.environ.get(HELD_SHOTS_ENV)

    def holds(self, shot_id: str) -> bool:
        if not self.held_file:
            return False
        try:
            return shot_id in Path(self.held_file).read_text().split()
        except FileNotFoundError:
            return False


HELD_SHOTS_ENV = "FOLEYLINE_TEST_HELD_SHOTS"
