"""bwf: Broadcast WAV written by us, read back by an independent reader (wavinfo) and soundfile."""

from __future__ import annotations

import datetime as dt
import struct

import numpy as np
import pytest
import soundfile
from wavinfo import WavInfoReader

import tolerances

from foleyline import __version__
from foleyline.errors import InvalidInput
from foleyline.provenance import Generation, read_provenance
from foleyline.server.media.bwf import BextInfo, IXmlInfo, TakeStamp, bwf_bytes, circled_copy, write_bwf, write_take
from foleyline.server.media.loudness import Loudness
from foleyline.server.signing import credentials
from foleyline.wavchunks import read_chunk
from foleyline.timebase import as_rate, samples_since_midnight


def samples_of(audio: np.ndarray) -> bytes:
    """The data chunk's payload of ``audio`` written as a Broadcast WAV."""
    wav = bwf_bytes(audio, 48000, bext=BextInfo())
    start = wav.index(b"data") + 8
    return wav[start:start + struct.unpack("<I", wav[start - 4:start])[0]]


def tone(channels: int = 2, n: int = 4800, rate: int = 48000) -> np.ndarray:
    t = np.arange(n) / rate
    return np.stack([0.5 * np.sin(2 * np.pi * (220 * (c + 1)) * t) for c in range(channels)]).astype(np.float32)


class TestTimeReference:
    @pytest.mark.parametrize(
        "timecode, rate, expected",
        [
            ("01:00:02:00", "23.976", 173_068_896),  # the example
            ("01:00:00:00", "24", 172_800_000),
            ("01:00:00:00", "25", 172_800_000),
            ("00:59:59;28", "29.97 DF", None),
            ("10:00:00:00", "29.97 NDF", None),
            ("23:59:59:49", "50", None),
            ("01:00:00;00", "59.94 DF", None),
        ],
    )
    def test_wavinfo_reads_back_samples_since_midnight(self, tmp_path, timecode, rate, expected):
        reference = samples_since_midnight(timecode, rate, 48000)
        if expected is not None:
            assert reference == expected
        path = write_bwf(tmp_path / "t.wav", tone(), 48000, bext=BextInfo(time_reference=reference),
                         ixml=IXmlInfo(rate=as_rate(rate)))
        info = WavInfoReader(str(path))
        assert info.bext.time_reference == reference
        assert info.ixml.to_dict()  # parses

    def test_time_reference_above_32_bits_uses_the_high_word(self, tmp_path):
        reference = 23 * 3600 * 192000 + 5  # 23 h at 192 kHz > 2^32
        path = write_bwf(tmp_path / "hi.wav", tone(1, 100), 192000, bext=BextInfo(time_reference=reference))
        assert WavInfoReader(str(path)).bext.time_reference == reference
        raw = path.read_bytes()
        offset = raw.index(b"bext") + 8 + 256 + 32 + 32 + 10 + 8
        low, high = struct.unpack("<II", raw[offset : offset + 8])
        assert (high << 32) | low == reference and high > 0


