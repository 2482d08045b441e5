"""``foleyline generate``: a timeline in, a Foley timeline and WAVs out; bad input is one clear
line, a non-zero exit, and nothing written."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
import soundfile

from .clikit import write_timeline
from foleyline.cli import main
from foleyline.server.engines.base import Engine, EngineCapabilities


def _foley_clips(path: Path) -> list[tuple[str, int, otio.schema.Clip]]:
    timeline = otio.adapters.read_from_file(str(path))
    clips = []
    for track in timeline.tracks:
        if track.kind != otio.schema.TrackKind.Audio:
            continue
        for clip in track.find_clips():
            clips.append((track.name, round(clip.range_in_parent().start_time.value), clip))
    return clips


def _video_ranges(path: Path) -> dict[str, tuple[int, int]]:
    """Shot name -> (record start, length) in frames from the timeline's start."""
    timeline = otio.adapters.read_from_file(str(path))
    video = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video][0]
    return {clip.name: (round(clip.range_in_parent().start_time.value), round(clip.range_in_parent().duration.value))
            for clip in video.find_clips()}


def _first_sample_frame(wav: Path) -> float:
    """The record frame (at 24 fps, from 00:00:00:00) of a take's first sample, from its BWF stamp."""
    from wavinfo import WavInfoReader

    return WavInfoReader(str(wav)).bext.time_reference / 48000 * 24


def test_generate_writes_a_foley_timeline_with_clips_cut_to_their_shots(timeline: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["generate", str(timeline), "-o", str(out), "--seed", "4"]) == 0
    written = out / "cut_foley.otio"
    assert written.exists()
    assert "wrote" in capsys.readouterr().out
    clips = _foley_clips(written)
    assert clips, "no Foley clips were written"
    shots = _video_ranges(written)
    for track_name, start, clip in clips:
        assert track_name.startswith("Foley")
        meta = clip.metadata["foleyline"]
        shot_start, shot_length = shots[meta["shot_name"]]
        # exactly the shot's record frames, like the picture above it
        assert (start, round(clip.source_range.duration.value)) == (shot_start, shot_length), clip.name
        # the used range begins after the head handle, which waits in the WAV to be trimmed into
        head = meta["handle_head_frames"]
        assert head == 12 and meta["shown_head_frames"] == 0
        available = clip.media_reference.available_range
        assert clip.source_range.start_time.value - available.start_time.value == head
        wav = Path(meta["wav_path"])
        info = soundfile.info(str(wav))
        assert (info.samplerate, info.subtype) == (48000, "PCM_24")
        assert wav.parent == out
        assert wav.stem.endswith(f"_T{meta['take_number']:02d}")  # named by the take's number, as the panel names it
        # the whole WAV, its media time counted from its BWF stamp (record time of the first
        # sample), so the clip's source start is the shot's record frame
        assert (available.start_time.value, available.duration.value) == (_first_sample_frame(wav), info.frames // 2000)
        assert _first_sample_frame(wav) + head == 86400 + shot_start, clip.name
    assert {meta_shot for meta_shot in (c.metadata["foleyline"]["shot_name"] for _t, _s, c in clips)} == set(shots)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")], "staging left behind"


def test_written_files_are_readable_by_the_team_as_the_umask_says(timeline: Path, tmp_path: Path) -> None:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    out = tmp_path / "out"
    assert main(["generate", str(timeline), "-o", str(out)]) == 0
    modes = {p.name: p.stat().st_mode & 0o777 for p in out.iterdir()}
    assert modes and set(modes.values()) == {0o666 & ~mask}, modes


def test_expose_handles_shows_them_on_the_timeline(timeline: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["generate", str(timeline), "-o", str(out), "--expose-handles"]) == 0
    shots = _video_ranges(out / "cut_foley.otio")
    shown = []
    for _track, start, clip in _foley_clips(out / "cut_foley.otio"):
        meta = clip.metadata["foleyline"]
        shot_start, shot_length = shots[meta["shot_name"]]
        head = meta["shown_head_frames"]
        shown.append(head)
        # the clip starts its shown head handle early; shot1 sits at the timeline start, so shows none
        media_start = clip.source_range.start_time.value - clip.media_reference.available_range.start_time.value
        assert start + head == shot_start and media_start + head == meta["handle_head_frames"]
        assert round(clip.source_range.duration.value) == head + shot_length + meta["shown_tail_frames"]
    assert max(shown) == 12


def test_format_aaf_writes_a_pro_tools_aaf_linking_the_wavs_in_place(timeline: Path, tmp_path: Path) -> None:
    import aaf2

    from foleyline.plugin.timeline import read_timeline

    out = tmp_path / "out"
    assert main(["generate", str(timeline), "-o", str(out), "--format", "aaf"]) == 0
    written = out / "cut_foley.aaf"
    assert written.exists()
    wavs = sorted(out.glob("*.wav"))
    assert wavs
    with aaf2.open(str(written), "r") as f:
        urls = {m.descriptor["Locator"].value[0]["URLString"].value for m in f.content.sourcemobs()}
    assert urls == {w.resolve().as_uri() for w in wavs}  # the WAVs where they now are, not the staging folder
    shots = _video_ranges(timeline)
    back = read_timeline(written)
    starts = sorted({(round(c.range_in_parent().start_time.value), round(c.range_in_parent().duration.value))
                     for t in back.tracks for c in t.find_clips()})
    assert starts == sorted(shots.values())
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")], "staging left behind"


def test_a_timeline_that_cannot_be_written_leaves_the_folder_as_it_was(timeline: Path, tmp_path: Path, capsys,
                                                                       monkeypatch) -> None:
    from foleyline.errors import InvalidInput

    def broken(*args, **kwargs):
        raise InvalidInput("the writer failed; write .otio instead")

    monkeypatch.setattr("foleyline.plugin.commands.generate.write_foley_timeline", broken)
    out = tmp_path / "out"
    assert main(["generate", str(timeline), "-o", str(out)]) == 2
    assert "the writer failed" in capsys.readouterr().err.strip().splitlines()[-1]
    assert not out.exists()
    out.mkdir()
    (out / "earlier.txt").write_text("kept")
    assert main(["generate", str(timeline), "-o", str(out)]) == 2
    assert [p.name for p in out.iterdir()] == ["earlier.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")], "staging left behind"


