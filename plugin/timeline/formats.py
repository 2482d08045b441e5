"""Which interchange format a file is, and reading it through OTIO's adapter plugins.

Every format goes through an OTIO adapter (never hand-parsed). This module only decides which
adapter, supplies what a format lacks (an EDL's frame rate), and turns adapter failures into
errors that say what to do.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from foleyline import timebase
from foleyline.errors import InvalidInput, NotFound

__all__ = [
    "Format",
    "FORMATS",
    "detect_format",
    "format_by_name",
    "read_timeline",
    "read_timelines",
    "timeline_rate",
    "normalise_rate",
    "source_format",
    "RESOLVE_GENERATED",
]


@dataclass(frozen=True)
class Format:
    name: str          # our name, used on the command line and in reports
    adapter: str       # the OTIO adapter name
    suffix: str        # what we write
    label: str         # what an editor calls it


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("otio", "otio_json", ".otio", "OpenTimelineIO"),
        Format("otioz", "otioz", ".otioz", "OpenTimelineIO bundle"),
        Format("fcp7", "fcp_xml", ".xml", "FCP7 XML"),
        Format("fcpx", "fcpx_xml", ".fcpxml", "FCPXML"),
        Format("edl", "cmx_3600", ".edl", "CMX3600 EDL"),
        Format("aaf", "AAF", ".aaf", "AAF"),
        Format("kdenlive", "kdenlive", ".kdenlive", "Kdenlive"),
        Format("xges", "xges", ".xges", "GES XML"),
    )
}

_BY_SUFFIX = {
    ".otio": "otio",
    ".otioz": "otioz",
    ".fcpxml": "fcpx",
    ".edl": "edl",
    ".aaf": "aaf",
    ".kdenlive": "kdenlive",
    ".xges": "xges",
}
# Every suffix a timeline export has here (``.xml`` is sniffed; ``.fcpxmld`` and ``.otiod`` are
# bundle folders).
BUNDLE_FOLDERS = (".fcpxmld", ".otiod")
TIMELINE_SUFFIXES = (*_BY_SUFFIX, ".xml", *BUNDLE_FOLDERS)
# The exports the readers take, as an error message tells the editor what to give.
FILES_READ = ".otio, .otioz, .otiod, FCP7 .xml, .fcpxml, .edl, .aaf, .kdenlive or .xges"
# An editor may give the NLE's own project file, which no adapter reads: each names the export
# that application makes of a sequence and that is read here. (Shotcut saves MLT XML with clock
# times, which the Kdenlive reader cannot read; its File > Export > EDL writes a list.)
PROJECT_FILES = {
    ".mlt": ("a Shotcut (MLT XML) project", "in Shotcut, File > Export > EDL"),
    ".prproj": ("an Adobe Premiere Pro project", "in Premiere, File > Export > Final Cut Pro XML or EDL"),
    ".drp": ("a DaVinci Resolve project", "in Resolve, File > Export > Timeline (.otio, .fcpxml or .edl)"),
    ".avb": ("an Avid bin", "in Media Composer, export the sequence as AAF or an EDL"),
    ".fcpbundle": ("a Final Cut Pro library", "in Final Cut Pro, File > Export XML"),
}

# Where the reader keeps the origin of a timeline (so write-back can use the same format).
META_KEY = "foleyline"
# what Resolve makes without a media file: titles, generators, Fusion clips (its exports do not say which)
RESOLVE_GENERATED = "Resolve title or generator"


def format_by_name(name: str) -> Format:
    try:
        return FORMATS[name.lower()]
    except KeyError:
        raise InvalidInput(f"unknown timeline format {name!r}; choose one of {', '.join(FORMATS)}") from None


def project_file_refusal(path: Path) -> str | None:
    """What to export instead, when ``path`` is an NLE's own project file (see ``PROJECT_FILES``)."""
    known = PROJECT_FILES.get(path.suffix.lower())
    if known is None:
        return None
    what, how = known
    return f"{path}: {what}, not an export of its sequence; {how}, and give that file"


