"""``foleyline generate``: Foley for the selected shots of a timeline, as a new timeline.

    foleyline generate cut.otio [--track N | --range IN OUT | --marker-color C] -o OUT_DIR
                       [--takes N [--accept K]] [--preview [cut|shots]] [--sfx-library DIR]

Talks to the configured server (FOLEYLINE_SERVER, or --server) or, when none is configured,
starts one in this process on a free loopback port. Writes into OUT_DIR the takes' WAVs and a
copy of the timeline with the Foley tracks, each Foley clip cut to its shot with its handles in
the WAV (``--expose-handles`` shows them on the timeline instead). Nothing is written there
unless every selected shot got its take and the timeline could be written: the WAVs are staged,
moved in, then the timeline is written against them (writers such as AAF read each WAV's
header); when that fails the WAVs are taken out again.

The first take of each shot is placed (the others on muted alternate tracks); ``--accept K``
circles take K instead (the server re-stamps its WAVs CIRCLED) and places it. WAVs are named by the file-name template and tracks
by the track-name preset (``--file-names``, ``--track-names``; defaults from the config).
``--preview`` also writes an .mp4 of the selection's picture with the Foley under it (``shots``:
one per shot), after the timeline.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

from foleyline import config, timebase
from foleyline.cli import add_sfx_library_option, sfx_library_option
from foleyline.errors import InvalidInput, Unavailable
from foleyline.notes import Notes
from foleyline.notes.text import NotesSyntaxError, from_text
from foleyline.plugin.client import FoleyClient, error_class
from foleyline.plugin.commands.checks import (
    MARKER_COLOURS,
    OUTPUT_FORMATS,
    builtin_engines,
    check_engine,
    check_out_dir,
    configured_address,
    marker_colour,
)
from foleyline.plugin.events import JobEvent, read_job
from foleyline.plugin.progress import ProgressBar
from foleyline.plugin.requests import project_settings, shot_request
from foleyline.plugin.preview import PreviewShot, write_preview
from foleyline.plugin.take_files import TakeFiles
from foleyline.plugin.timeline import Placement, Selection, write_foley_timeline
from foleyline.plugin.timeline.takes import placed_take_number, placement_for_take, safe_stem
from foleyline.plugin.timeline.track_names import PRESETS, track_names
from foleyline.protos.v1 import foley_pb2 as pb

ProgressFn = Callable[[JobEvent], None]
EXAMPLES = (
    "foleyline generate cut.otio -o foley/                       # every video clip is a shot",
    "foleyline generate cut.xml --track 1 -o foley/              # FCP7 XML in, FCP7 XML + WAVs out",
    "foleyline generate cut.edl --rate 24 --range 01:00:10:00 01:00:20:00 -o foley/ --format aaf",
    "foleyline generate cut.fcpxml --marker-color red --notes notes/ --takes 3 -o foley/",
    "foleyline generate cut.otio --takes 3 --accept 2 --preview -o foley/   # circle take 2, an .mp4 to watch",
    "foleyline generate cut.otio --file-names '{shot}-{layer}-T{take}' --track-names short -o foley/",
    "foleyline generate cut.otio --engine mmaudio -o foley/      # after `foleyline models pull mmaudio-large-44k-v2`",
    "FOLEYLINE_TOKEN=... foleyline generate cut.aaf --server gpu.lan:50551 --tls-ca server.pem --upload -o foley/",
)


def take_seed(text: str) -> int:
    """A first take's seed as typed. The request's 0 means "pick one at random", so ``--seed 0``
    would quietly give takes nobody can make again: seeds start at 1."""
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if seed < 1:
        raise argparse.ArgumentTypeError(f"seeds start at 1, not {seed} (leave --seed out for a random one; "
                                         "each take's seed is kept with it)")
    return seed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("timeline", type=Path,
                        help="the editor's timeline (.otio, FCP7/FCPX XML, EDL, AAF, Kdenlive, GES) or a movie (its cuts found)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--track", help="all clips of this video track (1 = V1, or its name)")
    which.add_argument("--range", nargs=2, metavar=("IN", "OUT"), help="clips inside this record range (timecodes)")
    which.add_argument("--marker-color", type=marker_colour, choices=MARKER_COLOURS, metavar="COLOUR",
                       help=f"clips under markers of this colour, any case: {', '.join(MARKER_COLOURS)}")
    which.add_argument("--marker-name", metavar="TEXT", help="clips under markers whose name holds TEXT")
    parser.add_argument("-o", "--out-dir", type=Path, required=True, help="folder for the WAVs and the Foley timeline")
    parser.add_argument("--engine", default="",
                        help="engine to use (default: the server's); built in: " + ", ".join(builtin_engines())
                        + "; `foleyline engines` says which can run")
    parser.add_argument("--takes", type=int, default=1, help="takes per shot (default 1; the first is placed)")
    parser.add_argument("--seed", type=take_seed, default=0, help="seed of the first take, from 1 (default: random)")
    parser.add_argument("--handles", type=int, default=timebase.DEFAULT_HANDLE_FRAMES,
                        help=f"handle frames each side (default {timebase.DEFAULT_HANDLE_FRAMES})")
    parser.add_argument("--rate", type=float, default=None,
                        help="frame rate of an EDL (EDLs do not record it), or of an OTIO file timed by a clock "
                             "(seconds, 1/24000 s ticks) rather than in frames")
    parser.add_argument("--format", dest="fmt", default=None, choices=OUTPUT_FORMATS,
                        help=f"output format (default: the input's): {', '.join(OUTPUT_FORMATS)}")
    parser.add_argument("--server", default=None, metavar="HOST:PORT",
                        help="a running server (default: the setting server / FOLEYLINE_SERVER, else one in-process)")
    parser.add_argument("--token", default=None,
                        help="the remote server's token (default: the setting token / FOLEYLINE_TOKEN, else the "
                             "local token file)")
    parser.add_argument("--tls-ca", type=Path, default=None, metavar="PEM",
                        help="certificate(s) to trust for a TLS server (default: the setting tls_ca / FOLEYLINE_TLS_CA)")
    parser.add_argument("--upload", action="store_true", help="send the media to the server (for a server on another machine)")
    parser.add_argument("--expose-handles", action="store_true",
                        help="show handles on the timeline instead of cutting clips to their shots")
    add_sfx_library_option(parser)
    parser.add_argument("--accept", type=int, default=0, metavar="K",
                        help="circle take K of every shot (1 = the first) and place it (default: place the first, circle none)")
    parser.add_argument("--preview", nargs="?", const="cut", default=None, choices=("cut", "shots"),
                        help="also write an .mp4 of the picture with the Foley under it: one for the selection "
                             "(cut, the default) or one per shot (shots)")
    parser.add_argument("--file-names", default=None, metavar="TEMPLATE",
                        help="take WAV names, e.g. {shot}_{layer}_T{take:02d}.wav (default: FOLEYLINE_TAKE_FILE_TEMPLATE)")
    parser.add_argument("--track-names", default=None, choices=tuple(PRESETS),
                        help="Foley track names: foley (Foley FX) or short (FX) (default: FOLEYLINE_TRACK_NAMES)")
    # -- issue 14: preflight, timelines, relinking (kept together for the move to plugin/commands)
    parser.add_argument("--dry-run", action="store_true",
                        help="check everything (media, write-back) and print the selection; generate nothing")
    parser.add_argument("--timeline", dest="timeline_name", default=None, metavar="NAME|NUMBER",
                        help="which timeline of a file holding several (`foleyline timelines FILE` lists them)")
    parser.add_argument("--relink", type=Path, nargs="+", default=[], metavar="DIR",
                        help="find missing media by file name (then reel or clip name) under these folders")
    parser.add_argument("--map-path", action="append", default=[], metavar="OLD=NEW",
                        help="rewrite a media path prefix, e.g. D:/media=/mnt/media or //server/share=/Volumes/share")
    parser.add_argument("--no-cuts", action="store_true", help="a video file given as the timeline is one shot, not one per cut")
    parser.add_argument("--notes", type=Path, default=None, metavar="DIR",
                        help="a folder of notes files named after the shots (SHOT_NAME.txt, the text form of "
                             "`foleyline notes draft`); shots without one get drafted notes")


def read_notes_folder(folder: Path) -> dict[str, Notes]:
    """Notes by shot name from ``SHOT_NAME.txt`` files in the text form; a malformed file is an
    error naming the file and the line."""
    if not folder.is_dir():
        raise InvalidInput(f"--notes {folder}: no such folder; give the folder holding SHOT_NAME.txt notes files")
    found: dict[str, Notes] = {}
    for path in sorted(folder.glob("*.txt")):
        try:
            found[path.stem] = from_text(path.read_text(encoding="utf-8"))
        except NotesSyntaxError as exc:
            raise InvalidInput(f"{path}: {exc}; fix it (`foleyline notes check {path}`) or move it out") from None
    return found


def selection_from_args(args: argparse.Namespace):
    if args.track is not None:
        track: int | str = int(args.track) if str(args.track).isdigit() else args.track
        return Selection(track=track)
    if args.range is not None:
        return Selection(record_in=args.range[0], record_out=args.range[1])
    if args.marker_color is not None:
        return Selection(marker_color=args.marker_color)
    if getattr(args, "marker_name", None) is not None:
        return Selection(marker_name=args.marker_name)
    return Selection()


@dataclass
class GenerateResult:
    timeline_path: Path
    wav_paths: list[Path]
    takes: list[pb.Take]
    shots: list = field(default_factory=list)  # foleyline.plugin.shots.Shot, in record order
    warnings: list[str] = field(default_factory=list)
    files: dict[tuple[str, str], Path] = field(default_factory=dict)  # (take id, layer) -> WAV
    placed: dict[str, pb.Take] = field(default_factory=dict)  # shot id -> the take on the timeline
    previews: list[Path] = field(default_factory=list)

    def preview_shots(self) -> list[PreviewShot]:
        """The shots in record order with their placed takes, for ``plugin.preview``."""
        return [PreviewShot(shot, take, {label: path for (take_id, label), path in self.files.items() if take_id == take.id})
                for shot in self.shots if (take := self.placed.get(shot.id)) is not None]


@contextmanager
def connect(server: str | None, allowed_roots: list[Path], *, in_process: bool = False,
            token: str | None = None, tls_ca: Path | None = None, sfx_library: Path | None = None) -> Iterator:
    """A FoleyClient to the configured server (with its token and TLS), or to one started here
    for the duration (always, with ``in_process``). ``sfx_library``: the sound library of the
    server started here (a running server has its own)."""
    address = None if in_process else (server or config.configured_server())
    if address and sfx_library is not None:
        raise InvalidInput(f"--sfx-library sets the library of a server this command starts; the server at {address} "
                           "uses its own: start it with `foleyline serve --sfx-library DIR` or set sfx_library in "
                           f"{config.config_file()}")
    if address:
        client = FoleyClient.configured(address, token, tls_ca)
        try:
            client.health(wait=5)
            yield client
        finally:
            client.close()
        return
    # Deferred: only a run with no server to talk to loads the server (engines, media stack)
    # into this process; the client side never needs it otherwise.
    from foleyline.server.app import ServerConfig, start_server

    token = secrets.token_urlsafe(24)
    running = start_server(ServerConfig(address="127.0.0.1:0", allowed_roots=allowed_roots, token=token,
                                        sfx_library=sfx_library, warm_engine_list=False))
    client = FoleyClient(running.address, token)
    try:
        running.load_done.wait(300)
        if running.load_error is not None:
            raise Unavailable(f"{running.load_error}; see `foleyline engines`")
        client.health(wait=30)
        yield client
    finally:
        client.close()
        running.stop(grace=1.0)


def _move_in_and_write(moves: list[tuple[Path, Path]], staging: Path, out_dir: Path,
                       write_timeline: Callable[[], Path]) -> Path:
    """Move the staged WAVs to their places in ``out_dir``, write the timeline (into
    ``staging``: the placements name the WAVs' final paths, which the writers read, and the
    AAF writer needs their headers) and move it in last. On any failure every WAV moved is
    taken out again and a file it replaced is put back, so ``out_dir`` is as it was; returns
    the timeline's path in ``out_dir``."""
    created = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    # The staged WAVs and timeline were written by foleyline.fsutil, with the umask's mode
    # already: the editor's team can read them once they are moved in.
    replaced_dir = staging / ".replaced"
    done: list[tuple[Path, Path, Path | None]] = []  # (staged source, target, earlier file kept aside)
    try:
        for source, target in moves:
            kept = None
            if target.exists():  # a re-run into the same folder: keep the earlier file until we succeed
                replaced_dir.mkdir(exist_ok=True)
                kept = replaced_dir / target.name
                os.replace(target, kept)
            os.replace(source, target)
            done.append((source, target, kept))
        written = write_timeline()
        final = out_dir / written.name
        os.replace(written, final)  # the timeline last: it is only there when its WAVs are
        return final
    except BaseException:
        for source, target, kept in reversed(done):
            try:
                os.replace(target, source)
                if kept is not None:
                    os.replace(kept, target)
            except OSError:
                pass  # best effort: the original error is the one to report
        if created:
            try:
                out_dir.rmdir()
            except OSError:
                pass
        raise


