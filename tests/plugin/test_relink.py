"""Relinking by name: which file is found does not depend on the machine."""

from __future__ import annotations

from pathlib import Path

from foleyline.plugin.timeline.relink import Relinker


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
