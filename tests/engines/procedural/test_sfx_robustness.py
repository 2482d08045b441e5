"""A sound editor's drive as it is: formats beyond the common five, headers other taggers
write, damaged and half-copied files, links, folders that cannot be listed, an index cut off
part way. Each test builds the smallest folder of one such class in a temp folder."""

from __future__ import annotations

import logging
import os
import struct
import threading
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile

from foleyline.errors import InvalidInput
from foleyline.server.engines.procedural import sfx_decode, sfx_index, sfx_library
from foleyline.server.engines.procedural.dsp import SAMPLE_RATE
from foleyline.server.engines.procedural.sfx_library import SfxLibrary
from foleyline.server.engines.procedural.sfx_metadata import read_metadata

from .conftest import _chunk, click


def _open(folder: Path) -> SfxLibrary:
    return SfxLibrary(folder, index_path=folder.parent / "index.sqlite3", progress=False)


def _pitch(x: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(x, 1 << 17))
    return float(np.argmax(spectrum) * SAMPLE_RATE / (1 << 17))


def _encode(path: Path, codec: str, fmt: str, *, freq: float = 600.0, tags: dict | None = None, bit_rate: int = 0) -> None:
    """A short tone written by FFmpeg in ``codec`` inside ``fmt``."""
    with av.open(str(path), "w", format=fmt) as container:
        container.metadata.update(tags or {})
        stream = container.add_stream(codec, rate=SAMPLE_RATE, layout="mono")
        if bit_rate:
            stream.bit_rate = bit_rate
        name = stream.format.name
        samples = click(seconds=0.3, freq=freq)[None, :]
        scale, dtype = {"flt": (1.0, np.float32), "s16": (20000, np.int16), "s32": (20000 * 65536, np.int32)}[name[:3]]
        data = (samples * scale).astype(dtype)
        step = stream.codec_context.frame_size or 1024
        for start in range(0, data.shape[1], step):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(data[:, start:start + step]), format=name, layout="mono")
            frame.sample_rate, frame.pts = SAMPLE_RATE, start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def _wav(path: Path, *chunks: bytes, magic: bytes = b"RIFF", freq: float = 600.0) -> None:
    """A 16-bit WAV with ``chunks`` before its data; ``magic`` RF64/BW64 for the 64-bit forms."""
    pcm = (click(freq=freq) * 32767).astype("<i2").tobytes()
    fmt = _chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, SAMPLE_RATE, SAMPLE_RATE * 2, 2, 16))
    body = b"WAVE" + fmt + b"".join(chunks) + _chunk(b"data", pcm)
    if magic == b"RIFF":
        path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    else:
        ds64 = _chunk(b"ds64", struct.pack("<QQQI", len(body), len(pcm), len(pcm) // 2, 0))
        path.write_bytes(magic + b"\xff\xff\xff\xff" + b"WAVE" + ds64 + body[4:])


def _bext(description: str) -> bytes:
    return _chunk(b"bext", description.encode().ljust(256, b"\0") + b"\0" * 346)


def _syncsafe(n: int) -> bytes:
    return bytes([(n >> 21) & 127, (n >> 14) & 127, (n >> 7) & 127, n & 127])


def _id3v23(title: str) -> bytes:
    text = b"\x03" + title.encode()
    frame = b"TIT2" + struct.pack(">I", len(text)) + b"\0\0" + text
    return b"ID3\x03\x00\x00" + _syncsafe(len(frame)) + frame


# --- formats


@pytest.mark.parametrize("name, write", [
    ("Door Slam.caf", lambda p: soundfile.write(p, click(freq=600.0), SAMPLE_RATE, format="CAF", subtype="PCM_24")),
    ("Door Slam.w64", lambda p: soundfile.write(p, click(freq=600.0), SAMPLE_RATE, format="W64", subtype="PCM_24")),
    ("Door Slam.aac", lambda p: _encode(p, "aac", "adts")),
    ("Door Slam.wma", lambda p: _encode(p, "wmav2", "asf", bit_rate=64000)),
])
def test_caf_wave64_raw_aac_and_wma_are_indexed_and_play(tmp_path, name, write):
    folder = tmp_path / "SFX"
    folder.mkdir()
    write(folder / name)
    library = _open(folder)
    (entry, _), = library.find("door slam")
    assert entry.path.name == name
    assert abs(_pitch(library.audio(entry)) - 600.0) < 15.0


def test_files_in_formats_not_read_are_counted_in_the_log(tmp_path, caplog):
    folder = tmp_path / "SFX"
    folder.mkdir()
    soundfile.write(folder / "Door Slam.wav", click(), SAMPLE_RATE)
    for name in ("Door Slam Reference.mp4", "Door Slam Take 2.mp4", "README.txt"):
        (folder / name).write_bytes(b"x")
    with caplog.at_level(logging.INFO):
        _open(folder)
    assert "left out, not a sound format read here: .mp4 2, .txt 1" in caplog.text


# --- what files say of themselves


def test_a_bw64_files_bext_description_is_read(tmp_path):
    _wav(tmp_path / "take_0006.wav", _bext("Engine idle, diesel truck"), magic=b"BW64")
    assert read_metadata(tmp_path / "take_0006.wav")["description"] == "Engine idle, diesel truck"


def test_an_id3_chunk_inside_a_wav_is_read(tmp_path):
    _wav(tmp_path / "bell_take.wav", _chunk(b"id3 ", _id3v23("Church bell ring")))
    assert "Church bell ring" in read_metadata(tmp_path / "bell_take.wav").values()


def test_an_id3v24_tag_with_an_extended_header_is_read(tmp_path):
    text = b"\x03Boot stomp on wood"
    frame = b"TIT2" + _syncsafe(len(text)) + b"\0\0" + text
    extended = _syncsafe(6) + b"\x01\x00"
    tag = b"ID3\x04\x00\x40" + _syncsafe(len(extended) + len(frame)) + extended + frame
    (tmp_path / "x.mp3").write_bytes(tag + b"\xff\xfb" + b"\0" * 400)
    assert read_metadata(tmp_path / "x.mp3")["id3"] == "Boot stomp on wood"


@pytest.mark.parametrize("tag", ["v2.2", "v1 after a v2 tag without text"])
def test_an_mp3_whose_v2_tag_says_nothing_is_read_through_ffmpeg(tmp_path, tag):
    _encode(tmp_path / "plain.mp3", "libmp3lame", "mp3")
    mpeg = (tmp_path / "plain.mp3").read_bytes()
    if tag == "v2.2":  # old iTunes: three-letter frames
        payload = b"\x00Glass bottle smash"
        frame = b"TT2" + len(payload).to_bytes(3, "big") + payload
        data = b"ID3\x02\x00\x00" + _syncsafe(len(frame)) + frame + mpeg
    else:  # a v2 tag holding only a private frame; the words in an ID3v1 tag at the end
        frame = b"PRIV" + struct.pack(">I", 4) + b"\0\0" + b"abcd"
        v1 = b"TAG" + b"Glass bottle smash".ljust(30, b"\0") + b"\0" * 94 + b"\xff"
        data = b"ID3\x03\x00\x00" + _syncsafe(len(frame)) + frame + mpeg + v1
    (tmp_path / "track07.mp3").write_bytes(data)
    assert "Glass bottle smash" in read_metadata(tmp_path / "track07.mp3").values()


def test_a_name_written_decomposed_by_a_mac_matches_a_typed_prompt(tmp_path):
    import unicodedata

    folder = tmp_path / "SFX"
    folder.mkdir()
    soundfile.write(folder / unicodedata.normalize("NFD", "Porte claquée fort.wav"), click(), SAMPLE_RATE)
    soundfile.write(folder / "Porte grince.wav", click(), SAMPLE_RATE)
    found = _open(folder).search(unicodedata.normalize("NFC", "porte claquée"))
    assert [e.path.stem for e, _ in found][:1] == [unicodedata.normalize("NFD", "Porte claquée fort")]
    assert found[0][1] == 1.0


# --- damaged files


def test_a_file_no_decoder_reads_is_said_once_and_not_offered_until_it_changes(tmp_path, caplog):
    folder = tmp_path / "SFX"
    folder.mkdir()
    soundfile.write(folder / "Door Slam A.wav", click(freq=400.0), SAMPLE_RATE)
    (folder / "Door Slam B.wav").write_bytes(b"")                                    # still copying
    (folder / "Door Slam C.wav").write_bytes(b"RIFF\x24\0\0\0WAVEfmt \x10\0\0\0")    # header only
    (folder / "Door Slam D.mp3").write_text("not audio\n" * 50)                      # not sound
    with caplog.at_level(logging.WARNING):
        library = _open(folder)
    assert [e.path.name for e in library.entries] == ["Door Slam A.wav"]
    assert all(f"Door Slam {x}" in caplog.text for x in "BCD")
    caplog.clear()
    assert len(_open(folder)) == 1 and "not using" not in caplog.text  # said once
    soundfile.write(folder / "Door Slam B.wav", click(freq=800.0), SAMPLE_RATE)   # the copy finished
    assert [e.path.name for e in _open(folder).entries] == ["Door Slam A.wav", "Door Slam B.wav"]


def test_a_library_of_only_damaged_files_says_so(tmp_path):
    folder = tmp_path / "SFX"
    folder.mkdir()
    (folder / "Door Slam.wav").write_bytes(b"")
    with pytest.raises(InvalidInput, match="1 could not be read"):
        _open(folder)


def test_a_half_copied_flac_plays_what_was_copied(tmp_path, caplog):
    whole = tmp_path / "whole.flac"
    soundfile.write(whole, click(seconds=1.0, freq=500.0), SAMPLE_RATE, subtype="PCM_24")
    cut = tmp_path / "Door Slam.flac"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert sfx_decode.probe(cut) == ""
    x = sfx_decode.decode_mono(cut)
    assert 0.1 * SAMPLE_RATE < x.size < 0.9 * SAMPLE_RATE and abs(_pitch(x) - 500.0) < 15.0
    assert "damaged after" in caplog.text


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_infinite_samples_in_a_float_file_become_silence_not_a_failed_take(tmp_path, bad, caplog):
    x = click(freq=500.0)
    x[x.size // 2] = bad
    soundfile.write(tmp_path / "Door Slam.wav", x, SAMPLE_RATE, subtype="FLOAT")
    y = sfx_decode.decode_mono(tmp_path / "Door Slam.wav")
    assert np.isfinite(y).all() and abs(np.abs(y).max() - 0.7) < 1e-6 and abs(_pitch(y) - 500.0) < 15.0
    assert "NaN or infinite" in caplog.text


def test_a_silent_file_is_not_played(tmp_path, caplog):
    folder = tmp_path / "SFX"
    folder.mkdir()
    soundfile.write(folder / "Door Slam.wav", np.zeros(SAMPLE_RATE), SAMPLE_RATE)
    assert _open(folder).find("door slam") == []
    assert "digital silence" in caplog.text


def test_a_best_match_that_does_not_decode_gives_its_place_to_the_next(tmp_path, monkeypatch):
    folder = tmp_path / "SFX"
    folder.mkdir()
    soundfile.write(folder / "Rain Heavy A.wav", click(freq=400.0), SAMPLE_RATE)
    soundfile.write(folder / "Rain Heavy B.wav", click(freq=800.0), SAMPLE_RATE)
    decode = sfx_library.decode_mono

    def damaged_a(path):
        if path.name.endswith("A.wav"):
            raise InvalidInput(f"cannot decode library file {path}")
        return decode(path)

    monkeypatch.setattr(sfx_library, "decode_mono", damaged_a)
    assert [e.path.name for e, _ in _open(folder).find("heavy rain", limit=1)] == ["Rain Heavy B.wav"]


def test_a_file_list_named_wav_opens_no_other_file(tmp_path):
    folder = tmp_path / "SFX"
    (folder / "private").mkdir(parents=True)
    soundfile.write(folder / "private" / "secret.au", click(), SAMPLE_RATE)  # not a format the index reads
    (folder / "Door Slam.wav").write_text("ffconcat version 1.0\nfile 'private/secret.au'\n")
    assert "refused" in sfx_decode.probe(folder / "Door Slam.wav")
    with pytest.raises(InvalidInput):
        sfx_decode.decode_mono(folder / "Door Slam.wav")


# --- the file system


def test_a_pipe_named_like_a_sound_file_does_not_block_the_index(tmp_path):
    folder = tmp_path / "SFX"
    folder.mkdir()
    soundfile.write(folder / "Door Slam.wav", click(), SAMPLE_RATE)
    os.mkfifo(folder / "Door Slam 2.wav")
    found: list = []
    worker = threading.Thread(target=lambda: found.append(_open(folder)), daemon=True)
    worker.start()
    worker.join(60.0)  # a guard against a hang, not a timing: an index of two files
    assert found and [e.path.name for e in found[0].entries] == ["Door Slam.wav"]


def test_a_linked_folder_is_followed_and_a_link_loop_ends(tmp_path):
    folder, elsewhere = tmp_path / "SFX", tmp_path / "Other Drive"
    folder.mkdir()
    elsewhere.mkdir()
    soundfile.write(elsewhere / "Body Punch.wav", click(), SAMPLE_RATE)
    (folder / "Punches").symlink_to(elsewhere)
    (folder / "loop").symlink_to(folder)
    (elsewhere / "back").symlink_to(folder)
    assert [e.path.relative_to(folder).as_posix() for e in _open(folder).entries] == ["Punches/Body Punch.wav"]


def test_hidden_and_macos_resource_fork_files_are_left_out(tmp_path):
    folder = tmp_path / "SFX"
    (folder / "__MACOSX").mkdir(parents=True)
    soundfile.write(folder / "Door Slam.wav", click(), SAMPLE_RATE)
    for name in ("._Door Slam.wav", ".DS_Store", "__MACOSX/._Door Slam.wav"):
        (folder / name).write_bytes(b"\x00\x05\x16\x07" + b"\0" * 100)
    assert [e.path.name for e in _open(folder).entries] == ["Door Slam.wav"]


def test_a_folder_that_cannot_be_listed_is_named_in_the_log(tmp_path, monkeypatch, caplog):
    folder = tmp_path / "SFX"
    (folder / "Locked").mkdir(parents=True)
    soundfile.write(folder / "Door Slam.wav", click(), SAMPLE_RATE)
    scandir = os.scandir

    def refuse_locked(path="."):
        if str(path).endswith("Locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse_locked)
    assert len(_open(folder)) == 1
    assert "cannot list" in caplog.text and "Locked" in caplog.text


def test_a_file_that_cannot_be_opened_is_read_once_it_can(tmp_path, monkeypatch, caplog):
    folder = tmp_path / "SFX"
    folder.mkdir()
    soundfile.write(folder / "Door Slam.wav", click(), SAMPLE_RATE)
    _wav(folder / "take_0001.wav", _bext("Glass bottle smash"))
    path_open = Path.open

    def denied(self, *args, **kw):
        if self.name == "take_0001.wav":
            raise PermissionError(13, "Permission denied", str(self))
        return path_open(self, *args, **kw)

    monkeypatch.setattr(Path, "open", denied)
    assert [e.path.name for e in _open(folder).entries] == ["Door Slam.wav"]
    assert "cannot read" in caplog.text and "take_0001.wav" in caplog.text
    monkeypatch.undo()  # the permission is fixed; the file's times and size have not changed
    assert [e.path.name for e, _ in _open(folder).find("glass smash")] == ["take_0001.wav"]


def test_an_interrupted_first_index_keeps_what_it_read(tmp_path, monkeypatch):
    folder = tmp_path / "SFX"
    folder.mkdir()
    for i in range(6):
        soundfile.write(folder / f"Door Slam {chr(65 + i)}.wav", click(), SAMPLE_RATE)
    read: list[str] = []
    real = sfx_index.read_metadata

    def counted(path):
        if len(read) == 4 and not resumed:
            raise KeyboardInterrupt
        read.append(path.name)
        return real(path)

    resumed = False
    monkeypatch.setattr(sfx_index, "read_metadata", counted)
    monkeypatch.setattr(sfx_index, "COMMIT_EVERY_S", 0.0)
    with pytest.raises(KeyboardInterrupt):
        _open(folder)
    resumed, read = True, []
    assert len(_open(folder)) == 6
    assert read == ["Door Slam E.wav", "Door Slam F.wav"]


def test_a_running_library_reads_the_folder_again_for_added_and_removed_files(tmp_path, monkeypatch):
    folder = tmp_path / "SFX"
    folder.mkdir()
    soundfile.write(folder / "Door Slam.wav", click(), SAMPLE_RATE)
    library = _open(folder)
    soundfile.write(folder / "Glass Smash.wav", click(), SAMPLE_RATE)
    (folder / "Door Slam.wav").unlink()
    library.refresh()  # within REFRESH_S of the first reading: not read again
    assert [e.path.name for e in library.entries] == ["Door Slam.wav"]
    monkeypatch.setattr(sfx_library, "REFRESH_S", 0.0)
    library.refresh()
    assert [e.path.name for e in library.entries] == ["Glass Smash.wav"]
    assert [e.path.name for e, _ in library.find("glass smash")] == ["Glass Smash.wav"]


def test_an_empty_mount_point_keeps_the_index_for_when_the_drive_is_back(tmp_path, monkeypatch, caplog):
    folder, away = tmp_path / "SFX", tmp_path / "away"
    folder.mkdir()
    away.mkdir()
    for name in ("Door Slam.wav", "Glass Smash.wav"):
        soundfile.write(folder / name, click(), SAMPLE_RATE)
    _open(folder)
    for path in folder.iterdir():
        path.rename(away / path.name)  # unplugged: the mount point stays, empty
    with pytest.raises(InvalidInput):
        _open(folder)
    assert "is its drive mounted?" in caplog.text
    for path in away.iterdir():
        path.rename(folder / path.name)
    read: list[Path] = []
    real = sfx_index.read_metadata
    monkeypatch.setattr(sfx_index, "read_metadata", lambda path: read.append(path) or real(path))
    assert len(_open(folder)) == 2 and read == []


# --- the index file


def test_a_damaged_index_file_is_set_aside_and_the_library_read_again(tmp_path, caplog):
    folder = tmp_path / "SFX"
    folder.mkdir()
    soundfile.write(folder / "Door Slam.wav", click(), SAMPLE_RATE)
    (tmp_path / "index.sqlite3").write_bytes(b"a sync tool's conflict copy\0" * 200)
    assert len(_open(folder)) == 1
    assert "is damaged" in caplog.text and (tmp_path / "index.sqlite3.damaged").exists()


def test_an_index_that_cannot_be_written_leaves_the_takes_to_synthesis(tmp_path, monkeypatch, caplog):
    import sqlite3

    from foleyline.notes import Layer, LayerKind
    from foleyline.server.engines.base import SamplingSettings
    from foleyline.server.engines.procedural import ProceduralEngine
    from foleyline.server.engines.procedural.matcher import KeywordScorer, Matcher

    from .conftest import make_shot

    folder = tmp_path / "SFX"
    folder.mkdir()
    soundfile.write(folder / "Door Slam.wav", click(), SAMPLE_RATE)

    def read_only(*args, **kw):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(sqlite3, "connect", read_only)
    engine = ProceduralEngine(matcher=Matcher(KeywordScorer()), sfx_library=folder, index_path=tmp_path / "index.sqlite3")
    (audio,) = engine.generate(make_shot(onsets=(1.0,)), Layer("door", LayerKind.FX, prompt="door slam"), [1], SamplingSettings())
    assert np.abs(audio).max() > 0.1
    assert "sound library not used" in caplog.text and "data folder is writable" in caplog.text


# --- which files play


def test_the_files_played_in_turn_match_about_as_well_as_the_best(tmp_path):
    folder = tmp_path / "SFX"
    folder.mkdir()
    for name in ("Door Slam Heavy.wav", "Door Slam Light.wav", "Door Knock.wav"):
        soundfile.write(folder / name, click(), SAMPLE_RATE)
    library = _open(folder)
    assert len(library.search("door slam")) == 3  # the knock shares "door": it clears MIN_SCORE
    assert sorted(e.path.name for e, _ in library.find("door slam")) == ["Door Slam Heavy.wav", "Door Slam Light.wav"]