class TestChunks:
    def test_bext_fields(self, tmp_path):
        when = dt.datetime(2026, 11, 22, 4, 5, 6)
        bext = BextInfo(description="Door hit, FX layer", originator="Foleyline 0.1", originator_reference="take-7f3a",
                        origination=when, time_reference=12345, coding_history="A=PCM,F=48000,W=24,M=stereo,T=Foleyline")
        info = WavInfoReader(str(write_bwf(tmp_path / "b.wav", tone(), 48000, bext=bext)))
        b = info.bext
        assert (b.description, b.originator, b.originator_ref) == ("Door hit, FX layer", "Foleyline 0.1", "take-7f3a")
        assert (b.originator_date, b.originator_time) == ("2026-11-22", "04:05:06")
        assert b.version == 1 and b.coding_history.startswith("A=PCM")

    def test_loudness_makes_it_bext_version_2(self, tmp_path):
        bext = BextInfo(time_reference=0, loudness_lufs=-23.45, max_true_peak_dbtp=-1.5)
        b = WavInfoReader(str(write_bwf(tmp_path / "l.wav", tone(), 48000, bext=bext))).bext
        assert b.version == 2
        assert b.loudness_value == pytest.approx(-23.45) and b.max_true_peak == pytest.approx(-1.5)

    def test_long_or_non_ascii_text_is_cut_and_spelt_in_ascii(self, tmp_path):
        bext = BextInfo(description="é中" + "x" * 400, originator_reference="r" * 40)
        b = WavInfoReader(str(write_bwf(tmp_path / "a.wav", tone(), 48000, bext=bext))).bext
        assert b.description == "e?" + "x" * 254 and b.originator_ref == "r" * 32

    def test_ixml_fields(self, tmp_path):
        ixml = IXmlInfo(project="Night Market", scene="sh010", take="3", note="hits on the rail <loud> & clear",
                        rate=as_rate("29.97 DF"), track_names=("Foley FX L", "Foley FX R"), user="summary")
        path = write_bwf(tmp_path / "i.wav", tone(), 48000, bext=BextInfo(time_reference=99), ixml=ixml)
        reader = WavInfoReader(str(path)).ixml
        assert (reader.project, reader.scene, reader.take) == ("Night Market", "sh010", "3")
        assert [t.name for t in reader.track_list] == ["Foley FX L", "Foley FX R"]
        xml = reader.xml_str() if callable(getattr(reader, "xml_str", None)) else path.read_bytes().decode("latin-1")
        for text in ("<TIMECODE_RATE>30000/1001</TIMECODE_RATE>", "<TIMECODE_FLAG>DF</TIMECODE_FLAG>",
                     "<NOTE>hits on the rail &lt;loud&gt; &amp; clear</NOTE>", "<TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>99<"):
            assert text in xml

    def test_non_drop_rate_says_ndf(self, tmp_path):
        path = write_bwf(tmp_path / "n.wav", tone(), 48000, bext=BextInfo(), ixml=IXmlInfo(rate=as_rate("23.976")))
        raw = path.read_bytes()
        assert b"<TIMECODE_RATE>24000/1001</TIMECODE_RATE>" in raw and b"<TIMECODE_FLAG>NDF</TIMECODE_FLAG>" in raw



def _stamp(**changes) -> TakeStamp:
    fields = dict(scene="sh010", label="hits", take_id="take-0123456789ab", take_number=3, stem=2,
                  project="Night Market", time_reference=173_068_896, rate=as_rate("23.976"),
                  heard="metal bar hits a steel rail, ringing", kind="FX", summary="[FX] hits: metal on metal",
                  engine="procedural", model="foleyline-procedural-1",
                  loudness=Loudness(-23.4, 4.2, -1.25, -18.5, -20.75))
    fields.update(changes)
    return TakeStamp(**fields)


def _made(stamp: TakeStamp) -> Generation:
    return Generation(engine=stamp.engine, engine_version="1.0", model=stamp.model, model_licence="",
                      seed=7, notes_digest="sha256:00", take_id=stamp.take_id, take_number=stamp.take_number,
                      shot=stamp.scene, layer=stamp.label)


