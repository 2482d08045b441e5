from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LayerKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LAYER_KIND_UNSPECIFIED: _ClassVar[LayerKind]
    LAYER_KIND_BG: _ClassVar[LayerKind]
    LAYER_KIND_FX: _ClassVar[LayerKind]
    LAYER_KIND_FOLEY: _ClassVar[LayerKind]
LAYER_KIND_UNSPECIFIED: LayerKind
LAYER_KIND_BG: LayerKind
LAYER_KIND_FX: LayerKind
LAYER_KIND_FOLEY: LayerKind

class RationalTime(_message.Message):
    __slots__ = ("value", "rate")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    value: float
    rate: float
    def __init__(self, value: _Optional[float] = ..., rate: _Optional[float] = ...) -> None: ...

class TimeRange(_message.Message):
    __slots__ = ("start_time", "duration")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    start_time: RationalTime
    duration: RationalTime
    def __init__(self, start_time: _Optional[_Union[RationalTime, _Mapping]] = ..., duration: _Optional[_Union[RationalTime, _Mapping]] = ...) -> None: ...

class MediaRef(_message.Message):
    __slots__ = ("path", "content_hash")
    PATH_FIELD_NUMBER: _ClassVar[int]
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    path: str
    content_hash: str
    def __init__(self, path: _Optional[str] = ..., content_hash: _Optional[str] = ...) -> None: ...

