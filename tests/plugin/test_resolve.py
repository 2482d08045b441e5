"""The live Resolve bridge, against a fake of the documented scripting API."""

from __future__ import annotations

from pathlib import Path

import pytest

from foleyline.errors import InvalidInput, Unavailable
from foleyline.notes.schema import LayerKind
from foleyline.plugin.timeline import Placement, Selection
from foleyline.plugin.timeline.resolve import ResolveBridge
from foleyline.plugin.timeline.resolve_run import foley_for_current_timeline
from foleyline.protos.v1 import foley_pb2 as pb

from . import fake_resolve as fake


@pytest.fixture
def edit(tmp_path):
    """A 24 fps timeline starting at 01:00:00:00 with three shots on V1 and one on V2."""
    timeline = fake.Timeline(fps="24", start_frame=86400)
    for name in ("A001.mov", "A002.mov", "A003.mov", "B001.mov"):
        (tmp_path / name).write_bytes(b"")
    timeline.add_video(1, "A001", 24, 48, 10, tmp_path / "A001.mov", start_tc="01:00:00:00")
    timeline.add_video(1, "A002", 100, 24, 0, tmp_path / "A002.mov")
    timeline.add_video(1, "A003", 160, 36, 5, tmp_path / "gone.mov")
    timeline.add_video(2, "B001", 100, 24, 0, tmp_path / "B001.mov")
    return timeline


def test_reads_items_as_shots_with_record_and_source_ranges(edit):
    bridge = ResolveBridge(fake.Resolve(edit))
    _, found = bridge.read_shots(use_marks=False)
    assert [(s.name, s.record_timecode(), s.duration_frames, s.track_index) for s in found.shots] == [
        ("A001", "01:00:01:00", 48, 1), ("A002", "01:00:04:04", 24, 1), ("B001", "01:00:04:04", 24, 2),
        ("A003", "01:00:06:16", 36, 1)]
    a001 = found.shots[0]
    assert a001.source_range.start_time.value == 86400 + 10  # start timecode + left offset
    assert a001.media_path.name == "A001.mov" and a001.missing_reason is None
    assert [p.kind for p in found.problems] == ["missing_media"]


def test_in_out_marks_narrow_the_selection(edit):
    edit.mark_in_out = {"video": {"in": 100, "out": 123}, "audio": {"in": 100, "out": 123}}
    _, found = ResolveBridge(fake.Resolve(edit)).read_shots(Selection(track=1))
    assert [s.name for s in found.shots] == ["A002"]


def test_without_marks_every_clip_is_taken(edit):
    _, found = ResolveBridge(fake.Resolve(edit)).read_shots()
    assert len(found.shots) == 4


def test_an_inverted_mark_is_refused(edit):
    edit.mark_in_out = {"video": {"in": 100, "out": 50}}
    with pytest.raises(InvalidInput, match="out mark"):
        ResolveBridge(fake.Resolve(edit)).read_shots()


def test_timeline_markers_select_by_colour_and_disabled_items_are_reported(edit):
    edit.markers[30] = {"color": "Purple", "duration": 1, "note": "", "name": "door", "customData": ""}
    edit.tracks["video"][0][1].enabled = False
    bridge = ResolveBridge(fake.Resolve(edit))
    _, found = bridge.read_shots(Selection(marker_color="PURPLE"))
    assert [s.name for s in found.shots] == ["A001"]
    _, everything = bridge.read_shots()
    assert any(p.kind == "disabled" and p.clip_name == "A002" for p in everything.problems)


def test_no_project_or_timeline_is_a_clear_error(edit):
    with pytest.raises(Unavailable, match="no project"):
        ResolveBridge(fake.Resolve(edit, no_project=True))
    with pytest.raises(Unavailable, match="no timeline"):
        ResolveBridge(fake.Resolve(None))


def _placements(found, wav_factory):
    return [Placement(s, f"take-{i}", label, kind, wav_factory(f"{i}{label}.wav", channels=2), 12, 12, f"notes {i}")
            for i, s in enumerate(found.shots[:2]) for label, kind in (("steps", LayerKind.FOLEY), ("wind", LayerKind.BG))]


