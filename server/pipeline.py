"""One shot, from a request to stored takes.

    media check (allowed roots) -> handles -> decode -> analysis -> notes (given or drafted)
    -> engine, per layer, all takes' seeds at once (in windows when the shot is longer than
    the engine's window) -> post (48 kHz, fades over the handles,
    loudness, Broadcast WAV stamped at the first sample's record timecode) -> store

Regenerating only some layers (``ShotRequest.only_layers`` with a ``base_take_id``) renders
just those; every other layer of the new take points at the base take's WAV (same hash, so
bit-identical) and only the mix is summed again.

Nothing here imports grpc: failures are ``foleyline.errors.*`` and the caller maps them.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import soundfile

from foleyline import __version__, timebase
from foleyline.errors import Cancelled, InvalidInput, MediaError, NotFound, PermissionDenied
from foleyline.notes import Layer, LayerKind, Notes
from foleyline.server.engines.base import Engine, SamplingSettings, ShotInput
from foleyline.server.media.audio import mix_stems
from foleyline.server.media.frames import ANALYSIS_STREAM, StreamSpec
from foleyline.server.records import (
    OUTPUT_BIT_DEPTH,
    OUTPUT_SAMPLE_RATE,
    AudioFile,
    JobSettings,
    LayerTake,
    ShotOutcome,
    ShotRequest,
    Span,
    Take,
)
from foleyline.server.store import Store
from foleyline.server.windowing import generate_layer

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, float], None]
# Peak ceiling for stems and the mix: headroom for the editor's own mix.
PEAK_CEILING_DBFS = -1.0
SILENCE_LUFS = -70.0

# Where each stage sits within a shot's 0..1 progress.
_STAGES = {"decode": (0.0, 0.1), "analysis": (0.1, 0.15), "notes": (0.15, 0.2), "generate": (0.2, 0.9), "post": (0.9, 0.97), "store": (0.97, 1.0)}


def _span_to_range(span: Span) -> timebase.TimeRange:
    return timebase.TimeRange(timebase.RationalTime(span.start, span.rate), timebase.RationalTime(span.duration, span.rate))


def _range_to_span(time_range: timebase.TimeRange) -> Span:
    return Span(time_range.start_time.value, time_range.duration.value, time_range.start_time.rate)


@dataclass(frozen=True)
class ShotWindow:
    """Where a shot's audio lies, handles included, in media seconds and in record time."""

    media_start_s: float        # container seconds of the first audio sample
    duration_s: float           # seconds of audio, handles included
    head_frames: int
    tail_frames: int
    head_s: float               # seconds of head handle
    shot_duration_s: float      # the shot itself, handles excluded
    audio_range: timebase.TimeRange   # media range the audio covers (timeline rate)
    samples: int                # at 48 kHz
    time_reference: int         # BWF TimeReference: samples since midnight of the first sample


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
        f"move it under one of them, upload it, or start the server with --allow-root {resolved.parent}"
    )


