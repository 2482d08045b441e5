"""An EDL's text made readable by the CMX3600 adapter, and the frame rate its timecodes allow.

Real EDLs differ from what the otio-cmx3600-adapter (1.0) accepts in ways that carry no doubt:

- encodings: UTF-8 (with or without a byte-order mark), a legacy 8-bit code page (Premiere
  and Avid on Windows write cp1252 clip names), or UTF-16 (a list saved as Windows "Unicode").
  The adapter reads the file as UTF-8 and fails.
- line ends: CRLF, or a lone CR (classic Mac). Normalised to LF.
- an event whose source and record durations differ without an M2 line: the adapter refuses the
  whole file. Three cases: a source of no length (Avid writes ``00:00:00:00 00:00:00:00`` for
  file media without timecode: leaders, logos), which becomes a source as long as the record;
  a source one frame longer or shorter than the record (Resolve counts a clip of another frame
  rate in that clip's own timecode: 3:21 at 24 fps for 3:22 at 25 is the same 3.88 s), which
  is the record's length, not a speed change; and a speed change the EDL left implicit (a
  48 fps clip in 13 record frames from 25 source frames), which gets the M2 line that says so,
  at the speed the two durations imply.
- an M2 line whose speed does not give the event's source columns (Avid: ``025.0`` on a 24 fps
  clip in a 25 fps list, 185 source frames for 178 record frames; or on a 50 fps clip, 47 for
  94): the speed counts the clip's own frames per second, which the list does not state, while
  the source timecodes, read at the list's rate, span the media the event shows within a frame.
  The adapter takes the source length from the speed, so the shot's media was off by the ratio
  of the two rates (4 % and 100 % here). A forward speed whose span misses the columns by more
  than :data:`_M2_SLACK` frames (more than the M2's one decimal and Avid's rounding explain) is
  rewritten to the speed the columns imply (:func:`m2_speeds_from_columns`). A reverse or
  freeze event keeps its M2: Avid writes a one-frame source span for those.
- a reverse event: Avid writes its source in as the frame it shows first (the M2's entry),
  with a one-frame span, and the clip plays back from there; Premiere writes the columns as the
  span of media it shows, forward, and the entry at their first frame, while the clip shows
  their last frame first. With columns as long as the record (-100 %) the adapter even read
  Premiere's event as a forward clip. Such columns begin at the frame shown first, as Avid's
  (:func:`_reverses_from_their_first_frame`); a shot plays its media from there, backwards.
- a dissolve into the first event of a channel (Avid fades audio up from silence so): the
  adapter cannot start a track with a transition; it becomes a cut.
- an event that records over part of an earlier one on its channel, or a list out of record
  order (Premiere writes a clip and the one that covers it; lists sorted by source): the adapter
  refuses any event that starts before the last one on its track ends. A list is a series of
  recordings onto tape, in order, so a later event covers what an earlier one left there: the
  earlier cut is trimmed, split or dropped to what stays visible, and the events are put in
  record order (:func:`record_over`).
- a locator with a one-digit hour (``* LOC: 1:00:01:00 YELLOW``), as the event lines allow:
  the adapter drops the marker; the hour gets its leading zero.
- drop-frame timecode written with ':' (Avid's lists say ``FCM: DROP FRAME`` and write
  ``01:00:00:00``; CMX3600 has no ';'): the adapter takes the separator, not the FCM line, for
  the counting and reads them as non-drop, every time 108 frames an hour late. At 29.97 and
  59.94 (the rates that have drop-frame) the drop-frame labels are rewritten as the frames they
  count (:func:`drop_frame_counted`): record and locator timecodes as the list's first FCM line
  says, source and M2 timecodes as the FCM line above their event says.
- a transition written with its duration and no type (Avid, for an effect CMX3600 has no code
  for: ``005  EVL1_HEI V      008 00:01:01:10 ...`` after the outgoing line 005): the adapter
  refuses the line. Its timing is a transition's, and a dissolve is what it reads: it becomes
  a dissolve of that duration.
- a cut with a ``TO CLIP NAME`` comment (Avid writes one on cuts, naming the clip before it):
  the adapter names the event after it, so the shot is named, and relinked, as its neighbour.
  A cut shows one clip, its ``FROM CLIP NAME``; the ``TO`` comment belongs to transitions.
- a dissolve into black (``BL``: a fade out) carries the ``FROM CLIP NAME`` of the clip fading
  out, and the adapter names the black after it: "'A001': black generator" said the clip was
  black. The comment names the clip before the black, which its own event names; it goes.
- a colour decision whose values are no numbers (``*ASC_SOP: asop1``, left by a tool that fills
  in a template): the adapter refuses the whole list for it. A grade says nothing of the cut or
  its sound; the comment goes, and a well-formed one stays.
- a dissolve whose outgoing line (no length, at the dissolve's record in) carries the number
  of the event before it instead of the dissolve's: the adapter fails on the mismatch. The
  line is the dissolve's, so it takes the dissolve's number.
- a split edit (``SPLIT: AUDIO DELAY=`` or ``VIDEO DELAY=``, then the event's picture and
  sound as two lines of one number, their record ins apart by the delay): the adapter reads the
  SPLIT line as a comment of the event before, then the pair as a transition, and fails. Each
  line records its own channels at its own record in, which is all the delay says: the SPLIT
  line goes, the sound line gets a number of its own and both keep the event's comments
  (:func:`_split_edits_apart`).
- a key (``K B`` on the background line, then ``K`` or ``KO`` with a duration on the line of
  what is keyed over it: a title, a graphic, a picture in picture): the adapter refuses it. The
  background line is the picture on screen, a cut; what is keyed over it is a layer the one V
  channel of a list cannot hold beside its background, so it goes, said in the read notes
  (:func:`keyed_layers`), as a Kdenlive or Final Cut layer over a shot is a track of its own.
- an event on channel ``NONE`` records neither picture nor sound (a list carries one for a
  comment or a device trigger): the adapter made it a track of its own, at that track's start,
  read as picture; it goes (:func:`_events_without_channels_dropped`).

An EDL does not record its frame rate. :func:`rate_from_timecodes` gives the lowest standard
rate its timecodes allow (frame numbers up to 23: 24, up to 24: 25, up to 29: 30, or 29.97 with
drop-frame, ...): it cannot tell 23.976 from 24, so a user's ``--rate`` is still preferred.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from foleyline import timebase
from foleyline.errors import InvalidInput

__all__ = ["decode", "drop_frame_counted", "list_drop_frame", "m2_speeds_from_columns", "normalise", "rate_from_timecodes",
           "record_over", "RateGuess"]

_TC = r"\d{1,2}[:;.]\d\d[:;.]\d\d[:;.]\d\d"
_EVENT = re.compile(
    rf"^\s*(?P<num>\d{{3,}})\s+(?P<reel>\S+)\s+(?P<chan>\S+)\s+(?P<trans>C|D|W\d+|K[BO]?\d*)\s+(?P<dur>\d+\s+)?"
    rf"(?P<sin>{_TC})\s+(?P<sout>{_TC})\s+(?P<rin>{_TC})\s+(?P<rout>{_TC})\s*$"
)
_SHORT_HOUR_LOC = re.compile(r"^(\s*\*\s*LOC:\s*)(\d[:;.]\d\d[:;.]\d\d[:;.]\d\d\b)", re.IGNORECASE)
_UNTYPED = re.compile(
    rf"^\s*(?P<num>\d{{3,}})\s+(?P<reel>\S+)\s+(?P<chan>\S+)\s+(?P<dur>\d{{3}})\s+"
    rf"{_TC}\s+{_TC}\s+{_TC}\s+{_TC}\s*$"
)
_TO_CLIP = re.compile(r"\s*\*\s*TO CLIP NAME:", re.IGNORECASE)
_FCM = re.compile(r"^\s*FCM:\s*(?P<mode>.*?)\s*$", re.IGNORECASE)
_LABEL = re.compile(r"\b\d{1,2}[:;.]\d\d[:;.]\d\d[:;.]\d\d\b")
_LOC = re.compile(r"\s*\*\s*LOC:", re.IGNORECASE)
_ANY_TC = re.compile(r"\b\d{2}[:;.]\d{2}[:;.]\d{2}[:;.](\d{2})\b")
_STANDARD = (24, 25, 30, 50, 60)
_SPLIT = re.compile(r"^\s*SPLIT\s*:", re.IGNORECASE)
# a key's background line: ``K B`` (or ``KB``) where a cut has ``C``
_KEY_BACKGROUND = re.compile(
    rf"^(?P<head>\s*\d{{3,}}\s+\S+\s+\S+\s+)(?P<trans>K\s*B)(?P<tail>\s+{_TC}\s+{_TC}\s+{_TC}\s+{_TC}\s*)$")
_CDL = re.compile(r"^\s*\*\s*ASC_(?P<kind>SOP|SAT)\b:?\s*(?P<value>.*?)\s*$", re.IGNORECASE)
_NUMBER = r"[-+]?[\d.]+"
# what the adapter reads as slope, offset and power: three triples of numbers in brackets
_SOP = re.compile(r"\(" + r",? ".join([_NUMBER] * 3) + r",?\)\s*\(" + r",? ".join([_NUMBER] * 3)
                  + r",?\)\s*\(" + r",? ".join([_NUMBER] * 3) + r",?\)")
_M2 = re.compile(rf"^(?P<head>\s*M2\s+\S+\s+)(?P<speed>-?\d+(?:\.\d*)?)(?P<tail>\s+{_TC}\s*)$", re.IGNORECASE)
# frames an M2 span may miss the source columns by and still be the same event: its speed has
# one decimal and Avid rounds its source out; in the lists read (the shared and hunted lists'
# 26 forward M2 speeds) a speed at the clip's own rate misses by up to 2.2 frames, a clip of
# another rate by 4 and more. Any slack from 2.2 to 4 reads them alike: the middle of it
_M2_SLACK = 3


def decode(data: bytes) -> str:
    """The EDL's text: UTF-16 where it says so (a byte-order mark: Windows' "Unicode", as Notepad
    and some list tools save it) or where its first line's letters each have a zero byte beside
    them (the same without a mark); UTF-8 when it is valid UTF-8 (a BOM is dropped), else cp1252,
    the code page Windows NLEs write (every byte decodes; latin-1 for the few it leaves undefined)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    head = data[:64]
    if len(head) >= 8 and head.count(0) * 2 >= len(head) - 1:  # no CMX3600 text holds a NUL byte
        return data.decode("utf-16-le" if head[1] == 0 else "utf-16-be", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _frames(tc: str, base: int) -> int:
    hh, mm, ss, ff = (int(x) for x in re.split(r"[:;.]", tc))
    return ((hh * 60 + mm) * 60 + ss) * base + ff


_CHANNELS = {"A": ("A1",), "AA": ("A1", "A2"), "B": ("V", "A1"), "A2/V": ("V", "A2"), "AA/V": ("V", "A1", "A2")}


def normalise(text: str, rate: float) -> str:
    """``text`` with LF line ends and every event's durations reconciled (see module doc)."""
    base = timebase.as_rate(rate).timecode_base
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _events_without_channels_dropped(_keys_as_their_background(_split_edits_apart(text)))
    text = drop_frame_counted(_untyped_transitions_typed(text), rate)
    text = _reverses_from_their_first_frame(m2_speeds_from_columns(text, rate), base)
    text = _fades_to_black_unnamed(_cuts_named_by_their_clip(_dissolve_sides_numbered_alike(text), base), base)
    lines = record_over(text, base).split("\n")
    out: list[str] = []
    seen: set[str] = set()  # channels (as the adapter names its tracks) that already hold an event
    last_event: tuple[int, str] | None = None  # (index in out, event number) of the last event line
    for index, line in enumerate(lines):
        match = _EVENT.match(line)
        if match is None:
            if not _unreadable_grade(line):
                out.append(_SHORT_HOUR_LOC.sub(r"\g<1>0\2", line))
            continue
        channels = _CHANNELS.get(match["chan"], (match["chan"],))
        if match["trans"] != "C" and last_event is not None and last_event[1] == match["num"] \
                and not seen.intersection(channels):
            # a dissolve into the first event of a channel (a fade up from silence or black):
            # the adapter cannot start a track with a transition; it is a cut there
            del out[last_event[0]:last_event[0] + 1]
            line = line[:match.start("trans")] + "C   " + " " * len(match["dur"] or "") + line[match.start("sin"):]
            match = _EVENT.match(line)
        source = _frames(match["sout"], base) - _frames(match["sin"], base)
        record = _frames(match["rout"], base) - _frames(match["rin"], base)
        if record > 0:  # the outgoing line of a dissolve pair has no length and places nothing
            seen.update(channels)
        last_event = (len(out), match["num"])
        said = _event_comments(lines, index + 1)
        if source == record or record <= 0 or any(c.startswith("M2") or "FREEZE FRAME" in c for c in said):
            out.append(line)
            continue
        if source <= 0 or match["trans"] != "C" or abs(source - record) == 1:
            # no source length (file media without timecode: a leader, a logo), the incoming
            # side of a transition written without the transition's frames, or a clip of
            # another frame rate counted in its own timecode: the record says how long it is
            new_out = _tc(_frames(match["sin"], base) + record, base, match["sout"])
            out.append(line[:match.start("sout")] + new_out + line[match.end("sout"):])
            continue
        out.append(line)
        speed = Fraction(source, record) * Fraction(timebase.as_rate(rate).fps)
        out.append(f"M2   {match['reel']:<8}       {float(speed):05.1f}                {match['sin']}")
    return "\n".join(out)


def _unreadable_grade(line: str) -> bool:
    """Whether ``line`` is an ASC_SOP or ASC_SAT comment whose values the adapter cannot read."""
    cdl = _CDL.match(line)
    if cdl is None:
        return False
    if cdl["kind"].upper() == "SOP":
        return _SOP.match(cdl["value"]) is None
    return re.fullmatch(_NUMBER, cdl["value"]) is None or cdl["value"].count(".") > 1


def m2_speeds_from_columns(text: str, rate: float) -> str:
    """``text`` with each forward M2 speed that misses its event's source columns by more than
    :data:`_M2_SLACK` frames rewritten to the speed the columns imply: see module doc."""
    base = timebase.as_rate(rate).timecode_base
    fps = Fraction(timebase.as_rate(rate).fps)
    lines = text.split("\n")
    event = None
    for index, line in enumerate(lines):
        match = _EVENT.match(line)
        if match is not None:
            event = match
            continue
        m2 = _M2.match(line)
        if m2 is None or event is None:
            continue
        speed = Fraction(m2["speed"])
        source = _frames(event["sout"], base) - _frames(event["sin"], base)
        record = _frames(event["rout"], base) - _frames(event["rin"], base)
        if speed <= 0 or source <= 1 or record <= 0 or abs(source - record * speed / fps) <= _M2_SLACK:
            continue
        # three decimals: the columns' span to a hundredth of a frame over a long event
        lines[index] = f"{m2['head']}{float(Fraction(source, record) * fps):07.3f}{m2['tail']}"
    return "\n".join(lines)


def _reverses_from_their_first_frame(text: str, base: int) -> str:
    """A reverse event whose source columns span the media it shows, from the frame it shows
    first, as Avid writes it: see module doc."""
    lines = text.split("\n")
    event = None
    for index, line in enumerate(lines):
        match = _EVENT.match(line)
        if match is not None:
            event = (index, match)
            continue
        m2 = _M2.match(line)
        if m2 is None or event is None or not m2["speed"].startswith("-"):
            continue
        at, match = event
        if _frames(match["sout"], base) - _frames(match["sin"], base) <= 1:
            continue
        first = _tc(_frames(match["sout"], base) - 1, base, match["sin"])
        lines[at] = lines[at][:match.start("sin")] + first + lines[at][match.end("sin"):]
        tail = re.search(_TC, m2["tail"])
        lines[index] = m2["head"] + m2["speed"] + m2["tail"][:tail.start()] + first + m2["tail"][tail.end():]
    return "\n".join(lines)


def drop_frame_counted(text: str, rate: float) -> str:
    """``text`` with its drop-frame labels (see :func:`list_drop_frame` for which) as the frames
    they count, in non-drop notation: what the adapter then counts is what the list meant.
    Unchanged at a rate without drop-frame; a label drop-frame does not have (a dropped frame
    number) stays as written."""
    counting = timebase.timecode_rate(rate, drop_frame=True)
    if not counting.drop_frame:
        return text
    base = counting.timecode_base

    def counted(written: str, drop: bool) -> str:
        if not drop and ";" not in written:
            return written
        hh, mm, ss, ff = _label_parts(written)
        try:
            frames = timebase.timecode_to_frames(f"{hh:02d}:{mm:02d}:{ss:02d};{ff:02d}", counting)
        except InvalidInput:
            return written
        return _tc(frames, base, ":::")

    record_drop = list_drop_frame(text)
    source_drop = record_drop
    lines = text.split("\n")
    for index, line in enumerate(lines):
        fcm = _FCM.match(line)
        event = _EVENT.match(line)
        if fcm is not None:
            source_drop = _says_drop(fcm)
        elif event is not None:
            for name in ("rout", "rin", "sout", "sin"):  # from the right: earlier spans stay valid
                drop = record_drop if name.startswith("r") else source_drop
                line = line[:event.start(name)] + counted(event[name], drop) + line[event.end(name):]
            lines[index] = line
        elif line.lstrip().upper().startswith("M2"):
            lines[index] = _LABEL.sub(lambda label: counted(label.group(0), source_drop), line)
        elif _LOC.match(line):
            lines[index] = _LABEL.sub(lambda label: counted(label.group(0), record_drop), line)
    return "\n".join(lines)


def _says_drop(fcm: re.Match[str]) -> bool:
    """Whether an FCM line names drop-frame ("DROP FRAME", "DROP-FRAME")."""
    return fcm["mode"].upper().replace("-", " ").startswith("DROP")


def list_drop_frame(text: str) -> bool:
    """Whether the list's record timecodes are drop-frame: its first FCM line says so, or they
    are written with ';'. An FCM line between events (Avid writes one before each event whose
    source timecode differs from the sequence's) names that source's counting only: the record
    column runs on in the sequence's, as its continuity across such lines shows."""
    for line in text.split("\n"):
        fcm = _FCM.match(line)
        if fcm is not None:
            return _says_drop(fcm)
        event = _EVENT.match(line)
        if event is not None:
            return ";" in event["rin"] + event["rout"]
    return False


def _split_edits_apart(text: str) -> str:
    """A split edit's picture and sound lines as two events: see module doc."""
    lines = text.split("\n")
    numbers = [int(match["num"]) for line in lines if (match := _EVENT.match(line))]
    spare = max(numbers, default=0)
    out: list[str] = []
    index = 0
    while index < len(lines):
        pair = [_EVENT.match(line) for line in lines[index + 1:index + 3]]
        if not (_SPLIT.match(lines[index]) and len(pair) == 2 and all(pair) and pair[0]["num"] == pair[1]["num"]):
            out.append(lines[index])
            index += 1
            continue
        comments = _comment_lines(lines, index + 3)
        first, second = lines[index + 1], lines[index + 2]
        sound = 0 if "V" not in _CHANNELS.get(pair[0]["chan"], (pair[0]["chan"],)) else 1
        spare += 1
        number = str(spare).zfill(len(pair[sound]["num"]))
        renumbered = (first, second)[sound]
        renumbered = renumbered[:pair[sound].start("num")] + number + renumbered[pair[sound].end("num"):]
        first, second = (renumbered, second) if sound == 0 else (first, renumbered)
        out += [first, *comments, second, *comments]
        index += 3 + len(comments)
    return "\n".join(out)


def _comment_lines(lines: list[str], start: int) -> list[str]:
    """The comment and M2 lines after an event line, up to the next event or blank line."""
    said = []
    for line in lines[start:]:
        if not line.strip() or _EVENT.match(line) or _SPLIT.match(line):
            break
        said.append(line)
    return said


def _keys(lines: list[str]) -> tuple[set[int], list[int]]:
    """(the indices of keys' background lines, of the keyed layers' lines) in ``lines``."""
    backgrounds: set[int] = set()
    layers: list[int] = []
    keyed: str | None = None  # the number of the key whose background line was last
    for index, line in enumerate(lines):
        if _KEY_BACKGROUND.match(line):
            keyed = line.split()[0]
            backgrounds.add(index)
            continue
        event = _EVENT.match(line)
        if event is not None and event["num"] == keyed and event["trans"].upper().startswith("K"):
            layers.append(index)
        elif event is not None:
            keyed = None
    return backgrounds, layers


def _keys_as_their_background(text: str) -> str:
    """A key's background line as a cut, the keyed layer's line gone: see module doc."""
    lines = text.split("\n")
    backgrounds, layers = _keys(lines)
    for index in backgrounds:
        match = _KEY_BACKGROUND.match(lines[index])
        lines[index] = match["head"] + "C  " + match["tail"]
    dropped = set(layers)
    return "\n".join(line for index, line in enumerate(lines) if index not in dropped)


def keyed_layers(text: str) -> list[str]:
    """What a list keys over its pictures, which the reader leaves out (see module doc), for
    the read notes: one line per key."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [f"event {event['num']}: {event['reel']} keyed over the picture at {event['rin']} is not read "
            "(a layer over its background, which is the shot)"
            for event in (_EVENT.match(lines[index]) for index in _keys(lines)[1])]


def _events_without_channels_dropped(text: str) -> str:
    """Events on channel NONE, and their comments, gone: see module doc."""
    lines = text.split("\n")
    out: list[str] = []
    skipping = False
    for line in lines:
        event = _EVENT.match(line)
        if event is not None:
            skipping = event["chan"].upper() == "NONE"
        elif not line.strip():
            skipping = False
        if not skipping:
            out.append(line)
    return "\n".join(out)


def _untyped_transitions_typed(text: str) -> str:
    """A transition line without its type, after its outgoing line (same number), as a dissolve
    of its duration: see module doc."""
    lines = text.split("\n")
    outgoing = None  # the number of the last event line
    for index, line in enumerate(lines):
        untyped = _UNTYPED.match(line)
        if untyped is not None and untyped["num"] == outgoing:
            lines[index] = line[:untyped.start("dur")] + "D    " + line[untyped.start("dur"):]
        event = _EVENT.match(lines[index])
        if event is not None:
            outgoing = event["num"]
    return "\n".join(lines)


def _cuts_named_by_their_clip(text: str, base: int) -> str:
    """A single cut without the ``TO CLIP NAME`` comment: see module doc."""
    head, edits = _edits(text.split("\n"), base)
    for edit in edits:
        events = [match for line in edit.lines if (match := _EVENT.match(line))]
        if len(events) == 1 and events[0]["trans"] == "C":
            edit.lines = [line for line in edit.lines if not _TO_CLIP.match(line)]
    return "\n".join(head + [line for edit in edits for line in edit.lines])


_FROM_CLIP = re.compile(r"\s*\*\s*FROM CLIP NAME:", re.IGNORECASE)
_BLACK_REELS = ("BL", "BLK", "BLACK")


def _fades_to_black_unnamed(text: str, base: int) -> str:
    """A transition into black without the ``FROM CLIP NAME`` comment: see module doc."""
    head, edits = _edits(text.split("\n"), base)
    for edit in edits:
        events = [match for line in edit.lines if (match := _EVENT.match(line))]
        if len(events) == 2 and events[1]["trans"] != "C" and events[1]["reel"].upper() in _BLACK_REELS:
            edit.lines = [line for line in edit.lines if not _FROM_CLIP.match(line)]
    return "\n".join(head + [line for edit in edits for line in edit.lines])


def _label_parts(label: str) -> list[int]:
    return [int(part) for part in re.split(r"[:;.]", label)]


def _dissolve_sides_numbered_alike(text: str) -> str:
    """A transition's outgoing line (a cut of no length at the transition's record in, on its
    channel, just before it) numbered as the transition: see module doc."""
    lines = text.split("\n")
    events = [(index, match) for index, line in enumerate(lines) if (match := _EVENT.match(line))]
    for (index, out_side), (_, transition) in zip(events, events[1:]):
        if (transition["trans"] != "C" and out_side["trans"] == "C" and out_side["num"] != transition["num"]
                and out_side["chan"] == transition["chan"] and out_side["rin"] == out_side["rout"]
                and _label_parts(out_side["rin"]) == _label_parts(transition["rin"])):
            line = lines[index]
            lines[index] = line[:out_side.start("num")] + transition["num"] + line[out_side.end("num"):]
    return "\n".join(lines)


@dataclass
class _Edit:
    """One edit of the list: an event line (two for a transition: the outgoing and incoming
    lines share the number) with the comment and M2 lines that follow it."""

    lines: list[str]
    number: str
    channels: set[str] = field(default_factory=set)
    record: tuple[int, int] = (0, 0)
    cut: bool = True  # a single cut: it can be trimmed or split

    def trimmed(self, start: int, end: int, base: int) -> "_Edit":
        """This cut keeping only record frames [start, end): its source moves with the record
        (at its speed), an M2 line follows its source in, locators stay with the piece that
        shows their frame."""
        match = _EVENT.match(self.lines[0])
        sin, sout = _frames(match["sin"], base), _frames(match["sout"], base)
        rin, rout = self.record
        ratio = Fraction(sout - sin, rout - rin)
        new = {"sin": sin + round((start - rin) * ratio), "sout": sin + round((end - rin) * ratio),
               "rin": start, "rout": end}
        line = self.lines[0]
        for name in ("rout", "rin", "sout", "sin"):  # from the right: earlier spans stay valid
            line = line[:match.start(name)] + _tc(new[name], base, match[name]) + line[match.end(name):]
        rest = []
        for comment in self.lines[1:]:
            loc = re.search(_TC, comment) if re.match(r"\s*\*\s*LOC:", comment, re.IGNORECASE) else None
            if loc is not None and not start <= _frames(loc.group(0), base) < end:
                continue
            if comment.startswith("M2"):
                comment = comment.replace(match["sin"], _tc(new["sin"], base, match["sin"]))
            rest.append(comment)
        return _Edit([line] + rest, self.number, set(self.channels), (start, end), True)


def _edits(lines: list[str], base: int) -> tuple[list[str], list[_Edit]]:
    """(the lines before the first event, the edits in list order)."""
    head: list[str] = []
    edits: list[_Edit] = []
    for line in lines:
        match = _EVENT.match(line)
        if match is None:
            (edits[-1].lines if edits else head).append(line)
            continue
        rin, rout = _frames(match["rin"], base), _frames(match["rout"], base)
        if edits and edits[-1].number == match["num"]:  # the incoming side of a transition
            edit = edits[-1]
            edit.lines.append(line)
            edit.record = (min(edit.record[0], rin), max(edit.record[1], rout))
            edit.cut = False
        else:
            edit = _Edit([line], match["num"], record=(rin, rout), cut=match["trans"] == "C" and rout > rin)
            edits.append(edit)
        edit.channels.update(_CHANNELS.get(match["chan"], (match["chan"],)))
    return head, edits


def record_over(text: str, base: int) -> str:
    """The list as it records onto tape (see module doc): unchanged when every channel's events
    already follow one another; else each later edit covers the record frames of the earlier
    cuts it overlaps on all their channels, and the edits come in record order."""
    head, edits = _edits(text.split("\n"), base)
    ends: dict[str, int] = {}
    in_order = True
    for edit in edits:
        in_order = in_order and all(edit.record[0] >= ends.get(c, edit.record[0]) for c in edit.channels)
        for channel in edit.channels:
            ends[channel] = max(ends.get(channel, edit.record[1]), edit.record[1])
    if in_order:
        return text
    placed: list[_Edit] = []
    for new in edits:
        start, end = new.record
        kept = []
        for old in placed:
            covered = old.cut and end > start and old.channels <= new.channels \
                and start < old.record[1] and old.record[0] < end
            if not covered:  # an edit on other channels too is left to the adapter to refuse
                kept.append(old)
                continue
            if old.record[0] < start:
                kept.append(old.trimmed(old.record[0], start, base))
            if end < old.record[1]:
                kept.append(old.trimmed(end, old.record[1], base))
        placed = kept + [new]
    placed.sort(key=lambda edit: edit.record[0])
    return "\n".join(head + [line for edit in placed for line in edit.lines])


def _event_comments(lines: list[str], start: int) -> list[str]:
    said = []
    for line in lines[start:]:
        stripped = line.strip()
        if not stripped or _EVENT.match(line):
            break
        said.append(stripped.lstrip("* ").upper())
    return said


def _tc(frames: int, base: int, like: str) -> str:
    """Frames as timecode, with the separators of ``like``."""
    ff = frames % base
    seconds = frames // base
    seps = re.findall(r"[:;.]", like) or [":", ":", ":"]
    return f"{seconds // 3600:02d}{seps[0]}{seconds // 60 % 60:02d}{seps[1]}{seconds % 60:02d}{seps[2]}{ff:02d}"


@dataclass(frozen=True)
class RateGuess:
    rate: float
    highest_frame: int
    drop_frame: bool
    highest_record_frame: int = 0  # of the events' record timecodes alone: the edit's own rate

    def allows(self, rate: float) -> bool:
        """Whether ``rate`` can count the frame numbers this EDL's timecodes use."""
        return timebase.as_rate(rate).timecode_base > self.highest_frame


def rate_from_timecodes(text: str) -> RateGuess:
    """The lowest standard rate whose frame numbers cover every timecode of the EDL."""
    highest = max((int(m) for m in _ANY_TC.findall(text)), default=0)
    drop = "DROP FRAME" in text.upper().replace("NON-DROP FRAME", "") or bool(re.search(r"\d\d;\d\d\b", text))
    # Source timecodes are the media's labels, counted at the media's rate, which can be higher
    # than the edit's (25 fps media in a 23.976 edit): the record columns alone say the edit's.
    record = max((int(m.group(name)[-2:]) for m in map(_EVENT.match, text.splitlines()) if m
                  for name in ("rin", "rout")), default=0)
    base = next((b for b in _STANDARD if b > highest), 60)
    if drop and base in (30, 60):
        return RateGuess(base * 1000 / 1001, highest, True, record)
    return RateGuess(float(base), highest, False, record)