def test_takes_go_on_new_named_audio_tracks_at_their_record_frames(edit, wav_factory):
    resolve = fake.Resolve(edit)
    bridge = ResolveBridge(resolve)
    timeline, found = bridge.read_shots(Selection(track=1))
    result = bridge.place(timeline, _placements(found, wav_factory))
    assert result.problems == []
    assert edit.track_names["audio"] == ["Audio 1", "Foley BG", "Foley"]
    [call] = resolve.project.pool.append_calls
    assert {c["mediaType"] for c in call} == {2}
    foley = {c["recordFrame"]: c for c in call if c["trackIndex"] == 3}
    # cut to their shots: each at its shot's record frame, the used media after the head handle
    assert sorted(foley) == [86400 + 24, 86400 + 100]
    assert foley[86424]["startFrame"] == 12 and foley[86424]["endFrame"] == 12 + 48
    assert foley[86500]["startFrame"] == 12 and foley[86500]["endFrame"] == 12 + 24
    placed = edit.GetItemListInTrack("audio", 3)
    assert [(i.GetStart(), i.GetDuration(), i.GetLeftOffset()) for i in placed] == [(86424, 48, 12), (86500, 24, 12)]
    assert resolve.project.pool.imported and all(Path(i.GetClipProperty("File Path")).exists()
                                                   for i in resolve.project.pool.imported)


def test_exposed_handles_go_a_head_handle_before_the_record_frames(edit, wav_factory):
    resolve = fake.Resolve(edit)
    bridge = ResolveBridge(resolve)
    timeline, found = bridge.read_shots(Selection(track=1))
    result = bridge.place(timeline, _placements(found, wav_factory), expose_handles=True)
    assert result.problems == []
    [call] = resolve.project.pool.append_calls
    foley = {c["recordFrame"]: c for c in call if c["trackIndex"] == 3}
    assert sorted(foley) == [86400 + 24 - 12, 86400 + 100 - 12]
    assert foley[86412]["startFrame"] == 0 and foley[86412]["endFrame"] == 12 + 48 + 12
    placed = edit.GetItemListInTrack("audio", 3)
    assert [(i.GetStart(), i.GetDuration()) for i in placed] == [(86412, 72), (86488, 48)]
    # the markers still sit on the shots' first frames
    assert sorted(f for f, m in edit.markers.items() if m["customData"].startswith("take-")) == [24, 100]


def test_one_marker_per_take_carries_notes_and_take_id(edit, wav_factory):
    edit.markers[36] = {"color": "Red", "duration": 1, "note": "editor's", "name": "", "customData": ""}
    bridge = ResolveBridge(fake.Resolve(edit))
    timeline, found = bridge.read_shots(Selection(track=1))
    bridge.place(timeline, _placements(found, wav_factory))
    ours = {f: m for f, m in edit.markers.items() if m["customData"].startswith("take-")}
    assert sorted(m["customData"] for m in ours.values()) == ["take-0", "take-1"]
    # take-0's shot starts at offset 24... its marker at the shot's first frame; take-1 at 100
    assert ours[24]["note"] == "notes 0" and ours[24]["name"] == "Foley: steps, wind"
    assert edit.markers[36]["note"] == "editor's"  # the editor's marker is untouched


def test_a_clip_resolve_puts_elsewhere_is_reported(edit, wav_factory):
    resolve = fake.Resolve(edit)
    resolve.project.pool.end_inclusive = True
    bridge = ResolveBridge(resolve)
    timeline, found = bridge.read_shots(Selection(track=1))
    result = bridge.place(timeline, _placements(found, wav_factory))
    assert any("expected 86424 for 48" in p for p in result.problems)


def test_media_resolve_cannot_import_is_refused(edit, tmp_path):
    bridge = ResolveBridge(fake.Resolve(edit))
    timeline, found = bridge.read_shots(Selection(track=1))
    ghost = Placement(found.shots[0], "t", "steps", LayerKind.FOLEY, tmp_path / "never-written.wav", 12, 12, "")
    with pytest.raises(Unavailable, match="did not import"):
        bridge.place(timeline, [ghost])


class FakeClient:
    """Answers generate like the server: accepted, progress, one take per shot (two layers)."""

    def __init__(self, wav_factory, fail: set[str] = frozenset()):
        self.wav_factory, self.fail, self.sent = wav_factory, fail, []
        self.files = {}

    def generate(self, shots, settings):
        self.sent = list(shots)
        yield pb.GenerateEvent(accepted=pb.JobAccepted(job_id="j1", shot_count=len(shots)))
        for i, shot in enumerate(shots):
            yield pb.GenerateEvent(progress=pb.ShotProgress(shot_id=shot.id, stage="generate", shots_done=i, shot_count=len(shots)))
            if shot.name in self.fail:
                yield pb.GenerateEvent(shot_failed=pb.ShotFailed(shot_id=shot.id, reason="decode failed"))
                continue
            take = pb.Take(id=f"take{i:04d}xyz", shot_id=shot.id, handle_head_frames=12, handle_tail_frames=12, engine="procedural")
            take.notes.layers.add(label="steps", kind=pb.LAYER_KIND_FOLEY)
            for label, kind in (("steps", pb.LAYER_KIND_FOLEY), ("room", pb.LAYER_KIND_BG)):
                sha = f"{shot.id}-{label}"
                self.files[sha] = self.wav_factory(f"src-{i}-{label}.wav")
                take.layers.add(label=label, kind=kind, audio=pb.AudioFile(sha256=sha))
            yield pb.GenerateEvent(take_ready=take)
        yield pb.GenerateEvent(done=pb.JobDone(shots_done=len(shots)))

    def fetch_audio(self, sha256, dest):
        Path(dest).write_bytes(self.files[sha256].read_bytes())
        return Path(dest)


