"""Two things an MP4/QuickTime file says that FFmpeg reads otherwise than players and editors
(w16-media7): a fragmented file's negative composition offsets (CMAF), which FFmpeg reads as
pictures later than the file's sound, and FFmpeg's own 'timecode' tag, which editors do not
read and which gives way to a timecode track."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from foleyline.fragments import picture_lag_ticks
from foleyline.probe import probe
from foleyline.server.media.decode import decode_shot

RATE = Fraction(24)
SOUND_RATE = 48000
CLICK_FRAME = 12  # the picture the sound's one click belongs to


def _movie(path: Path, movflags: str | None, *, frames: int = 36, metadata: dict | None = None,
           options: dict | None = None) -> Path:
    """H.264 with B-frames (the encoder's usual two-frame delay) and PCM sound silent but for a
    click at the time of picture ``CLICK_FRAME``."""
    muxer = dict(options or {})
    if movflags:
        muxer["movflags"] = movflags
    with av.open(str(path), "w", format="mov", options=muxer) as out:
        for key, value in (metadata or {}).items():
            out.metadata[key] = value
        video = out.add_stream("libx264", rate=RATE, options={"bf": "3", "g": "12"})
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        sound = out.add_stream("pcm_s16le", rate=SOUND_RATE, layout="mono")
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 7 * i % 256, np.uint8), format="rgb24")
            frame = frame.reformat(format="yuv420p")
            frame.pts, frame.time_base = i, 1 / RATE
            out.mux(video.encode(frame))
        out.mux(video.encode())
        samples = np.zeros(round(frames / RATE * SOUND_RATE), np.int16)
        click = round(CLICK_FRAME / RATE * SOUND_RATE)
        samples[click:click + 48] = 20000
        for at in range(0, len(samples), 1024):
            chunk = av.AudioFrame.from_ndarray(samples[None, at:at + 1024], format="s16", layout="mono")
            chunk.sample_rate, chunk.pts = SOUND_RATE, at
            out.mux(sound.encode(chunk))
        out.mux(sound.encode())
    return path


def _click_at(path: Path) -> float:
    """Seconds from the shot's first picture to the click in the sound the decode returns."""
    info = probe(path)
    shot = decode_shot(path, 0.0, info.duration, (), with_audio=True)
    assert shot.audio is not None
    return float(np.argmax(np.abs(shot.audio[0]) > 0.3)) / shot.audio_rate


@pytest.mark.parametrize("movflags", [
    "frag_keyframe+empty_moov+negative_cts_offsets",  # as CMAF asks
    "frag_keyframe+empty_moov+negative_cts_offsets+skip_trailer",  # no fragment index at the end
])
def test_a_fragmented_file_with_negative_offsets_keeps_its_sound_on_its_pictures(tmp_path, movflags):
    # FFmpeg timed the pictures two frames later than the file does, and the click came out
    # 83 ms before the picture it was recorded with.
    path = _movie(tmp_path / "segment.mov", movflags)
    assert probe(path).picture_lag == pytest.approx(2 / 24, abs=1e-6)
    assert _click_at(path) == pytest.approx(CLICK_FRAME / 24, abs=0.002)


@pytest.mark.parametrize("movflags", [None, "frag_keyframe+empty_moov", "negative_cts_offsets"])
def test_files_ffmpeg_times_as_they_say_are_left_as_they_are(tmp_path, movflags):
    # One index, or fragments whose offsets are all positive: FFmpeg's times are the file's.
    path = _movie(tmp_path / "movie.mov", movflags)
    assert probe(path).picture_lag == 0.0
    assert _click_at(path) == pytest.approx(CLICK_FRAME / 24, abs=0.002)


def test_a_damaged_fragment_reads_as_no_shift(tmp_path):
    path = _movie(tmp_path / "segment.mov", "frag_keyframe+empty_moov+negative_cts_offsets")
    data = bytearray(path.read_bytes())
    moof = data.find(b"moof")
    data[moof - 4:moof] = (1 << 31).to_bytes(4, "big")  # a size running past the file's end
    path.write_bytes(bytes(data))
    assert picture_lag_ticks(path, 1) == 0


def test_a_timecode_track_wins_over_ffmpegs_tag(tmp_path):
    # Editors read the track; the tag said 02:00:00:00 and was read first, placing an EDL's
    # shots an hour away from where the editor cut them.
    path = _movie(tmp_path / "both.mp4", "use_metadata_tags", frames=4, metadata={"timecode": "01:00:00:00"})
    data = path.read_bytes()
    assert data.count(b"01:00:00:00") == 1  # the tag's text; the track holds a frame count
    path.write_bytes(data.replace(b"01:00:00:00", b"02:00:00:00"))
    assert probe(path).timecode == "01:00:00:00"


def test_ffmpegs_tag_without_a_track_is_still_the_files_timecode(tmp_path):
    # It only places labels past the file counted from zero: a timeline from a tool that read
    # it, never one from an editor that did not (its labels lie inside the file from 00:00:00:00).
    path = _movie(tmp_path / "tag.mp4", "use_metadata_tags", frames=4, metadata={"timecode": "01:00:00:00"},
                  options={"write_tmcd": "0"})
    assert probe(path).timecode == "01:00:00:00"


def test_a_matroska_timecode_tag_is_still_read(tmp_path):
    # Matroska has no timecode track: its TIMECODE tag is where a file's timecode is.
    path = tmp_path / "tagged.mkv"
    with av.open(str(path), "w") as out:
        out.metadata["TIMECODE"] = "10:00:00:00"
        video = out.add_stream("libx264", rate=RATE)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        for i in range(4):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24").reformat(format="yuv420p")
            frame.pts, frame.time_base = i, 1 / RATE
            out.mux(video.encode(frame))
        out.mux(video.encode())
    assert probe(path).timecode == "10:00:00:00"
