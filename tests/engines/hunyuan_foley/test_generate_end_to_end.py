"""Tiny random weights installed as a model folder -> ``foleyline generate --engine
hunyuan_foley`` on a short clip -> 48 kHz Broadcast WAVs under the shots, written by the
HunyuanVideo-Foley engine (not a fallback), with the channel count in the clips' metadata."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
import soundfile

from foleyline.cli import main

from .tiny_models import build_model_folder

CLIP = "condfoleygen_hitting_metal.mp4"  # 6 s at 15 fps: a stick hits a metal object


def _write_timeline(path: Path, media: Path, cuts: list[tuple[int, int]]) -> tuple[Path, float]:
    """A one-track timeline at the clip's own rate, one clip per (source start, length)."""
    from foleyline.server.media.decode import probe

    info = probe(media)
    rate = float(info.fps)
    timeline = otio.schema.Timeline(name=path.stem)
    timeline.global_start_time = otio.opentime.RationalTime(3600 * rate, rate)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    available = otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate),
                                        otio.opentime.RationalTime(round(info.duration * rate), rate))
    for index, (start, length) in enumerate(cuts):
        track.append(otio.schema.Clip(
            name=f"shot{index + 1}",
            media_reference=otio.schema.ExternalReference(target_url=media.resolve().as_uri(), available_range=available),
            source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate),
                                                 otio.opentime.RationalTime(length, rate)),
        ))
    timeline.tracks.append(track)
    otio.adapters.write_to_file(timeline, str(path))
    return path, rate


@pytest.mark.parametrize("vae_channels", [1, 2], ids=["release-mono-vae", "stereo-vae"])
def test_generate_with_the_engine_writes_48k_bwfs_under_the_shots(
        tmp_path: Path, fixtures_dir: Path, media_dir: Path, monkeypatch, vae_channels: int) -> None:
    models = build_model_folder(tmp_path / "models", fixtures_dir / "hunyuan_foley", vae_channels=vae_channels)
    monkeypatch.setenv("FOLEYLINE_MODELS_DIR", str(models))
    timeline, rate = _write_timeline(tmp_path / "cut.otio", media_dir / CLIP, [(15, 20), (50, 12)])
    out = tmp_path / "out"
    assert main(["generate", str(timeline), "-o", str(out), "--engine", "hunyuan_foley", "--seed", "3"]) == 0

    written = otio.adapters.read_from_file(str(out / "cut_foley.otio"))
    video = next(t for t in written.tracks if t.kind == otio.schema.TrackKind.Video)
    shots = {c.name: c.range_in_parent() for c in video.find_clips()}
    clips = [c for t in written.tracks if t.kind == otio.schema.TrackKind.Audio for c in t.find_clips()]
    assert clips and {c.metadata["foleyline"]["shot_name"] for c in clips} == set(shots)
    for clip in clips:
        meta = clip.metadata["foleyline"]
        assert meta["engine"] == "hunyuan_foley" and meta["model"] == "hunyuan-foley"
        info = soundfile.info(meta["wav_path"])
        assert (info.samplerate, info.channels, info.subtype) == (48000, vae_channels, "PCM_24")
        assert (meta["sample_rate"], meta["channels"]) == (48000, vae_channels)
        # the clip sits exactly under its shot, the WAV holding the handles around it
        assert clip.range_in_parent() == shots[meta["shot_name"]]
        head, tail = meta["handle_head_frames"], meta["handle_tail_frames"]
        frames = round(shots[meta["shot_name"]].duration.value) + head + tail
        assert info.frames == round(frames / rate * 48000)
        audio, _ = soundfile.read(meta["wav_path"], always_2d=True)
        assert np.abs(audio).max() > 0