class TestTakes:
    def test_a_take_stem_says_what_is_heard_where_it_sits_and_how_loud(self, tmp_path):
        stamp = _stamp()
        path = write_take(tmp_path / "t.wav", tone(), stamp, _made(stamp), credentials())
        info = WavInfoReader(str(path))
        assert info.bext.description == ("FX hits: metal bar hits a steel rail, ringing | shot sh010, take 3 | "
                                         "generated by an algorithm (Foleyline)")
        assert (info.bext.originator, info.bext.originator_ref) == (f"Foleyline {__version__}", "FL take-0123456789ab L2")
        assert info.bext.time_reference == 173_068_896 and info.bext.version == 2
        assert info.bext.coding_history == f"A=PCM,F=48000,W=24,M=stereo,T=Foleyline {__version__} procedural\r\n"
        assert (info.bext.loudness_value, info.bext.loudness_range, info.bext.max_true_peak) == (-23.4, 4.2, -1.25)
        assert (info.bext.max_momentary_loudness, info.bext.max_shortterm_loudness) == (-18.5, -20.75)
        assert (info.ixml.project, info.ixml.scene, info.ixml.take) == ("Night Market", "sh010", "3")
        assert [t.name for t in info.ixml.track_list] == ["FX hits L", "FX hits R"]
        xml = info.ixml.raw_xml
        assert xml.findtext("CIRCLED") == "FALSE" and xml.findtext("NOTE") == "[FX] hits: metal on metal"
        assert xml.findtext("USER").startswith("Generated by an algorithm: Foleyline")
        assert soundfile.info(str(path)).samplerate == 48000

    def test_the_mix_is_named_mix_and_a_long_prompt_is_cut_before_the_shot_and_take(self, tmp_path):
        stamp = _stamp(label="mix", stem=0, kind="", heard="room, " * 80, loudness=None)
        path = write_take(tmp_path / "m.wav", tone(1), stamp, _made(stamp), credentials())
        bext = WavInfoReader(str(path)).bext
        assert len(bext.description) == 256 and bext.description.startswith("mix: room, room")
        assert bext.description.endswith("... | shot sh010, take 3 | generated by an algorithm (Foleyline)")
        assert bext.originator_ref == "FL take-0123456789ab mix" and bext.version == 1
        assert [t.name for t in WavInfoReader(str(path)).ixml.track_list] == ["mix"]

    def test_every_take_file_is_signed_as_made_by_a_trained_algorithm(self, tmp_path):
        stamp = _stamp()
        path = write_take(tmp_path / "t.wav", tone(), stamp, _made(stamp), credentials())
        report = read_provenance(path)
        assert report.state == "trusted" and report.generated and report.ok  # the local CA is trusted here
        assert report.generation["engine"] == "procedural" and report.generation["model"] == "foleyline-procedural-1"
        assert report.generation["take_number"] == 3 and report.generation["seed"] == 7
        assert read_provenance(path, anchors="").state == "valid"  # elsewhere: signature good, signer unknown

    def test_any_byte_changed_after_signing_breaks_the_manifest(self, tmp_path):
        stamp = _stamp()
        path = write_take(tmp_path / "t.wav", tone(), stamp, _made(stamp), credentials())
        raw = bytearray(path.read_bytes())
        at = raw.index(b"<CIRCLED>FALSE")
        raw[at + 9 : at + 14] = b"TRUE "  # what a naive re-stamp would do
        path.write_bytes(bytes(raw))
        report = read_provenance(path)
        assert report.state == "invalid" and not report.ok

    def test_a_circled_copy_keeps_the_audio_and_its_provenance(self, tmp_path):
        stamp = _stamp()
        original = write_take(tmp_path / "t.wav", tone(), stamp, _made(stamp), credentials())
        circled = circled_copy(original, tmp_path / "c.wav", _made(stamp), credentials())
        assert WavInfoReader(str(circled)).ixml.raw_xml.findtext("CIRCLED") == "TRUE"
        assert WavInfoReader(str(original)).ixml.raw_xml.findtext("CIRCLED") == "FALSE"
        assert read_chunk(circled, b"data") == read_chunk(original, b"data")
        assert read_chunk(circled, b"bext") == read_chunk(original, b"bext")
        report = read_provenance(circled)
        assert report.ok and report.generated  # the generated parent is in the chain
        assert report.edits == ("iXML CIRCLED set: the editor accepted this take",)
        assert report.generation["take_id"] == "take-0123456789ab"