def detect_format(path: Path) -> Format:
    """The format of ``path`` from its suffix; an ``.xml`` file is sniffed (FCP7 ``<xmeml>`` or
    FCPXML ``<fcpxml>``) because both NLE families write ``.xml``."""
    suffix = path.suffix.lower()
    if (refusal := project_file_refusal(path)) is not None:
        raise InvalidInput(refusal)
    if suffix == ".fcpxmld":  # Final Cut Pro 10.6+ exports a bundle folder holding Info.fcpxml
        return FORMATS["fcpx"]
    if suffix == ".otiod":  # OTIO's bundle folder: content.otio, its media in media/ beside it
        return FORMATS["otio"]
    if suffix in _BY_SUFFIX:
        return FORMATS[_BY_SUFFIX[suffix]]
    if suffix == ".xml":
        with open(path, "rb") as handle:
            head = handle.read(4096).lower()
        if b"<fcpxml" in head:
            return FORMATS["fcpx"]
        if b"<xmeml" in head:
            return FORMATS["fcp7"]
        raise InvalidInput(
            f"{path}: an .xml file that is neither FCP7 XML (<xmeml>) nor FCPXML (<fcpxml>); "
            "export the sequence as Final Cut Pro XML"
        )
    raise InvalidInput(f"{path}: unknown timeline format {suffix or '(no suffix)'!r}; export {FILES_READ}")


def normalise_rate(rate: float) -> float:
    """23.976 typed by a person (or written by an exporter) is 24000/1001; keep integer rates.
    Without this, 23.976 and 23.976023976 frames drift apart by one every ~40 minutes.
    (foleyline.timebase decides; OTIO wants the rate as a float.)"""
    return float(timebase.rate_from_float(float(rate)).fps)


def read_timeline(path: str | Path, *, rate: float | None = None, timeline: str | int | None = None,
                  guess_rate: bool = False) -> otio.schema.Timeline:
    """One timeline of ``path``: the only one, or the one ``timeline`` names (its name, or its
    1-based number in :func:`read_timelines` order). See :func:`read_timelines` for the rest."""
    from foleyline.plugin.timeline.timelines import choose

    return choose(read_timelines(path, rate=rate, guess_rate=guess_rate), timeline, Path(path))


def read_timelines(path: str | Path, *, rate: float | None = None, guess_rate: bool = False) -> list[otio.schema.Timeline]:
    """Every timeline of ``path`` (FCPXML events and libraries, AAF files with several top-level
    compositions, FCP7 XML with several sequences and OTIO collections hold more than one),
    read through OTIO's adapters (FCPXML through our reader, see fcpxml.py).

    ``rate`` is required for an EDL (it does not record its frame rate) and for a timeline whose
    times count a clock rather than frames (see ``FRAME_RATES``); it is ignored otherwise;
    with ``guess_rate`` an EDL without one, or whose timecodes count frames the rate cannot
    have, is read at the lowest standard rate its timecodes allow. Each timeline's
    metadata["foleyline"] records the format and path it came from (write-back writes the
    same format by default) and its place in the file.
    """
    path = Path(path)
    if not path.exists():
        raise NotFound(f"timeline file not found: {path}")
    fmt = detect_format(path)
    kwargs: dict[str, object] = {}
    notes: list[str] = []
    text = None
    if fmt.name == "edl":
        from foleyline.plugin.timeline import edl_text

        text, kwargs["rate"], notes = _edl_rate(path, rate, guess_rate)
        notes += edl_text.keyed_layers(text)
    try:
        with warnings.catch_warnings():
            # the kdenlive adapter prints a deprecation banner on import; it is not the user's problem
            warnings.simplefilter("ignore")
            timelines = _read(path, fmt, kwargs, text)
    except InvalidInput:
        raise
    except Exception as exc:  # adapters raise anything from KeyError to their own classes
        raise InvalidInput(
            f"{path}: the {fmt.label} reader could not read it ({type(exc).__name__}: {exc}); "
            "check the export settings or export again"
        ) from exc
    if not timelines:
        raise InvalidInput(f"{path}: holds {_what_instead(path, fmt)}")
    from foleyline.plugin.timeline import quirks
    from foleyline.plugin.timeline.clipinfo import timeline_drop_frame

    for index, timeline in enumerate(timelines, start=1):
        quirks.fix_after_read(timeline, fmt.name)
        meta = dict(timeline.metadata.get(META_KEY, {}) or {})
        meta.update({"source_format": fmt.name, "source_path": str(path), "timeline_index": index,
                     "timeline_count": len(timelines)})
        if notes:
            meta["read_notes"] = notes
        if fmt.name == "otioz":
            meta["media_base"] = str(_otioz_media_dir(path))
        elif path.is_dir():  # an .otiod bundle: its references are relative to the folder
            meta["media_base"] = str(path)
        if fmt.name == "edl":
            meta["edl_rate"] = kwargs["rate"]
            # drop-frame exists at 29.97 and 59.94 only, whatever the file claims
            meta["drop_frame"] = timebase.timecode_rate(kwargs["rate"], _edl_says_drop(text)).drop_frame
            timeline.metadata[META_KEY] = meta
        else:
            timeline.metadata[META_KEY] = meta
            if rate:
                at_frame_rate(timeline, rate)
            # decided once, here, from what the export says; writers and shots read it back
            meta["drop_frame"] = timeline_drop_frame(timeline, timeline_rate(timeline)) if _has_rate(timeline) else False
            timeline.metadata[META_KEY] = meta
    return timelines


