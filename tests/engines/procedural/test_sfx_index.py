"""A folder of library sounds in six formats, indexed once into the persistent index by UCS
CatID, FXName and embedded text, updated incrementally, and used before synthesis."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
import soundfile

from foleyline import config
from foleyline.errors import InvalidInput
from foleyline.notes import Layer, LayerKind
from foleyline.server.engines.base import SamplingSettings
from foleyline.server.engines.procedural import ProceduralEngine, sfx_index
from foleyline.server.engines.procedural.dsp import SAMPLE_RATE
from foleyline.server.engines.procedural.sfx_library import SfxLibrary

from .conftest import click, make_shot, write_bwf

# file name -> (its tone's frequency, how it is written)
FILES = {
    "GUNPis_Glock 17 Single_FLN_TEST.wav": 500.0,        # Broadcast WAV: UCS name, bext, iXML
    "DOORWood_Heavy Oak Slam_FLN_TEST.aiff": 300.0,      # AIFF: UCS name
    "take_0042.flac": 900.0,                             # FLAC: a Vorbis comment says what it is
    "take_0043.ogg": 1200.0,                             # Ogg Vorbis: the title says what it is
    "ANMLDog_Big Dog Bark_FLN_TEST.mp3": 700.0,          # MP3: UCS name
    "field_rec_17.wav": 1500.0,                          # plain WAV whose iXML carries a CatID
    "OBJKey_Keys Drop On Table_FLN_TEST.m4a": 1100.0,    # AAC: libsndfile cannot, FFmpeg (PyAV) does
}


FORMATS = {".aiff": "AIFF", ".flac": "FLAC", ".ogg": "OGG", ".mp3": "MP3"}


@pytest.fixture
def library_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "SFX"
    (folder / "sub").mkdir(parents=True)
    for name, freq in FILES.items():
        audio = click(seconds=0.4, lead=0.02, freq=freq) * 0.8
        path = folder / ("sub" if name.endswith(".mp3") else "") / name
        if name.startswith("GUNPis"):
            write_bwf(path, audio, description="9mm pistol, single shot, outdoor")
        elif name == "field_rec_17.wav":
            write_bwf(path, audio, description="", ixml="<BWFXML><USER><CATID>GLASBrk</CATID></USER></BWFXML>")
        elif name.endswith(".m4a"):
            write_aac(path, audio)
        else:
            with soundfile.SoundFile(path, "w", SAMPLE_RATE, 1, format=FORMATS[path.suffix]) as f:
                if name == "take_0042.flac":
                    f.comment = "thunder crack with a long rolling rumble"
                if name == "take_0043.ogg":
                    f.title = "Rain on a tin roof"
                f.write(audio)
    (folder / "notes.txt").write_text("not a sound")
    (folder / ".hidden.wav").write_bytes(b"junk")
    return folder


def write_aac(path: Path, audio: np.ndarray) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=SAMPLE_RATE)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(audio.astype(np.float32)[None, :], format="flt", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)


def index_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "index.sqlite3"


def test_five_formats_are_indexed_by_ucs_name_and_embedded_text(library_folder, tmp_path):
    library = SfxLibrary(library_folder, index_path=index_path(tmp_path), progress=False)
    by_name = {e.path.name: e for e in library.entries}
    assert set(by_name) == set(FILES)
    assert by_name["GUNPis_Glock 17 Single_FLN_TEST.wav"].cat_id == "GUNPis"
    assert by_name["GUNPis_Glock 17 Single_FLN_TEST.wav"].fx_name == "Glock 17 Single"
    assert by_name["field_rec_17.wav"].cat_id == "GLASBrk"            # from the iXML CATID
    assert by_name["take_0043.ogg"].cat_id == ""
    # Creator and source IDs of a UCS name are not what the file is.
    assert "fln" not in by_name["DOORWood_Heavy Oak Slam_FLN_TEST.aiff"].words

    def found(text: str, **kw) -> list[str]:
        return [e.path.name for e, _ in library.search(text, **kw)][:1]

    assert found("pistol") == ["GUNPis_Glock 17 Single_FLN_TEST.wav"]      # its category's words
    assert found("gunshot", categories={"GUNPis"}) == ["GUNPis_Glock 17 Single_FLN_TEST.wav"]
    assert found("a door slams") == ["DOORWood_Heavy Oak Slam_FLN_TEST.aiff"]
    assert found("thunder") == ["take_0042.flac"]                            # FLAC comment
    assert found("rain on the roof") == ["take_0043.ogg"]                    # Ogg title
    assert found("dog barking") == ["ANMLDog_Big Dog Bark_FLN_TEST.mp3"]
    assert found("glass breaking") == ["field_rec_17.wav"]
    assert found("ANMLDog") == ["ANMLDog_Big Dog Bark_FLN_TEST.mp3"]         # a CatID as the prompt
    assert found("keys dropped") == ["OBJKey_Keys Drop On Table_FLN_TEST.m4a"]
    for entry in library.entries:  # every format decodes to mono at the engine rate
        audio = library.audio(entry)
        assert audio.ndim == 1 and audio.dtype == np.float32
        assert abs(audio.size / SAMPLE_RATE - 0.4) < 0.06  # MP3 and AAC pad a little


def test_the_index_is_read_once_and_updated_incrementally(library_folder, tmp_path, monkeypatch):
    reads: list[str] = []
    real = sfx_index.read_metadata

    def counting(path):
        reads.append(path.name)
        return real(path)

    monkeypatch.setattr(sfx_index, "read_metadata", counting)
    SfxLibrary(library_folder, index_path=index_path(tmp_path), progress=False)
    assert sorted(reads) == sorted(FILES)
    reads.clear()
    SfxLibrary(library_folder, index_path=index_path(tmp_path), progress=False)
    assert reads == []                       # nothing changed: nothing read
    (library_folder / "take_0043.ogg").unlink()
    changed = library_folder / "GUNPis_Glock 17 Single_FLN_TEST.wav"
    write_bwf(changed, click(seconds=0.6), description="9mm pistol, double tap")
    soundfile.write(library_folder / "WHSH_Fast Swipe_FLN_TEST.flac", click(), SAMPLE_RATE)
    library = SfxLibrary(library_folder, index_path=index_path(tmp_path), progress=False)
    assert sorted(reads) == ["GUNPis_Glock 17 Single_FLN_TEST.wav", "WHSH_Fast Swipe_FLN_TEST.flac"]
    names = {e.path.name for e in library.entries}
    assert "take_0043.ogg" not in names and "WHSH_Fast Swipe_FLN_TEST.flac" in names
    assert [e.path.name for e, _ in library.search("double tap")] == ["GUNPis_Glock 17 Single_FLN_TEST.wav"]


def test_one_index_holds_several_libraries(library_folder, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    soundfile.write(other / "WOODImpt_Plank Drop_FLN_TEST.wav", click(), SAMPLE_RATE)
    a = SfxLibrary(library_folder, index_path=index_path(tmp_path), progress=False)
    b = SfxLibrary(other, index_path=index_path(tmp_path), progress=False)
    assert len(a) == len(FILES) and len(b) == 1


def dominant_frequency(x: np.ndarray) -> float:
    spec = np.abs(np.fft.rfft(x))
    return float(np.fft.rfftfreq(x.size, 1 / SAMPLE_RATE)[np.argmax(spec)])


def test_a_matching_library_sound_wins_over_synthesis_with_variation(library_folder, tmp_path, keyword_matcher):
    onsets = (0.5, 1.5, 2.5, 3.5)
    shot = make_shot(duration=4.2, onsets=onsets)
    engine = ProceduralEngine(matcher=keyword_matcher, sfx_library=library_folder, index_path=index_path(tmp_path))
    layer = Layer("shots", LayerKind.FX, prompt="gunshot")
    a, b = engine.generate(shot, layer, [1, 2], SamplingSettings())
    (a2,) = engine.generate(shot, layer, [1], SamplingSettings())
    assert np.array_equal(a, a2) and not np.allclose(a, b)           # deterministic per seed, varied
    peaks, freqs = [], []
    for t in onsets:
        hit = a[0][int((t - 0.01) * SAMPLE_RATE): int((t + 0.15) * SAMPLE_RATE)]
        peaks.append(float(np.abs(hit).max()))
        freqs.append(dominant_frequency(hit))
    # The pistol file (a 500 Hz tone), not a synthesized shot, with its pitch moved per hit.
    assert all(abs(f / 500.0 - 1.0) < 0.1 for f in freqs)
    assert len({round(f) for f in freqs}) > 1 or len({round(p, 3) for p in peaks}) > 1
    assert min(peaks) > 0.1
    # Its attack lands on the onset (the file's 20 ms of silence skipped).
    first = np.flatnonzero(np.abs(a[0]) > 0.1 * np.abs(a[0]).max())[0] / SAMPLE_RATE
    assert abs(first - onsets[0]) < 0.01
    # A prompt no file answers is synthesized.
    (synth,) = engine.generate(shot, Layer("x", LayerKind.FX, prompt="wood knock"), [1], SamplingSettings())
    assert abs(dominant_frequency(synth[0][int(0.49 * SAMPLE_RATE): int(0.65 * SAMPLE_RATE)]) - 500.0) > 50.0


def test_the_config_file_names_the_library(library_folder, keyword_matcher):
    config.save_setting("sfx_library", str(library_folder))
    assert config.sfx_library() == library_folder
    engine = ProceduralEngine(matcher=keyword_matcher)
    assert engine.sfx_library() is not None and len(engine.sfx_library()) == len(FILES)
    assert config.sfx_index_path().exists()   # the index lives in the data folder
    config.save_setting("sfx_library", None)
    assert config.sfx_library() is None


def test_the_config_file_keeps_what_else_it_says(tmp_path):
    config.config_file().parent.mkdir(parents=True, exist_ok=True)
    config.config_file().write_text("# my settings\nmax_streams = 3\n")
    config.save_setting("sfx_library", str(tmp_path))
    text = config.config_file().read_text()
    assert "# my settings" in text and "max_streams = 3" in text
    assert config.settings() == {"max_streams": 3, "sfx_library": str(tmp_path)}
    with pytest.raises(InvalidInput, match="not a setting"):
        config.save_setting("sfx_libary", str(tmp_path))
    config.config_file().write_text("sfx_library = [\n")
    with pytest.raises(Exception, match="not valid TOML"):
        config.sfx_library()


def test_library_embeddings_are_computed_once_and_kept_in_the_index(library_folder, tmp_path, monkeypatch,
                                                                    embedding_scorer):
    from foleyline.server.engines.procedural.matcher import EmbeddingScorer

    first = SfxLibrary(library_folder, embedder=EmbeddingScorer(), index_path=index_path(tmp_path), progress=False)
    assert first.search("a handgun firing")[0][0].path.name == "GUNPis_Glock 17 Single_FLN_TEST.wav"
    embedded: list[str] = []
    real = EmbeddingScorer.embed

    def counting(self, texts):
        embedded.extend(texts)
        return real(self, texts)

    monkeypatch.setattr(EmbeddingScorer, "embed", counting)
    second = SfxLibrary(library_folder, embedder=EmbeddingScorer(), index_path=index_path(tmp_path), progress=False)
    assert second.search("a handgun firing")[0][0].path.name == "GUNPis_Glock 17 Single_FLN_TEST.wav"
    assert embedded == ["a handgun firing"]  # the files' vectors came from the index