def generate_timeline(
    timeline_path: Path,
    selection,
    out_dir: Path,
    *,
    settings: pb.GenerateSettings | None = None,
    rate: float | None = None,
    fmt: str | None = None,
    server: str | None = None,
    progress: ProgressFn | None = None,
    out_name: str | None = None,
    in_process: bool = False,
    upload: bool = False,
    expose_handles: bool = False,
    notes: Mapping[str, Notes] | None = None,
    token: str | None = None,
    tls_ca: Path | None = None,
    pre=None,
    accept: int = 0,
    preview: str | None = None,
    file_template: str | None = None,
    track_names_preset: str | None = None,
    sfx_library: Path | None = None,
) -> GenerateResult:
    """Read, select, generate over gRPC, fetch, write. Raises FoleylineError on bad input or
    when any shot fails; then nothing is left in ``out_dir``. ``expose_handles``: the Foley
    clips show their handles instead of being cut to their shots (see plugin.timeline.writeback).
    ``notes``: the editor's notes by shot name; other shots get notes drafted by the server.
    ``pre``: a passed :func:`run_preflight` (with its --timeline, relinking, ...); else one is run.
    ``accept``: circle and place take number ``accept`` of every shot (0: place the accepted, else the first).
    ``preview``: "cut" or "shots" writes .mp4 previews after the timeline (see module doc)."""
    timeline_path = Path(timeline_path)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InvalidInput(f"{out_dir} exists and is not a folder; choose another -o")
    takes_asked = max(1, settings.num_takes) if settings is not None else 1
    if not 0 <= accept <= takes_asked:
        raise InvalidInput(f"--accept {accept}: each shot gets {takes_asked} take(s); give a number from 1 to {takes_asked}")
    if preview not in (None, "cut", "shots"):
        raise InvalidInput(f"--preview {preview!r}: choose cut (one for the selection) or shots (one per shot)")
    take_files = TakeFiles(out_dir, file_template)  # a bad template or preset fails before generating
    preset = track_names(track_names_preset)
    # -- issue 14: every problem found before any generation (plugin/timeline/preflight.py)
    checked = pre if pre is not None else run_preflight(timeline_path, selection, rate=rate, fmt=fmt, settings=settings,
                                                        expose_handles=expose_handles)
    checked.raise_if_failed()
    timeline, shots, warnings = checked.timeline, list(checked.shots), list(checked.warnings)

    roots = sorted({timeline_path.resolve().parent, *(Path(s.media_path).resolve().parent for s in shots)})
    names = {s.id: s.name for s in shots}
    if hasattr(progress, "name_shots"):  # a progress display that shows shots by name and record timecode
        progress.name_shots({s.id: (s.name, s.record_timecode()) for s in shots})
    with connect(server, roots, in_process=in_process, token=token, tls_ca=tls_ca, sfx_library=sfx_library) as client:
        hashes: dict[Path, str] = {}
        if upload:
            # A server on another machine cannot read our paths: send each file once, by hash.
            for path in dict.fromkeys(Path(s.media_path) for s in shots):
                hashes[path] = client.upload_media(path)
        requests = [
            shot_request(s, notes.get(s.name) if notes else None, content_hash=hashes.get(Path(s.media_path), ""))
            for s in shots
        ]
        job = read_job(client.generate(requests, project_settings(settings, timeline.name, timeline_path)), on_event=progress)
        warnings.extend(job.warnings)
        if job.failures:
            cls = error_class(job.failures[0].code)
            raise cls(f"{len(job.failures)} of {len(shots)} shots failed, nothing written to {out_dir}: "
                      f"{'; '.join(job.failure_lines(names))} (job {job.job_id}: its finished takes stay on the server)")
        absent = [s.name for s in shots if s.id not in job.takes]
        if absent:
            raise Unavailable(f"the server returned no take for {', '.join(absent)}; nothing written; try again")

        placed: dict[str, pb.Take] = {}  # the accepted take, else the first; the others are alternates
        for shot in shots:
            if accept:  # circled on the server: its WAVs are listed as copies that say so
                job.takes[shot.id][accept - 1] = client.accept_take(job.takes[shot.id][accept - 1].id)
            placed[shot.id] = job.takes[shot.id][placed_take_number(job.takes[shot.id]) - 1]

        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
        try:
            placements: list[Placement] = []
            moves: list[tuple[Path, Path]] = []
            files: dict[tuple[str, str], Path] = {}
            all_takes: list[pb.Take] = []
            for shot in shots:
                for number, take in enumerate(job.takes[shot.id], start=1):
                    all_takes.append(take)
                    for layer, staged in take_files.write(shot, take, client.fetch_audio, staging=staging):
                        target = out_dir / staged.name
                        moves.append((staged, target))
                        files[(take.id, layer.label)] = target
                        # the others go on muted alternate tracks named per take (see writeback)
                        placement = placement_for_take(shot, take, layer, target.resolve(), preset)
                        alternate = 0 if take is placed[shot.id] else take.number or number
                        placements.append(replace(placement, alternate=alternate))
            stem = out_name or f"{timeline_path.stem}_foley"
            written = _move_in_and_write(
                moves, staging, out_dir,
                lambda: write_foley_timeline(timeline, placements, staging / stem, fmt=fmt, expose_handles=expose_handles),
            )
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    result = GenerateResult(
        timeline_path=written,
        wav_paths=[target for _s, target in moves],
        takes=all_takes,
        shots=shots,
        warnings=warnings,
        files=files,
        placed=placed,
    )
    if preview == "cut":
        result.previews.append(write_preview(out_dir / f"{written.stem}_preview.mp4", result.preview_shots()))
    elif preview == "shots":
        for item in result.preview_shots():
            result.previews.append(write_preview(out_dir / f"{safe_stem(item.shot.name)}_preview.mp4", [item]))
    return result


