"""One shot, from a request to stored takes. This module orchestrates; each step has its owner:

    media check (allowed roots)                              Pipeline.media_path
    -> timing: handles, decode range, BWF time stamp         foleyline.server.shot_timing
    -> decode + analysis -> ShotInput                        foleyline.server.media.load
       (kept for the shot's next takes)                      foleyline.server.shot_inputs
    -> notes (given or drafted)                              foleyline.server.notes
    -> engine, per layer, all takes' seeds at once, in
       windows when the shot is longer than the engine's     foleyline.server.windowing
    -> post: output rate, fades over the handles, ceiling    foleyline.server.media.audio
    -> take numbers (1, 2, 3... per shot)                    foleyline.server.store
    -> Broadcast WAV stamped at the first sample's record
       timecode, with loudness, signed (C2PA)                foleyline.server.media.bwf
    -> store                                                 foleyline.server.store

Regenerating only some layers (``ShotRequest.only_layers`` with a ``base_take_id``) renders
just those; every other layer of the new take points at the base take's WAV (same hash, so
bit-identical) and only the mix is summed again.

Nothing here imports grpc: failures are ``foleyline.errors.*`` and the caller maps them.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

import numpy as np
import soundfile

from foleyline import timebase
from foleyline.errors import Cancelled, InvalidInput, MediaError, NotFound, PermissionDenied
from foleyline.notes import Layer, Notes
from foleyline.notes.text import summary
from foleyline.probe import probe
from foleyline.provenance import Generation, notes_digest
from foleyline.server.engines.base import Engine, SamplingSettings, ShotInput
from foleyline.server.engines.manifest import model_licence
from foleyline.server.media import audio as post
from foleyline.server.media.bwf import BITS, TakeStamp, write_take
from foleyline.server.media.frames import StreamSpec
from foleyline.server.media.loudness import Loudness, measure
from foleyline.server.notes import DraftResult, draft, drafting_plan, required_streams
from foleyline.server.notes.drafters import Plan
from foleyline.server.notes.fitting import CountsOf
from foleyline.server.records import AudioFile, JobSettings, LayerTake, ShotOutcome, ShotRequest, Take
from foleyline.server.shot_inputs import ShotInputs
from foleyline.server.shot_timing import ShotTiming, shot_timing
from foleyline.server.signing import Credentials, credentials, signer_for
from foleyline.server.store import Store, remove_quietly, storage_errors
from foleyline.server.windowing import generate_layer
from foleyline.timebase import OUTPUT_SAMPLE_RATE

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, float], None]


class ShotRunner(Protocol):
    """What runs one shot for the jobs layer: ``Pipeline`` in this process, or the cluster's
    replicas (``foleyline.server.cluster.head.RayShots``); same arguments, same outcome."""

    def process_shot(self, shot: ShotRequest, settings: JobSettings, *, job_id: str, engine_name: str,
                     engine: Engine, progress: ProgressFn, cancel: threading.Event,
                     engine_lock: threading.Lock | None = None, take_ids: Sequence[str] = ()) -> ShotOutcome: ...

# Where each stage sits within a shot's 0..1 progress.
_STAGES = {"decode": (0.0, 0.1), "analysis": (0.1, 0.15), "notes": (0.15, 0.2), "generate": (0.2, 0.9), "post": (0.9, 0.97), "store": (0.97, 1.0)}


def check_allowed(path: Path, allowed_roots: Sequence[Path], shot_label: str) -> Path:
    """The resolved media path, when it lies under an allowed root; PermissionDenied naming it
    otherwise. Checked before existence, so a refused path tells nothing about what exists."""
    resolved = Path(path).expanduser().resolve()
    for root in allowed_roots:
        if resolved.is_relative_to(Path(root).expanduser().resolve()):
            return resolved
    roots = ", ".join(str(r) for r in allowed_roots) or "none"
    raise PermissionDenied(
        f"media {path} of shot {shot_label} is outside the server's allowed roots ({roots}); "
        f"move it under one of them, upload it, or start the server with --allow-root {Path(path).parent}"
    )


def _given_notes(shot: ShotRequest) -> bool:
    return shot.notes is not None and bool(shot.notes.layers)


class Pipeline:
    def __init__(self, store: Store, allowed_roots: Sequence[Path]) -> None:
        self.store = store
        self.allowed_roots = [Path(r) for r in allowed_roots]
        self.inputs = ShotInputs()  # a shot asked for again is not decoded and analysed again

    # ---- media ----------------------------------------------------------------------------

    def media_path(self, shot: ShotRequest) -> Path:
        label = shot.name or shot.id
        if shot.media_hash:
            path = self.store.media_path(shot.media_hash)
            if path is None:
                raise NotFound(f"shot {label} names uploaded media {shot.media_hash} that this server does not have; upload it first")
            return path
        if shot.media_path is None or not str(shot.media_path):
            raise MediaError(f"shot {label} has no media; relink the clip in the editor and export again")
        path = check_allowed(shot.media_path, self.allowed_roots, label)
        if not path.exists():
            raise MediaError(f"media {shot.media_path} of shot {label} does not exist; relink the clip or restore the file")
        return path  # what kind of file it is, foleyline.probe checks before opening it

    # ---- notes ----------------------------------------------------------------------------

    def draft(self, shot: ShotRequest, shot_input: ShotInput, writer: str = "auto", *,
              counts_of: CountsOf | None = None, chosen: Plan | None = None) -> DraftResult:
        """Notes drafted for the shot down the ladder (a VLM, else CLIP labels with the motion
        analysis, else the motion analysis), fitted to ``counts_of``'s limit (the target
        engine's), with the warnings that say why a rung was not used. ``chosen``: the plan
        the shot's streams were decoded for (``drafting_plan``)."""
        result = draft(shot_input, writer or "auto", counts_of=counts_of, chosen=chosen)
        log.info("notes for shot %s drafted by %s", shot.id, result.drafter)
        for warning in [*result.warnings, *result.missing, *result.runs]:
            log.info("notes for shot %s: %s", shot.id, warning)
        return replace(result, notes=replace(result.notes, shot_id=shot.id))

    def notes_for(self, shot: ShotRequest, shot_input: ShotInput, engine: Engine | None = None,
                  chosen: Plan | None = None) -> tuple[Notes, bool]:
        """(notes, drafted): the editor's notes, else a draft fitted to ``engine``'s text limit
        (by ``chosen``, the shot's drafting plan, when made already)."""
        if _given_notes(shot):
            return shot.notes, False  # type: ignore[return-value]
        counts_of = engine.count_text_tokens if engine is not None else None
        return self.draft(shot, shot_input, counts_of=counts_of, chosen=chosen).notes, True

    @staticmethod
    def drafting_plan(shot: ShotRequest, writer: str = "auto") -> Plan | None:
        """What will draft the shot's notes, made once per shot (the streams decoded and the
        draft follow the same plan); None when the editor gave the notes."""
        return None if _given_notes(shot) else drafting_plan(writer or "auto")

    @staticmethod
    def drafting_streams(chosen: Plan | None) -> Sequence[StreamSpec]:
        """The frame streams the notes writer of ``chosen`` needs (none without a draft)."""
        return () if chosen is None else tuple(required_streams(chosen=chosen))

    # ---- the shot -------------------------------------------------------------------------

    def prepare(self, shot: ShotRequest, handle_frames: int, streams: Sequence[StreamSpec],
                cancel: threading.Event | None = None) -> tuple[ShotTiming, ShotInput]:
        """Time, decode and analyse a shot: what an engine (or the notes writer) needs."""
        path = self.media_path(shot)
        info = probe(path)
        timing = shot_timing(shot, handle_frames, info.clock, path.name)
        shot_input = self.inputs.load(
            path, timing.media_start_s, timing.duration_s, streams,
            shot_id=shot.id, offset=-timing.head_s, notes=shot.notes,
            extras={"shot_name": shot.name, "shot_duration": timing.shot_duration_s},
            cancel=cancel,
        )
        return timing, shot_input

    def process_shot(
        self,
        shot: ShotRequest,
        settings: JobSettings,
        *,
        job_id: str,
        engine_name: str,
        engine: Engine,
        progress: ProgressFn,
        cancel: threading.Event,
        engine_lock: threading.Lock | None = None,
        take_ids: Sequence[str] = (),
        take_numbers: Sequence[int] = (),
    ) -> ShotOutcome:
        """One shot, request in, takes out (their WAVs in the store, not yet their rows).

        ``cancel`` is checked in every stage (in the decode loop, the engine's loop, between
        stems and between files); a cancelled shot leaves no file behind. ``engine_lock``: held
        around the engine's calls when the engine may not run on two threads at once. ``take_ids``:
        the takes' ids, one per seed (the caller's idempotency keys, ``take_ids_for``); none
        given: new ones. ``take_numbers``: their numbers, given out by the store that keeps the
        takes (a cluster's head); none given: this pipeline's store gives them out.
        """
        def stage(name: str, within: float = 0.0) -> None:
            if cancel.is_set():
                raise Cancelled(f"job {job_id} was cancelled")
            low, high = _STAGES[name]
            progress(name, low + (high - low) * within)

        label = shot.name or shot.id
        base = self._base_take(shot)
        stage("decode")
        chosen = self.drafting_plan(shot) if base is None else None
        streams = (*engine.required_streams(), *self.drafting_streams(chosen))
        timing, shot_input = self.prepare(shot, settings.handle_frames, streams, cancel)
        stage("notes")
        if base is not None and not _given_notes(shot):
            notes, drafted = base.notes, False
        else:
            notes, drafted = self.notes_for(shot, shot_input, engine, chosen)
        stage("notes", 1.0)
        notes = self.store.record_notes(shot.id, notes)
        shot_input.notes = notes
        if not notes.layers:
            raise InvalidInput(f"the notes of shot {label} have no layers; add at least one layer to generate")
        to_render = self._layers_to_render(shot, notes, base)

        caps = engine.capabilities()
        seeds = [settings.seed + i for i in range(max(1, settings.num_takes))]
        sampling = SamplingSettings(steps=settings.steps, cfg_strength=settings.cfg_strength)
        rendered: dict[str, list[np.ndarray | None]] = {}  # per layer, per take; a take's released once written
        said: dict[str, tuple[str, ...]] = {}  # the engine's warnings per layer
        for i, layer in enumerate(to_render):
            stage("generate", i / len(to_render))

            def engine_progress(fraction: float, _i: int = i) -> None:
                stage("generate", (_i + min(1.0, max(0.0, fraction))) / len(to_render))

            with _held(engine_lock, cancel, job_id):
                outputs = generate_layer(engine, shot_input, layer, seeds, sampling, progress=engine_progress, cancel=cancel)
            if len(outputs) != len(seeds):
                raise RuntimeError(f"engine {engine_name} returned {len(outputs)} takes for {len(seeds)} seeds")
            finished: list[np.ndarray | None] = []
            for raw in outputs:
                stage("generate", (i + 1) / len(to_render))
                finished.append(post.finish_stem(raw, caps.sample_rate, samples=timing.samples,
                                                 head=timing.head_samples, tail=timing.tail_samples))
            del outputs, raw  # the engine's own arrays: only the finished stems stay
            rendered[layer.label] = finished
            said[layer.label] = tuple(engine.layer_warnings(layer))
        # The engines are done with the pictures: the post need not hold them (a long shot's
        # analysis pictures, 34 MB for 79 s at 720p, are kept for no next take).
        shot_input = None

        stage("post")
        numbers = list(take_numbers) or self.store.reserve_take_numbers(shot.id, len(seeds))
        creds = credentials()
        licence = model_licence(engine_name)
        with _StagedFiles(self.store, creds) as files:
            take_ids = list(take_ids) or [f"take-{uuid.uuid4().hex[:12]}" for _ in seeds]
            if not len(take_ids) == len(numbers) == len(seeds):
                raise ValueError(f"{len(take_ids)} take ids and {len(numbers)} take numbers given for {len(seeds)} takes")
            layers_of: list[list[LayerTake | _Stem]] = []
            mixes: list[_Stem] = []
            count = len(seeds) * (len(rendered) + 1)
            for t, take_id in enumerate(take_ids):
                made = Generation(
                    engine=engine_name, engine_version=caps.version, model=caps.model,
                    model_licence=licence, seed=seeds[t], notes_digest=notes_digest(notes),
                    take_id=take_id, take_number=numbers[t], shot=label, layer="mix",
                )
                layers: list[LayerTake | _Stem] = []
                # Each stem is let go once written and added to the mix: a long take's post holds
                # the mix and the stems still to write, never every stem and the mix at once.
                mixed = post.Mix(timing.samples)
                for index, layer in enumerate(notes.layers, start=1):
                    if layer.label in rendered:
                        stage("post", len(files) / count)
                        audio, rendered[layer.label][t] = rendered[layer.label][t], None
                        assert audio is not None  # each take's stem is written once
                        stamp = self._stamp(timing, shot, settings, notes, replace(made, layer=layer.label), stem=index, layer=layer)
                        layers.append(files.write(audio, stamp, replace(made, layer=layer.label), layer,
                                                  warnings=said[layer.label]))
                    else:
                        previous = base.layers[[lt.label for lt in base.layers].index(layer.label)]  # type: ignore[union-attr]
                        audio = self._read_stem(previous.audio.sha256, timing)
                        layers.append(replace(previous, reused=True))
                    if not layer.mute:
                        mixed.add(audio)
                    audio = None
                stage("post", len(files) / count)
                mix = mixed.finish()
                mixes.append(files.write(mix, self._stamp(timing, shot, settings, notes, made, stem=0, layer=None), made))
                layers_of.append(layers)
                mix = mixed = None
            # The WAVs move into the store; a cancel until the last one removes them again.
            for i, stem in enumerate(files.stems):
                stage("store", i / count)
                files.adopt(stem)
            # The shot's WAVs were written without fsyncs: durable together, before its takes are stored.
            files.sync()
            created = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
            takes = [
                Take(
                    id=take_id,
                    shot_id=shot.id,
                    shot_name=shot.name,
                    job_id=job_id,
                    notes=notes,
                    engine=engine_name,
                    model=caps.model,
                    engine_version=caps.version,
                    seed=seed,
                    settings=settings,
                    layers=tuple(item if isinstance(item, LayerTake) else item.layer_take() for item in layers_of[t]),
                    mix=mixes[t].stored,
                    loudness_lufs=post.reported_lufs(mixes[t].loudness.integrated_lufs),
                    created_at=created,
                    audio_source_range=timing.audio_range,
                    record_range=shot.record_range,
                    handle_head_frames=timing.head_frames,
                    handle_tail_frames=timing.tail_frames,
                    base_take_id=base.id if base is not None else "",
                    number=numbers[t],
                )
                for t, (take_id, seed) in enumerate(zip(take_ids, seeds))
            ]
            files.keep()
        return ShotOutcome(takes=takes, drafted_notes=notes if drafted else None)

    # ---- helpers --------------------------------------------------------------------------

    def _base_take(self, shot: ShotRequest) -> Take | None:
        if not shot.only_layers:
            return None
        if not shot.base_take_id:
            raise InvalidInput(
                f"shot {shot.name or shot.id} asks to regenerate only {', '.join(shot.only_layers)} but names no base take; "
                "pass the take whose other layers to keep"
            )
        base = self.store.get_take(shot.base_take_id)
        if base.shot_id != shot.id:
            raise InvalidInput(f"take {base.id} belongs to shot {base.shot_id}, not {shot.id}; pass a take of this shot")
        return base

    @staticmethod
    def _layers_to_render(shot: ShotRequest, notes: Notes, base: Take | None) -> list[Layer]:
        if base is None:
            return list(notes.layers)
        labels = [layer.label for layer in notes.layers]
        unknown = [name for name in shot.only_layers if name not in labels]
        if unknown:
            raise InvalidInput(f"the notes of shot {shot.name or shot.id} have no layer {', '.join(unknown)}; the layers are {', '.join(labels)}")
        base_labels = {lt.label for lt in base.layers}
        # A layer the base take does not have must be rendered even when not listed.
        return [layer for layer in notes.layers if layer.label in shot.only_layers or layer.label not in base_labels]

    def _read_stem(self, sha256: str, timing: ShotTiming) -> np.ndarray:
        data, _rate = soundfile.read(self.store.audio_path(sha256), dtype="float32", always_2d=True)
        audio = data.T
        if audio.shape[1] != timing.samples:
            raise InvalidInput(
                "the base take covers a different range than the shot now has (the edit changed); regenerate all layers"
            )
        return audio

    @staticmethod
    def _stamp(timing: ShotTiming, shot: ShotRequest, settings: JobSettings, notes: Notes, made: Generation, *,
               stem: int, layer: Layer | None) -> TakeStamp:
        """What one stem (``layer``, the notes' ``stem``-th) or the mix (None) says about itself;
        its loudness is measured when it is written."""
        heard = layer.prompt if layer is not None else ", ".join(each.label for each in notes.layers if not each.mute)
        return TakeStamp(
            scene=made.shot,
            label=made.layer,
            take_id=made.take_id,
            take_number=made.take_number,
            stem=stem,
            project=settings.project,
            time_reference=timing.time_reference,
            rate=timebase.timecode_rate(shot.rate, shot.drop_frame),
            heard=heard,
            kind=layer.kind.value if layer is not None else "",
            summary=summary(notes),
            engine=made.engine,
            model=made.model,
        )