def _has_rate(timeline: otio.schema.Timeline) -> bool:
    try:
        timeline_rate(timeline)
    except InvalidInput:
        return False
    return True


def _edl_rate(path: Path, rate: float | None, guess: bool) -> tuple[str, float, list[str]]:
    """The EDL's text and the rate to read it at, with what was decided about it."""
    from foleyline.plugin.timeline import edl_text

    text = edl_text.decode(path.read_bytes())
    found = edl_text.rate_from_timecodes(text)
    label = timebase.as_rate(found.rate, found.drop_frame).label
    if rate is None:
        if not guess:
            raise InvalidInput(
                f"{path}: an EDL does not record its frame rate; give it (e.g. --rate 23.976, 24, 25 or 29.97; "
                f"its timecodes fit {label})"
            )
        alike = {"24": "23.976 and 24 look alike", "30": "29.97 and 30 look alike", "60": "59.94 and 60 look alike"}
        said = f" ({alike[label]})" if label in alike else ""
        return text, found.rate, [f"frame rate {label} guessed from its timecodes{said}"]
    rate = normalise_rate(rate)
    if not found.allows(rate):
        said = timebase.as_rate(rate).label
        if not guess and timebase.as_rate(rate).timecode_base > found.highest_record_frame:
            # --rate at the source's count would misplace every record timecode
            raise InvalidInput(
                f"{path}: its record timecodes fit {said} fps, but its source timecodes count frame "
                f"{found.highest_frame}: media at another rate (at least {label} fps) cut into a {said} fps edit, "
                "whose source in points an EDL cannot say at one rate; export the sequence as .otio, FCP7 XML "
                f"or AAF, which keep each file's own rate (or, if the edit itself is {label} fps, give --rate {label})"
            )
        if not guess:
            raise InvalidInput(
                f"{path}: its timecodes count frame {found.highest_frame}, which {said} fps does not have; "
                f"the EDL is at least {label} fps: give --rate {label}"
            )
        return text, found.rate, [f"read at {label} fps: its timecodes count frame {found.highest_frame}, "
                                  f"which {said} fps does not have"]
    return text, rate, []


def _edl_says_drop(text: str) -> bool:
    """An EDL states drop-frame in its first FCM line (or writes ';' timecodes): the reader ignores both."""
    from foleyline.plugin.timeline import edl_text

    return edl_text.list_drop_frame(text)


def _otioz_media_dir(path: Path) -> Path:
    """Where a bundle's media is unpacked: Foleyline's data folder, by content hash, once. The
    bundle's references are relative ("media/A001.mov"); the shots find them there."""
    import hashlib
    import shutil
    import tempfile
    import zipfile

    from foleyline import config

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    target = config.data_dir() / "otioz" / digest.hexdigest()[:20]
    if not target.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".unpack.", dir=target.parent))
        try:
            with zipfile.ZipFile(path) as bundle:
                bundle.extractall(staging)
            os.replace(staging, target)  # whole or not at all; a concurrent unpack may have won
        except OSError:
            if not target.is_dir():
                raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _read(path: Path, fmt: Format, kwargs: dict[str, object], text: str | None) -> list[otio.schema.Timeline]:
    if fmt.name == "fcpx":
        from foleyline.plugin.timeline.fcpxml import read_fcpxml

        if path.is_dir():  # an .fcpxmld bundle
            path = path / "Info.fcpxml"
            if not path.is_file():
                raise InvalidInput(f"{path.parent}: an .fcpxmld bundle without Info.fcpxml; export the project again")
        return read_fcpxml(path.read_bytes().decode("utf-8", "replace"), str(path))
    if fmt.name == "edl":
        from foleyline.plugin.timeline import edl_text

        fixed = edl_text.normalise(text, kwargs["rate"])
        return _timelines_in(otio.adapters.read_from_string(fixed, adapter_name=fmt.adapter, **kwargs))
    if fmt.name == "xges":
        from foleyline.plugin.timeline import quirks

        quirks.xges_one_module()
    if fmt.name == "fcp7":
        from foleyline.plugin.timeline import quirks

        quirks.fcp7_nested_sequences()
    if fmt.name == "otio" and path.is_dir():
        if not (path / "content.otio").is_file():
            raise InvalidInput(f"{path}: an .otiod bundle without content.otio; export the timeline again")
        return _timelines_in(otio.adapters.read_from_file(str(path / "content.otio"), adapter_name=fmt.adapter))
    if fmt.name == "kdenlive":
        from foleyline.plugin.timeline import kdenlive_read

        kdenlive_read.install()
        # the Kdenlive adapter prints a deprecation banner on stdout, into our tables
        with contextlib.redirect_stdout(io.StringIO()):
            return _timelines_in(otio.adapters.read_from_file(str(path), adapter_name=fmt.adapter, **kwargs))
    return _timelines_in(otio.adapters.read_from_file(str(path), adapter_name=fmt.adapter, **kwargs))