def run_preflight(path: Path, selection, *, rate=None, fmt=None, settings: pb.GenerateSettings | None = None,
                  expose_handles: bool = False, timeline=None, relink=(), map_path=(), cuts: bool = True):
    """-- issue 14: the preflight of plugin/timeline/preflight.py with generate's settings."""
    from foleyline.plugin.timeline.preflight import preflight
    from foleyline.plugin.timeline.relink import parse_map

    handles = settings.handle_frames if settings is not None and settings.HasField("handle_frames") else 12
    takes = settings.num_takes if settings is not None and settings.num_takes else 1
    return preflight(Path(path), selection, rate=rate, timeline=timeline, relink=relink,
                     path_maps=[parse_map(m) for m in map_path], fmt=fmt, handles=handles, takes=takes,
                     expose_handles=expose_handles, cuts=cuts)


def _decoded_once(server: str | None, *, dry_run: bool):
    """Where the server starts in this process, a plain movie is decoded once: for its cuts,
    and from that for its shots' analysis (``media.whole_movie``). A server elsewhere decodes
    the shots itself; so does a dry run, which starts none."""
    if dry_run or configured_address(server):
        return nullcontext()
    from foleyline.server.media import whole_movie

    return whole_movie.keeping()


def run(args: argparse.Namespace) -> int:
    # every choice checked before any work
    if args.takes < 1 or args.takes > 16:  # the server's bound (server/validation.py)
        raise InvalidInput(f"--takes must be between 1 and 16, got {args.takes}")
    if args.handles < 0 or args.handles > 1000:  # the server's bound (server/validation.py)
        raise InvalidInput(f"--handles must be between 0 and 1000 frames, got {args.handles}")
    check_out_dir(args.out_dir)
    check_engine(args.engine, configured_address(args.server), token=args.token, tls_ca=args.tls_ca)
    settings = pb.GenerateSettings(engine=args.engine, num_takes=args.takes, seed=args.seed, handle_frames=args.handles)
    started = time.monotonic()
    with _decoded_once(args.server, dry_run=args.dry_run):
        # -- issue 14: preflight first; --dry-run stops after it
        pre = run_preflight(args.timeline, selection_from_args(args), rate=args.rate, fmt=args.fmt, settings=settings,
                            expose_handles=args.expose_handles, timeline=args.timeline_name, relink=args.relink,
                            map_path=args.map_path, cuts=not args.no_cuts)
        if args.dry_run:
            from foleyline.plugin.timeline.preflight import selection_table

            print(selection_table(pre))
            return 0 if pre.ok else 1
        result = generate_timeline(
            args.timeline, selection_from_args(args), args.out_dir, settings=settings,
            rate=args.rate, fmt=args.fmt, server=args.server, progress=ProgressBar(), upload=args.upload,
            expose_handles=args.expose_handles, token=args.token, tls_ca=args.tls_ca,
            notes=read_notes_folder(args.notes) if args.notes is not None else None, pre=pre,
            accept=args.accept, preview=args.preview, file_template=args.file_names,
            track_names_preset=args.track_names, sfx_library=sfx_library_option(args),
        )
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"wrote {result.timeline_path} and {len(result.wav_paths)} WAV(s) for {len(result.shots)} shot(s) "
          f"in {time.monotonic() - started:.1f} s")
    for path in result.previews:
        print(f"preview: {path}")
    return 0


__all__ = ["GenerateResult", "add_arguments", "connect", "generate_timeline", "run"]
