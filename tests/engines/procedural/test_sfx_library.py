"""The editor's own sound library as a source: indexed by names and embedded metadata, matched
to a layer's prompt, placed at the picture's onsets with variation.

Every library here is built at test time in a temp folder (nothing is downloaded): the
``library_folder`` fixture writes sounds in five formats (Broadcast WAV, AIFF, FLAC, Ogg Vorbis,
MP3) with UCS names and embedded descriptions; metadata tests build their own headers.
"""

from __future__ import annotations

import struct

import numpy as np
import pytest
import soundfile

from foleyline.errors import InvalidInput, NotFound
from foleyline.notes import Layer, LayerKind
from foleyline.server.engines.base import SamplingSettings
from foleyline.server.engines.procedural import ProceduralEngine
from foleyline.server.engines.procedural.dsp import SAMPLE_RATE, rng_for
from foleyline.server.engines.procedural.sfx_library import SfxLibrary, words
from foleyline.server.engines.procedural.sfx_metadata import read_metadata
from foleyline.server.engines.procedural.timing import FireTime

from .conftest import click, make_shot, write_bwf


def test_file_names_split_into_words():
    assert words("FOLEY_Footstep-Concrete_03") == ["foley", "footstep", "concrete"]
    assert words("rockHit2") == ["rock", "hit"]
    assert words("Doors Slams") == ["door", "slam"]
    assert words("SFX_DOGBark_Big") == ["sfx", "dog", "bark", "big"]


def test_a_file_name_in_another_code_page_is_skipped_not_the_whole_library(tmp_path, caplog):
    import os

    soundfile.write(tmp_path / "DOORWood_Slam_TST_T1.wav", click(), SAMPLE_RATE)
    soundfile.write(tmp_path / "shot.wav", click(), SAMPLE_RATE)
    os.rename(os.fsencode(tmp_path / "shot.wav"), os.path.join(os.fsencode(tmp_path), b"GUNPis_Caf\xe9 Shot_TST_T1.wav"))
    library = SfxLibrary(tmp_path, index_path=tmp_path / "index.sqlite3")
    assert [e.path.name for e in library.entries] == ["DOORWood_Slam_TST_T1.wav"]
    assert "not UTF-8; rename it" in caplog.text


def test_reads_bwf_description_and_ixml(tmp_path):
    path = tmp_path / "take_0001.wav"
    write_bwf(path, click(), description="Heavy wooden door slam", ixml_note="old barn")
    meta = read_metadata(path)
    assert meta["description"] == "Heavy wooden door slam"
    assert "old barn" in meta["ixml"] and "slam, interior" in meta["ixml"]


def test_reads_id3_text_frames(tmp_path):
    # An ID3v2.3 tag with a title and a comment in front of (any) MPEG data.
    def frame(fid: bytes, payload: bytes) -> bytes:
        return fid + struct.pack(">I", len(payload)) + b"\0\0" + payload

    frames = frame(b"TIT2", b"\x03Glass bottle smash") + frame(b"COMM", b"\x00engXdesc\x00shards on tiles")
    size = len(frames)
    syncsafe = bytes([(size >> 21) & 127, (size >> 14) & 127, (size >> 7) & 127, size & 127])
    path = tmp_path / "x.mp3"
    path.write_bytes(b"ID3\x03\x00\x00" + syncsafe + frames + b"\xff\xfb" + b"\0" * 400)
    text = read_metadata(path)["id3"]
    assert "Glass bottle smash" in text and "shards on tiles" in text


def test_damaged_headers_yield_nothing_not_an_error(tmp_path):
    (tmp_path / "bad.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt ")
    (tmp_path / "bad.mp3").write_bytes(b"ID3")
    assert read_metadata(tmp_path / "bad.wav") == {}
    assert read_metadata(tmp_path / "bad.mp3") == {}


def test_metadata_makes_an_anonymous_file_findable(tmp_path):
    write_bwf(tmp_path / "take_0001.wav", click(), description="Heavy wooden door slam")
    soundfile.write(tmp_path / "birds_morning.wav", click(), SAMPLE_RATE)
    library = SfxLibrary(tmp_path)
    assert [e.path.name for e, _ in library.search("door slams")] == ["take_0001.wav"]
    assert [e.path.name for e, _ in library.search("morning birds")] == ["birds_morning.wav"]
    assert library.search("door slam", negative="wooden") == []
    assert library.search("helicopter") == []


def test_missing_or_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(NotFound, match="not found"):
        SfxLibrary(tmp_path / "nope")
    with pytest.raises(InvalidInput, match="no sound files"):
        SfxLibrary(tmp_path)


