"""``foleyline conform FILE...``: check that timelines read, give shots and take Foley back.

For each file: read it through its OTIO adapter, find the shots, write a Foley timeline in the
same format, read that back with the same adapter and compare every Foley clip's position to
the frame. Prints a table (file, format, producer, rate, shots, round trip); exits 1 when any
file fails, so it can gate a pipeline.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from foleyline import timebase
from foleyline.plugin.commands import files_in
from foleyline.plugin.timeline.conformance import conform_file, format_table
from foleyline.plugin.timeline.formats import BUNDLE_FOLDERS


EXAMPLES = (
    'foleyline conform *.aaf *.xml *.fcpxml *.edl',
    'foleyline conform cut.edl --rate 23.976',
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE",
                        help="timelines (.otio .otioz .otiod .xml .fcpxml .fcpxmld .edl .aaf .kdenlive) or folders of them")
    parser.add_argument("--rate", type=str, default=None,
                        help="frame rate of EDLs (an EDL does not record it), e.g. 23.976, 24, 25, 29.97; "
                             "without it, or where an EDL's timecodes count frames it does not have, the rate "
                             "the timecodes allow")


_SUFFIXES = {".otio", ".otioz", ".otiod", ".xml", ".fcpxml", ".fcpxmld", ".edl", ".aaf", ".kdenlive", ".xges"}


def _expand(paths: list[Path]) -> list[Path]:
    """Folders stand for the timelines in them (an .fcpxmld or .otiod bundle is one timeline)."""
    return files_in(paths, _SUFFIXES, bundles=BUNDLE_FOLDERS)


def run(args: argparse.Namespace) -> int:
    rate = float(timebase.as_rate(args.rate).fps) if args.rate else None
    files = _expand(args.files)
    results = [result for path in files for result in conform_file(path, rate=rate)]
    print(format_table(results))
    failed = [r for r in results if not r.ok]
    what = "files conform" if len(results) == len(files) else f"timelines conform ({len(files)} files)"
    print(f"\n{len(results) - len(failed)} of {len(results)} {what}")
    return 1 if failed else 0
