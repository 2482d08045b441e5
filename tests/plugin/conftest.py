"""Timelines built in code, so each test states exactly the edit it is about."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
import soundfile

TC = otio.opentime


def make_timeline(
    rate: float = 24.0,
    start_tc: str = "01:00:00:00",
    clips: list[tuple[str, int, int, int]] | None = None,
    media_dir: Path | None = None,
    tracks: int = 1,
) -> otio.schema.Timeline:
    """A timeline at ``rate`` starting at ``start_tc`` with one video track per ``tracks`` holding
    ``clips`` (name, record offset in frames from the start, source in frame, length). Media
    files exist under ``media_dir`` when given (empty files: enough for "found")."""
    clips = clips if clips is not None else [("A001", 0, 100, 48), ("A002", 48, 200, 24), ("A003", 96, 300, 36)]
    timeline = otio.schema.Timeline(name="cut", global_start_time=TC.from_timecode(start_tc, rate))
    for index in range(tracks):
        track = otio.schema.Track(name=f"V{index + 1}", kind=otio.schema.TrackKind.Video)
        cursor = 0
        for name, record, source_in, length in clips:
            if record > cursor:
                track.append(otio.schema.Gap(source_range=TC.TimeRange(TC.RationalTime(0, rate), TC.RationalTime(record - cursor, rate))))
            url = f"file:///nonexistent/{name}.mov"
            if media_dir is not None:
                path = media_dir / f"{name}.mov"
                path.write_bytes(b"")
                url = path.as_uri()
            reference = otio.schema.ExternalReference(
                target_url=url,
                available_range=TC.TimeRange(TC.RationalTime(0, rate), TC.RationalTime(10000, rate)),
            )
            track.append(otio.schema.Clip(name=name, media_reference=reference,
                                          source_range=TC.TimeRange(TC.RationalTime(source_in, rate), TC.RationalTime(length, rate))))
            cursor = record + length
        timeline.tracks.append(track)
    audio = otio.schema.Track(name="Dialogue", kind=otio.schema.TrackKind.Audio)
    audio.append(otio.schema.Gap(source_range=TC.TimeRange(TC.RationalTime(0, rate), TC.RationalTime(10, rate))))
    timeline.tracks.append(audio)
    return timeline


def write_wav(path: Path, seconds: float, rate: int = 48000, channels: int = 2) -> Path:
    data = (np.random.default_rng(0).standard_normal((int(seconds * rate), channels)) * 0.1).astype("float32")
    soundfile.write(str(path), data, rate, subtype="PCM_24")
    return path


@pytest.fixture
def timeline_factory():
    return make_timeline


@pytest.fixture
def wav_factory(tmp_path: Path):
    def make(name: str = "take.wav", seconds: float = 10.0, channels: int = 2) -> Path:
        return write_wav(tmp_path / name, seconds, channels=channels)

    return make
