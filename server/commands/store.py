"""``foleyline store gc``: free what the store no longer needs, and say what was freed.

    foleyline store gc [--data-dir DIR] [--min-age SECONDS] [--dry-run]

Removes staged files whose writer is gone (a server killed mid-write, a broken upload) and
WAVs no take refers to (a crash between writing a take's files and recording it, a cancelled
shot), those at least ``--min-age`` seconds old, so that a server running on the same store
keeps what it is about to record. A running server does the same every sweep interval.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from foleyline import config
from foleyline.errors import NotFound
from foleyline.server import housekeeping
from foleyline.server.store import Store

EXAMPLES = (
    "foleyline store gc --dry-run                         # what would be freed",
    "foleyline store gc                                   # free it (orphans an hour old or older)",
    "foleyline store gc --data-dir /var/lib/foleyline --min-age 0",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["gc"], help="gc: collect orphan WAVs and staged files")
    parser.add_argument("--data-dir", type=Path, default=None, help="the store (setting data_dir)")
    parser.add_argument("--min-age", type=float, default=housekeeping.ORPHAN_GRACE_S, metavar="SECONDS",
                        help=f"leave orphans younger than this (default {housekeeping.ORPHAN_GRACE_S:g})")
    parser.add_argument("--dry-run", action="store_true", help="only say what would be freed")


def run(args: argparse.Namespace) -> int:
    data_dir = config.value("data_dir", args.data_dir)
    if not (data_dir / "store.sqlite3").is_file():
        raise NotFound(f"no store at {data_dir}; give the server's --data-dir")
    store = Store(data_dir)
    try:
        housekeeping.repair(store)
        report = housekeeping.gc(store, max(0.0, args.min_age), dry_run=args.dry_run)
    finally:
        store.close()
    print(f"{'would free' if args.dry_run else 'freed'}{str(report).removeprefix('freed')}")
    return 0