class Shot(_message.Message):
    __slots__ = ("id", "name", "media", "source_range", "record_range", "available_range", "rate", "drop_frame", "notes", "has_notes", "only_layers", "base_take_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MEDIA_FIELD_NUMBER: _ClassVar[int]
    SOURCE_RANGE_FIELD_NUMBER: _ClassVar[int]
    RECORD_RANGE_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_RANGE_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    DROP_FRAME_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    HAS_NOTES_FIELD_NUMBER: _ClassVar[int]
    ONLY_LAYERS_FIELD_NUMBER: _ClassVar[int]
    BASE_TAKE_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    media: MediaRef
    source_range: TimeRange
    record_range: TimeRange
    available_range: TimeRange
    rate: float
    drop_frame: bool
    notes: Notes
    has_notes: bool
    only_layers: _containers.RepeatedScalarFieldContainer[str]
    base_take_id: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., media: _Optional[_Union[MediaRef, _Mapping]] = ..., source_range: _Optional[_Union[TimeRange, _Mapping]] = ..., record_range: _Optional[_Union[TimeRange, _Mapping]] = ..., available_range: _Optional[_Union[TimeRange, _Mapping]] = ..., rate: _Optional[float] = ..., drop_frame: _Optional[bool] = ..., notes: _Optional[_Union[Notes, _Mapping]] = ..., has_notes: _Optional[bool] = ..., only_layers: _Optional[_Iterable[str]] = ..., base_take_id: _Optional[str] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("start", "end", "description")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    start: float
    end: float
    description: str
    def __init__(self, start: _Optional[float] = ..., end: _Optional[float] = ..., description: _Optional[str] = ...) -> None: ...

class Region(_message.Message):
    __slots__ = ("time", "x", "y", "width", "height")
    TIME_FIELD_NUMBER: _ClassVar[int]
    X_FIELD_NUMBER: _ClassVar[int]
    Y_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    time: float
    x: float
    y: float
    width: float
    height: float
    def __init__(self, time: _Optional[float] = ..., x: _Optional[float] = ..., y: _Optional[float] = ..., width: _Optional[float] = ..., height: _Optional[float] = ...) -> None: ...

class EnergyPoint(_message.Message):
    __slots__ = ("time", "value")
    TIME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    time: float
    value: float
    def __init__(self, time: _Optional[float] = ..., value: _Optional[float] = ...) -> None: ...

class Layer(_message.Message):
    __slots__ = ("label", "kind", "prompt", "negative_prompt", "events", "region", "has_region", "gain_db", "mute", "energy_scale", "energy_points")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    NEGATIVE_PROMPT_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    HAS_REGION_FIELD_NUMBER: _ClassVar[int]
    GAIN_DB_FIELD_NUMBER: _ClassVar[int]
    MUTE_FIELD_NUMBER: _ClassVar[int]
    ENERGY_SCALE_FIELD_NUMBER: _ClassVar[int]
    ENERGY_POINTS_FIELD_NUMBER: _ClassVar[int]
    label: str
    kind: LayerKind
    prompt: str
    negative_prompt: str
    events: _containers.RepeatedCompositeFieldContainer[Event]
    region: Region
    has_region: bool
    gain_db: float
    mute: bool
    energy_scale: float
    energy_points: _containers.RepeatedCompositeFieldContainer[EnergyPoint]
    def __init__(self, label: _Optional[str] = ..., kind: _Optional[_Union[LayerKind, str]] = ..., prompt: _Optional[str] = ..., negative_prompt: _Optional[str] = ..., events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ..., region: _Optional[_Union[Region, _Mapping]] = ..., has_region: _Optional[bool] = ..., gain_db: _Optional[float] = ..., mute: _Optional[bool] = ..., energy_scale: _Optional[float] = ..., energy_points: _Optional[_Iterable[_Union[EnergyPoint, _Mapping]]] = ...) -> None: ...

class Notes(_message.Message):
    __slots__ = ("shot_id", "version", "reasoning", "layers", "author")
    SHOT_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    REASONING_FIELD_NUMBER: _ClassVar[int]
    LAYERS_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_FIELD_NUMBER: _ClassVar[int]
    shot_id: str
    version: int
    reasoning: str
    layers: _containers.RepeatedCompositeFieldContainer[Layer]
    author: str
    def __init__(self, shot_id: _Optional[str] = ..., version: _Optional[int] = ..., reasoning: _Optional[str] = ..., layers: _Optional[_Iterable[_Union[Layer, _Mapping]]] = ..., author: _Optional[str] = ...) -> None: ...

class TokenCount(_message.Message):
    __slots__ = ("layer_label", "tokens", "limit", "over_limit")
    LAYER_LABEL_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    OVER_LIMIT_FIELD_NUMBER: _ClassVar[int]
    layer_label: str
    tokens: int
    limit: int
    over_limit: bool
    def __init__(self, layer_label: _Optional[str] = ..., tokens: _Optional[int] = ..., limit: _Optional[int] = ..., over_limit: _Optional[bool] = ...) -> None: ...

class DraftNotesRequest(_message.Message):
    __slots__ = ("shots", "writer", "engine")
    SHOTS_FIELD_NUMBER: _ClassVar[int]
    WRITER_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    shots: _containers.RepeatedCompositeFieldContainer[Shot]
    writer: str
    engine: str
    def __init__(self, shots: _Optional[_Iterable[_Union[Shot, _Mapping]]] = ..., writer: _Optional[str] = ..., engine: _Optional[str] = ...) -> None: ...

class DraftNotesEvent(_message.Message):
    __slots__ = ("shot_id", "notes", "error", "token_counts", "warnings")
    SHOT_ID_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    TOKEN_COUNTS_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    shot_id: str
    notes: Notes
    error: str
    token_counts: _containers.RepeatedCompositeFieldContainer[TokenCount]
    warnings: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, shot_id: _Optional[str] = ..., notes: _Optional[_Union[Notes, _Mapping]] = ..., error: _Optional[str] = ..., token_counts: _Optional[_Iterable[_Union[TokenCount, _Mapping]]] = ..., warnings: _Optional[_Iterable[str]] = ...) -> None: ...

class EditNotesRequest(_message.Message):
    __slots__ = ("notes", "instruction", "shot_duration")
    NOTES_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTION_FIELD_NUMBER: _ClassVar[int]
    SHOT_DURATION_FIELD_NUMBER: _ClassVar[int]
    notes: Notes
    instruction: str
    shot_duration: float
    def __init__(self, notes: _Optional[_Union[Notes, _Mapping]] = ..., instruction: _Optional[str] = ..., shot_duration: _Optional[float] = ...) -> None: ...

