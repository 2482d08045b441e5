"""The FCP7 XML writer made linear (fcp7_writer.py) writes the document the adapter's own
writer writes: the same elements, ids and back-references, only faster."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from foleyline.notes.schema import LayerKind
from foleyline.plugin.timeline import Placement, find_shots, read_timeline
from foleyline.plugin.timeline import fcp7_writer, quirks
from foleyline.plugin.timeline.track_names import track_names
from foleyline.plugin.timeline.writeback import build_foley_timeline
from timeline_exports import premiere_xml


def _both(timeline, monkeypatch) -> tuple[str, str]:
    """(the adapter's own document, ours) for the same timeline."""
    fcp7_writer.install()
    ours = quirks.write_string(timeline, "fcp7", "fcp_xml")
    module = fcp7_writer.adapter_module()
    with monkeypatch.context() as patch:
        for name, function in fcp7_writer.ORIGINALS.items():
            patch.setattr(module, name, function)
        theirs = quirks.write_string(timeline, "fcp7", "fcp_xml")
    return theirs, ours


def _same_document(a: str, b: str) -> bool:
    return ET.canonicalize(a, strip_text=True) == ET.canonicalize(b, strip_text=True)


def test_a_premiere_export_with_nested_sequences_writes_the_same_document(otio_samples_dir, monkeypatch):
    timeline = read_timeline(otio_samples_dir / "premiere_example.xml")
    theirs, ours = _both(timeline, monkeypatch)
    assert _same_document(theirs, ours)
    assert 'id="sequence-' in ours and ours.startswith('<?xml version="1.0" ?>\n<xmeml version="4">\n    <project>')


def test_foley_clips_sharing_media_get_the_same_ids_and_back_references(tmp_path, wav_factory, monkeypatch):
    """Twelve shots over three files, two layers each from one WAV per kind: files are written
    once and referred back to by id, clip items numbered from the ids the export had."""
    clips = [(f"A00{i % 3}", i * 30, 10 + i, 24) for i in range(12)]
    timeline = read_timeline(premiere_xml(tmp_path / "cut.xml", clips=clips))
    shots = find_shots(timeline).shots
    names = track_names()
    wavs = {kind: wav_factory(f"{kind.value}.wav", 3.0) for kind in (LayerKind.FOLEY, LayerKind.BG)}
    placements = [Placement(shot, f"take{i}", kind.value, kind, wavs[kind], 6, 6, "steps", track_names=names)
                  for i, shot in enumerate(shots) for kind in wavs]
    theirs, ours = _both(build_foley_timeline(timeline, placements), monkeypatch)
    assert _same_document(theirs, ours)
    root = ET.fromstring(ours)
    files = [f for f in root.iter("file")]
    assert len({f.get("id") for f in files}) == 5  # three camera files, two WAVs
    assert sum(1 for f in files if f.find("pathurl") is None) == len(files) - 5  # the rest refer back


def test_an_id_is_the_one_the_item_was_read_with_when_free_else_the_smallest_free():
    ids = fcp7_writer._Ids()
    taken = [ids.take(preferred) for preferred in (None, 5, None, 5, 2, None, None, None, None)]
    assert taken == [1, 5, 2, 3, 4, 6, 7, 8, 9]
