"""A stand-in for ``FoleyClient`` for tests of the panel's logic without a server: it answers
with real protobuf messages and real WAV files, and its streams block and cancel like gRPC's."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile

from foleyline.errors import Cancelled, Unavailable
from foleyline.protos.v1 import foley_pb2 as pb

RATE = 48000


class FakeStream:
    """Iterates prepared events; with ``gate`` set, waits on it before each event after the
    first few, so a test can cancel mid-stream. ``cancel()`` ends the iteration with Cancelled,
    as the real client's stream does."""

    def __init__(self, events: list, gate: threading.Event | None = None, free: int = 2, on_event=None) -> None:
        self._events = list(events)
        self._on_event = on_event
        self._gate = gate
        self._free = free
        self._cancelled = threading.Event()
        self.cancel_calls = 0

    def __iter__(self):
        return self

    def __next__(self):
        if self._cancelled.is_set():
            raise Cancelled("Cancelled")
        if not self._events:
            raise StopIteration
        if self._gate is not None and self._free <= 0:
            while not self._gate.wait(0.01):
                if self._cancelled.is_set():
                    raise Cancelled("Cancelled")
        self._free -= 1
        event = self._events.pop(0)
        if self._on_event is not None:
            self._on_event(event)
        return event

    def cancel(self) -> None:
        self.cancel_calls += 1
        self._cancelled.set()