class TestSamples:
    @pytest.mark.parametrize("channels", [1, 2, 6])
    def test_24_bit_pcm_round_trips(self, tmp_path, channels):
        audio = tone(channels, 4801)  # odd length: odd data chunk for mono needs a pad byte
        path = write_bwf(tmp_path / "p.wav", audio, 48000, bext=BextInfo())
        info = WavInfoReader(str(path))
        assert info.fmt.bits_per_sample == 24 and info.fmt.channel_count == channels
        assert info.fmt.sample_rate == 48000 and info.data.frame_count == 4801
        back, rate = soundfile.read(path, dtype="float32", always_2d=True)
        assert rate == 48000 and soundfile.info(path).subtype == "PCM_24"
        np.testing.assert_allclose(back.T, audio, atol=tolerances.PCM24)

    @pytest.mark.parametrize("channels", [1, 2])
    def test_each_sample_is_its_three_low_bytes_frame_by_frame(self, channels):
        steps = np.array([0, 1, -1, 255, 256, -256, 65535, -65536, 8388607, -8388608, 1234567, -7654321])
        audio = np.stack([np.roll(steps, c) for c in range(channels)]).astype(np.float32) / 8388608.0
        frames = audio.T.reshape(-1) * 8388608.0
        assert samples_of(audio) == b"".join(int(v).to_bytes(3, "little", signed=True) for v in frames)

    def test_a_long_take_is_the_same_samples_frame_by_frame_across_conversion_blocks(self):
        # longer than a conversion block, an odd frame count (a pad byte), three channels
        rng = np.random.default_rng(11)
        audio = (0.7 * rng.standard_normal((3, 2 * 65536 + 7))).astype(np.float32)
        audio[1, 65535:65538] = [1.5, -1.0, 0.5]  # clipped, full scale, half scale at a block's edge
        ints = np.clip(np.rint(np.clip(audio.astype(np.float64), -1, 1) * 8388608), -8388608, 8388607).astype("<i4")
        expected = ints.T.reshape(-1, 1).view(np.uint8)[:, :3].tobytes()
        wav = bwf_bytes(audio, 48000, bext=BextInfo())
        assert isinstance(wav, bytes)
        assert wav.index(b"data") + 8 + len(expected) + 1 == len(wav)  # the samples, then the pad byte
        assert wav[wav.index(b"data") + 8:-1] == expected and wav[-1:] == b"\0"
        assert struct.unpack("<I", wav[4:8])[0] == len(wav) - 8

    def test_full_scale_is_clipped_not_wrapped(self, tmp_path):
        audio = np.array([[1.0, -1.0, 1.5, -1.5, 0.0]], np.float32)
        back, _ = soundfile.read(write_bwf(tmp_path / "c.wav", audio, 48000, bext=BextInfo()), dtype="float32")
        np.testing.assert_allclose(back, [1.0 - 2**-23, -1.0, 1.0 - 2**-23, -1.0, 0.0], atol=tolerances.PCM24)

    def test_writes_are_atomic_and_leave_no_temp_files(self, tmp_path):
        path = tmp_path / "sub" / "take.wav"
        write_bwf(path, tone(), 48000, bext=BextInfo())
        write_bwf(path, tone(1), 48000, bext=BextInfo())  # replaces in one rename
        assert [p.name for p in path.parent.iterdir()] == ["take.wav"]
        assert WavInfoReader(str(path)).fmt.channel_count == 1

    @pytest.mark.parametrize("bad", [np.zeros((2, 3, 4), np.float32), np.array([[np.nan, 0.0]]), np.zeros((1, 4), np.int16)])
    def test_bad_audio_is_rejected(self, tmp_path, bad):
        with pytest.raises(InvalidInput):
            write_bwf(tmp_path / "x.wav", bad, 48000, bext=BextInfo())
        assert not (tmp_path / "x.wav").exists()

    def test_track_names_must_match_channels(self, tmp_path):
        with pytest.raises(InvalidInput, match="track names"):
            write_bwf(tmp_path / "x.wav", tone(2), 48000, bext=BextInfo(), ixml=IXmlInfo(track_names=("one",)))