def test_marker_colour_selects_only_the_shots_under_it(timeline: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["generate", str(timeline), "--marker-color", "RED", "-o", str(out)]) == 0
    shots = {clip.metadata["foleyline"]["shot_name"] for _t, _s, clip in _foley_clips(out / "cut_foley.otio")}
    assert shots == {"shot2"}


def test_an_editors_notes_file_drives_its_shot_and_the_others_are_drafted(timeline: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "shot1.txt").write_text("reasoning: two knocks on a table\n\n[FX] knocks\nprompt: knuckles knocking on wood\n")
    out = tmp_path / "out"
    assert main(["generate", str(timeline), "-o", str(out), "--notes", str(notes)]) == 0
    layers: dict[str, set[str]] = {}
    for track_name, _start, clip in _foley_clips(out / "cut_foley.otio"):
        meta = clip.metadata["foleyline"]
        layers.setdefault(meta["shot_name"], set()).add(meta["layer"])
        if meta["shot_name"] == "shot1":
            assert track_name == "Foley FX" and "knuckles knocking on wood" in meta["notes"]
    assert layers["shot1"] == {"knocks"}
    assert len(layers["shot2"]) >= 2  # drafted: an ambience bed and the hits at least


def test_a_malformed_notes_file_is_named_with_its_line(timeline: Path, tmp_path: Path, capsys) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "shot1.txt").write_text("[FX] knocks\nprompt knuckles\n")
    _fails(["generate", str(timeline), "-o", str(tmp_path / "out"), "--notes", str(notes)], capsys,
           "shot1.txt", "line 2")
    assert not (tmp_path / "out").exists()


