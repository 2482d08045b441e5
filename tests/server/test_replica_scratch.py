"""A replica's scratch folder is its own while it lives, and a replica starting removes the
folders of replicas that are gone (Ray stops replicas without running their finalisers)."""

from __future__ import annotations

import os
import time

from foleyline.server.cluster.replica import SCRATCH_PREFIX, claim_scratch


def test_a_starting_replica_removes_the_folders_of_replicas_that_are_gone(tmp_path):
    gone, gone_lock = claim_scratch(str(tmp_path))
    (gone / "take.wav").write_bytes(b"RIFF")
    os.close(gone_lock)                        # its process ended: the lock is free
    mine, lock = claim_scratch(str(tmp_path))
    try:
        assert not gone.exists()
        assert mine.is_dir() and mine.name.startswith(SCRATCH_PREFIX)
    finally:
        os.close(lock)


def test_a_living_replicas_folder_is_kept(tmp_path):
    living, living_lock = claim_scratch(str(tmp_path))
    try:
        mine, lock = claim_scratch(str(tmp_path))
        os.close(lock)
        assert living.is_dir() and mine.is_dir()
    finally:
        os.close(living_lock)


def test_a_folder_not_yet_locked_is_kept_unless_it_is_old(tmp_path):
    fresh = tmp_path / f"{SCRATCH_PREFIX}fresh"
    old = tmp_path / f"{SCRATCH_PREFIX}old"
    fresh.mkdir()
    old.mkdir()
    day_ago = time.time() - 86400
    os.utime(old, (day_ago, day_ago))
    unrelated = tmp_path / "someone-else"
    unrelated.mkdir()
    mine, lock = claim_scratch(str(tmp_path))
    os.close(lock)
    assert fresh.is_dir() and not old.exists() and unrelated.is_dir()