def _what_instead(path: Path, fmt: Format) -> str:
    """What a file with no timeline holds: a pipeline tool (AYON, a Resolve or Hiero script) writes
    one clip of a cut as OTIO, which is no cut to place Foley in."""
    if fmt.name == "otio":
        try:
            root = otio.adapters.read_from_file(str(path), adapter_name=fmt.adapter)
        except Exception:  # it was read once already; say no more than before
            root = None
        if isinstance(root, otio.core.Composable):
            return (f"one {type(root).__name__.lower()} ({root.name or 'unnamed'}) and no timeline to place it in; "
                    "export the sequence it is cut in")
    return "no timeline (sequence, project or composition); export a sequence"


def _timelines_in(result: object) -> list[otio.schema.Timeline]:
    if isinstance(result, otio.schema.Timeline):
        return [result]
    if isinstance(result, otio.schema.SerializableCollection):
        return list(result.find_children(descended_from_type=otio.schema.Timeline))
    return []


def source_format(timeline: otio.schema.Timeline) -> str | None:
    """The format name the timeline was read from, when it came through :func:`read_timeline`."""
    meta = timeline.metadata.get(META_KEY) or {}
    return meta.get("source_format")


# Frames per second a picture is shot at lie in this range; a rate outside it counts a clock,
# not frames: 1 (seconds: RationalTime()'s default, which tools leave as the global start) or
# 600, 24000, 90000 (AVFoundation's and MPEG's ticks). Read as frames, such a timeline rounds
# every cut to a whole tick: at rate 1, to whole seconds.
FRAME_RATES = (8.0, 240.0)


def is_frame_rate(rate: float) -> bool:
    return FRAME_RATES[0] <= rate <= FRAME_RATES[1]


def timeline_rate(timeline: otio.schema.Timeline) -> float:
    """The timeline's frame rate: its global start time's rate, else the first track item's;
    a rate that counts a clock rather than frames (see ``FRAME_RATES``) is passed over.

    FCPXML and Kdenlive exports carry no global start time; their items carry the sequence rate.
    """
    clocks: list[float] = []
    if timeline.global_start_time is not None and timeline.global_start_time.rate > 0:
        if is_frame_rate(timeline.global_start_time.rate):
            return normalise_rate(timeline.global_start_time.rate)
        clocks.append(timeline.global_start_time.rate)
    meta_rate = (timeline.metadata.get(META_KEY) or {}).get("edl_rate")
    if meta_rate:
        return normalise_rate(meta_rate)
    for track in timeline.tracks:
        for item in track:
            if isinstance(item, otio.core.Item):
                rate = item.trimmed_range().duration.rate
                if rate > 0 and is_frame_rate(rate):
                    return normalise_rate(rate)
                if rate > 0:
                    clocks.append(rate)
    if clocks:
        raise InvalidInput(f"the timeline counts its times at {max(clocks):g} per second, a clock rather than a frame "
                           "rate, and names no frame rate: give the sequence's with --rate (e.g. --rate 23.976)")
    raise InvalidInput("the timeline holds no clips: there is nothing to take Foley for (and no frame rate to "
                       "read); export the sequence with its clips")


def at_frame_rate(timeline: otio.schema.Timeline, rate: float) -> None:
    """A timeline whose times count a clock (see ``FRAME_RATES``) put at the frame ``rate`` the
    user gave, every time rounded to a whole frame, in place; one with a frame rate is left."""
    if _has_rate(timeline):
        return
    from foleyline.plugin.timeline import quirks

    if not is_frame_rate(rate):
        raise InvalidInput(f"--rate {rate:g} is not a frame rate (between {FRAME_RATES[0]:g} and {FRAME_RATES[1]:g} "
                           "frames per second); give the sequence's, e.g. --rate 23.976")
    rate = normalise_rate(rate)
    quirks.rescale_ranges(timeline, rate)
    start = timeline.global_start_time
    timeline.global_start_time = otio.opentime.RationalTime(round(start.rescaled_to(rate).value) if start else 0, rate)


def global_start(timeline: otio.schema.Timeline) -> otio.opentime.RationalTime:
    rate = timeline_rate(timeline)
    if timeline.global_start_time is None:
        return otio.opentime.RationalTime(0, rate)
    return timeline.global_start_time.rescaled_to(rate)
