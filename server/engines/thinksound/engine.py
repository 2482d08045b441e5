"""The ThinkSound engine: one layer of a shot's notes (caption + CoT text) plus the shot's
picture (MetaCLIP frames at 8 fps, Synchformer tokens at 25 fps) → 44.1 kHz stereo takes.

Weights are read from ``<models dir>/thinksound/`` (``files.py``) and never fetched here. A
shot without picture streams is generated from text alone, as the reference does for items
without video (the learned empty clip/sync features).

A model folder may hold ``foleyline_architecture.json`` to describe a network, VAE or
Synchformer of another size (tests build tiny random-weight models this way); without it the
official sizes are used.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import torch

from foleyline.errors import InvalidInput, Unavailable
from foleyline.notes import Layer, Notes
from foleyline.notes.tokens import TokenCount, estimate_tokens
from foleyline.server.engines.base import (
    Engine,
    EngineCapabilities,
    ProgressFn,
    SamplingSettings,
    ShotInput,
)
from foleyline.server.engines.checkpoints import load_state_dict, naming
from foleyline.server.engines.mmdit.precision import compute_dtype
from foleyline.server.engines.synchformer import SynchformerConfig, load_synchformer
from foleyline.server.engines.thinksound import files
from foleyline.server.engines.thinksound.checkpoints import network_state, vae_state
from foleyline.server.engines.thinksound.conditioning import LayerTexts, check_token_limits, layer_texts, token_report
from foleyline.server.engines.thinksound.configuration_thinksound import (
    HOP_LENGTH,
    SAMPLE_RATE,
    TEXT_TOKENS,
    ThinkSoundConfig,
)
from foleyline.server.engines.thinksound.durations import (
    MAX_WINDOW_SECONDS,
    OVERLAP_SECONDS,
    clip_frame_times,
    frame_indices,
    model_seconds,
    sync_frame_times,
)
from foleyline.server.engines.thinksound.encoders import MetaClipEncoder, T5TextEncoder
from foleyline.server.engines.thinksound.modeling_thinksound import ThinkSoundNetwork, fit_tokens
from foleyline.server.engines.thinksound.sampling import DEFAULT_CFG_SCALE, DEFAULT_STEPS, sample_latent
from foleyline.server.engines.thinksound.vae import OobleckConfig, ThinkSoundVAE
from foleyline.server.media.frames import SYNC_STREAM, FrameStream, StreamSpec
from foleyline.server.windowing import generate_windowed, plan_windows
from foleyline.timebase import seconds_to_samples

__all__ = ["THINKSOUND_CLIP_STREAM", "ThinkSoundEngine"]

# The whole picture, letterboxed onto a black square later (the reference pads, never crops).
THINKSOUND_CLIP_STREAM = StreamSpec("thinksound_clip", fps=8.0, size=(224, 224), fit="keep_aspect")
ARCHITECTURE_FILE = "foleyline_architecture.json"
MODEL_NAME = "thinksound-light"
VERSION = "1"


@dataclass
class _Components:
    network: ThinkSoundNetwork
    vae: ThinkSoundVAE
    t5: object        # T5TextEncoder
    metaclip: object  # MetaClipEncoder
    synchformer: object  # SynchformerEncoder


def _dataclass_from(cls: type, values: dict) -> object:
    known = {f.name for f in fields(cls)}
    unknown = set(values) - known
    if unknown:
        raise InvalidInput(f"{ARCHITECTURE_FILE}: unknown {cls.__name__} fields {sorted(unknown)}")
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


class ThinkSoundEngine(Engine):
    def __init__(self, *, models_root: Path | None = None, device: str = "cpu", dtype: torch.dtype | None = None) -> None:
        self._folder = files.package_dir(models_root)
        self._device = torch.device(device)
        # float32 on the CPU matches the reference fixtures; a GPU runs bf16 (fp16 where it has none).
        self._dtype = dtype or compute_dtype(self._device)
        self._parts: _Components | None = None
        self._lock = threading.Lock()

    # ---- Engine -----------------------------------------------------------------------------

    @classmethod
    def unavailable_reason(cls, models_root: Path | None = None) -> str | None:
        folder = files.package_dir(models_root)
        missing = files.missing_files(folder)
        if not missing:
            return None
        return (
            f"ThinkSound weights are missing from {folder}: {', '.join(missing)}; "
            "run `foleyline models pull thinksound` (research and educational use only)"
        )

    def capabilities(self) -> EngineCapabilities:
        return EngineCapabilities(
            name="thinksound",
            model=MODEL_NAME,
            version=VERSION,
            sample_rate=SAMPLE_RATE,
            channels=2,
            max_window_seconds=None,  # longer shots are windowed and crossfaded inside
            supports_text=True,
            supports_cot=True,
            supports_roi=False,
            supports_edit=False,
            supports_negative_prompt=False,
            device=str(self._device),
            max_text_tokens=TEXT_TOKENS,
        )

    def required_streams(self) -> Sequence[StreamSpec]:
        return (THINKSOUND_CLIP_STREAM, SYNC_STREAM)

    def load(self) -> None:
        with self._lock:
            if self._parts is None:
                self._parts = self._load_components()

    def count_text_tokens(self, notes: Notes) -> list[TokenCount]:
        """Each unmuted layer's chain-of-thought text in T5 tokens (the real tokenizer when it is
        installed, else a generous estimate) against the 77-token limit."""
        counter = self._parts.t5.count_tokens if self._parts is not None else None  # type: ignore[attr-defined]
        try:
            return token_report(notes, counter)
        except Unavailable:
            return token_report(notes, estimate_tokens)

    def generate(
        self,
        shot: ShotInput,
        layer: Layer,
        seeds: Sequence[int],
        settings: SamplingSettings,
        *,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
    ) -> list[np.ndarray]:
        parts = self._require()
        if not seeds:
            raise InvalidInput("no seeds: ask for at least one take")
        total = seconds_to_samples(shot.duration, SAMPLE_RATE)
        windows = plan_windows(total, seconds_to_samples(MAX_WINDOW_SECONDS, SAMPLE_RATE),
                               seconds_to_samples(OVERLAP_SECONDS, SAMPLE_RATE))
        steps = settings.steps or DEFAULT_STEPS
        cfg = DEFAULT_CFG_SCALE if settings.cfg_strength is None else float(settings.cfg_strength)
        # every window's text first, so an overlong layer fails before any work
        counts = {parts.t5.count_tokens(layer_texts(layer, time_offset=shot.offset + w.start / SAMPLE_RATE).cot)  # type: ignore[attr-defined]
                  for w in windows}
        check_token_limits([TokenCount(layer.label, n, TEXT_TOKENS, n > TEXT_TOKENS) for n in sorted(counts)])
        done = 0
        work = len(seeds) * len(windows) * steps

        def step_done(k: int, n: int) -> None:
            if progress is not None:
                progress(min(1.0, (done * steps + k) / work))

        takes = []
        conditions: dict[int, tuple[torch.Tensor, ...]] = {}  # per window start: the same for every seed
        with self._lock:
            # One seed at a time: batching changes float rounding, and a take must not depend on
            # which other takes were asked for with it.
            for seed in seeds:
                generator = torch.Generator().manual_seed(int(seed))

                def render(start: float, duration: float) -> np.ndarray:
                    nonlocal done
                    text = layer_texts(layer, time_offset=shot.offset + start)
                    samples = seconds_to_samples(duration, SAMPLE_RATE)
                    key = seconds_to_samples(start, SAMPLE_RATE)
                    if key not in conditions:
                        conditions[key] = self._conditions(parts, shot, start, samples, text)
                    audio = self._generate_window(parts, conditions[key], samples, generator, steps, cfg,
                                                  step_done, cancel)
                    done += 1
                    return audio

                takes.append(generate_windowed(shot.duration, MAX_WINDOW_SECONDS, OVERLAP_SECONDS, render, SAMPLE_RATE))
        return takes

    # ---- internals --------------------------------------------------------------------------

    def _require(self) -> _Components:
        if self._parts is None:
            self.load()
        assert self._parts is not None
        return self._parts

    def _conditions(self, parts: _Components, shot: ShotInput, start: float, samples: int,
                    text: LayerTexts) -> tuple[torch.Tensor, ...]:
        """The encoder features of the window of ``samples`` samples from ``start`` seconds."""
        lengths = ThinkSoundConfig.sequence_lengths(model_seconds(samples))
        clip_f, sync_f = self._video_features(parts, shot, start, lengths)
        text_f = parts.metaclip.encode_text([text.caption])  # type: ignore[attr-defined]
        t5_f = parts.t5.encode([text.cot])  # type: ignore[attr-defined]
        return clip_f, sync_f, text_f, t5_f

    def _generate_window(self, parts: _Components, features: tuple[torch.Tensor, ...], samples: int,
                         generator: torch.Generator, steps: int, cfg: float, step_done, cancel) -> np.ndarray:
        """``samples`` samples of audio for one window's features."""
        net = parts.network
        lengths = ThinkSoundConfig.sequence_lengths(model_seconds(samples))
        net.set_sequence_lengths(lengths)
        clip_f, sync_f, text_f, t5_f = features
        noise = torch.randn(1, net.config.latent_dim, lengths.latent, generator=generator)
        latent = sample_latent(net, noise, clip_f=clip_f, sync_f=sync_f, text_f=text_f, t5_f=t5_f,
                               steps=steps, cfg_scale=cfg, progress=step_done, cancel=cancel)
        audio = parts.vae.decode(latent.to(self._device, torch.float32))[0]
        if audio.shape[-1] < samples:
            raise InvalidInput(f"decoded {audio.shape[-1]} samples for a {samples}-sample window")
        return audio[:, :samples].cpu().numpy().astype(np.float32)

    def _video_features(self, parts: _Components, shot: ShotInput, start: float, lengths) -> tuple[torch.Tensor, torch.Tensor]:
        net = parts.network
        clip_stream: FrameStream | None = shot.streams.get(THINKSOUND_CLIP_STREAM.name)
        sync_stream: FrameStream | None = shot.streams.get(SYNC_STREAM.name)
        if clip_stream is None or sync_stream is None or len(clip_stream) == 0 or len(sync_stream) == 0:
            # no picture: the reference's text-only path (learned empty features)
            return net.empty_clip(1).detach().float(), net.empty_sync(1).detach().float()
        idx = frame_indices(clip_stream.times, clip_frame_times(start, lengths))
        clip_f = parts.metaclip.encode_frames(clip_stream.take(idx)).unsqueeze(0)  # type: ignore[attr-defined]
        idx = frame_indices(sync_stream.times, sync_frame_times(start, lengths))
        frames = torch.from_numpy(np.ascontiguousarray(sync_stream.take(idx))).permute(0, 3, 1, 2).float() / 255.0
        sync_f = parts.synchformer.encode_video(frames.unsqueeze(0).to(self._device))  # type: ignore[attr-defined]
        # 3·d segments of 8 tokens by construction; fit guards against an off-by-one stream
        return clip_f, fit_tokens(sync_f.float(), lengths.sync)

    def _load_components(self) -> _Components:
        folder = self._folder
        missing = files.missing_files(folder)
        if missing:
            raise Unavailable(
                f"ThinkSound weights are missing from {folder}: {', '.join(missing)}; "
                "run `foleyline models pull thinksound`"
            )
        arch = {}
        if (folder / ARCHITECTURE_FILE).is_file():
            try:
                arch = json.loads((folder / ARCHITECTURE_FILE).read_text(encoding="utf-8"))
            except json.JSONDecodeError as err:
                raise InvalidInput(f"{folder / ARCHITECTURE_FILE} is not valid JSON: {err}") from err
        net_config = ThinkSoundConfig.from_reference(arch["network"]) if "network" in arch else ThinkSoundConfig.official()
        vae_config = _dataclass_from(OobleckConfig, arch["vae"]) if "vae" in arch else OobleckConfig()
        # The window arithmetic (durations.py) follows the reference's predict.py: 44.1 kHz,
        # 2048 samples per latent frame. A VAE that decodes otherwise would misplace every take.
        if (vae_config.hop_length, vae_config.sample_rate) != (HOP_LENGTH, SAMPLE_RATE):
            raise InvalidInput(
                f"{folder / ARCHITECTURE_FILE}: the VAE decodes {vae_config.hop_length} samples per latent frame at "
                f"{vae_config.sample_rate} Hz (strides {list(vae_config.strides)}); ThinkSound runs "
                f"{HOP_LENGTH} at {SAMPLE_RATE} Hz"
            )
        if vae_config.latent_dim != net_config.latent_dim:
            raise InvalidInput(f"{folder / ARCHITECTURE_FILE}: the VAE's latent is {vae_config.latent_dim} wide, "
                               f"the network's {net_config.latent_dim}")

        sync_config = _dataclass_from(SynchformerConfig, arch["synchformer"]) if "synchformer" in arch else None
        # Built on the meta device and given the (memory-mapped) checkpoint tensors directly:
        # the 1.28 B parameters are never held twice.
        with torch.device("meta"):
            network = ThinkSoundNetwork(net_config)
        with naming(folder / files.NETWORK_FILE):
            network.load_checkpoint_state(network_state(folder / files.NETWORK_FILE))
        network = network.to(self._device, self._dtype).eval()
        vae = ThinkSoundVAE(vae_config)
        with naming(folder / files.VAE_FILE):
            vae.load_reference_state(vae_state(folder / files.VAE_FILE))
        vae = vae.to(self._device).eval()
        with naming(folder / files.SYNCHFORMER_FILE):
            synchformer = load_synchformer(load_state_dict(folder / files.SYNCHFORMER_FILE), sync_config)
        synchformer = synchformer.to(self._device).eval()
        t5 = T5TextEncoder(folder / files.T5_FOLDER, device=self._device)
        metaclip = MetaClipEncoder(folder / files.METACLIP_FOLDER, device=self._device)
        if t5.width != net_config.text_dim:
            raise InvalidInput(f"the T5 encoder is {t5.width} wide; the network expects {net_config.text_dim}")
        if metaclip.image_width != net_config.clip_dim or metaclip.text_width != 1024:
            raise InvalidInput(
                f"MetaCLIP gives {metaclip.image_width}-wide images and {metaclip.text_width}-wide text; "
                f"the network expects {net_config.clip_dim} and 1024"
            )
        return _Components(network, vae, t5, metaclip, synchformer)
