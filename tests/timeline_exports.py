"""Small synthetic exports that stand in for classes of real ones the shared set lacks: each
builder writes what the named application writes for that construct, and no more."""

from __future__ import annotations

from pathlib import Path


def _rate(timebase: int, ntsc: bool) -> str:
    return f"<rate><timebase>{timebase}</timebase><ntsc>{'TRUE' if ntsc else 'FALSE'}</ntsc></rate>"


def _timecode(timebase: int, ntsc: bool, frame: int, display: str) -> str:
    return (f"<timecode>{_rate(timebase, ntsc)}<string>00:00:00:00</string><frame>{frame}</frame>"
            f"<displayformat>{display}</displayformat></timecode>")


def premiere_xml(path: Path, *, timebase: int = 24, ntsc: bool = True, start_frame: int = 86400,
                 clips: list[tuple[str, int, int, int]] | None = None, media_dir: Path | None = None,
                 sequence_display: str = "NDF", file_display: str = "DF", sequences: int = 1) -> Path:
    """A Premiere Pro FCP7 XML (xmeml v4): ``clips`` are (name, record start frame, source in
    frame, length) on V1, each with its own file whose timecode says ``file_display`` (Premiere
    labels 23.976 camera files DF), and a sequence timecode at ``start_frame``."""
    clips = clips if clips is not None else [("A001", 0, 48, 48), ("A002", 48, 100, 24), ("A003", 96, 10, 36)]
    sequence_xml = []
    for number in range(1, sequences + 1):
        items = []
        for index, (name, record, source_in, length) in enumerate(clips, start=1):
            media = (media_dir / f"{name}.mov") if media_dir is not None else Path(f"D:/media/{name}.mov")
            url = media.as_uri() if media_dir is not None else f"file://localhost/D%3a/media/{name}.mov"
            items.append(
                f'<clipitem id="clipitem-{number}-{index}"><masterclipid>masterclip-{index}</masterclipid><name>{name}</name>'
                f"<enabled>TRUE</enabled><duration>10000</duration>{_rate(timebase, ntsc)}"
                f"<start>{record}</start><end>{record + length}</end><in>{source_in}</in><out>{source_in + length}</out>"
                f'<file id="file-{number}-{index}"><name>{name}.mov</name><pathurl>{url}</pathurl>{_rate(timebase, ntsc)}'
                f"<duration>10000</duration>{_timecode(timebase, ntsc, 0, file_display)}"
                f"<media><video><samplecharacteristics>{_rate(timebase, ntsc)}<width>1920</width><height>1080</height>"
                f"</samplecharacteristics></video></media></file></clipitem>"
            )
        end = max(r + n for _, r, _, n in clips)
        sequence_xml.append(
            f'<sequence id="sequence-{number}" MZ.Sequence.VideoTimeDisplayFormat="110"><name>Sequence {number:02d}</name>'
            f"<duration>{end}</duration>{_rate(timebase, ntsc)}"
            f"<media><video><format><samplecharacteristics>{_rate(timebase, ntsc)}<width>1920</width><height>1080</height>"
            f"</samplecharacteristics></format><track>{''.join(items)}</track></video><audio><track/></audio></media>"
            f"{_timecode(timebase, ntsc, start_frame, sequence_display)}</sequence>"
        )
    body = "".join(sequence_xml)
    if sequences > 1:
        body = f"<project><name>Project</name><children>{body}</children></project>"
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n<xmeml version="4">{body}</xmeml>\n')
    return path


FCPX_RESOURCES = """
  <resources>
    <format id="r1" name="FFVideoFormat1080p2398" frameDuration="1001/24000s" width="1920" height="1080"/>
    <format id="r2" name="FFVideoFormat1080p25" frameDuration="1/25s" width="1920" height="1080"/>
    <asset id="a1" name="A001" start="0s" duration="3600s" hasVideo="1" hasAudio="1" format="r1">
      <media-rep kind="original-media" src="file:///media/A001.mov"/>
    </asset>
    <asset id="a2" name="B001" start="0s" duration="3600s" hasVideo="1" hasAudio="1" format="r2" src="file:///media/B001.mov"/>
    <asset id="a3" name="Room" start="0s" duration="3600s" hasAudio="1" audioRate="48000">
      <media-rep kind="original-media" src="file:///media/room.wav"/>
    </asset>
    <effect id="e1" name="Basic Title" uid=".../Titles.localized/Basic Title.moti"/>
    <effect id="e2" name="Cross Dissolve" uid="FxPlug:4731E73A"/>
  </resources>"""