def shot_window(
    shot: ShotRequest, handle_frames: int, media_duration_s: float | None, media_timecode: str | None = None
) -> ShotWindow:
    """The shot's range widened by handles, clamped to the media that exists."""
    label = shot.name or shot.id
    # Frames count real frames here; the drop-frame flag only matters for timecode labels.
    rate = timebase.rate_from_float(shot.rate)
    source = _span_to_range(shot.source_range)
    if timebase.to_frames(source.duration, rate) <= 0:
        raise InvalidInput(f"shot {label} has zero length (source range {source}); trim it to at least one frame or leave it out")
    if shot.available_range is not None:
        available = _span_to_range(shot.available_range)
        media_start = available.start_time
        if media_duration_s is not None:
            # Exports can claim more media than the file holds: the file wins.
            real_end = float(timebase.to_seconds(media_start)) + media_duration_s
            end = min(float(timebase.to_seconds(available.end_time_exclusive())), real_end)
            rate_f = available.start_time.rate
            available = timebase.TimeRange(media_start, timebase.RationalTime((end - float(timebase.to_seconds(media_start))) * rate_f, rate_f))
    else:
        # Without an available range, the source range counts from the media's first frame, or
        # from its start timecode when it lies beyond the media counted from zero.
        media_start = timebase.RationalTime(0, source.start_time.rate)
        if media_timecode and media_duration_s is not None and timebase.media_seconds(source.start_time) >= media_duration_s:
            media_start = timebase.from_timecode(media_timecode, rate)
        available = None
        if media_duration_s is not None:
            available = timebase.TimeRange(media_start, timebase.RationalTime(media_duration_s * source.start_time.rate, source.start_time.rate))
    shot_start_s = timebase.media_seconds(source.start_time, media_start)
    if shot_start_s < -1e-6 or (media_duration_s is not None and shot_start_s >= media_duration_s):
        raise MediaError(
            f"shot {label} starts at {shot_start_s:.3f} s of its media, which lasts {media_duration_s or 0:.3f} s; "
            "the timeline does not match this media file: relink the clip"
        )
    handled = timebase.add_handles(source, handle_frames, handle_frames, available)
    start_s, duration_s = timebase.range_to_seconds(handled.range, media_start)
    head_s = float(timebase.frames_to_seconds(handled.head_frames, timebase.rate_of(source)))
    record_start = _span_to_range(shot.record_range).start_time
    first_record_frame = timebase.to_frames(record_start, rate) - handled.head_frames
    time_reference = timebase.samples_since_midnight(timebase.frames_to_time(first_record_frame, rate), rate, OUTPUT_SAMPLE_RATE)
    _first, samples = timebase.range_to_samples(handled.range, OUTPUT_SAMPLE_RATE, media_start)
    shot_s = float(timebase.to_seconds(source.duration))
    return ShotWindow(start_s, duration_s, handled.head_frames, handled.tail_frames, head_s, shot_s, handled.range, samples, time_reference)


