"""Timelines in, Foley tracks out: read any NLE export through OTIO's adapters, find the
editor's shots, write accepted takes back as aligned audio tracks.

    timeline = read_timeline("cut.xml")                 # FCP7 XML, FCPXML, EDL (rate=), AAF, ...
    shots = find_shots(timeline, Selection(track=1, marker_color="RED"))
    write_foley_timeline(timeline, placements, "cut_foley.xml")   # same format, or fmt="otio"/"aaf"
"""

from foleyline.plugin.timeline.formats import FORMATS, detect_format, read_timeline, timeline_rate
from foleyline.plugin.timeline.selection import Problem, Selection, ShotList, find_shots
from foleyline.plugin.timeline.writers import write_foley_timeline
from foleyline.plugin.timeline.writeback import Placement, PlacedClip, build_foley_timeline, placed_clips

__all__ = [
    "FORMATS",
    "Placement",
    "PlacedClip",
    "Problem",
    "Selection",
    "ShotList",
    "build_foley_timeline",
    "detect_format",
    "find_shots",
    "placed_clips",
    "read_timeline",
    "timeline_rate",
    "write_foley_timeline",
]