def fcpx_113(project: str = "Scene 12", tc_start: str = "86486400/24000s") -> str:
    """An FCPXML 1.13 project at 23.976 starting at 01:00:00:00 (tcStart) that opens with a
    fade-in transition, holds markers of every kind, a title, a 25 fps clip and a retimed one."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE fcpxml>
<fcpxml version="1.13">{FCPX_RESOURCES}
  <library location="file:///Users/ed/Movies/Lib.fcpbundle/">
    <event name="Empty first event"/>
    <event name="Cut">
      <project name="{project}">
        <sequence format="r1" duration="240240/24000s" tcStart="{tc_start}" tcFormat="NDF">
          <spine>
            <transition name="Cross Dissolve" offset="{tc_start}" duration="24024/24000s">
              <filter-video ref="e2" name="Cross Dissolve"/>
            </transition>
            <asset-clip ref="a1" offset="{tc_start}" name="A001" start="48048/24000s" duration="48048/24000s" format="r1">
              <marker start="72072/24000s" duration="1001/24000s" value="door slam"/>
              <marker start="84084/24000s" duration="1001/24000s" value="fix sync" completed="0"/>
              <chapter-marker start="90090/24000s" duration="1001/24000s" value="Act 1" posterOffset="0s"/>
              <keyword start="48048/24000s" duration="24024/24000s" value="footsteps"/>
              <title ref="e1" lane="1" offset="48048/24000s" name="Basic Title" start="3600s" duration="24024/24000s"/>
            </asset-clip>
            <asset-clip ref="a2" offset="{_add(tc_start, '48048/24000s')}" name="B001" start="2s" duration="48048/24000s" format="r2">
              <marker start="3s" duration="1/25s" value="glass" completed="1"/>
            </asset-clip>
            <asset-clip ref="a1" offset="{_add(tc_start, '96096/24000s')}" name="A001 fast" start="240240/24000s" duration="48048/24000s" format="r1">
              <timeMap>
                <timept time="0s" value="0s" interp="linear"/>
                <timept time="480480/24000s" value="960960/24000s" interp="linear"/>
              </timeMap>
            </asset-clip>
            <asset-clip ref="a1" offset="{_add(tc_start, '144144/24000s')}" name="A001 off" start="0s" duration="24024/24000s" format="r1" enabled="0"/>
          </spine>
        </sequence>
      </project>
    </event>
  </library>
</fcpxml>
"""


def _add(a: str, b: str) -> str:
    from fractions import Fraction

    def parse(t: str) -> Fraction:
        t = t.rstrip("s")
        return Fraction(*map(int, t.split("/"))) if "/" in t else Fraction(t)

    total = parse(a) + parse(b)
    return f"{total.numerator}/{total.denominator}s"


def fcpx_library(projects: tuple[str, ...] = ("Reel 1", "Reel 2")) -> str:
    """A library export with one project per event: what File > Export XML of a library writes."""
    events = "".join(
        f"""<event name="Event {i}"><project name="{name}"><sequence format="r2" duration="10s" tcStart="0s" tcFormat="NDF">
        <spine><asset-clip ref="a2" offset="{i}s" name="B00{i}" start="0s" duration="{2 + i}s" format="r2"/></spine>
        </sequence></project></event>"""
        for i, name in enumerate(projects, start=1))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<fcpxml version="1.10">{FCPX_RESOURCES}<library>{events}</library></fcpxml>\n'


