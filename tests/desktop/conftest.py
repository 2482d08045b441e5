"""Fixtures of the panel tests: timelines over the shared clips, a fake client, the window."""

from __future__ import annotations

import functools
from pathlib import Path

import opentimelineio as otio
import pytest

from .fakes import FakeClient

TC = otio.opentime
# What a wait for the panel gives up after: a safety net, never a timing. A wait ends when its
# signal or condition comes, so a loaded machine only makes it longer (pytest-qt's own default,
# 5 s, is a timing that a shared CI machine can miss).
SAFETY_MS = 60_000
CLIPS = (
    "condfoleygen_hitting_metal.mp4",
    "condfoleygen_chopping.mp4",
    "foleycrafter_avsync_2.mp4",
    "videofeatures_v_ZNVhz7ctTq0.mp4",
    "decord_flipping_a_pancake.mkv",
)


def write_timeline(path: Path, media_dir: Path, count: int, *, rate: float = 24.0, length: int = 72) -> Path:
    """An .otio cut of ``count`` shots of ``length`` frames over the shared clips, starting at
    01:00:00:00, each shot 3 s into a clip at a slightly different source in."""
    timeline = otio.schema.Timeline(name=path.stem, global_start_time=TC.from_timecode("01:00:00:00", rate))
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for index in range(count):
        name = CLIPS[index % len(CLIPS)]
        reference = otio.schema.ExternalReference(
            target_url=(media_dir / name).as_uri(),
            available_range=TC.TimeRange(TC.RationalTime(0, rate), TC.RationalTime(96, rate)),
        )
        track.append(otio.schema.Clip(
            name=f"sh{index + 1:03d} {name.split('.')[0]}",
            media_reference=reference,
            source_range=TC.TimeRange(TC.RationalTime(12 + index % 7, rate), TC.RationalTime(length, rate)),
        ))
    timeline.tracks.append(track)
    otio.adapters.write_to_file(timeline, str(path))
    return path


@pytest.fixture
def qtbot(qtbot):
    """pytest-qt's qtbot, its waits given up after ``SAFETY_MS`` unless a test says longer."""
    for name in ("waitSignal", "waitSignals", "waitUntil", "waitCallback", "waitExposed", "waitActive"):
        setattr(qtbot, name, functools.partial(getattr(qtbot, name), timeout=SAFETY_MS))
    return qtbot


@pytest.fixture
def timeline_path(tmp_path: Path, media_dir: Path) -> Path:
    return write_timeline(tmp_path / "cut.otio", media_dir, 5)


@pytest.fixture
def fake_client(tmp_path: Path) -> FakeClient:
    folder = tmp_path / "fake-server"
    folder.mkdir()
    return FakeClient(folder)


@pytest.fixture
def window(qtbot, fake_client: FakeClient):
    """The real main window, its session connected to the fake client."""
    from foleyline.desktop.main_window import MainWindow
    from foleyline.desktop.session import Session

    session = Session(client_factory=lambda address, token: fake_client)
    win = MainWindow(session, use_multimedia=False)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.session.shutdown(SAFETY_MS)
    win.local_server.stop()


def open_and_wait(qtbot, window, path: Path, timeout: int = SAFETY_MS) -> None:
    with qtbot.waitSignal(window.session.timeline_loaded, timeout=timeout):
        window.open_timeline(path)


def connect_and_wait(qtbot, window, timeout: int = SAFETY_MS) -> None:
    with qtbot.waitSignal(window.session.server_info_changed, timeout=timeout):
        window.session.connect_to("fake:1")


def foley_clips_in(timeline: otio.schema.Timeline) -> set[tuple[str, str, str]]:
    """(track, record in, record out) of every clip on the Foley tracks of a written timeline."""
    rate = timeline.global_start_time.rate if timeline.global_start_time else 24.0
    start = timeline.global_start_time or TC.RationalTime(0, rate)
    found = set()
    for track in timeline.audio_tracks():
        if not track.name.startswith("Foley"):
            continue
        for clip in track.find_clips():
            placed = clip.range_in_parent()
            found.add((track.name, TC.to_timecode(start + placed.start_time, rate),
                       TC.to_timecode(start + placed.end_time_exclusive(), rate)))
    return found
