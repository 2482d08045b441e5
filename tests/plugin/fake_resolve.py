"""A fake of DaVinci Resolve's scripting API that follows its documented behaviour (Resolve 19
scripting README): 1-based track indexes, absolute item frames with exclusive ends, in/out marks
as offsets from the timeline start (out inclusive, keys missing when unset), AppendToTimeline
clipInfos with media frames (end exclusive) and an absolute recordFrame, AddMarker refusing an
occupied frame or an unknown colour. Calls are recorded for the tests to inspect."""

from __future__ import annotations

import itertools
from pathlib import Path

COLORS = {"Blue", "Cyan", "Green", "Yellow", "Red", "Pink", "Purple", "Fuchsia", "Rose", "Lavender", "Sky", "Mint",
          "Lemon", "Sand", "Cocoa", "Cream"}
_ids = itertools.count(1)


class MediaPoolItem:
    def __init__(self, path: str, start_tc: str = "00:00:00:00", frames: int = 100000) -> None:
        self.props = {"File Path": path, "Start TC": start_tc, "Frames": str(frames), "FPS": "24"}

    def GetClipProperty(self, key=None):
        return self.props if key is None else self.props.get(key, "")

    def GetName(self):
        return Path(self.props["File Path"]).name


class TimelineItem:
    def __init__(self, name, start, end, left_offset=0, pool_item=None, enabled=True):
        self.name, self.start, self.end, self.left, self.pool_item, self.enabled = name, start, end, left_offset, pool_item, enabled
        self.uid = f"item-{next(_ids)}"

    def GetName(self):
        return self.name

    def GetStart(self):
        return self.start

    def GetEnd(self):
        return self.end

    def GetDuration(self):
        return self.end - self.start

    def GetLeftOffset(self):
        return self.left

    def GetRightOffset(self):
        return 0

    def GetMediaPoolItem(self):
        return self.pool_item

    def GetClipEnabled(self):
        return self.enabled

    def GetUniqueId(self):
        return self.uid


class Timeline:
    def __init__(self, name="Edit", fps="24", start_frame=86400, drop="0"):
        self.name, self.start_frame = name, start_frame
        self.settings = {"timelineFrameRate": fps, "timelineDropFrameTimecode": drop}
        self.tracks = {"video": [[]], "audio": [[]], "subtitle": []}
        self.track_names = {"video": ["Video 1"], "audio": ["Audio 1"], "subtitle": []}
        self.track_types = {"audio": ["stereo"]}
        self.markers: dict[int, dict] = {}
        self.mark_in_out: dict = {}

    def GetName(self):
        return self.name

    def GetSetting(self, key=""):
        return self.settings.get(key, "")

    def GetStartFrame(self):
        return self.start_frame

    def GetTrackCount(self, track_type):
        return len(self.tracks[track_type])

    def GetTrackName(self, track_type, index):
        return self.track_names[track_type][index - 1]

    def SetTrackName(self, track_type, index, name):
        if not 1 <= index <= len(self.tracks[track_type]):
            return False
        self.track_names[track_type][index - 1] = name
        return True

    def GetItemListInTrack(self, track_type, index):
        if not 1 <= index <= len(self.tracks[track_type]):
            return None
        return list(self.tracks[track_type][index - 1])

    def AddTrack(self, track_type, sub_type=None):
        if track_type not in self.tracks or (track_type == "audio" and sub_type not in (None, "mono", "stereo", "5.1")):
            return False
        self.tracks[track_type].append([])
        self.track_names[track_type].append(f"{track_type.title()} {len(self.tracks[track_type])}")
        return True

    def GetMarkers(self):
        return dict(self.markers)

    def AddMarker(self, frame_id, color, name, note, duration, custom_data=""):
        if frame_id in self.markers or color not in COLORS or duration < 1:
            return False
        self.markers[frame_id] = {"color": color, "duration": duration, "note": note, "name": name, "customData": custom_data}
        return True

    def GetMarkInOut(self):
        return dict(self.mark_in_out)

    # test helpers
    def add_video(self, track, name, record_offset, length, left_offset, path, start_tc="00:00:00:00", enabled=True):
        while len(self.tracks["video"]) < track:
            self.tracks["video"].append([])
            self.track_names["video"].append(f"Video {len(self.tracks['video'])}")
        start = self.start_frame + record_offset
        item = TimelineItem(name, start, start + length, left_offset, MediaPoolItem(str(path), start_tc), enabled)
        self.tracks["video"][track - 1].append(item)
        return item


class MediaPool:
    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.imported: list[MediaPoolItem] = []
        self.append_calls: list[list[dict]] = []
        self.end_inclusive = False  # a Resolve build that reads endFrame as inclusive

    def ImportMedia(self, paths):
        items = [MediaPoolItem(p) for p in paths if Path(p).exists()]
        self.imported += items
        return items

    def AppendToTimeline(self, infos):
        self.append_calls.append([dict(i) for i in infos])
        placed = []
        for info in infos:
            if info.get("mediaType") not in (1, 2) or not isinstance(info.get("mediaPoolItem"), MediaPoolItem):
                continue
            kind = "audio" if info["mediaType"] == 2 else "video"
            index = info.get("trackIndex", 1)
            if not 1 <= index <= len(self.timeline.tracks[kind]):
                continue
            length = info["endFrame"] - info["startFrame"] + (1 if self.end_inclusive else 0)
            start = info["recordFrame"]
            track = self.timeline.tracks[kind][index - 1]
            if any(start < i.end and i.start < start + length for i in track):
                continue  # Resolve does not stack clips on one track
            item = TimelineItem(info["mediaPoolItem"].GetName(), start, start + length, info["startFrame"], info["mediaPoolItem"])
            track.append(item)
            placed.append(item)
        return placed


class Project:
    def __init__(self, timeline: Timeline | None) -> None:
        self.timeline = timeline
        self.pool = MediaPool(timeline) if timeline else None

    def GetCurrentTimeline(self):
        return self.timeline

    def GetMediaPool(self):
        return self.pool

    def GetSetting(self, key=""):
        return self.timeline.GetSetting(key) if self.timeline else ""


class ProjectManager:
    def __init__(self, project):
        self.project = project

    def GetCurrentProject(self):
        return self.project


class Resolve:
    def __init__(self, timeline: Timeline | None = None, *, no_project: bool = False) -> None:
        self.project = None if no_project else Project(timeline)

    def GetProjectManager(self):
        return ProjectManager(self.project)