def fcpx_12() -> str:
    """An FCPXML 1.2 export (Final Cut Pro 10.0.6): <clip> containers holding <video> and
    <audio>, a generator (<video> of an effect), the asset's path in ``src``."""
    return """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE fcpxml>
<fcpxml version="1.2">
  <resources>
    <format id="r1" name="FFVideoFormat1080p25" frameDuration="100/2500s" width="1920" height="1080"/>
    <projectRef id="r2" name="Lib"/>
    <asset id="r3" name="C0001" projectRef="r2" src="file:///media/C0001.mov" start="0s" duration="100s" hasVideo="1" hasAudio="1" format="r1"/>
    <effect id="r4" name="Custom" uid=".../Generators.localized/Solids.localized/Custom.motn"/>
  </resources>
  <library>
    <event name="Day 1">
      <project name="Old cut">
        <sequence duration="12s" format="r1" tcStart="0s" tcFormat="NDF">
          <spine>
            <clip name="C0001" offset="0s" duration="4s" start="10s" format="r1" tcFormat="NDF">
              <video offset="10s" ref="r3" duration="100s" start="0s"/>
              <audio lane="-1" offset="10s" ref="r3" duration="100s" start="0s" role="dialogue"/>
            </clip>
            <video name="Custom" offset="4s" ref="r4" duration="2s" start="3600s"/>
            <clip name="C0001 again" offset="6s" duration="6s" start="20s" format="r1" tcFormat="NDF">
              <video offset="0s" ref="r3" duration="100s"/>
            </clip>
          </spine>
        </sequence>
      </project>
    </event>
  </library>
</fcpxml>
"""


def _aaf_audio_master(f, name: str, rate, seconds: int = 60):
    """A MasterMob for a linked 48 kHz WAV (SourceMob with a PCM descriptor and a locator)."""
    source = f.create.SourceMob(name)
    descriptor = f.create.PCMDescriptor()
    descriptor["SampleRate"].value = 48000
    descriptor["AudioSamplingRate"].value = 48000
    descriptor["Channels"].value = 1
    descriptor["QuantizationBits"].value = 24
    descriptor["BlockAlign"].value = 3
    descriptor["AverageBPS"].value = 144000
    descriptor["Length"].value = 48000 * seconds
    locator = f.create.NetworkLocator()
    locator["URLString"].value = f"file:///Volumes/Audio/{name}.wav"
    descriptor["Locator"].append(locator)
    source.descriptor = descriptor
    f.content.mobs.append(source)
    slot = source.create_timeline_slot(rate, slot_id=1)
    slot.segment = f.create.SourceClip(media_kind="sound", length=int(seconds * rate))
    master = f.create.MasterMob(name)
    f.content.mobs.append(master)
    master_slot = master.create_timeline_slot(rate, slot_id=1)
    master_slot.segment = source.create_source_clip(1, start=0, length=int(seconds * rate))
    return master


def avid_audio_subclip_aaf(path: Path, rate=24) -> Path:
    """An Avid bin export of an audio subclip: a CompositionMob used as a subclip (no top-level
    sequence) whose one sound slot takes 10 s from 5 s into a master clip."""
    import aaf2

    with aaf2.open(str(path), "w") as f:
        master = _aaf_audio_master(f, "FX_door_slam", rate)
        sub = f.create.CompositionMob("door slam.sub.01")
        sub.usage = "Usage_SubClip"
        f.content.mobs.append(sub)
        slot = sub.create_sound_slot(rate)
        clip = f.create.SourceClip(media_kind="sound", length=10 * rate)
        clip.mob_id = master.mob_id
        clip.slot_id = 1
        clip.start = 5 * rate
        slot.segment.components.append(clip)
    return path


