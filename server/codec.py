"""JSON forms of the server's records, for the store.

Written out field by field rather than with a generic reflection helper: the stored form is a
file format that must keep reading after the dataclasses grow, so each reader tolerates missing
keys with the dataclass default. A time range is stored as ``{"start", "duration", "rate"}``
(values at one rate), as it has been since the first stored job.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from foleyline.notes import EnergyPoint, Event, Layer, LayerKind, Notes, Region
from foleyline.server.records import AudioFile, JobSettings, LayerTake, ShotRequest, Take
from foleyline.timebase import RationalTime, TimeRange


def notes_to_dict(notes: Notes) -> dict[str, Any]:
    return {
        "reasoning": notes.reasoning,
        "version": notes.version,
        "shot_id": notes.shot_id,
        "author": notes.author,
        "layers": [
            {
                "label": layer.label,
                "kind": layer.kind.value,
                "prompt": layer.prompt,
                "negative_prompt": layer.negative_prompt,
                "events": [asdict(event) for event in layer.events],
                "region": asdict(layer.region) if layer.region is not None else None,
                "gain_db": layer.gain_db,
                "mute": layer.mute,
                "energy_scale": layer.energy_scale,
                "energy_points": [asdict(point) for point in layer.energy_points],
            }
            for layer in notes.layers
        ],
    }


def notes_from_dict(data: dict[str, Any]) -> Notes:
    layers = tuple(
        Layer(
            label=item["label"],
            kind=LayerKind(item["kind"]),
            prompt=item.get("prompt", ""),
            negative_prompt=item.get("negative_prompt", ""),
            events=tuple(Event(**event) for event in item.get("events", ())),
            region=Region(**item["region"]) if item.get("region") else None,
            gain_db=float(item.get("gain_db", 0.0)),
            mute=bool(item.get("mute", False)),
            energy_scale=float(item.get("energy_scale", 1.0)),
            energy_points=tuple(EnergyPoint(**point) for point in item.get("energy_points", ())),
        )
        for item in data.get("layers", ())
    )
    return Notes(
        reasoning=data.get("reasoning", ""),
        layers=layers,
        version=int(data.get("version", 1)),
        shot_id=data.get("shot_id", ""),
        author=data.get("author", "editor"),
    )


def range_to_dict(time_range: TimeRange) -> dict[str, float]:
    rate = time_range.start_time.rate
    return {"start": time_range.start_time.value, "duration": time_range.duration.rescaled_to(rate).value, "rate": rate}


def range_from_dict(data: dict[str, Any]) -> TimeRange:
    rate = float(data["rate"])
    return TimeRange(RationalTime(float(data["start"]), rate), RationalTime(float(data["duration"]), rate))


def _optional_range(data: dict[str, Any] | None) -> TimeRange | None:
    return range_from_dict(data) if data else None


def shot_to_json(shot: ShotRequest) -> str:
    return json.dumps({
        "id": shot.id,
        "name": shot.name,
        "media_path": str(shot.media_path) if shot.media_path is not None else None,
        "media_hash": shot.media_hash,
        "source_range": range_to_dict(shot.source_range),
        "record_range": range_to_dict(shot.record_range),
        "available_range": range_to_dict(shot.available_range) if shot.available_range is not None else None,
        "rate": shot.rate,
        "drop_frame": shot.drop_frame,
        "notes": notes_to_dict(shot.notes) if shot.notes is not None else None,
        "only_layers": list(shot.only_layers),
        "base_take_id": shot.base_take_id,
    })


def shot_from_json(text: str) -> ShotRequest:
    data = json.loads(text)
    return ShotRequest(
        id=data["id"],
        name=data.get("name", ""),
        media_path=Path(data["media_path"]) if data.get("media_path") else None,
        media_hash=data.get("media_hash"),
        source_range=range_from_dict(data["source_range"]),
        record_range=range_from_dict(data["record_range"]),
        available_range=_optional_range(data.get("available_range")),
        rate=float(data["rate"]),
        drop_frame=bool(data.get("drop_frame", False)),
        notes=notes_from_dict(data["notes"]) if data.get("notes") else None,
        only_layers=tuple(data.get("only_layers", ())),
        base_take_id=data.get("base_take_id", ""),
    )


def settings_to_json(settings: JobSettings) -> str:
    return json.dumps(asdict(settings))


def settings_from_json(text: str) -> JobSettings:
    return JobSettings(**json.loads(text))


def take_to_json(take: Take) -> str:
    data = asdict(replace(take, audio_source_range=None, record_range=None))
    data["notes"] = notes_to_dict(take.notes)
    data["audio_source_range"] = range_to_dict(take.audio_source_range)
    data["record_range"] = range_to_dict(take.record_range)
    return json.dumps(data)


def take_from_json(text: str) -> Take:
    data = json.loads(text)
    return Take(
        id=data["id"],
        shot_id=data["shot_id"],
        shot_name=data.get("shot_name", ""),
        job_id=data.get("job_id", ""),
        notes=notes_from_dict(data["notes"]),
        engine=data["engine"],
        model=data.get("model", ""),
        engine_version=data.get("engine_version", ""),
        seed=int(data["seed"]),
        settings=JobSettings(**data["settings"]),
        layers=tuple(
            LayerTake(
                label=item["label"],
                kind=item["kind"],
                audio=AudioFile(**item["audio"]),
                loudness_lufs=float(item["loudness_lufs"]),
                peak_dbfs=float(item["peak_dbfs"]),
                reused=bool(item.get("reused", False)),
                warnings=tuple(item.get("warnings", ())),
            )
            for item in data["layers"]
        ),
        mix=AudioFile(**data["mix"]),
        loudness_lufs=float(data["loudness_lufs"]),
        created_at=data["created_at"],
        audio_source_range=range_from_dict(data["audio_source_range"]),
        record_range=range_from_dict(data["record_range"]),
        handle_head_frames=int(data["handle_head_frames"]),
        handle_tail_frames=int(data["handle_tail_frames"]),
        base_take_id=data.get("base_take_id", ""),
        number=int(data.get("number", 0)),
    )
