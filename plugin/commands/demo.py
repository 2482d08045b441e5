"""``foleyline demo``: Foley for a timeline made from nothing, end to end, over gRPC.

    foleyline demo [-o DIR] [--sfx-library DIR]

Draws a short video with visible contacts and motion (``demo_scenes``), cuts it into a
four-shot .otio timeline at 23.976 fps starting at 01:00:00:00, starts a server in this process
on a free loopback port, generates every shot on the procedural engine through the same client
path as ``foleyline generate``, and writes into DIR:

    demo_picture.mp4        the synthetic camera original the timeline references
    demo.otio               the editor's timeline
    foley/demo_foley.otio   the timeline with Foley tracks (named by the track-name preset)
    foley/*.wav             the takes, accepted (circled): 48 kHz, 24-bit Broadcast WAV, signed (C2PA)
    demo_preview.mp4        the cut with the Foley mix under it, to watch and listen
                            (``foleyline.plugin.preview``, as ``generate --preview`` writes it)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import opentimelineio as otio

from foleyline import timebase
from foleyline.cli import add_sfx_library_option, sfx_library_option
from foleyline.errors import InvalidInput
from foleyline.fsutil import atomic_path, write_text_atomic
from foleyline.plugin.commands import demo_scenes as scenes
from foleyline.plugin.commands.checks import check_engine, check_out_dir
from foleyline.plugin.commands.generate import generate_timeline, read_notes_folder
from foleyline.plugin.preview import encode_mp4, write_preview
from foleyline.plugin.progress import ProgressBar
from foleyline.plugin.timeline import Selection
from foleyline.protos.v1 import foley_pb2 as pb

RECORD_START = "01:00:00:00"
DEMO_SEED = 1234


# Notes in the text form an editor types (see foleyline.notes.text), named after their shots.
EDITOR_NOTES = {
    "02_crate_slide": """reasoning:
  1. A heavy wooden crate is shoved and slides along a concrete floor, slowing to a stop.
  2. The scrape follows the crate's speed; where it stops there is a low thud.
  3. A quiet warehouse room tone holds it together.

[BG] room
prompt: quiet warehouse room tone
negative: music, voices

[FOLEY] slide
prompt: heavy wooden crate scraping across a concrete floor
negative: music, voices

[FX] stop
prompt: dull wooden thud as the crate stops
negative: music, voices
""",
    "03_door_slam": """reasoning:
  1. A door swings shut fast and slams into its frame.
  2. The swing moves air before the slam; the slam itself is heavy wood, hard and short.
  3. Room tone under it, so the cut into and out of the shot is not a hole.

[BG] room
prompt: quiet interior room tone
negative: music, voices

[FOLEY] swing
prompt: soft whoosh of a door swinging through the air
negative: music, voices

[FX] slam
prompt: heavy wooden door slams shut
negative: music, voices
""",
}


EXAMPLES = (
    'foleyline demo                     # writes ./foleyline-demo/: picture, timelines, WAVs, a preview',
    'foleyline demo -o demo-out --engine mmaudio   # the same with a neural engine (its weights pulled)',
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--out-dir", type=Path, default=Path("foleyline-demo"), help="where to write (default ./foleyline-demo)")
    parser.add_argument("--engine", default="procedural", help="engine (default procedural: CPU, no weights)")
    add_sfx_library_option(parser)


def make_picture(path: Path) -> None:
    frames = (scenes.render(s, f) for s in range(len(scenes.SCENES)) for f in range(scenes.SCENE_FRAMES))
    encode_mp4(path, frames, scenes.FPS, (scenes.WIDTH, scenes.HEIGHT))


def shot_ranges() -> list[tuple[int, int]]:
    """(first source frame, length) of each shot: a scene's middle, handles either side."""
    length = scenes.SCENE_FRAMES - 2 * scenes.HANDLE
    return [(s * scenes.SCENE_FRAMES + scenes.HANDLE, length) for s in range(len(scenes.SCENES))]


def make_timeline(path: Path, media: Path) -> otio.schema.Timeline:
    rate = float(scenes.FPS)
    total = scenes.SCENE_FRAMES * len(scenes.SCENES)
    timeline = otio.schema.Timeline(name="Foleyline demo")
    timeline.global_start_time = timebase.from_timecode(RECORD_START, timebase.FrameRate(scenes.FPS))
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for index, (first, length) in enumerate(shot_ranges()):
        reference = otio.schema.ExternalReference(
            target_url=media.resolve().as_uri(),
            available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(total, rate)),
        )
        clip = otio.schema.Clip(
            name=f"{index + 1:02d}_{scenes.SCENES[index].name}",
            media_reference=reference,
            source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(first, rate), otio.opentime.RationalTime(length, rate)),
        )
        clip.metadata["foleyline_demo"] = {"description": scenes.SCENES[index].description}
        track.append(clip)
    timeline.tracks.append(track)
    with atomic_path(path) as tmp:
        otio.adapters.write_to_file(timeline, str(tmp), adapter_name="otio_json")
    return timeline


def run_demo(out_dir: Path, *, engine: str = "procedural", progress=None, sfx_library: Path | None = None) -> dict[str, Path]:
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # what the permission bits do not say (root under /proc, a full disk)
        raise InvalidInput(f"cannot make {out_dir} ({exc.strerror}); choose a folder you can write to") from exc
    media = out_dir / "demo_picture.mp4"
    make_picture(media)
    timeline_path = out_dir / "demo.otio"
    make_timeline(timeline_path, media)

    # Two shots carry notes as an editor would write them; the server drafts the other two.
    notes_dir = out_dir / "notes"
    for name, text in EDITOR_NOTES.items():
        write_text_atomic(notes_dir / f"{name}.txt", text)
    settings = pb.GenerateSettings(engine=engine, num_takes=1, seed=DEMO_SEED, handle_frames=scenes.HANDLE, project="Foleyline demo")
    # the demo plays the editor: it accepts (circles) each shot's take, as an editor would
    result = generate_timeline(
        timeline_path, Selection(), out_dir / "foley", settings=settings, fmt="otio",
        in_process=True, progress=progress, out_name="demo_foley", notes=read_notes_folder(notes_dir), accept=1,
        sfx_library=sfx_library,
    )
    preview = write_preview(out_dir / "demo_preview.mp4", result.preview_shots())
    return {"picture": media, "timeline": timeline_path, "foley_timeline": result.timeline_path, "preview": preview,
            "wav_dir": result.timeline_path.parent, "editor_notes": notes_dir}


def run(args: argparse.Namespace) -> int:
    check_out_dir(args.out_dir)  # a read-only checkout under `make demo`: one line, not a traceback
    check_engine(args.engine, None)  # before any work: the demo runs its server in this process
    started = time.monotonic()
    written = run_demo(args.out_dir, engine=args.engine, progress=ProgressBar(), sfx_library=sfx_library_option(args))
    print(f"demo written in {time.monotonic() - started:.1f} s:")
    # Absolute: under `make -C CHECKOUT demo` the folder given is the checkout's, not the shell's.
    for label, path in written.items():
        print(f"  {label:<15} {path.absolute()}")
    print(f"watch and listen: {written['preview'].absolute()}", file=sys.stderr)
    return 0