def test_placement_puts_the_attack_on_the_fire_time(tmp_path):
    soundfile.write(tmp_path / "knock.wav", click(lead=0.08), SAMPLE_RATE)
    library = SfxLibrary(tmp_path)
    entries = [e for e, _ in library.search("knock")]
    n = SAMPLE_RATE * 2
    out = library.render_events(rng_for(1, "t"), entries, [FireTime(0.5, 1.0), FireTime(1.4, 0.5)], n)
    first = np.flatnonzero(np.abs(out) > 0.1 * np.abs(out).max())[0] / SAMPLE_RATE
    assert abs(first - 0.5) < 0.005  # the file's 80 ms of leading silence is skipped
    late = out[int(1.3 * SAMPLE_RATE):]
    assert np.abs(late).max() < np.abs(out[: int(1.3 * SAMPLE_RATE)]).max()  # weaker event, softer


def test_a_missing_configured_library_does_not_stop_the_take(tmp_path, monkeypatch, caplog):
    from foleyline.server.engines.procedural.matcher import KeywordScorer, Matcher

    monkeypatch.setenv("FOLEYLINE_SFX_LIBRARY", str(tmp_path / "unplugged_drive"))
    engine = ProceduralEngine(matcher=Matcher(KeywordScorer()))
    (audio,) = engine.generate(make_shot(), Layer("x", LayerKind.FX, prompt="hit"), [1], SamplingSettings())
    assert np.abs(audio).max() > 0.1
    assert "sound library not used" in caplog.text


def test_a_damaged_library_file_is_skipped_not_the_reason_a_take_fails(tmp_path, caplog):
    from foleyline.server.engines.procedural.matcher import KeywordScorer, Matcher

    library = tmp_path / "SFX"
    library.mkdir()
    (library / "DOORWood_Slam Half Copied_TST_T1.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk")
    (library / "DOORWood_Slam Empty_TST_T1.flac").write_bytes(b"")
    engine = ProceduralEngine(matcher=Matcher(KeywordScorer()), sfx_library=library, index_path=tmp_path / "index.sqlite3")
    layer = Layer("door", LayerKind.FX, prompt="door slam")
    (audio,) = engine.generate(make_shot(onsets=(1.0,)), layer, [1], SamplingSettings())
    assert np.abs(audio).max() > 0.1  # synthesized: no file could play
    assert "not using" in caplog.text and "Half Copied" in caplog.text and "2 could not be read" in caplog.text
    soundfile.write(library / "DOORWood_Slam Good_TST_T1.flac", click(freq=440.0), SAMPLE_RATE)
    engine = ProceduralEngine(matcher=Matcher(KeywordScorer()), sfx_library=library, index_path=tmp_path / "index.sqlite3")
    (audio,) = engine.generate(make_shot(onsets=(1.0,)), layer, [1], SamplingSettings())
    spectrum = np.abs(np.fft.rfft(audio))
    assert abs(np.fft.rfftfreq(audio.size, 1 / SAMPLE_RATE)[np.argmax(spectrum)] - 440.0) < 30.0  # the good file


def _tagged(path, codec: str, tags: dict[str, str], *, on_stream: bool = False) -> None:
    """A short tone written by FFmpeg (as ffmpeg, Reaper or a field recorder's app would), its
    tags on the container or, as Ogg keeps Vorbis comments, on the audio stream."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=SAMPLE_RATE)
        stream.layout = "mono"
        (stream if on_stream else container).metadata.update(tags)
        fmt = "flt" if codec == "libopus" else "s16"
        samples = click(seconds=0.2)[None, :]
        frame = av.AudioFrame.from_ndarray(samples if fmt == "flt" else (samples * 20000).astype(np.int16), format=fmt, layout="mono")
        frame.sample_rate = SAMPLE_RATE
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)


def test_every_descriptive_tag_of_flac_ogg_and_aiff_is_read(tmp_path):
    from foleyline.server.engines.procedural.sfx_index import describe

    _tagged(tmp_path / "0099.flac", "flac", {"DESCRIPTION": "kettle whistle boiling", "GENRE": "KITCHEN"})
    _tagged(tmp_path / "rec_003.ogg", "libopus", {"TITLE": "Helicopter flyby", "COMMENT": "CatID: AEROHeli"}, on_stream=True)
    _tagged(tmp_path / "clip12.aiff", "pcm_s16be", {"title": "Phone vibrate on table"})
    flac = read_metadata(tmp_path / "0099.flac")
    assert "kettle whistle boiling" in flac.values() and "encoder" not in flac
    ogg = describe(tmp_path / "rec_003.ogg", read_metadata(tmp_path / "rec_003.ogg"))
    assert ogg.cat_id == "AEROHeli" and {"helicopter", "flyby"} <= ogg.words
    assert "vibrate" in describe(tmp_path / "clip12.aiff", read_metadata(tmp_path / "clip12.aiff")).words