class EditNotesResponse(_message.Message):
    __slots__ = ("notes", "diff", "affected_layers", "summary")
    NOTES_FIELD_NUMBER: _ClassVar[int]
    DIFF_FIELD_NUMBER: _ClassVar[int]
    AFFECTED_LAYERS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    notes: Notes
    diff: str
    affected_layers: _containers.RepeatedScalarFieldContainer[str]
    summary: str
    def __init__(self, notes: _Optional[_Union[Notes, _Mapping]] = ..., diff: _Optional[str] = ..., affected_layers: _Optional[_Iterable[str]] = ..., summary: _Optional[str] = ...) -> None: ...

class GenerateSettings(_message.Message):
    __slots__ = ("engine", "num_takes", "seed", "steps", "cfg_strength", "handle_frames", "project")
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    NUM_TAKES_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    CFG_STRENGTH_FIELD_NUMBER: _ClassVar[int]
    HANDLE_FRAMES_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    engine: str
    num_takes: int
    seed: int
    steps: int
    cfg_strength: float
    handle_frames: int
    project: str
    def __init__(self, engine: _Optional[str] = ..., num_takes: _Optional[int] = ..., seed: _Optional[int] = ..., steps: _Optional[int] = ..., cfg_strength: _Optional[float] = ..., handle_frames: _Optional[int] = ..., project: _Optional[str] = ...) -> None: ...

