"""A preview to watch and listen to: the shots' picture with the Foley under it, as an .mp4
(H.264 and AAC, written with PyAV). ``foleyline generate --preview`` and ``foleyline demo``
write their previews here and nowhere else.

    picture   each shot's frames decoded from its media, one per timeline frame, from the
              part of the file the server decoded (``plugin.shots.media_span``)
    sound     the placed take's layers that are not muted, summed and cut to the shot (the
              handles trimmed off): what the timeline plays, folded to mono, kept under -1 dBFS

``write_preview`` puts shots back to back in the order given (a selection in record order:
the cut as it plays when the shots are contiguous).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from av.video.reformatter import VideoReformatter
import numpy as np
import soundfile

from foleyline import timebase
from foleyline.errors import InvalidInput, MediaError
from foleyline.fsutil import atomic_path
from foleyline.plugin.shots import Shot, media_span
from foleyline.probe import one_scaler_thread, open_media, read_info, video_stream
from foleyline.protos.v1 import foley_pb2 as pb

__all__ = ["PreviewShot", "encode_mp4", "preview_sound", "shot_pictures", "write_preview"]

MAX_WIDTH = 960
_CEILING = 10 ** (-1.0 / 20)   # -1 dBFS
_AUDIO_BLOCK = 1024


@dataclass(frozen=True)
class PreviewShot:
    """A shot and the take placed under it, with its layers' WAVs by label."""

    shot: Shot
    take: pb.Take
    files: dict[str, Path]


def _rate(shots: Sequence[PreviewShot]) -> Fraction:
    rates = {timebase.rate_from_float(item.shot.rate).fps for item in shots}
    if len(rates) != 1:
        raise InvalidInput(f"the shots run at {len(rates)} frame rates; preview shots of one timeline")
    return Fraction(rates.pop())


def _size(shot: Shot) -> tuple[int, int]:
    if shot.media_path is None:
        raise MediaError(f"shot {shot.name} has no media to preview; relink it")
    path, container = open_media(shot.media_path)
    with container:
        info = read_info(path, container)
    scale = min(1.0, MAX_WIDTH / info.width)
    return max(2, int(info.width * scale) // 2 * 2), max(2, int(info.height * scale) // 2 * 2)


def shot_pictures(shot: Shot, size: tuple[int, int]) -> Iterator[np.ndarray]:
    """The shot's frames as (height, width, 3) RGB, one per timeline frame: each the last
    media frame shown at that time (held at the media's end; black without any)."""
    if shot.media_path is None:
        raise MediaError(f"shot {shot.name} has no media to preview; relink it")
    span, rate = media_span(shot), Fraction(timebase.rate_from_float(shot.rate).fps)
    width, height = size
    count = shot.duration_frames
    path, container = open_media(shot.media_path)
    with container:
        info = read_info(path, container)
        video = video_stream(path, container)
        video.thread_type = "AUTO"
        origin = info.start_time + span.start
        container.seek(int(max(origin, 0.0) / video.time_base), stream=video, backward=True, any_frame=False)
        tolerance = float(0.25 / rate)
        scaler = VideoReformatter()  # one for the shot: a frame's own is made anew for each frame
        shown: np.ndarray | None = None
        index = 0
        for frame in container.decode(video):
            if frame.pts is None:
                continue
            t = float(frame.pts * video.time_base) - origin
            while index < count and t > float(index / rate) + tolerance:
                yield shown if shown is not None else np.zeros((height, width, 3), np.uint8)
                index += 1
            if index >= count:
                return
            shown = scaler.reformat(frame, width=width, height=height, format="rgb24", **one_scaler_thread()).to_ndarray()
        while index < count:
            yield shown if shown is not None else np.zeros((height, width, 3), np.uint8)
            index += 1


def preview_sound(item: PreviewShot) -> np.ndarray:
    """(1, n) float32 at the output rate: the placed take's unmuted layers summed over the
    shot, handles trimmed."""
    rate = timebase.as_rate(item.shot.rate)
    out_rate = timebase.OUTPUT_SAMPLE_RATE
    head = timebase.seconds_to_samples(timebase.frames_to_seconds(item.take.handle_head_frames, rate), out_rate)
    length = timebase.seconds_to_samples(timebase.frames_to_seconds(item.shot.duration_frames, rate), out_rate)
    muted = {layer.label for layer in item.take.notes.layers if layer.mute}
    mix = np.zeros(length, np.float64)
    for layer in item.take.layers:
        path = item.files.get(layer.label)
        if layer.label in muted or path is None:
            continue
        audio, _sr = soundfile.read(str(path), dtype="float64", always_2d=True)
        body = audio[head : head + length].mean(axis=1)
        mix[: len(body)] += body
    return mix[None, :].astype(np.float32)


def encode_mp4(path: Path, pictures: Iterable[np.ndarray], rate: Fraction, size: tuple[int, int],
               sound: np.ndarray | None = None) -> Path:
    """(height, width, 3) RGB ``pictures`` at ``rate`` as H.264, with ``sound`` ((1, n) float at
    the output rate) as AAC when given, into an .mp4 at ``path`` (atomically): the one muxer."""
    width, height = size
    with atomic_path(Path(path)) as tmp, av.open(str(tmp), "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=rate)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "veryfast", "crf": "20"}
        audio = container.add_stream("aac", rate=timebase.OUTPUT_SAMPLE_RATE, layout="mono") if sound is not None else None
        for picture in pictures:
            container.mux(video.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")))
        container.mux(video.encode())
        if audio is not None:
            for start in range(0, sound.shape[1], _AUDIO_BLOCK):
                frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(sound[:, start : start + _AUDIO_BLOCK], np.float32),
                                                   format="fltp", layout="mono")
                frame.sample_rate = timebase.OUTPUT_SAMPLE_RATE
                frame.pts = start
                frame.time_base = Fraction(1, timebase.OUTPUT_SAMPLE_RATE)
                container.mux(audio.encode(frame))
            container.mux(audio.encode())
    return Path(path)


def write_preview(path: Path, shots: Sequence[PreviewShot]) -> Path:
    """The shots back to back with their Foley, as an .mp4 at ``path`` (atomically)."""
    if not shots:
        raise InvalidInput("no shots to preview")
    rate = _rate(shots)
    size = _size(shots[0].shot)
    sound = np.concatenate([preview_sound(item) for item in shots], axis=1)
    peak = float(np.max(np.abs(sound))) if sound.size else 0.0
    if peak > _CEILING:
        sound *= _CEILING / peak
    pictures = (picture for item in shots for picture in shot_pictures(item.shot, size))
    return encode_mp4(path, pictures, rate, size, sound)
