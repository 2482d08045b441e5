"""Relinking by name: which file is found does not depend on the machine."""

from __future__ import annotations

from pathlib import Path

from foleyline.plugin.timeline.relink import Relinker, parse_map, raw_media_path


def test_of_files_sharing_a_name_the_first_in_name_order_is_found(tmp_path: Path) -> None:
    # A folder lists in its file system's own order, which differs between machines.
    for card in ("Card 3", "Card 1", "Card 2"):
        (tmp_path / card).mkdir()
        (tmp_path / card / "A001.mov").write_bytes(b"")
    (tmp_path / "Card 1" / "B001.mov").write_bytes(b"")
    (tmp_path / "B001.MOV").write_bytes(b"")
    relinker = Relinker([tmp_path])
    assert relinker.find(["D:/media/A001.mov"], []) == tmp_path / "Card 1" / "A001.mov"
    assert relinker.find([], ["A001"]) == tmp_path / "Card 1" / "A001.mov"
    assert relinker.find(["D:/media/B001.mov"], []) == tmp_path / "B001.MOV"  # the folder's own files first


def test_media_urls_written_on_windows_name_the_drive_or_share_they_were_on() -> None:
    # Premiere on Windows escapes a drive's colon and a share's backslashes; Resolve and Final Cut
    # write a share as the URL's host
    assert raw_media_path("file://localhost/E%3a/Footage/Szene%201/W001.mov") == "E:/Footage/Szene 1/W001.mov"
    assert raw_media_path("file://localhost/%5c%5cnas01%5cprojects%5cW%20%C3%BC.mov") == "\\\\nas01\\projects\\W ü.mov"
    assert raw_media_path("file://fileserver/share/Proj%20X/c.mov") == "//fileserver/share/Proj X/c.mov"
    assert raw_media_path("file:///Volumes/Media/Jos%C3%A9.mov") == "/Volumes/Media/José.mov"


def test_a_windows_share_maps_and_relinks_by_name_on_another_machine(tmp_path: Path) -> None:
    share = raw_media_path("file://localhost/%5c%5cnas01%5cprojects%5cW005.mov")
    assert parse_map("//NAS01/projects=/mnt/projects").apply(share) == "/mnt/projects/W005.mov"
    (tmp_path / "W005.mov").write_bytes(b"")
    assert Relinker([tmp_path]).find([share], []) == tmp_path / "W005.mov"