def _fails(argv: list[str], capsys, *expected: str) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line
    for text in expected:
        assert text in err, err
    return err


def test_an_unreadable_timeline_is_refused_and_nothing_is_written(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "cut.otio"
    bad.write_text("{ this is not json")
    _fails(["generate", str(bad), "-o", str(tmp_path / "out")], capsys, "foleyline generate:", str(bad))
    assert not (tmp_path / "out").exists()


def test_a_missing_timeline_file_is_named(tmp_path: Path, capsys) -> None:
    _fails(["generate", str(tmp_path / "nope.otio"), "-o", str(tmp_path / "out")], capsys, "nope.otio")
    assert not (tmp_path / "out").exists()


def test_missing_media_is_refused_before_any_work(timeline: Path, tmp_path: Path, capsys) -> None:
    (tmp_path / "media" / "drops.mp4").unlink()
    _fails(["generate", str(timeline), "-o", str(tmp_path / "out")], capsys, "shot1", "relink")
    assert not (tmp_path / "out").exists()


def test_an_empty_selection_says_how_to_select(timeline: Path, tmp_path: Path, capsys) -> None:
    # the markers there are, so the editor sees what to select by
    _fails(["generate", str(timeline), "--marker-color", "PURPLE", "-o", str(tmp_path / "out")], capsys,
           "no marker is PURPLE", "RED x1", "'foley'")
    assert not (tmp_path / "out").exists()


def test_a_zero_length_shot_is_refused(tmp_path: Path, cli_clip: Path, capsys) -> None:
    cut = write_timeline(tmp_path / "zero.otio", cli_clip, [(12, 24), (40, 0)])
    err = _fails(["generate", str(cut), "-o", str(tmp_path / "out")], capsys, "shot2", "01:00:01:00")
    assert re.search(r"zero.length", err)
    assert not (tmp_path / "out").exists()


def test_a_second_server_on_a_busy_port_is_a_clear_error(tmp_path: Path, capsys) -> None:
    from foleyline.server.app import ServerConfig, start_server

    running = start_server(ServerConfig(address="127.0.0.1:0", data_dir=tmp_path / "store", token="a-token-for-this-test"))
    try:
        _fails(["serve", "--address", f"127.0.0.1:{running.port}", "--data-dir", str(tmp_path / "other")], capsys,
               "port is in use", "--address")
    finally:
        running.stop(grace=0.1)


def test_an_unreachable_configured_server_is_a_clear_error(timeline: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("FOLEYLINE_SERVER", "127.0.0.1:1")
    _fails(["generate", str(timeline), "-o", str(tmp_path / "out")], capsys, "cannot reach the Foleyline server at 127.0.0.1:1")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("argv", "said"), [
    (["--takes", "0"], "--takes must be between 1 and 16, got 0"),
    (["--handles", "-1"], "--handles must be between 0 and 1000 frames, got -1"),
    # the option's name, not the request field the server would have refused
    (["--handles", "100000"], "--handles must be between 0 and 1000 frames, got 100000"),
])
def test_bad_settings_are_refused(timeline: Path, tmp_path: Path, capsys, argv: list[str], said: str) -> None:
    _fails(["generate", str(timeline), "-o", str(tmp_path / "out"), *argv], capsys, said)


class _ToneEngine(Engine):
    """A test engine: a quiet tone, enough to prove the path works."""

    def capabilities(self) -> EngineCapabilities:
        return EngineCapabilities("tone", "m", "0", 48000, 1, None, False, False, False, False, False, "cpu")

    def generate(self, shot, layer, seeds, settings, *, progress=None, cancel=None):
        n = int(round(shot.duration * 48000))
        return [0.1 * np.sin(np.arange(n, dtype=np.float32) * 0.05)[None, :] for _ in seeds]


def test_media_outside_a_remote_servers_roots_is_refused_by_name_unless_uploaded(
    timeline: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    from foleyline.server.app import ServerConfig, start_server
    from foleyline.server.engines.registry import EngineRegistry

    allowed = tmp_path / "allowed"
    allowed.mkdir()
    running = start_server(
        ServerConfig(address="127.0.0.1:0", data_dir=tmp_path / "store", allowed_roots=[allowed], token="a-token-for-this-test"),
        EngineRegistry.with_engines({"tone": _ToneEngine()}, default="tone"),
    )
    try:
        # serving: `generate` gives a configured server a few seconds only
        assert running.ready.wait(60)
        monkeypatch.setenv("FOLEYLINE_SERVER", running.address)
        monkeypatch.setenv("FOLEYLINE_TOKEN", "a-token-for-this-test")
        assert main(["generate", str(timeline), "-o", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err.strip().splitlines()[-1]
        assert "outside the server's allowed roots" in err
        assert str(tmp_path / "media" / "drops.mp4") in err
        assert not (tmp_path / "out").exists()

        assert main(["generate", str(timeline), "--upload", "-o", str(tmp_path / "out")]) == 0
        assert (tmp_path / "out" / "cut_foley.otio").exists()
    finally:
        running.stop(grace=0.1)


def test_a_record_range_selects_the_shots_inside_it(timeline: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["generate", str(timeline), "--range", "01:00:00:00", "01:00:01:00", "-o", str(out)]) == 0
    shots = {clip.metadata["foleyline"]["shot_name"] for _t, _s, clip in _foley_clips(out / "cut_foley.otio")}
    assert shots == {"shot1"}


def test_an_unknown_track_is_refused(timeline: Path, tmp_path: Path, capsys) -> None:
    _fails(["generate", str(timeline), "--track", "7", "-o", str(tmp_path / "out")], capsys, "7")
    assert not (tmp_path / "out").exists()


def test_a_failed_write_puts_back_the_files_a_rerun_would_have_replaced(tmp_path: Path) -> None:
    from foleyline.plugin.commands.generate import _move_in_and_write

    out, staging = tmp_path / "out", tmp_path / ".out.stage"
    out.mkdir()
    staging.mkdir()
    (out / "a.wav").write_text("earlier take")
    (staging / "a.wav").write_text("new take")
    (staging / "b.wav").write_text("new take")

    def broken() -> Path:
        assert (out / "a.wav").read_text() == "new take"  # the writer sees the WAVs in their places
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        _move_in_and_write([(staging / "a.wav", out / "a.wav"), (staging / "b.wav", out / "b.wav")], staging, out, broken)
    assert [(p.name, p.read_text()) for p in out.iterdir()] == [("a.wav", "earlier take")]


def test_a_timeline_at_an_absurd_rate_is_one_clear_line(tmp_path: Path, cli_clip: Path, capsys) -> None:
    rate = 2.0**63
    timeline = otio.schema.Timeline(name="absurd")
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    track.append(otio.schema.Clip(
        name="shot1", media_reference=otio.schema.ExternalReference(target_url=cli_clip.resolve().as_uri()),
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(48, rate)),
    ))
    timeline.tracks.append(track)
    path = tmp_path / "absurd.otio"
    otio.adapters.write_to_file(timeline, str(path))
    assert main(["generate", str(path), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "Traceback" not in "\n".join(err)
    # no frame rate counts 2**63 frames a second: read as a clock, the user is asked for the rate
    assert re.search(r"counts its times at 9.22337e\+18 per second, a clock rather than a frame rate.*--rate", err[-1])
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("typed", ["0", "-3"])
def test_a_seed_below_one_is_refused_before_anything_runs_as_it_would_give_random_takes(
        timeline: Path, tmp_path: Path, capsys, typed: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as stopped:
        main(["generate", str(timeline), "-o", str(out), "--seed", typed])
    assert stopped.value.code == 2
    said = capsys.readouterr().err
    assert "seeds start at 1" in said and "leave --seed out" in said
    assert not out.exists()
