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
