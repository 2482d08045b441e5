"""``foleyline notes draft | check | edit`` through the real command line entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from foleyline.cli import main
from foleyline.notes import from_text


def test_check_accepts_good_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sh010.notes"
    path.write_text("[FOLEY] steps\nevents:\n  1 s\n  2 s\n[BG] wind\n")
    assert main(["notes", "check", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: ok, 2 layer(s), 2 event(s): FOLEY steps (2), BG wind\n"


def test_check_names_the_line_and_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.notes"
    path.write_text("version: 2\n\n[FX] hit\nevents:\n  1 s: ok\n  later: oops\n")
    assert main(["notes", "check", str(path)]) == 1
    assert capsys.readouterr().err.startswith(f"{path}:6: expected an event line")


def test_check_with_a_duration_catches_late_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "late.notes"
    path.write_text("[FX] hit\nevents:\n  9 s\n")
    assert main(["notes", "check", str(path), "--duration", "4"]) == 1
    assert "after the shot's end" in capsys.readouterr().err


def test_check_for_thinksound_reports_every_layers_tokens_and_fails_over_77(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    steps = "".join(f"  {t} s: boot lands hard on loose wet gravel, a scuff and stones skittering away\n"
                    for t in (0.5, 1, 1.5, 2))
    path = tmp_path / "notes.txt"
    path.write_text(f"[BG] wind\nprompt: light wind\n\n[FOLEY] steps\nprompt: boots on gravel\nevents:\n{steps}")
    assert main(["notes", "check", str(path), "--engine", "thinksound"]) == 1
    out, err = capsys.readouterr()
    assert "layer 'wind'" in out and "fits" in out
    assert "layer 'steps'" in err and "/77" in err and "OVER" in err
    # nothing was cut: the file is as written
    assert from_text(path.read_text()).layer("steps").events[-1].start == 2


def test_check_of_a_missing_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notes", "check", str(tmp_path / "nope.notes")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_draft_prints_notes_in_the_text_form(media_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notes", "draft", str(media_dir / "condfoleygen_hitting_metal.mp4"), "--range", "1", "3.5",
                 "--writer", "analysis"]) == 0
    notes = from_text(capsys.readouterr().out)
    assert notes.shot_id == "condfoleygen_hitting_metal" and notes.author == "analysis"
    assert notes.layer("ambience").events[0].end == 2.5
    assert all(0 <= e.start <= 2.5 for layer in notes.layers for e in layer.events)


def test_draft_refuses_an_empty_range(media_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notes", "draft", str(media_dir / "condfoleygen_hitting_metal.mp4"), "--range", "3", "1"]) == 2
    assert "OUT must be after IN" in capsys.readouterr().err


def test_edit_prints_the_diff_and_writes_atomically(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sh.notes"
    path.write_text("version: 1\n[BG] wind\n")
    assert main(["notes", "edit", str(path), "add thunder at 2 s", "--duration", "4", "--write"]) == 0
    captured = capsys.readouterr()
    assert "+[FX] thunder\n" in captured.out and "regenerate: thunder" in captured.err
    notes = from_text(path.read_text())
    assert notes.version == 2 and notes.layer("thunder").events[0].start == 2.0
    assert [p.name for p in tmp_path.iterdir()] == ["sh.notes"]  # no temp file left behind
