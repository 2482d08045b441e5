"""Take files: named by the template (``SHOT_LAYER_T01.wav`` by default), never two takes in
one file: a name is given once per export, and a file already in the folder is replaced only
by the same take's layer (a re-stamped copy) or when it is no WAV at all."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from foleyline.errors import InvalidInput
from foleyline.plugin.take_files import TakeFiles, check_template, take_file_name, write_take_files
from foleyline.plugin.timeline import Selection, find_shots
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.server.media.bwf import BextInfo, IXmlInfo, bwf_bytes


def _wav(reference: str, level: float, circled: bool = False) -> bytes:
    """A small Broadcast WAV whose bext says whose layer it is."""
    return bwf_bytes(np.full((1, 480), level, np.float32), 48000, bext=BextInfo(originator_reference=reference),
                     ixml=IXmlInfo(circled=circled))


class _Server:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.fetched: list[str] = []

    def take(self, take_id: str, number: int, audio: dict[str, bytes]) -> pb.Take:
        take = pb.Take(id=take_id, shot_id="s", number=number, engine="procedural", seed=3)
        for label, data in audio.items():
            sha = hashlib.sha256(data).hexdigest()
            self.blobs[sha] = data
            take.layers.add(label=label, kind=pb.LAYER_KIND_FOLEY, audio=pb.AudioFile(sha256=sha))
        take.layers.add(label="silent", kind=pb.LAYER_KIND_BG)  # a layer without audio has no file
        return take

    def fetch(self, sha256: str, dest: Path) -> Path:
        dest.write_bytes(self.blobs[sha256])
        self.fetched.append(sha256)
        return dest


@pytest.fixture
def shot(timeline_factory):
    return find_shots(timeline_factory(), Selection()).shots[0]


def test_the_default_name_is_shot_layer_and_take_number(shot) -> None:
    take = pb.Take(id="take-1a2b3c4d5e6f", number=2, engine="procedural", seed=9)
    layer = pb.LayerAudio(label="door slam", kind=pb.LAYER_KIND_FX)
    assert take_file_name(shot, take, layer) == "A001_door_slam_T02.wav"
    assert take_file_name(shot, take, layer, "{take_id}-{kind}-{engine}-{seed}-{shot}-{layer}") == \
        "take-1a2b3c4d5e6f-FX-procedural-9-A001-door_slam.wav"


def test_the_configured_template_is_used(shot, monkeypatch) -> None:
    monkeypatch.setenv("FOLEYLINE_TAKE_FILE_TEMPLATE", "{layer}.{shot}.take{take}.wav")
    take = pb.Take(id="take-1", number=3)
    assert take_file_name(shot, take, pb.LayerAudio(label="steps", kind=pb.LAYER_KIND_FOLEY)) == "steps.A001.take3.wav"


@pytest.mark.parametrize("template, said", [
    ("{shot}_{layer}.wav", "must name the shot, the layer and the take"),
    ("{shot}_{layer}_{take}_{reel}.wav", "names reel"),
    ("{shot}/{layer}_{take}.wav", "names a folder"),
    ("{shot}_{layer}_{take", "malformed"),
])
def test_a_template_that_could_give_two_files_one_name_is_refused(template: str, said: str) -> None:
    with pytest.raises(InvalidInput, match=said):
        check_template(template)


def test_each_layer_is_written_once_and_kept_while_it_holds_that_audio(shot, tmp_path) -> None:
    server = _Server()
    take = server.take("take-000000000001", 1, {"steps": _wav("FL take-000000000001 L1", 0.1),
                                                "room": _wav("FL take-000000000001 L2", 0.2)})
    written = write_take_files(shot, take, tmp_path, server.fetch)
    assert [(layer.label, path.name) for layer, path in written] == [("steps", "A001_steps_T01.wav"), ("room", "A001_room_T01.wav")]
    server.fetched.clear()
    assert write_take_files(shot, take, tmp_path, server.fetch) == written
    assert server.fetched == []  # already there, with the take's own bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A001_room_T01.wav", "A001_steps_T01.wav"]


def test_a_re_stamped_copy_of_the_same_layer_replaces_it(shot, tmp_path) -> None:
    server = _Server()
    plain = server.take("take-1", 1, {"steps": _wav("FL take-1 L1", 0.1)})
    circled = server.take("take-1", 1, {"steps": _wav("FL take-1 L1", 0.1, circled=True)})
    ((_, first),) = write_take_files(shot, plain, tmp_path, server.fetch)
    ((_, again),) = write_take_files(shot, circled, tmp_path, server.fetch)
    assert again == first and b"<CIRCLED>TRUE</CIRCLED>" in first.read_bytes()


def test_a_file_holding_another_takes_layer_is_never_overwritten(shot, tmp_path) -> None:
    # another store numbered its takes too: its take 1 is already in the folder
    server = _Server()
    theirs = server.take("take-aaaaaaaaaaaa", 1, {"steps": _wav("FL take-aaaaaaaaaaaa L1", 0.1)})
    ours = server.take("take-bbbbbbbbbbbb", 1, {"steps": _wav("FL take-bbbbbbbbbbbb L1", 0.3)})
    ((_, kept),) = write_take_files(shot, theirs, tmp_path, server.fetch)
    before = kept.read_bytes()
    ((_, new),) = write_take_files(shot, ours, tmp_path, server.fetch)
    assert kept.read_bytes() == before
    assert new.name == "A001_steps_T01_take-bbbbbbbbbbbb.wav"


def test_a_damaged_file_under_the_name_is_replaced(shot, tmp_path) -> None:
    server = _Server()
    take = server.take("take-1", 1, {"steps": _wav("FL take-1 L1", 0.1)})
    (tmp_path / "A001_steps_T01.wav").write_bytes(b"not a wav")
    ((_, path),) = write_take_files(shot, take, tmp_path, server.fetch)
    assert path.name == "A001_steps_T01.wav" and path.read_bytes()[:4] == b"RIFF"


def test_two_shots_of_one_name_get_files_of_their_own_in_one_export(shot, tmp_path) -> None:
    server = _Server()
    first = server.take("take-111111111111", 1, {"steps": _wav("FL take-111111111111 L1", 0.1)})
    second = server.take("take-222222222222", 1, {"steps": _wav("FL take-222222222222 L1", 0.2)})
    files = TakeFiles(tmp_path)
    ((_, a),) = files.write(shot, first, server.fetch)
    ((_, b),) = files.write(shot, second, server.fetch)  # the same shot name, another shot's take 1
    assert (a.name, b.name) == ("A001_steps_T01.wav", "A001_steps_T01_take-222222222222.wav")


def test_with_staging_the_files_wait_there_under_their_final_names(shot, tmp_path) -> None:
    server = _Server()
    take = server.take("take-1", 4, {"steps": _wav("FL take-1 L1", 0.1)})
    staging = tmp_path / "staging"
    ((_, staged),) = TakeFiles(tmp_path / "out").write(shot, take, server.fetch, staging=staging)
    assert staged == staging / "A001_steps_T04.wav" and not (tmp_path / "out").exists()