def test_the_whole_path_from_marks_to_foley_on_the_timeline(edit, wav_factory, tmp_path):
    edit.mark_in_out = {"video": {"in": 0, "out": 130}}
    client = FakeClient(wav_factory, fail={"B001"})
    messages = []
    result = foley_for_current_timeline(ResolveBridge(fake.Resolve(edit)), client, tmp_path / "foley", progress=messages.append)
    assert [s.name for s in client.sent] == ["A001", "A002", "B001"]
    assert "failed: B001: decode failed" in result.problems
    assert len(result.placed) == 4 and set(result.track_indexes) == {"Foley BG", "Foley"}
    assert {m["customData"] for m in edit.markers.values()} == {"take0000xyz", "take0001xyz"}
    assert any(m.startswith("Placing 4 clip") for m in messages)
    assert len(list((tmp_path / "foley").glob("*.wav"))) == 4


def test_nothing_online_between_the_marks_is_refused(edit, wav_factory, tmp_path):
    edit.mark_in_out = {"video": {"in": 160, "out": 190}}  # only A003, whose media is gone
    with pytest.raises(InvalidInput, match="no shots to send"):
        foley_for_current_timeline(ResolveBridge(fake.Resolve(edit)), FakeClient(wav_factory), tmp_path)


def test_the_menu_script_runs_the_bridge_with_resolves_injected_object(edit, wav_factory, tmp_path, monkeypatch, capsys):
    import runpy

    import foleyline.plugin.client as client_module

    edit.mark_in_out = {"video": {"in": 0, "out": 90}}
    client = FakeClient(wav_factory)
    client.health = lambda wait=0.0: "SERVING"
    monkeypatch.setattr(client_module.FoleyClient, "configured", classmethod(lambda cls: _Ctx(client)))
    script = Path(__file__).resolve().parents[2] / "packaging" / "resolve" / "Foleyline.py"
    runpy.run_path(str(script), init_globals={"resolve": fake.Resolve(edit)}, run_name="__resolve__")
    out = capsys.readouterr().out
    assert "Foleyline: placed 2 clip(s) on Foley BG, Foley" in out
    assert edit.track_names["audio"][1:] == ["Foley BG", "Foley"]


class _Ctx:
    def __init__(self, client):
        self.client = client

    def __enter__(self):
        return self.client

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize(("system", "folder"), [
    ("Linux", "home/.local/share/DaVinciResolve/Fusion/Scripts/Utility"),
    ("Darwin", "home/Library/Application Support/Blackmagic Design/DaVinci Resolve/Fusion/Scripts/Utility"),
    ("Windows", "appdata/Blackmagic Design/DaVinci Resolve/Support/Fusion/Scripts/Utility"),
])
def test_resolve_install_puts_the_script_where_resolve_looks(tmp_path, monkeypatch, system, folder, capsys):
    from foleyline import cli
    from foleyline.plugin.commands import resolve as resolve_command

    monkeypatch.setattr(resolve_command.platform, "system", lambda: system)
    monkeypatch.setattr(resolve_command.Path, "home", classmethod(lambda cls: tmp_path / "home"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "appdata"))
    assert cli.main(["resolve", "install"]) == 0
    installed = tmp_path / folder / "Foleyline.py"
    text = installed.read_text()
    assert 'FOLEYLINE_SITE = ""' not in text and f"FOLEYLINE_SITE = {resolve_command.site_packages()!r}" in text
    compile(text, "Foleyline.py", "exec")
    assert str(installed) in capsys.readouterr().out


def test_the_installed_script_finds_foleyline_through_its_site_folder(tmp_path):
    import subprocess
    import sys

    from foleyline.plugin.commands.resolve import install

    script = install(tmp_path)
    probe = f"import runpy, sys; ns = runpy.run_path({str(script)!r}, run_name='probe'); ns['_add_site'](); import foleyline; print('ok')"
    # a Python that does not know this environment: no site-packages, only what the script adds
    done = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.stdout.strip() == "ok", done.stderr


def test_titles_and_generators_are_reported_not_sent(edit):
    title = fake.TimelineItem("Title", 86400 + 300, 86400 + 348, 0, None)
    edit.tracks["video"][1].append(title)
    _, found = ResolveBridge(fake.Resolve(edit)).read_shots()
    assert "Title" not in [s.name for s in found.shots]
    assert any(p.kind == "generator" and p.clip_name == "Title" for p in found.problems)