class Pipeline:
    def __init__(self, store: Store, allowed_roots: Sequence[Path]) -> None:
        self.store = store
        self.allowed_roots = [Path(r) for r in allowed_roots]

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
        if not path.is_file():
            raise MediaError(f"media {shot.media_path} of shot {label} does not exist; relink the clip or restore the file")
        return path

    # ---- notes ----------------------------------------------------------------------------

    def notes_for(self, shot: ShotRequest, shot_input: ShotInput, writer: str = "auto") -> tuple[Notes, bool, list[str]]:
        """(notes, drafted, warnings): the editor's notes, else a draft by the notes writer
        (a VLM when installed, else the motion analysis)."""
        if shot.notes is not None and shot.notes.layers:
            return shot.notes, False, []
        from foleyline.server.notes import draft

        result = draft(shot_input, writer or "auto")
        for warning in result.warnings:
            log.info("notes for shot %s: %s", shot.id, warning)
        return replace(result.notes, shot_id=shot.id), True, list(result.warnings)

    @staticmethod
    def drafting_streams(shot: ShotRequest, writer: str = "auto") -> Sequence[StreamSpec]:
        """The frame streams the notes writer needs, when the shot's notes must be drafted."""
        if shot.notes is not None and shot.notes.layers:
            return ()
        from foleyline.server.notes import required_streams

        return tuple(required_streams(writer or "auto"))

    # ---- the shot -------------------------------------------------------------------------

    def prepare(self, shot: ShotRequest, handle_frames: int, streams: Sequence[StreamSpec]) -> tuple[ShotWindow, ShotInput]:
        """Decode and analyse a shot: what an engine (or the notes writer) needs."""
        from foleyline.server.media.analysis import analyze_motion
        from foleyline.server.media.decode import decode_shot, probe

        path = self.media_path(shot)
        info = probe(path)
        window = shot_window(shot, handle_frames, info.duration, info.timecode)
        wanted = {spec.name: spec for spec in (*streams, ANALYSIS_STREAM)}
        decoded = decode_shot(path, window.media_start_s, window.duration_s, list(wanted.values()))
        analysis = analyze_motion(decoded.streams[ANALYSIS_STREAM.name])
        shot_input = ShotInput(
            shot_id=shot.id,
            duration=window.duration_s,
            offset=-window.head_s,
            fps=float(decoded.fps),
            streams=decoded.streams,
            analysis=analysis,
            notes=shot.notes or Notes(shot_id=shot.id),
            extras={"media_path": str(path), "shot_name": shot.name, "shot_duration": window.shot_duration_s},
        )
        return window, shot_input

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
    ) -> ShotOutcome:
        def stage(name: str, within: float = 0.0) -> None:
            if cancel.is_set():
                raise Cancelled(f"job {job_id} was cancelled")
            low, high = _STAGES[name]
            progress(name, low + (high - low) * within)

        label = shot.name or shot.id
        base = self._base_take(shot)
        stage("decode")
        streams = (*engine.required_streams(), *(self.drafting_streams(shot) if base is None else ()))
        window, shot_input = self.prepare(shot, settings.handle_frames, streams)
        stage("notes")
        if base is not None and (shot.notes is None or not shot.notes.layers):
            notes, drafted = base.notes, False
        else:
            notes, drafted, _warnings = self.notes_for(shot, shot_input)
        notes = self.store.record_notes(shot.id, notes)
        shot_input.notes = notes
        if not notes.layers:
            raise InvalidInput(f"the notes of shot {label} have no layers; add at least one layer to generate")
        to_render = self._layers_to_render(shot, notes, base)

        caps = engine.capabilities()
        seeds = [settings.seed + i for i in range(max(1, settings.num_takes))]
        sampling = SamplingSettings(steps=settings.steps, cfg_strength=settings.cfg_strength)
        rendered: dict[str, list[np.ndarray]] = {}
        for i, layer in enumerate(to_render):
            stage("generate", i / len(to_render))

            def engine_progress(fraction: float, _i: int = i) -> None:
                stage("generate", (_i + min(1.0, max(0.0, fraction))) / len(to_render))

            outputs = generate_layer(engine, shot_input, layer, seeds, sampling, progress=engine_progress, cancel=cancel)
            if len(outputs) != len(seeds):
                raise RuntimeError(f"engine {engine_name} returned {len(outputs)} takes for {len(seeds)} seeds")
            rendered[layer.label] = [self._post(audio, caps.sample_rate, window) for audio in outputs]

        stage("post")
        created = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        takes: list[Take] = []
        for t, seed in enumerate(seeds):
            take_id = f"take-{uuid.uuid4().hex[:12]}"
            layers: list[LayerTake] = []
            stems: list[np.ndarray] = []
            for layer in notes.layers:
                if layer.label in rendered:
                    audio = rendered[layer.label][t]
                    stored = self._write_wav(audio, window, shot, take_id, layer.label, layer.kind, notes, settings)
                    layers.append(self._layer_take(layer, stored, audio, reused=False))
                else:
                    previous = base.layers[[lt.label for lt in base.layers].index(layer.label)]  # type: ignore[union-attr]
                    audio = self._read_stem(previous.audio.sha256, window)
                    layers.append(replace(previous, reused=True))
                if not layer.mute:
                    stems.append(audio)
            mix = _limit(mix_stems(stems, window.samples))
            mix_file = self._write_wav(mix, window, shot, take_id, "mix", None, notes, settings)
            takes.append(
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
                    layers=tuple(layers),
                    mix=mix_file,
                    loudness_lufs=_loudness(mix),
                    created_at=created,
                    audio_source_range=_range_to_span(window.audio_range),
                    record_range=shot.record_range,
                    handle_head_frames=window.head_frames,
                    handle_tail_frames=window.tail_frames,
                    base_take_id=base.id if base is not None else "",
                )
            )
        stage("store")
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

    def _post(self, audio: np.ndarray, rate: int, window: ShotWindow) -> np.ndarray:
        """Engine audio -> 48 kHz stem of exactly the window's length, faded over the handles."""
        from foleyline.server.media.audio import as_channels, fade_handles, fit_length, resample

        audio = as_channels(np.asarray(audio, dtype=np.float32))
        if rate != OUTPUT_SAMPLE_RATE:
            audio = resample(audio, rate, OUTPUT_SAMPLE_RATE)
        audio = fit_length(audio, window.samples)
        head = timebase.seconds_to_samples(window.head_s, OUTPUT_SAMPLE_RATE)
        audio = fade_handles(audio, OUTPUT_SAMPLE_RATE, head=head, tail=self._tail_samples(window))
        return _limit(audio)

    @staticmethod
    def _tail_samples(window: ShotWindow) -> int:
        rate = timebase.rate_of(window.audio_range)
        return timebase.seconds_to_samples(timebase.frames_to_seconds(window.tail_frames, rate), OUTPUT_SAMPLE_RATE)

    def _read_stem(self, sha256: str, window: ShotWindow) -> np.ndarray:
        data, _rate = soundfile.read(self.store.audio_path(sha256), dtype="float32", always_2d=True)
        audio = data.T
        if audio.shape[1] != window.samples:
            raise InvalidInput(
                "the base take covers a different range than the shot now has (the edit changed); regenerate all layers"
            )
        return audio

    def _write_wav(
        self,
        audio: np.ndarray,
        window: ShotWindow,
        shot: ShotRequest,
        take_id: str,
        label: str,
        kind: LayerKind | None,
        notes: Notes,
        settings: JobSettings,
    ) -> AudioFile:
        from foleyline.notes.text import summary
        from foleyline.server.media.bwf import BextInfo, IXmlInfo, write_bwf

        staged = self.store.staging_path(".wav")
        track = kind.track_name if kind is not None else "Foley mix"
        write_bwf(
            staged,
            audio,
            OUTPUT_SAMPLE_RATE,
            bext=BextInfo(
                description=f"{shot.name or shot.id} | {label} | {take_id}"[:256],
                originator="Foleyline",
                originator_reference=take_id[:32],
                time_reference=window.time_reference,
                coding_history=f"A=PCM,F={OUTPUT_SAMPLE_RATE},W={OUTPUT_BIT_DEPTH},T=foleyline {__version__}",
                loudness_lufs=_loudness(audio),
            ),
            ixml=IXmlInfo(
                project=settings.project,
                scene=shot.name or shot.id,
                take=take_id,
                note=label,
                rate=timebase.rate_from_float(shot.rate, shot.drop_frame and _has_drop_frame(shot.rate)),
                track_names=_track_names(track, int(audio.shape[0])),
                user=summary(notes),
            ),
        )
        sha, size = self.store.adopt_audio(staged)
        return AudioFile(sha, size, OUTPUT_SAMPLE_RATE, OUTPUT_BIT_DEPTH, int(audio.shape[0]), int(audio.shape[1]))

    @staticmethod
    def _layer_take(layer: Layer, stored: AudioFile, audio: np.ndarray, *, reused: bool) -> LayerTake:
        return LayerTake(
            label=layer.label,
            kind=layer.kind.value,
            audio=stored,
            loudness_lufs=_loudness(audio),
            peak_dbfs=_peak_dbfs(audio),
            reused=reused,
        )


def _track_names(track: str, channels: int) -> tuple[str, ...]:
    """iXML names per channel: a stereo stem's channels are the track's left and right."""
    return (f"{track} L", f"{track} R") if channels == 2 else (track,) * channels


def _has_drop_frame(rate: float) -> bool:
    return abs(rate - 30000 / 1001) < 0.01 or abs(rate - 60000 / 1001) < 0.01


def _peak_dbfs(audio: np.ndarray) -> float:
    from foleyline.server.media.audio import peak_dbfs

    value = float(peak_dbfs(audio))
    return value if np.isfinite(value) else -120.0


def _loudness(audio: np.ndarray) -> float:
    from foleyline.server.media.audio import loudness_lufs

    value = float(loudness_lufs(audio, OUTPUT_SAMPLE_RATE))
    return value if np.isfinite(value) and value > SILENCE_LUFS else SILENCE_LUFS


def _limit(audio: np.ndarray) -> np.ndarray:
    """Scale down (never up) so the peak stays under the ceiling; a plain gain keeps the sound."""
    ceiling = 10 ** (PEAK_CEILING_DBFS / 20)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak > ceiling:
        audio = audio * (ceiling / peak)
    return audio.astype(np.float32)

