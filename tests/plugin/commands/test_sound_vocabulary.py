"""The editor hears about every stand-in sound, and their own library is a first-class source:
``generate --sfx-library DIR`` and ``notes check`` through the real command line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from foleyline.cli import main

TRAIN_NOTES = "reasoning: a train passes\n\n[FX] train\nprompt: a steam train passing\nevents:\n  0.3 s: train\n"


def _notes(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "shot1.txt").write_text(text)
    return folder


def test_generate_warns_when_no_model_makes_what_a_layer_asks(timeline: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["generate", str(timeline), "-o", str(out), "--notes", str(_notes(tmp_path, TRAIN_NOTES))]) == 0
    err = capsys.readouterr().err
    assert "warning: layer 'train': no sound model for \"steam train\" (UCS TRNSteam); it will sound like" in err


def test_generate_with_a_sound_library_uses_its_file_and_has_nothing_to_warn(timeline: Path, tmp_path: Path, capsys) -> None:
    library = tmp_path / "My SFX"
    library.mkdir()
    t = np.arange(int(0.4 * 48000)) / 48000
    tone = 0.8 * np.sin(2 * np.pi * 440.0 * t) * np.exp(-t / 0.2)
    soundfile.write(library / "TRNSteam_Steam Train Passing_ME_FLN.flac", tone, 48000)
    out = tmp_path / "out"
    argv = ["generate", str(timeline), "-o", str(out), "--notes", str(_notes(tmp_path, TRAIN_NOTES)), "--sfx-library", str(library)]
    assert main(argv) == 0
    assert "no sound model" not in capsys.readouterr().err
    (wav,) = [p for p in out.glob("shot1_train_*.wav")]
    audio, rate = soundfile.read(wav, always_2d=True)
    spectrum = np.abs(np.fft.rfft(audio[:, 0]))
    assert abs(np.fft.rfftfreq(audio.shape[0], 1 / rate)[np.argmax(spectrum)] - 440.0) < 30.0  # the file, pitched +-1 st


def test_a_missing_sound_library_folder_is_refused(timeline: Path, tmp_path: Path, capsys) -> None:
    assert main(["generate", str(timeline), "-o", str(tmp_path / "out"), "--sfx-library", str(tmp_path / "nope")]) == 2
    assert "--sfx-library" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_a_sound_library_cannot_be_given_to_a_running_server(timeline: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("FOLEYLINE_SERVER", "127.0.0.1:1")
    assert main(["generate", str(timeline), "-o", str(tmp_path / "out"), "--sfx-library", str(tmp_path)]) == 2
    assert "foleyline serve --sfx-library" in capsys.readouterr().err


@pytest.mark.parametrize(("prompt", "warned"), [("a steam train passing", True), ("dog barking", False)])
def test_notes_check_warns_about_prompts_without_a_model(tmp_path: Path, capsys, prompt: str, warned: bool) -> None:
    path = tmp_path / "sh.txt"
    path.write_text(f"[FX] sound\nprompt: {prompt}\n")
    assert main(["notes", "check", str(path)]) == 0  # a warning, not an error
    out, err = capsys.readouterr()
    assert "ok, 1 layer(s)" in out
    assert ("warning: layer 'sound': no sound model for" in err) is warned


@pytest.mark.parametrize(("prompt", "named"), [("jungle at night", '"frogs" (UCS ANMLAmph)'), ("busy market ambience", None)])
def test_notes_check_warns_about_a_place_heard_by_a_sound_no_model_makes(tmp_path: Path, capsys, prompt: str, named) -> None:
    path = tmp_path / "sh.txt"
    path.write_text(f"[BG] place\nprompt: {prompt}\n")
    assert main(["notes", "check", str(path)]) == 0
    err = capsys.readouterr().err
    if named is None:
        assert "warning" not in err
    else:
        assert f"warning: layer 'place': no sound model for {named}" in err and "it will sound like crickets chirping" in err
