"""CLI test helpers: a small clip and a timeline cut from it, written with OTIO."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio

RATE = 24.0
CLIP_FRAMES = 96


def write_clip(path: Path) -> Path:
    """Four seconds at 24 fps: a block drops and stops on the floor every second."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(24))
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        for i in range(CLIP_FRAMES):
            image = np.full((96, 160, 3), 50, np.uint8)
            t = i % 24
            y = min(60, int(0.2 * t * t))
            image[y : y + 20, 70:90] = 220
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_timeline(path: Path, media: Path, cuts: list[tuple[int, int]], *, marker_on: int | None = None) -> Path:
    """A one-track timeline starting at 01:00:00:00 with a clip per (source start, length)."""
    timeline = otio.schema.Timeline(name=path.stem)
    timeline.global_start_time = otio.opentime.RationalTime(86400, RATE)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for index, (start, length) in enumerate(cuts):
        clip = otio.schema.Clip(
            name=f"shot{index + 1}",
            media_reference=otio.schema.ExternalReference(
                target_url=media.resolve().as_uri(),
                available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, RATE), otio.opentime.RationalTime(CLIP_FRAMES, RATE)),
            ),
            source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(start, RATE), otio.opentime.RationalTime(length, RATE)),
        )
        if marker_on == index:
            clip.markers.append(otio.schema.Marker(
                name="foley", color=otio.schema.MarkerColor.RED,
                marked_range=otio.opentime.TimeRange(otio.opentime.RationalTime(start, RATE), otio.opentime.RationalTime(1, RATE)),
            ))
        track.append(clip)
    timeline.tracks.append(track)
    otio.adapters.write_to_file(timeline, str(path))
    return path