def two_sequence_aaf(path: Path, rate=24) -> Path:
    """A Premiere/Avid AAF holding two top-level sequences ("Reel 1", "Reel 2"), each one picture
    clip on V1 starting at 01:00:00:00."""
    import aaf2

    with aaf2.open(str(path), "w") as f:
        for number in (1, 2):
            master = f.create.MasterMob(f"Shot {number}")
            f.content.mobs.append(master)
            source = f.create.SourceMob(f"Shot {number}.mov")
            descriptor = f.create.CDCIDescriptor()
            descriptor["ComponentWidth"].value = 8
            descriptor["HorizontalSubsampling"].value = 2
            descriptor["ImageAspectRatio"].value = "16/9"
            descriptor["StoredWidth"].value = 1920
            descriptor["StoredHeight"].value = 1080
            descriptor["FrameLayout"].value = "FullFrame"
            descriptor["VideoLineMap"].value = [42, 0]
            descriptor["SampleRate"].value = rate
            descriptor["Length"].value = 1000
            locator = f.create.NetworkLocator()
            locator["URLString"].value = f"file:///Volumes/Media/Shot%20{number}.mov"
            descriptor["Locator"].append(locator)
            source.descriptor = descriptor
            f.content.mobs.append(source)
            source_slot = source.create_timeline_slot(rate, slot_id=1)
            source_slot.segment = f.create.SourceClip(media_kind="picture", length=1000)
            master_slot = master.create_timeline_slot(rate, slot_id=1)
            master_slot.segment = source.create_source_clip(1, start=0, length=1000)
            master_slot.segment.media_kind = "picture"
            comp = f.create.CompositionMob(f"Reel {number}")
            comp.usage = "Usage_TopLevel"
            f.content.mobs.append(comp)
            tc_slot = comp.create_timeline_slot(rate)
            tc_slot.segment = f.create.Timecode(rate, drop=False)
            tc_slot.segment.start = 86400
            tc_slot.segment.length = 48 * number
            tc_slot["PhysicalTrackNumber"].value = 1
            video = comp.create_picture_slot(rate)
            clip = f.create.SourceClip(media_kind="picture", length=48 * number)
            clip.mob_id = master.mob_id
            clip.slot_id = 1
            clip.start = 100
            video.segment.components.append(clip)
    return path


def kdenlive_sequence(producers: list[tuple[str, str, dict[str, str]]], sequence: str = "Reel 2") -> str:
    """A Kdenlive 23.04+ document (version 1.1) at 25 fps whose sequence ``sequence`` plays
    ``producers`` one after the other on V1: (id, mlt_service, more properties) each, every one
    one second long and in the bin, as Kdenlive writes it."""
    def props(values: dict[str, str]) -> str:
        return "".join(f'<property name="{k}">{v}</property>' for k, v in values.items())

    produced = "".join(
        f'<producer id="{pid}" in="00:00:00.000" out="00:00:09.960">'
        + props({"mlt_service": service, "kdenlive:id": str(n), **more}) + "</producer>"
        for n, (pid, service, more) in enumerate(producers, start=2))
    entries = "".join(f'<entry producer="{pid}" in="00:00:00.000" out="00:00:00.960"/>' for pid, _, _ in producers)
    bin_entries = "".join(f'<entry producer="{pid}" in="00:00:00.000" out="00:00:09.960"/>' for pid, _, _ in producers)
    uuid = "{5c1a8d2e-0000-4000-8000-000000000001}"
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<mlt LC_NUMERIC="C" producer="main_bin" version="7.19.0">'
        '<profile frame_rate_num="25" frame_rate_den="1" width="1920" height="1080" progressive="1"/>'
        f"{produced}"
        '<producer id="black" in="00:00:00.000" out="00:20:00.000">'
        + props({"mlt_service": "color", "resource": "black", "kdenlive:playlistid": "black_track"}) + "</producer>"
        f'<playlist id="pv1">{entries}</playlist><playlist id="pv2"/>'
        '<tractor id="tv1"><track hide="audio" producer="pv1"/><track hide="audio" producer="pv2"/></tractor>'
        f'<tractor id="{uuid}">' + props({"kdenlive:clipname": sequence, "kdenlive:uuid": uuid,
                                          "kdenlive:sequenceproperties.guides": "[]"})
        + '<track producer="black"/><track producer="tv1"/></tractor>'
        '<playlist id="main_bin">' + props({"kdenlive:docproperties.version": "1.1"}) + f"{bin_entries}</playlist>"
        f'<tractor id="project">' + props({"kdenlive:projectTractor": "1"}) + f'<track producer="{uuid}"/></tractor>'
        "</mlt>\n"
    )
