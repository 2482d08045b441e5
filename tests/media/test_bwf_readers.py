"""bwf: what Pro Tools, Soundminer, Resolve and BWF MetaEdit read, checked over the written bytes
with a parser of the test's own (struct over the RIFF chunks, ElementTree over the iXML) rather
than by reading our files back with our own reader.

    EBU Tech 3285   bext text fields are ASCII: one line, NUL-padded
    iXML            a field with nothing to say is left out (the guidelines: a reader keeps
                    its own default for a missing field, not for an empty one); rates are
                    fractions ("25/1"); FILE_UID names each file, FILE_SET/FAMILY_UID the
                    files made together (a take's stems and mix)
"""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from fractions import Fraction

import numpy as np
import pytest

from foleyline.server.media.bwf import BextInfo, IXmlInfo, TakeStamp, bwf_bytes, take_bext, take_ixml
from foleyline.timebase import as_rate


def chunks_of(wav: bytes) -> dict[bytes, bytes]:
    """Each chunk's payload by tag, walking the RIFF by its sizes and pad bytes."""
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"
    assert struct.unpack("<I", wav[4:8])[0] == len(wav) - 8
    found, at = {}, 12
    while at < len(wav):
        tag, size = wav[at:at + 4], struct.unpack("<I", wav[at + 4:at + 8])[0]
        found[tag] = wav[at + 8:at + 8 + size]
        at += 8 + size + size % 2
    assert at == len(wav)
    return found


def written(channels: int = 1, *, bext: BextInfo | None = None, ixml: IXmlInfo | None = None) -> dict[bytes, bytes]:
    audio = np.zeros((channels, 480), np.float32)
    return chunks_of(bwf_bytes(audio, 48000, bext=bext or BextInfo(), ixml=ixml))


def ixml_root(wav_chunks: dict[bytes, bytes]) -> ET.Element:
    return ET.fromstring(wav_chunks[b"iXML"])


def stamp(**changes) -> TakeStamp:
    fields = dict(scene="sh010", label="hits", take_id="take-0123456789ab", take_number=2, stem=1, project="",
                  time_reference=0, rate=as_rate("25"), heard="metal hits", kind="FX", engine="procedural")
    fields.update(changes)
    return TakeStamp(**fields)


def take_file(channels: int = 1, **changes) -> ET.Element:
    made = stamp(**changes)
    return ixml_root(written(channels, bext=take_bext(made, channels), ixml=take_ixml(made, channels)))


class TestIXml:
    def test_a_field_with_nothing_to_say_is_left_out_not_written_empty(self):
        root = ixml_root(written(2, ixml=IXmlInfo(scene="sh010", take="1")))
        assert [e.tag for e in root.iter() if len(e) == 0 and not (e.text or "").strip()] == []
        for absent in ("PROJECT", "TAPE", "NOTE", "USER", "FILE_UID", "FILE_SET"):
            assert root.find(absent) is None, absent
        tracks = root.findall("TRACK_LIST/TRACK")
        assert [t.findtext("INTERLEAVE_INDEX") for t in tracks] == ["1", "2"]
        assert [t.find("NAME") for t in tracks] == [None, None]  # unnamed channels: no NAME

    @pytest.mark.parametrize("rate, fraction, flag", [
        ("23.976", "24000/1001", "NDF"), ("24", "24/1", "NDF"), ("25", "25/1", "NDF"), ("29.97 DF", "30000/1001", "DF"),
        ("30", "30/1", "NDF"), ("50", "50/1", "NDF"), ("59.94", "60000/1001", "NDF"),
    ])
    def test_every_speed_is_a_fraction_as_recorders_write_it(self, rate, fraction, flag):
        speed = ixml_root(written(ixml=IXmlInfo(rate=as_rate(rate)))).find("SPEED")
        for tag in ("MASTER_SPEED", "CURRENT_SPEED", "TIMECODE_RATE"):
            assert speed.findtext(tag) == fraction, tag
        assert Fraction(fraction) == as_rate(rate).fps and speed.findtext("TIMECODE_FLAG") == flag

    def test_each_take_file_has_its_own_uid_and_its_take_is_its_family(self):
        layer1, layer2, mix = take_file(stem=1), take_file(stem=2, label="room"), take_file(stem=0, label="mix")
        alternate = take_file(take_id="take-ba9876543210", take_number=3)
        files = (layer1, layer2, mix, alternate)
        assert len({root.findtext("FILE_UID") for root in files}) == 4
        assert {root.findtext("FILE_SET/FAMILY_UID") for root in (layer1, layer2, mix)} == {"FOLEYLINE-take-0123456789ab"}
        assert alternate.findtext("FILE_SET/FAMILY_UID") not in (None, layer1.findtext("FILE_SET/FAMILY_UID"))
        assert layer1.findtext("FILE_SET/FAMILY_NAME") == "sh010 take 2" and layer1.findtext("SCENE") == "sh010"

    def test_a_take_without_a_project_or_notes_writes_neither(self):
        root = take_file(project="", summary="")
        assert root.find("PROJECT") is None and root.find("NOTE") is None
        assert take_file(project="Night Market").findtext("PROJECT") == "Night Market"


class TestBextText:
    DESCRIPTION = slice(0, 256)

    def test_text_is_printable_ascii_on_one_line(self):
        bext = BextInfo(description="caf\u00e9 door \u2014 \u201clatch\u201d click\nsecond\tline \u4e2d")
        field = written(bext=bext)[b"bext"][self.DESCRIPTION]
        text, padding = field.split(b"\0", 1)[0], field[len(field.split(b"\0", 1)[0]):]
        assert text == b'cafe door - "latch" click second line ?'
        assert all(0x20 <= byte <= 0x7E for byte in text) and set(padding) == {0}

    def test_a_take_description_cut_to_256_keeps_the_shot_and_take(self):
        made = stamp(heard="caf\u00e9 \u2026 " * 60)
        field = written(bext=take_bext(made, 1))[b"bext"][self.DESCRIPTION]
        assert field.isascii() and b"\n" not in field and b"\0" not in field  # exactly 256 characters
        assert field.endswith(b"... | shot sh010, take 2 | generated by an algorithm (Foleyline)")


class TestIXmlText:
    def test_characters_xml_cannot_carry_are_replaced_so_every_reader_still_parses_the_chunk(self):
        root = ixml_root(written(ixml=IXmlInfo(scene="sh\x0b010", note="a\x00b\x1b", project="P\ud800\uffff",
                                               user="line one\nline two\ttab")))
        assert root.findtext("SCENE") == "sh\ufffd010" and root.findtext("NOTE") == "a\ufffdb\ufffd"
        assert root.findtext("PROJECT") == "P\ufffd\ufffd" and root.findtext("USER") == "line one\nline two\ttab"