@dataclass
class _Stem:
    """A layer's stem (or a take's mix) on its way into the store."""

    peak_dbfs: float               # as the take reports it
    shape: tuple[int, int]         # (channels, frames): the audio itself is not kept once written
    loudness: Loudness             # measured once: the WAV and the take say it
    staged: Path
    layer: Layer | None = None     # None: the mix
    warnings: tuple[str, ...] = ()  # the engine's, about this layer
    stored: AudioFile | None = None

    def layer_take(self) -> LayerTake:
        assert self.layer is not None and self.stored is not None
        return LayerTake(label=self.layer.label, kind=self.layer.kind.value, audio=self.stored,
                         loudness_lufs=post.reported_lufs(self.loudness.integrated_lufs),
                         peak_dbfs=self.peak_dbfs, reused=False, warnings=self.warnings)


class _StagedFiles:
    """A shot's WAVs, written to the store's staging folder, moved in by ``adopt``. Unless
    ``keep`` was called when the block ends (a cancel, a failure), whatever is staged is
    removed, and so is every WAV the shot brought into the store: no take names them yet."""

    def __init__(self, store: Store, creds: Credentials) -> None:
        self.store = store
        self.creds = creds
        self.stems: list[_Stem] = []
        self._created: list[Path] = []
        self._kept = False
        self._signer = signer_for(creds)  # one for the shot's WAVs

    def __len__(self) -> int:
        return len(self.stems)

    def __enter__(self) -> _StagedFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        for stem in self.stems:
            self.store.discard_staged(stem.staged)
        if not self._kept:
            for path in self._created:
                remove_quietly(path)

    def keep(self) -> None:
        """The shot's takes are made: its WAVs stay in the store."""
        self._kept = True

    def write(self, audio: np.ndarray, stamp: TakeStamp, made: Generation, layer: Layer | None = None, *,
              warnings: tuple[str, ...] = ()) -> _Stem:
        """Stamp, sign and stage one stem (``layer``) or the mix (None), not yet durable."""
        stem = _Stem(post.reported_peak(audio), (int(audio.shape[0]), int(audio.shape[1])), measure(audio, OUTPUT_SAMPLE_RATE),
                     self.store.staging_path(".wav"), layer, warnings)
        self.stems.append(stem)
        with storage_errors("writing a take's WAV"):
            write_take(stem.staged, audio, replace(stamp, loudness=stem.loudness), made, self.creds, durable=False,
                       signer=self._signer)
        return stem

    def adopt(self, stem: _Stem) -> None:
        with storage_errors("storing a take's WAV"):
            sha, size = self.store.adopt_audio(stem.staged, self._created, durable=False)
        stem.stored = AudioFile(sha, size, OUTPUT_SAMPLE_RATE, BITS, *stem.shape)

    def sync(self) -> None:
        """Make every adopted WAV durable, in one flush."""
        with storage_errors("storing a take's WAV"):
            self.store.sync_audio(stem.stored.sha256 for stem in self.stems if stem.stored is not None)


@contextmanager
def _held(lock: threading.Lock | None, cancel: threading.Event, job_id: str) -> Iterator[None]:
    """Hold ``lock`` (when there is one) for the block, waiting for it no longer than a cancel."""
    if lock is None:
        yield
        return
    while not lock.acquire(timeout=0.1):
        if cancel.is_set():
            raise Cancelled(f"job {job_id} was cancelled")
    try:
        yield
    finally:
        lock.release()
