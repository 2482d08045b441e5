"""The server's own plain data: what a job asks for and what a take is.

The servicer converts protobuf messages to and from these; the jobs layer, the pipeline and the
store only ever see these. Times stay rational (OTIO ``TimeRange``: value + rate, at the
timeline rate) as at the API boundary; ``foleyline.server.shot_timing`` turns them into seconds
and samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from foleyline.notes import Notes
from foleyline.timebase import DEFAULT_HANDLE_FRAMES, TimeRange


@dataclass(frozen=True)
class ShotRequest:
    id: str
    name: str
    media_path: Path | None
    media_hash: str | None
    source_range: TimeRange          # media time, the media's start timecode counted in
    record_range: TimeRange          # record time, where the shot sits in the timeline
    available_range: TimeRange | None  # the media's whole span, when the export knows it
    rate: float
    drop_frame: bool
    notes: Notes | None = None
    only_layers: tuple[str, ...] = ()
    base_take_id: str = ""


@dataclass(frozen=True)
class JobSettings:
    engine: str = ""           # "" = the server's default
    num_takes: int = 1
    seed: int = 0              # 0 = random; the chosen seed is recorded on the job
    steps: int | None = None
    cfg_strength: float | None = None
    handle_frames: int = DEFAULT_HANDLE_FRAMES
    project: str = ""


@dataclass(frozen=True)
class AudioFile:
    sha256: str
    size_bytes: int
    sample_rate: int
    bit_depth: int
    channels: int
    frames: int


@dataclass(frozen=True)
class LayerTake:
    label: str
    kind: str                  # LayerKind value: "BG", "FX", "FOLEY"
    audio: AudioFile
    loudness_lufs: float
    peak_dbfs: float
    reused: bool = False
    warnings: tuple[str, ...] = ()   # the engine's word on how it rendered the layer


@dataclass(frozen=True)
class Take:
    id: str
    shot_id: str
    shot_name: str
    job_id: str
    notes: Notes
    engine: str
    model: str
    engine_version: str
    seed: int
    settings: JobSettings
    layers: tuple[LayerTake, ...]
    mix: AudioFile
    loudness_lufs: float
    created_at: str
    audio_source_range: TimeRange  # media range the audio covers, handles included
    record_range: TimeRange        # the shot's record range, handles excluded
    handle_head_frames: int
    handle_tail_frames: int
    base_take_id: str = ""
    number: int = 0                # the take's number in its shot: 1, 2, 3... (0: stored before numbering)


@dataclass(frozen=True)
class JobInfo:
    id: str
    state: str                 # queued, running, done, cancelled, interrupted
    shot_count: int
    shots_done: int
    shots_failed: int
    created_at: str
    engine: str = ""


# ---- events a job emits, in order; the servicer turns each into a GenerateEvent -------------


@dataclass(frozen=True)
class JobAccepted:
    job_id: str
    shot_count: int
    engine: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShotProgress:
    job_id: str
    shot_id: str
    stage: str                 # queued, decode, analysis, notes, generate, post, store
    fraction: float
    shots_done: int
    shot_count: int
    queue_position: int = 0    # while queued: shots of other jobs that start first
    queue_eta_s: float = -1.0  # while queued: seconds until this job's next shot starts (-1: no guess)


@dataclass(frozen=True)
class NotesDrafted:
    job_id: str
    notes: Notes


@dataclass(frozen=True)
class TakeReady:
    job_id: str
    take: Take


@dataclass(frozen=True)
class ShotFailed:
    job_id: str
    shot_id: str
    reason: str
    code: str                  # a gRPC status code name


@dataclass(frozen=True)
class JobDone:
    job_id: str
    shots_done: int
    shots_failed: int
    cancelled: bool = False
    interrupted: bool = False  # the server stopped it (kept, resumable), not a cancel


JobEvent = JobAccepted | ShotProgress | NotesDrafted | TakeReady | ShotFailed | JobDone


@dataclass
class ShotOutcome:
    """What the pipeline returns for one shot: its takes, and notes it drafted (if any)."""

    takes: list[Take] = field(default_factory=list)
    drafted_notes: Notes | None = None