class GenerateRequest(_message.Message):
    __slots__ = ("shots", "settings", "request_id")
    SHOTS_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    shots: _containers.RepeatedCompositeFieldContainer[Shot]
    settings: GenerateSettings
    request_id: str
    def __init__(self, shots: _Optional[_Iterable[_Union[Shot, _Mapping]]] = ..., settings: _Optional[_Union[GenerateSettings, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ResumeJobRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class JobAccepted(_message.Message):
    __slots__ = ("job_id", "shot_count", "engine", "warnings")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    SHOT_COUNT_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    shot_count: int
    engine: str
    warnings: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, job_id: _Optional[str] = ..., shot_count: _Optional[int] = ..., engine: _Optional[str] = ..., warnings: _Optional[_Iterable[str]] = ...) -> None: ...

class ShotProgress(_message.Message):
    __slots__ = ("shot_id", "stage", "fraction", "shots_done", "shot_count", "queue_position", "queue_eta_seconds")
    SHOT_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    FRACTION_FIELD_NUMBER: _ClassVar[int]
    SHOTS_DONE_FIELD_NUMBER: _ClassVar[int]
    SHOT_COUNT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_POSITION_FIELD_NUMBER: _ClassVar[int]
    QUEUE_ETA_SECONDS_FIELD_NUMBER: _ClassVar[int]
    shot_id: str
    stage: str
    fraction: float
    shots_done: int
    shot_count: int
    queue_position: int
    queue_eta_seconds: float
    def __init__(self, shot_id: _Optional[str] = ..., stage: _Optional[str] = ..., fraction: _Optional[float] = ..., shots_done: _Optional[int] = ..., shot_count: _Optional[int] = ..., queue_position: _Optional[int] = ..., queue_eta_seconds: _Optional[float] = ...) -> None: ...

class ShotFailed(_message.Message):
    __slots__ = ("shot_id", "reason", "code")
    SHOT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    shot_id: str
    reason: str
    code: str
    def __init__(self, shot_id: _Optional[str] = ..., reason: _Optional[str] = ..., code: _Optional[str] = ...) -> None: ...

class JobDone(_message.Message):
    __slots__ = ("shots_done", "shots_failed", "cancelled")
    SHOTS_DONE_FIELD_NUMBER: _ClassVar[int]
    SHOTS_FAILED_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    shots_done: int
    shots_failed: int
    cancelled: bool
    def __init__(self, shots_done: _Optional[int] = ..., shots_failed: _Optional[int] = ..., cancelled: _Optional[bool] = ...) -> None: ...

class GenerateEvent(_message.Message):
    __slots__ = ("job_id", "accepted", "progress", "take_ready", "shot_failed", "done", "notes_drafted")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    TAKE_READY_FIELD_NUMBER: _ClassVar[int]
    SHOT_FAILED_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    NOTES_DRAFTED_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    accepted: JobAccepted
    progress: ShotProgress
    take_ready: Take
    shot_failed: ShotFailed
    done: JobDone
    notes_drafted: Notes
    def __init__(self, job_id: _Optional[str] = ..., accepted: _Optional[_Union[JobAccepted, _Mapping]] = ..., progress: _Optional[_Union[ShotProgress, _Mapping]] = ..., take_ready: _Optional[_Union[Take, _Mapping]] = ..., shot_failed: _Optional[_Union[ShotFailed, _Mapping]] = ..., done: _Optional[_Union[JobDone, _Mapping]] = ..., notes_drafted: _Optional[_Union[Notes, _Mapping]] = ...) -> None: ...

class CancelJobRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class CancelJobResponse(_message.Message):
    __slots__ = ("job_id", "state")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    state: str
    def __init__(self, job_id: _Optional[str] = ..., state: _Optional[str] = ...) -> None: ...

class ListJobsRequest(_message.Message):
    __slots__ = ("unfinished_only", "page_size", "page_token")
    UNFINISHED_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    unfinished_only: bool
    page_size: int
    page_token: str
    def __init__(self, unfinished_only: _Optional[bool] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class JobInfo(_message.Message):
    __slots__ = ("job_id", "state", "shot_count", "shots_done", "shots_failed", "created_at")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SHOT_COUNT_FIELD_NUMBER: _ClassVar[int]
    SHOTS_DONE_FIELD_NUMBER: _ClassVar[int]
    SHOTS_FAILED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    state: str
    shot_count: int
    shots_done: int
    shots_failed: int
    created_at: str
    def __init__(self, job_id: _Optional[str] = ..., state: _Optional[str] = ..., shot_count: _Optional[int] = ..., shots_done: _Optional[int] = ..., shots_failed: _Optional[int] = ..., created_at: _Optional[str] = ...) -> None: ...

class ListJobsResponse(_message.Message):
    __slots__ = ("jobs", "next_page_token")
    JOBS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[JobInfo]
    next_page_token: str
    def __init__(self, jobs: _Optional[_Iterable[_Union[JobInfo, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AudioFile(_message.Message):
    __slots__ = ("sha256", "size_bytes", "sample_rate", "bit_depth", "channels", "frames")
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    BIT_DEPTH_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    sha256: str
    size_bytes: int
    sample_rate: int
    bit_depth: int
    channels: int
    frames: int
    def __init__(self, sha256: _Optional[str] = ..., size_bytes: _Optional[int] = ..., sample_rate: _Optional[int] = ..., bit_depth: _Optional[int] = ..., channels: _Optional[int] = ..., frames: _Optional[int] = ...) -> None: ...

class LayerAudio(_message.Message):
    __slots__ = ("label", "kind", "audio", "loudness_lufs", "peak_dbfs", "reused", "warnings")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    LOUDNESS_LUFS_FIELD_NUMBER: _ClassVar[int]
    PEAK_DBFS_FIELD_NUMBER: _ClassVar[int]
    REUSED_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    label: str
    kind: LayerKind
    audio: AudioFile
    loudness_lufs: float
    peak_dbfs: float
    reused: bool
    warnings: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, label: _Optional[str] = ..., kind: _Optional[_Union[LayerKind, str]] = ..., audio: _Optional[_Union[AudioFile, _Mapping]] = ..., loudness_lufs: _Optional[float] = ..., peak_dbfs: _Optional[float] = ..., reused: _Optional[bool] = ..., warnings: _Optional[_Iterable[str]] = ...) -> None: ...

class Take(_message.Message):
    __slots__ = ("id", "shot_id", "job_id", "notes_version", "notes", "engine", "model", "engine_version", "seed", "settings", "layers", "mix", "loudness_lufs", "created_at", "audio_source_range", "record_range", "handle_head_frames", "handle_tail_frames", "shot_name", "base_take_id", "accepted", "number")
    ID_FIELD_NUMBER: _ClassVar[int]
    SHOT_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    NOTES_VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    ENGINE_VERSION_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    LAYERS_FIELD_NUMBER: _ClassVar[int]
    MIX_FIELD_NUMBER: _ClassVar[int]
    LOUDNESS_LUFS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    AUDIO_SOURCE_RANGE_FIELD_NUMBER: _ClassVar[int]
    RECORD_RANGE_FIELD_NUMBER: _ClassVar[int]
    HANDLE_HEAD_FRAMES_FIELD_NUMBER: _ClassVar[int]
    HANDLE_TAIL_FRAMES_FIELD_NUMBER: _ClassVar[int]
    SHOT_NAME_FIELD_NUMBER: _ClassVar[int]
    BASE_TAKE_ID_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    id: str
    shot_id: str
    job_id: str
    notes_version: int
    notes: Notes
    engine: str
    model: str
    engine_version: str
    seed: int
    settings: GenerateSettings
    layers: _containers.RepeatedCompositeFieldContainer[LayerAudio]
    mix: AudioFile
    loudness_lufs: float
    created_at: str
    audio_source_range: TimeRange
    record_range: TimeRange
    handle_head_frames: int
    handle_tail_frames: int
    shot_name: str
    base_take_id: str
    accepted: bool
    number: int
    def __init__(self, id: _Optional[str] = ..., shot_id: _Optional[str] = ..., job_id: _Optional[str] = ..., notes_version: _Optional[int] = ..., notes: _Optional[_Union[Notes, _Mapping]] = ..., engine: _Optional[str] = ..., model: _Optional[str] = ..., engine_version: _Optional[str] = ..., seed: _Optional[int] = ..., settings: _Optional[_Union[GenerateSettings, _Mapping]] = ..., layers: _Optional[_Iterable[_Union[LayerAudio, _Mapping]]] = ..., mix: _Optional[_Union[AudioFile, _Mapping]] = ..., loudness_lufs: _Optional[float] = ..., created_at: _Optional[str] = ..., audio_source_range: _Optional[_Union[TimeRange, _Mapping]] = ..., record_range: _Optional[_Union[TimeRange, _Mapping]] = ..., handle_head_frames: _Optional[int] = ..., handle_tail_frames: _Optional[int] = ..., shot_name: _Optional[str] = ..., base_take_id: _Optional[str] = ..., accepted: _Optional[bool] = ..., number: _Optional[int] = ...) -> None: ...

class ListTakesRequest(_message.Message):
    __slots__ = ("shot_id", "job_id", "page_size", "page_token")
    SHOT_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    shot_id: str
    job_id: str
    page_size: int
    page_token: str
    def __init__(self, shot_id: _Optional[str] = ..., job_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListTakesResponse(_message.Message):
    __slots__ = ("takes", "next_page_token")
    TAKES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    takes: _containers.RepeatedCompositeFieldContainer[Take]
    next_page_token: str
    def __init__(self, takes: _Optional[_Iterable[_Union[Take, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetTakeRequest(_message.Message):
    __slots__ = ("take_id",)
    TAKE_ID_FIELD_NUMBER: _ClassVar[int]
    take_id: str
    def __init__(self, take_id: _Optional[str] = ...) -> None: ...

class AcceptTakeRequest(_message.Message):
    __slots__ = ("take_id",)
    TAKE_ID_FIELD_NUMBER: _ClassVar[int]
    take_id: str
    def __init__(self, take_id: _Optional[str] = ...) -> None: ...

class FetchAudioRequest(_message.Message):
    __slots__ = ("sha256", "chunk_size")
    SHA256_FIELD_NUMBER: _ClassVar[int]
    CHUNK_SIZE_FIELD_NUMBER: _ClassVar[int]
    sha256: str
    chunk_size: int
    def __init__(self, sha256: _Optional[str] = ..., chunk_size: _Optional[int] = ...) -> None: ...

class AudioChunk(_message.Message):
    __slots__ = ("data", "offset", "total_size")
    DATA_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    offset: int
    total_size: int
    def __init__(self, data: _Optional[bytes] = ..., offset: _Optional[int] = ..., total_size: _Optional[int] = ...) -> None: ...

class MediaChunk(_message.Message):
    __slots__ = ("filename", "sha256", "data")
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    filename: str
    sha256: str
    data: bytes
    def __init__(self, filename: _Optional[str] = ..., sha256: _Optional[str] = ..., data: _Optional[bytes] = ...) -> None: ...

class UploadMediaResponse(_message.Message):
    __slots__ = ("content_hash", "size_bytes", "already_present")
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    ALREADY_PRESENT_FIELD_NUMBER: _ClassVar[int]
    content_hash: str
    size_bytes: int
    already_present: bool
    def __init__(self, content_hash: _Optional[str] = ..., size_bytes: _Optional[int] = ..., already_present: _Optional[bool] = ...) -> None: ...

class GetServerInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class EngineInfo(_message.Message):
    __slots__ = ("name", "model", "version", "sample_rate", "max_window_seconds", "supports_text", "supports_cot", "supports_roi", "supports_edit", "supports_negative_prompt", "device", "available", "unavailable_reason", "max_text_tokens", "channels")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    MAX_WINDOW_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SUPPORTS_TEXT_FIELD_NUMBER: _ClassVar[int]
    SUPPORTS_COT_FIELD_NUMBER: _ClassVar[int]
    SUPPORTS_ROI_FIELD_NUMBER: _ClassVar[int]
    SUPPORTS_EDIT_FIELD_NUMBER: _ClassVar[int]
    SUPPORTS_NEGATIVE_PROMPT_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    UNAVAILABLE_REASON_FIELD_NUMBER: _ClassVar[int]
    MAX_TEXT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    name: str
    model: str
    version: str
    sample_rate: int
    max_window_seconds: float
    supports_text: bool
    supports_cot: bool
    supports_roi: bool
    supports_edit: bool
    supports_negative_prompt: bool
    device: str
    available: bool
    unavailable_reason: str
    max_text_tokens: int
    channels: int
    def __init__(self, name: _Optional[str] = ..., model: _Optional[str] = ..., version: _Optional[str] = ..., sample_rate: _Optional[int] = ..., max_window_seconds: _Optional[float] = ..., supports_text: _Optional[bool] = ..., supports_cot: _Optional[bool] = ..., supports_roi: _Optional[bool] = ..., supports_edit: _Optional[bool] = ..., supports_negative_prompt: _Optional[bool] = ..., device: _Optional[str] = ..., available: _Optional[bool] = ..., unavailable_reason: _Optional[str] = ..., max_text_tokens: _Optional[int] = ..., channels: _Optional[int] = ...) -> None: ...

class ServerInfo(_message.Message):
    __slots__ = ("version", "device", "engines", "default_engine", "allowed_roots", "accepts_uploads")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    ENGINES_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_ENGINE_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_ROOTS_FIELD_NUMBER: _ClassVar[int]
    ACCEPTS_UPLOADS_FIELD_NUMBER: _ClassVar[int]
    version: str
    device: str
    engines: _containers.RepeatedCompositeFieldContainer[EngineInfo]
    default_engine: str
    allowed_roots: _containers.RepeatedScalarFieldContainer[str]
    accepts_uploads: bool
    def __init__(self, version: _Optional[str] = ..., device: _Optional[str] = ..., engines: _Optional[_Iterable[_Union[EngineInfo, _Mapping]]] = ..., default_engine: _Optional[str] = ..., allowed_roots: _Optional[_Iterable[str]] = ..., accepts_uploads: _Optional[bool] = ...) -> None: ...
