"""Take files: named by the whole take id, so two takes never share a file, and a file already
in the folder is kept only when it holds that take's audio."""

from __future__ import annotations

import hashlib
from pathlib import Path

from foleyline.plugin.take_files import take_file_name, write_take_files
from foleyline.plugin.timeline import Selection, find_shots
from foleyline.protos.v1 import foley_pb2 as pb


def _take(take_id: str, audio: dict[str, bytes]) -> pb.Take:
    take = pb.Take(id=take_id, shot_id="s")
    for label, data in audio.items():
        take.layers.add(label=label, audio=pb.AudioFile(sha256=hashlib.sha256(data).hexdigest()))
    take.layers.add(label="silent")  # a layer without audio has no file
    return take


class _Server:
    def __init__(self, *takes_audio: dict[str, bytes]) -> None:
        self.blobs = {hashlib.sha256(data).hexdigest(): data for audio in takes_audio for data in audio.values()}
        self.fetched: list[Path] = []

    def fetch(self, sha256: str, dest: Path) -> Path:
        dest.write_bytes(self.blobs[sha256])
        self.fetched.append(dest)
        return dest


def test_two_takes_whose_ids_share_a_prefix_get_files_of_their_own(timeline_factory) -> None:
    shot = find_shots(timeline_factory(), Selection()).shots[0]
    layer = pb.LayerAudio(label="door slam")
    first = take_file_name(shot, pb.Take(id="take-1a2b3c4d5e6f"), layer)
    second = take_file_name(shot, pb.Take(id="take-1a2b3c4d5e70"), layer)
    assert first == "A001_door_slam_take-1a2b3c4d5e6f.wav"
    assert second == "A001_door_slam_take-1a2b3c4d5e70.wav"


def test_each_layer_with_audio_is_written_once_and_kept_while_it_holds_that_audio(timeline_factory, tmp_path) -> None:
    shot = find_shots(timeline_factory(), Selection()).shots[0]
    audio = {"steps": b"steps audio", "room": b"room audio"}
    server = _Server(audio)
    take = _take("take-000000000001", audio)
    written = write_take_files(shot, take, tmp_path, server.fetch)
    assert [(layer.label, path.name) for layer, path in written] == [
        ("steps", "A001_steps_take-000000000001.wav"), ("room", "A001_room_take-000000000001.wav")]
    assert [path.read_bytes() for _layer, path in written] == [b"steps audio", b"room audio"]

    server.fetched.clear()
    assert write_take_files(shot, take, tmp_path, server.fetch) == written
    assert server.fetched == []  # already there, with the take's own bytes

    written[0][1].write_bytes(b"something else")
    write_take_files(shot, take, tmp_path, server.fetch)
    assert server.fetched == [written[0][1]] and written[0][1].read_bytes() == b"steps audio"
