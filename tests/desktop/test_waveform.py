"""The waveform strip: peaks and energy of the take on the shot's time axis; click to scrub."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile
from PyQt6.QtCore import QPoint, Qt

from foleyline.desktop.waveform import BUCKETS, WaveformWidget, load_take_audio
from foleyline.errors import MediaError
from foleyline.notes.schema import Event, Layer, LayerKind, Notes


def _burst_wav(path, rate=48000):
    """2 s of silence with one loud 0.1 s burst at 1.5 s."""
    audio = np.zeros(2 * rate, dtype=np.float32)
    audio[int(1.5 * rate):int(1.6 * rate)] = 0.8
    soundfile.write(str(path), audio, rate, subtype="PCM_24")
    return path


def test_peaks_and_energy_place_the_burst_where_it_is(tmp_path):
    audio = load_take_audio(_burst_wav(tmp_path / "t.wav"), head=0.5)
    assert audio.duration == pytest.approx(2.0)
    assert audio.minima.size == BUCKETS
    loud = np.flatnonzero(audio.energy > 0.5) / BUCKETS * audio.duration
    assert loud.min() == pytest.approx(1.5, abs=0.002) and loud.max() == pytest.approx(1.6, abs=0.002)
    assert audio.energy.max() == pytest.approx(1.0)
    assert audio.maxima.max() == pytest.approx(0.8, abs=1e-3)


def test_an_unreadable_file_is_a_media_error(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio")
    with pytest.raises(MediaError, match="fetch the take again"):
        load_take_audio(bad, 0.0)


def test_clicking_seeks_in_shot_time_and_events_draw(qtbot, tmp_path):
    widget = WaveformWidget()
    widget.resize(401, 100)
    qtbot.addWidget(widget)
    widget.show()
    widget.set_shot_duration(4.0)
    widget.set_audio(load_take_audio(_burst_wav(tmp_path / "t.wav"), head=0.5))
    widget.set_notes(Notes(layers=(Layer(label="hits", kind=LayerKind.FX, events=(Event(1.0, 1.0, "hit"), Event(2.0, 3.0, "ring"))),)))
    with qtbot.waitSignal(widget.seek_requested) as blocker:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(100, 50))
    assert blocker.args[0] == pytest.approx(1.0)
    image = widget.grab().toImage()
    assert not image.isNull()
    # The burst sits at audio 1.5 s = shot 1.0 s (0.5 s head): the waveform is tall at x=100..110.
    column = [image.pixelColor(105, y).lightness() for y in range(100)]
    quiet = [image.pixelColor(300, y).lightness() for y in range(100)]
    assert max(column) > max(quiet[5:45])
