"""Cancel latency per stage: how long a job takes to stop after CancelJob, in each stage of a
long shot, and whether anything of the cancelled shot is left behind.

    .venv/bin/python benchmarks/cancel.py [--seconds 60] [--size 1280x720] [--repeat 2] [--stages ...]

Writes a synthetic clip (``--seconds`` long) and runs a server in this process (the procedural
engine). For each stage it starts a one-shot job made so that the stage is long (the whole clip
decoded; notes drafted from it; six layers generated; sixteen takes post-processed and written),
calls CancelJob as soon as the shot reports the stage, and times the call to the JobDone event.
The target is under 1 s in every stage.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from foleyline.capacity import ServerLimits
from foleyline.plugin.client import FoleyClient
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.server import housekeeping

RATE = 25
STAGES = ("decode", "notes", "generate", "post", "store")


def write_clip(path: Path, seconds: int, width: int, height: int) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(RATE))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        rng = np.random.default_rng(0)
        for i in range(seconds * RATE):
            image = np.full((height, width, 3), 40, np.uint8)
            y = (i * 7) % (height - 40)
            image[y: y + 40, (i * 13) % (width - 40):][:, :40] = 230
            image[::8, ::8] = rng.integers(0, 255, image[::8, ::8].shape, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def shot_for(stage: str, media: Path, frames: int) -> tuple[pb.Shot, pb.GenerateSettings]:
    def time_range(start: int, length: int) -> pb.TimeRange:
        return pb.TimeRange(start_time=pb.RationalTime(value=start, rate=RATE), duration=pb.RationalTime(value=length, rate=RATE))

    shot = pb.Shot(id=f"long-{stage}", name=stage, rate=RATE, source_range=time_range(0, frames),
                   record_range=time_range(90000, frames), available_range=time_range(0, frames))
    shot.media.path = str(media)
    if stage != "notes":  # notes: none given, the server drafts them
        layers = 6 if stage == "generate" else 2
        kinds = [pb.LAYER_KIND_FX, pb.LAYER_KIND_BG, pb.LAYER_KIND_FOLEY]
        prompts = ["box hits wood", "rain on a roof", "footsteps on gravel", "wind in trees", "crowd murmur", "cloth rustle"]
        shot.has_notes = True
        shot.notes.CopyFrom(pb.Notes(shot_id=shot.id, version=1, author="editor", layers=[
            pb.Layer(label=f"layer {i}", kind=kinds[i % 3], prompt=prompts[i]) for i in range(layers)
        ]))
    return shot, pb.GenerateSettings(num_takes=16 if stage in ("post", "store") else 1, seed=1)


def cancel_at(client: FoleyClient, stage: str, media: Path, frames: int) -> tuple[float, bool, str]:
    """(seconds from CancelJob to JobDone, cancelled?, the stage seen last)."""
    shot, settings = shot_for(stage, media, frames)
    call = client.generate([shot], settings)
    job_id, asked, seen = "", 0.0, ""
    for event in call:
        job_id = event.job_id
        kind = event.WhichOneof("event")
        if kind == "progress":
            seen = event.progress.stage
            if seen == stage and not asked:
                asked = time.monotonic()
                client.cancel_job(job_id)
        elif kind == "done":
            return time.monotonic() - asked, event.done.cancelled, seen
    raise RuntimeError("the stream ended without JobDone")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--stages", nargs="+", choices=STAGES, default=list(STAGES))
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))
    from foleyline.server.app import ServerConfig, start_server  # this process serves for the benchmark

    work = Path(tempfile.mkdtemp(prefix="foleyline-cancel-"))
    started = time.monotonic()
    media = write_clip(work / "long.mp4", args.seconds, width, height)
    print(f"clip: {args.seconds} s at {width}x{height} written in {time.monotonic() - started:.1f} s")
    token = secrets.token_urlsafe(24)
    running = start_server(ServerConfig(address="127.0.0.1:0", data_dir=work / "store", allowed_roots=[work], token=token,
                                        limits=ServerLimits(workers={"cpu": 1})))
    try:
        running.ready.wait(300)
        with FoleyClient(running.address, token) as client:
            for stage in args.stages:
                for _ in range(args.repeat):
                    latency, cancelled, seen = cancel_at(client, stage, media, args.seconds * RATE)
                    staged = list(running.store.tmp_dir.iterdir())
                    orphans = housekeeping.collect_orphans(running.store, grace_s=0, dry_run=True).files
                    print(f"  {stage:<9} stopped in {latency * 1000:7.1f} ms  cancelled={cancelled}  "
                          f"(last stage {seen}; staged files left: {len(staged)}, orphan WAVs: {orphans})", flush=True)
    finally:
        running.stop(grace=1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
