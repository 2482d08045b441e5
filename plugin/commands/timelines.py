"""``foleyline timelines FILE``: the timelines a file holds (name, rate, start, duration, tracks).

FCPXML events and libraries, AAF files with several top-level compositions, FCP7 XML with
several sequences and OTIO collections hold more than one; ``--timeline NAME|NUMBER`` on
``generate`` and ``conform`` picks one.
"""

from __future__ import annotations

import argparse
from pathlib import Path


EXAMPLES = (
    'foleyline timelines project.aaf     # then `foleyline generate project.aaf --timeline 2 ...`',
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a timeline export (.otio .otioz .otiod .xml .fcpxml .fcpxmld .edl .aaf .kdenlive .xges) "
                                                "or a movie (one timeline)")
    parser.add_argument("--rate", type=float, default=None,
                        help="frame rate of an EDL (without it, the rate its timecodes allow), or of an OTIO file "
                             "timed by a clock rather than in frames")


def run(args: argparse.Namespace) -> int:
    from foleyline.plugin.timeline import video
    from foleyline.plugin.timeline.formats import read_timelines
    from foleyline.plugin.timeline.timelines import describe, format_listing

    if video.is_video_file(args.file):
        # generate takes a movie as one timeline, its shots cut where the picture cuts
        timelines = [video.timeline_from_video(args.file, cuts=True)]
    else:
        timelines = read_timelines(args.file, rate=args.rate, guess_rate=True)
    print(format_listing(describe(timelines)))
    return 0