@dataclass
class FakeClient:
    folder: Path
    address: str = "fake:1"
    gate: threading.Event | None = None
    fail_connect: bool = False
    streams: list[FakeStream] = field(default_factory=list)
    requests: list[tuple[list[pb.Shot], pb.GenerateSettings]] = field(default_factory=list)
    cancelled_jobs: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    takes: list[pb.Take] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)  # shot names whose generation fails
    accepted: list[str] = field(default_factory=list)  # take ids, in the order AcceptTake was called
    _count: int = 0

    def server_info(self) -> pb.ServerInfo:
        if self.fail_connect:
            raise Unavailable(f"cannot reach the Foleyline server at {self.address}")
        return pb.ServerInfo(
            version="0.1.0", device="cpu", default_engine="procedural",
            engines=[
                pb.EngineInfo(name="procedural", available=True, sample_rate=48000, device="cpu", supports_text=True),
                pb.EngineInfo(name="mmaudio", available=False, unavailable_reason="weights missing; run `foleyline models pull mmaudio`"),
            ],
        )

    def health(self, *, wait: float = 0.0) -> str:
        return "SERVING"

    def close(self) -> None:
        pass

    def draft_notes(self, shots, writer="auto", engine=""):
        events = []
        for shot in shots:
            notes = pb.Notes(shot_id=shot.id, version=1, reasoning=f"Drafted for {shot.name}.", author="analysis")
            notes.layers.add(label="hits", kind=pb.LAYER_KIND_FX, prompt="metal hits", events=[pb.Event(start=0.5, end=0.5, description="hit")])
            notes.layers.add(label="room", kind=pb.LAYER_KIND_BG, prompt="room tone")
            events.append(pb.DraftNotesEvent(shot_id=shot.id, notes=notes, token_counts=[
                pb.TokenCount(layer_label="hits", tokens=12, limit=77), pb.TokenCount(layer_label="room", tokens=90, limit=77, over_limit=True)]))
        stream = FakeStream(events)
        self.streams.append(stream)
        return stream

    def edit_notes(self, notes, instruction, shot_duration=0.0):
        edited = pb.Notes()
        edited.CopyFrom(notes)
        edited.version = notes.version + 1
        edited.layers.add(label="door", kind=pb.LAYER_KIND_FX, prompt=instruction, events=[pb.Event(start=1.0, end=1.0, description="door")])
        return pb.EditNotesResponse(notes=edited, diff="+[FX] door", affected_layers=["door"], summary=f"added a door for {instruction!r}")

    def _wav(self, seconds: float, seed: int) -> pb.AudioFile:
        rng = np.random.default_rng(seed)
        samples = int(seconds * RATE)
        envelope = np.exp(-np.arange(samples) / RATE * 8.0)
        audio = (0.3 * rng.standard_normal(samples) * np.tile(envelope[: RATE // 2], samples // (RATE // 2) + 1)[:samples]).astype(np.float32)
        path = self.folder / f"take-{seed}.wav"
        soundfile.write(str(path), audio, RATE, subtype="PCM_24")
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        self.files[sha] = path
        return pb.AudioFile(sha256=sha, size_bytes=path.stat().st_size, sample_rate=RATE, bit_depth=24, channels=1, frames=samples)

    def generate(self, shots, settings=None):
        settings = settings or pb.GenerateSettings()
        self.requests.append((list(shots), settings))
        self._count += 1
        job_id = f"job-{self._count}"
        events = [pb.GenerateEvent(job_id=job_id, accepted=pb.JobAccepted(job_id=job_id, shot_count=len(shots), engine="procedural"))]
        for shot in shots:
            if shot.name in self.failing:
                events.append(pb.GenerateEvent(job_id=job_id, shot_failed=pb.ShotFailed(
                    shot_id=shot.id, reason=f"cannot read the media of {shot.name}; relink it", code="FAILED_PRECONDITION")))
                continue
            for fraction, stage in ((0.1, "decode"), (0.5, "generate")):
                events.append(pb.GenerateEvent(job_id=job_id, progress=pb.ShotProgress(shot_id=shot.id, stage=stage, fraction=fraction, shot_count=len(shots))))
            rate = shot.rate or 24.0
            duration = shot.record_range.duration.value / rate
            for n in range(max(1, settings.num_takes)):
                seed = 1000 * self._count + n
                mix = self._wav(duration + 24 / rate, seed)
                number = sum(1 for t in self.takes if t.shot_id == shot.id) + n + 1  # as the server numbers them
                take = pb.Take(id=f"take-{seed}", shot_id=shot.id, job_id=job_id, engine="procedural", seed=seed, number=number,
                               loudness_lufs=-23.0 - n, created_at="2026-11-22T02:00:00Z",
                               handle_head_frames=12, handle_tail_frames=12, shot_name=shot.name, mix=mix,
                               notes_version=shot.notes.version if shot.has_notes else 1)
                if shot.has_notes:
                    take.notes.CopyFrom(shot.notes)
                labels = [layer.label for layer in shot.notes.layers] if shot.has_notes else ["fx"]
                for label in labels:
                    take.layers.add(label=label, kind=pb.LAYER_KIND_FX, audio=mix, loudness_lufs=-23.0,
                                    reused=bool(shot.only_layers) and label not in shot.only_layers)
                events.append(pb.GenerateEvent(job_id=job_id, take_ready=take))
        failed = sum(1 for shot in shots if shot.name in self.failing)
        events.append(pb.GenerateEvent(job_id=job_id, done=pb.JobDone(shots_done=len(shots) - failed, shots_failed=failed)))
        # A take is in the server's store once it is reported, as with the real server.
        stream = FakeStream(events, self.gate, on_event=self._stored)
        self.streams.append(stream)
        return stream

    def _stored(self, event: pb.GenerateEvent) -> None:
        if event.WhichOneof("event") == "take_ready":
            self.takes.append(event.take_ready)

    def cancel_job(self, job_id: str) -> str:
        self.cancelled_jobs.append(job_id)
        return "cancelled"

    def accept_take(self, take_id: str) -> pb.Take:
        """As the server: the take, circled (the real one lists it with re-stamped copies)."""
        take = next(t for t in self.takes if t.id == take_id)
        for other in self.takes:
            if other.shot_id == take.shot_id:
                other.accepted = other.id == take_id
        self.accepted.append(take_id)
        return take

    def list_takes(self, shot_id: str = "", job_id: str = ""):
        return [t for t in self.takes if (not shot_id or t.shot_id == shot_id) and (not job_id or t.job_id == job_id)]

    def fetch_audio(self, sha256: str, dest_path: Path) -> Path:
        # Atomic, as the real client: a reader never sees a half-written file.
        dest_path = Path(dest_path)
        dest_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest_path.with_name(f".{dest_path.name}.{threading.get_ident()}.part")
        shutil.copyfile(self.files[sha256], tmp)
        os.replace(tmp, dest_path)
        return dest_path
