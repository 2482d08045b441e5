"""The AAF writer makes each WAV's mobs as a copy of the first ones of that shape (channels,
rate, bits) instead of building them property by property. The file is the same as one where
every WAV's mobs are built: same compositions, mobs, slots, descriptors, locators, comments and
clips on the same frames, read back with pyaaf2 and with our reader."""

from __future__ import annotations

import aaf2
import pytest

from foleyline.notes.schema import LayerKind
from foleyline.plugin.timeline import Placement, find_shots, read_timeline, write_foley_timeline
from foleyline.plugin.timeline import aaf as aaf_writer

from .conftest import write_wav

SHOTS = [(f"A{i:03d}", 40 * i, 100 + 10 * i, 30 + i) for i in range(6)]
VOLATILE = {"MobID", "CreationTime", "LastModified"}  # new per mob and per second, by design


@pytest.fixture
def placements(timeline_factory, tmp_path):
    """Two layers per shot, every take its own WAV: mono and stereo, 48 and 96 kHz, several
    lengths, one WAV placed twice."""
    timeline = timeline_factory(rate=24000 / 1001, clips=SHOTS)
    shots = find_shots(timeline).shots
    placed = []
    for i, shot in enumerate(shots):
        for layer, kind, channels, rate in (("steps", LayerKind.FOLEY, 1 + i % 2, 48000), ("room", LayerKind.BG, 2, 48000 * (1 + i % 2))):
            wav = write_wav(tmp_path / f"{shot.id}_{layer}.wav", 2 + i % 3, rate=rate, channels=channels)
            placed.append(Placement(shot, f"take-{i}-{layer}", layer, kind, wav, 12, 12, f"{layer} {i}"))
    placed.append(Placement(shots[0], "take-0-again", "steps", LayerKind.FX, placed[0].wav_path, 12, 12, "again"))
    return timeline, placed


def _written(timeline, placed, path, *, copies: bool, monkeypatch) -> str:
    with monkeypatch.context() as m:
        if not copies:  # no prototype is ever found: every WAV's mobs are built
            m.setattr(aaf_writer._WavLinker, "_prototype", lambda self, shape: None)
        return str(write_foley_timeline(timeline, placed, path, fmt="aaf"))


def _plain(value, names):
    """A property value as plain data, mob ids as the names of the mobs they point to."""
    if isinstance(value, aaf2.core.AAFObject):
        return {p.name: _plain(p.value, names) for p in value.properties() if p.name not in VOLATILE}
    if isinstance(value, aaf2.mobid.MobID):
        return names.get(value, str(value))
    if isinstance(value, (list, tuple)):
        return [_plain(v, names) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v, names) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v, names) for k, v in value.items()}
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)


def _mobs(path: str) -> list:
    with aaf2.open(path, "r") as f:
        mobs = list(f.content.mobs)
        names = {mob.mob_id: f"{type(mob).__name__} {mob.name}" for mob in mobs}
        return sorted(([names[mob.mob_id], _plain(mob, names)] for mob in mobs), key=lambda m: m[0])


def _clips(path: str) -> list:
    timeline = read_timeline(path)
    return [(track.name, clip.name, clip.range_in_parent(), clip.source_range,
             getattr(clip.media_reference, "target_url", None), [(m.name, m.color, m.marked_range) for m in clip.markers])
            for track in timeline.tracks for clip in track.find_clips()]


def test_copied_mobs_write_the_same_file_as_built_ones(placements, tmp_path, monkeypatch):
    timeline, placed = placements
    copied = _written(timeline, placed, tmp_path / "copied.aaf", copies=True, monkeypatch=monkeypatch)
    built = _written(timeline, placed, tmp_path / "built.aaf", copies=False, monkeypatch=monkeypatch)

    copied_mobs, built_mobs = _mobs(copied), _mobs(built)
    assert copied_mobs == built_mobs
    kinds = [name.split()[0] for name, _ in built_mobs]
    wavs = len({p.wav_path for p in placed})
    assert kinds.count("SourceMob") == kinds.count("MasterMob") == wavs and kinds.count("CompositionMob") == 1
    assert _clips(copied) == _clips(built)


def test_each_copy_has_its_own_ids_and_points_at_its_own_source(placements, tmp_path, monkeypatch):
    timeline, placed = placements
    path = _written(timeline, placed, tmp_path / "copied.aaf", copies=True, monkeypatch=monkeypatch)
    with aaf2.open(path, "r") as f:
        mobs = list(f.content.mobs)
        assert len({m.mob_id for m in mobs}) == len(mobs)
        sources = {m.mob_id: m for m in f.content.sourcemobs()}
        for master in f.content.mastermobs():
            for slot in master.slots:
                source = sources[slot.segment.mob_id]
                assert source.name == f"{master.name}.wav"
                assert slot.segment.length == source.slot_at(slot.slot_id).segment.length
