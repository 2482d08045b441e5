"""The Pro Tools AAF, read back with pyaaf2: one composition, linked Broadcast WAVs, 48 kHz /
24-bit / real channel count descriptors, media rate equal to the track rate."""

from __future__ import annotations

from fractions import Fraction

import aaf2
import pytest

from foleyline.errors import MediaError
from foleyline.notes.schema import LayerKind
from foleyline.plugin.timeline import Placement, find_shots, read_timeline, write_foley_timeline

SPREAD = [("A001", 24, 100, 48), ("A002", 100, 200, 24), ("A003", 160, 300, 36)]


@pytest.fixture
def written(timeline_factory, wav_factory, tmp_path):
    def make(rate=24.0, start_tc="01:00:00:00", channels=(2, 1), expose_handles=False):
        timeline = timeline_factory(rate=rate, start_tc=start_tc, clips=SPREAD)
        shots = find_shots(timeline).shots
        wavs = [wav_factory(f"take{i}.wav", seconds=5, channels=channels[i % len(channels)]) for i in range(len(shots))]
        placements = [Placement(s, f"take-{i}", "steps", LayerKind.FOLEY, wavs[i], 12, 12, f"steps {i}")
                      for i, s in enumerate(shots)]
        out = write_foley_timeline(timeline, placements, tmp_path / "foley.aaf", expose_handles=expose_handles)
        return out, shots, wavs

    return make


def test_one_composition_with_a_timecode_start(written):
    out, shots, _ = written()
    with aaf2.open(str(out), "r") as f:
        comps = list(f.content.compositionmobs())
        assert len(comps) == 1 and comps[0].usage == "Usage_TopLevel"
        tc = [s.segment for s in comps[0].slots if isinstance(s.segment, aaf2.components.Timecode)]
        assert tc[0].start == 86400 and tc[0].fps == 24


def test_descriptors_are_48k_24_bit_with_the_real_channel_count_and_linked(written):
    out, _, wavs = written(channels=(2, 1))
    with aaf2.open(str(out), "r") as f:
        sources = {m.name: m for m in f.content.sourcemobs()}
        assert set(sources) == {w.name for w in wavs}
        for wav in wavs:
            d = sources[wav.name].descriptor
            assert isinstance(d, aaf2.essence.PCMDescriptor)
            assert d["SampleRate"].value == 48000 and d["AudioSamplingRate"].value == 48000
            assert d["QuantizationBits"].value == 24
            assert d["Channels"].value == (2 if wav.name in ("take0.wav", "take2.wav") else 1)
            assert d["Length"].value == 5 * 48000
            assert d["Locator"].value[0]["URLString"].value == wav.resolve().as_uri()
        assert len(list(f.content.essencedata)) == 0  # linked, never embedded


def test_every_slot_runs_at_the_track_rate(written):
    out, _, _ = written(rate=24000 / 1001)
    with aaf2.open(str(out), "r") as f:
        for mob in f.content.mobs:
            for slot in mob.slots:
                assert Fraction(slot["EditRate"].value) == Fraction(24000, 1001), (mob.name, slot.name)


def test_clips_sit_under_their_shots_and_stereo_takes_fill_two_tracks(written):
    out, shots, wavs = written(channels=(2, 1))
    back = read_timeline(out)
    names = [t.name for t in back.tracks]
    assert names[:2] == ["Foley L", "Foley R"]
    left = back.tracks[0].find_clips()
    # cut to their shots: each clip starts at its shot's record frame, 12 frames into its WAV
    assert [round(c.range_in_parent().start_time.value) for c in left] == [s.record_in_frame - 86400 for s in shots]
    assert [round(c.range_in_parent().duration.value) for c in left] == [s.duration_frames for s in shots]
    assert [c.source_range.start_time.value for c in left] == [12, 12, 12]
    # a mono take sits on the left channel only
    right = back.tracks[1].find_clips()
    assert len(right) == 2
    with aaf2.open(str(out), "r") as f:
        masters = {m.name: m for m in f.content.mastermobs()}
        assert masters["take1"].comments["Foleyline take"] == "take-1"
        assert masters["take1"].comments["Comments"] == "steps 1"


def test_the_whole_wav_is_linked_for_trimming_and_markers_sit_on_the_shots_first_frames(written):
    out, shots, _ = written()
    with aaf2.open(str(out), "r") as f:
        # the master clips are the whole 5 s WAVs (120 frames at 24), so the handles can be trimmed into
        for master in f.content.mastermobs():
            assert {slot.segment.length for slot in master.slots} == {120}
        [comp] = f.content.compositionmobs()
        positions = sorted(m["Position"].value for slot in comp.slots if isinstance(slot, aaf2.mobslots.EventMobSlot)
                           for m in slot.segment.components)
        assert positions == [s.record_in_frame - 86400 for s in shots]


def test_exposed_handles_start_clips_a_head_handle_early(written):
    out, shots, _ = written(expose_handles=True)
    back = read_timeline(out)
    left = back.tracks[0].find_clips()
    assert [round(c.range_in_parent().start_time.value) for c in left] == [s.record_in_frame - 86400 - 12 for s in shots]
    assert [round(c.range_in_parent().duration.value) for c in left] == [12 + s.duration_frames + 12 for s in shots]
    assert [c.source_range.start_time.value for c in left] == [0, 0, 0]


def test_a_take_that_is_not_a_wav_is_refused(timeline_factory, tmp_path):
    timeline = timeline_factory(clips=SPREAD)
    shot = find_shots(timeline).shots[0]
    bogus = tmp_path / "take.wav"
    bogus.write_bytes(b"not audio")
    with pytest.raises(MediaError, match="cannot be read"):
        write_foley_timeline(timeline, [Placement(shot, "t", "x", LayerKind.FX, bogus, 12, 12, "")], tmp_path / "f.aaf")
    assert not (tmp_path / "f.aaf").exists()
