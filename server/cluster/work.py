"""What crosses between the head and a replica for one shot: plain, picklable data, no Ray.
Shots, settings, takes and notes cross in the store's own JSON form (``server/codec.py``):
their time ranges are OpenTimelineIO objects, which do not pickle.

The head sends a ``ShotWork``; the replica answers with a stream of ``ReplicaStarted`` (who took
it), ``StageProgress`` (the pipeline's stages) and, last, a ``ShotResult`` (the takes and their
WAVs' bytes) or a ``ShotError`` (a failure the editor is told: bad media, bad notes, a cancel).
Anything else a replica raises is a crash of that replica, which the head retries elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from foleyline.errors import FoleylineError, error_class
from foleyline.server import codec
from foleyline.server.records import JobSettings, ShotRequest, Take


@dataclass(frozen=True)
class ShotWork:
    shot_json: str
    settings_json: str
    job_id: str
    engine_name: str
    take_ids: tuple[str, ...]                 # the idempotency keys (jobs.take_ids_for)
    # Uploaded media, when the shot names media by content hash: (sha256, file suffix, the
    # bytes as a Ray object reference: fetched by the replica's node from the head's object
    # store once, then kept in the replica's own store).
    media: tuple[str, str, object] | None = None
    base_take_json: str = ""                  # regenerating some layers: the take to keep the rest of
    base_audio: dict[str, bytes] = field(default_factory=dict)  # its WAVs by sha256
    take_numbers: tuple[int, ...] = ()        # given out once by the head's store, kept on a retry

    @classmethod
    def of(cls, shot: ShotRequest, settings: JobSettings, job_id: str, engine_name: str, take_ids: tuple[str, ...],
           media: tuple[str, str, object] | None = None, base_take: Take | None = None,
           base_audio: dict[str, bytes] | None = None, take_numbers: tuple[int, ...] = ()) -> ShotWork:
        return cls(codec.shot_to_json(shot), codec.settings_to_json(settings), job_id, engine_name, take_ids, media,
                   codec.take_to_json(base_take) if base_take is not None else "", base_audio or {}, take_numbers)

    @property
    def shot(self) -> ShotRequest:
        return codec.shot_from_json(self.shot_json)

    @property
    def settings(self) -> JobSettings:
        return codec.settings_from_json(self.settings_json)

    @property
    def base_take(self) -> Take | None:
        return codec.take_from_json(self.base_take_json) if self.base_take_json else None


@dataclass(frozen=True)
class ReplicaStarted:
    replica: str       # host:pid of the replica's process
    pid: int


@dataclass(frozen=True)
class StageProgress:
    stage: str
    fraction: float


@dataclass(frozen=True)
class ShotResult:
    takes_json: list[str]
    drafted: bool             # the notes were drafted (the editor gave none)
    audio: dict[str, bytes]   # the WAVs the shot made, by sha256 (those reused from a base take left out)

    @property
    def takes(self) -> list[Take]:
        return [codec.take_from_json(text) for text in self.takes_json]


@dataclass(frozen=True)
class ShotError:
    code: str          # the status code name (foleyline.errors.STATUS_CODES)
    message: str

    def exception(self) -> FoleylineError:
        return error_class(self.code)(self.message)


__all__ = ["ReplicaStarted", "ShotError", "ShotResult", "ShotWork", "StageProgress"]
