"""The ``mmaudio`` engine: video (+ prompt) to audio with the MMAudio networks.

Per layer: the layer's prompt and negative prompt go through the CLIP text tower; the shot's
CLIP frames (cropped to the layer's tracked region of interest, when it has one) and Synchformer
frames condition the flow network; several seeds run as one batch. The engine renders up to the
model's 8 s window in one call; the server splits longer shots into overlapping windows
(``foleyline.server.windowing``) and joins them with equal-power crossfades.
bf16 on a GPU, float32 on the CPU. Weights are read from the model folder only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from foleyline import config
from foleyline.errors import InvalidInput, MediaError, Unavailable
from foleyline.notes import Layer
from foleyline.server.engines.base import (
    Engine,
    EngineCapabilities,
    ProgressFn,
    SamplingSettings,
    ShotInput,
)
from foleyline.server.engines.checkpoints import load_state_dict, naming
from foleyline.server.engines.mmaudio import files
from foleyline.server.engines.mmaudio.bigvgan import BIGVGAN_PRESETS, BigVGANConfig, BigVGANVocoder, load_bigvgan
from foleyline.server.engines.mmaudio.clip import DFN5BCLIP, DFN5BCLIPConfig, load_clip
from foleyline.server.engines.mmaudio.configuration_mmaudio import PRESETS, MMAudioConfig
from foleyline.server.engines.mmaudio.modeling_mmaudio import MMAudioModel
from foleyline.server.engines.mmaudio.tokenizer import CLIPTokenizer
from foleyline.server.engines.mmaudio.vae import VAE_PRESETS, MMAudioVAE, load_vae
from foleyline.server.engines.mmdit.precision import compute_dtype
from foleyline.server.engines.mmdit.sampler import euler_sample, euler_times
from foleyline.server.engines.synchformer import SynchformerConfig, SynchformerEncoder, load_synchformer
from foleyline.server.media.frames import CLIP_STREAM, SYNC_STREAM, FrameStream, StreamSpec
from foleyline.server.media.roi import crop_stream, track_region

log = logging.getLogger(__name__)

__all__ = ["MMAudioArchitecture", "MMAudioEngine"]

DEFAULT_STEPS = 25
DEFAULT_CFG = 4.5
WINDOW_SECONDS = 8.0
# Synchformer needs one whole 16-frame segment (0.64 s at 25 fps): shorter windows are rendered
# at this length (the last frame held) and trimmed.
MIN_RENDER_SECONDS = 1.0
# Preference when the user named no variant: the best one that is installed.
VARIANT_PREFERENCE = ("large_44k_v2", "medium_44k", "large_44k", "small_44k", "small_16k")
VERSION = "1.0"


@dataclass(frozen=True)
class MMAudioArchitecture:
    """Sizes of every network the engine loads. The defaults are the official ones; tests pass
    tiny ones and load tiny random weight files through the same code."""

    network: MMAudioConfig
    vae: dict = field(default_factory=dict)             # data_dim, embed_dim, hidden_dim
    vocoder: BigVGANConfig = field(default_factory=BigVGANConfig)
    clip: DFN5BCLIPConfig = field(default_factory=DFN5BCLIPConfig)
    synchformer: SynchformerConfig = field(default_factory=SynchformerConfig)
    window_seconds: float = WINDOW_SECONDS

    @classmethod
    def official(cls, variant: str) -> MMAudioArchitecture:
        network = MMAudioConfig.preset(variant)
        return cls(network=network, vae=dict(VAE_PRESETS[network.mode]), vocoder=BIGVGAN_PRESETS[network.mode])


@dataclass
class _Loaded:
    network: MMAudioModel
    vae: MMAudioVAE
    vocoder: BigVGANVocoder
    clip: DFN5BCLIP
    synchformer: SynchformerEncoder
    tokenizer: CLIPTokenizer
    device: torch.device
    dtype: torch.dtype


def _installed_variant(models_root: Path) -> str | None:
    for variant in VARIANT_PREFERENCE:
        if not files.missing_files(models_root, variant):
            return variant
    return None


def _models_root(models_root: Path | None) -> Path:
    if models_root is not None:
        return Path(models_root)
    return config.models_dir()


class MMAudioEngine(Engine):
    """``variant``: one of small_16k, small_44k, medium_44k, large_44k, large_44k_v2 (default:
    $FOLEYLINE_MMAUDIO_MODEL, else the best installed variant)."""

    def __init__(
        self,
        variant: str | None = None,
        *,
        models_root: Path | None = None,
        architecture: MMAudioArchitecture | None = None,
        device: str | None = None,
    ) -> None:
        self.models_root = _models_root(models_root)
        variant = variant or config.value("mmaudio_model") or _installed_variant(self.models_root) or "large_44k_v2"
        if variant not in PRESETS:
            raise InvalidInput(f"unknown MMAudio model {variant!r}; choose one of {', '.join(PRESETS)}")
        self.variant = variant
        self.architecture = architecture or MMAudioArchitecture.official(variant)
        self._device_name = device
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()
        # generation re-derives the network's sequence lengths per window: one shot at a time
        self._generate_lock = threading.Lock()

    # -- what the engine is -----------------------------------------------------------------
    @classmethod
    def unavailable_reason(cls) -> str | None:
        root = _models_root(None)
        variant = config.value("mmaudio_model") or _installed_variant(root)
        if variant is None:
            return (
                "no MMAudio model is installed; run `foleyline models pull mmaudio-large-44k-v2` "
                "(or another mmaudio-* package, see `foleyline models list`)"
            )
        missing = files.missing_files(root, variant) if variant in PRESETS else []
        if missing:
            return _missing_message(variant, missing)
        return None

    def _device(self) -> torch.device:
        if self._device_name:
            return torch.device(self._device_name)
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")

    def capabilities(self) -> EngineCapabilities:
        net = self.architecture.network
        return EngineCapabilities(
            name="mmaudio",
            model=files.network_package(self.variant),
            version=VERSION,
            sample_rate=net.sequence.sampling_rate,
            channels=1,
            max_window_seconds=self.architecture.window_seconds,
            supports_text=True,
            supports_cot=False,
            supports_roi=True,
            supports_edit=False,
            supports_negative_prompt=True,
            device=str(self._device()),
            max_text_tokens=net.text_seq_len,
        )

    def required_streams(self) -> Sequence[StreamSpec]:
        return (CLIP_STREAM, SYNC_STREAM)

    # -- loading ------------------------------------------------------------------------------
    def load(self) -> None:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()

    def _load(self) -> _Loaded:
        missing = files.missing_files(self.models_root, self.variant)
        if missing:
            raise Unavailable(_missing_message(self.variant, missing))
        arch = self.architecture
        mode = arch.network.mode
        root = self.models_root
        device = self._device()
        dtype = compute_dtype(device)
        features = root / files.FEATURES_PACKAGE
        decoder = root / files.decoder_package(mode)

        network = MMAudioModel(arch.network)
        network_file = root / files.network_package(self.variant) / files.NETWORK_FILES[self.variant]
        with naming(network_file):
            network.load_weights(load_state_dict(network_file))
        with naming(decoder / files.VAE_FILES[mode]):
            vae = load_vae(load_state_dict(decoder / files.VAE_FILES[mode]), with_encoder=False,
                           **(arch.vae or VAE_PRESETS[mode]))
        with naming(decoder / files.VOCODER_FILES[mode]):
            vocoder = load_bigvgan(load_state_dict(decoder / files.VOCODER_FILES[mode], key="generator"), arch.vocoder)
        with naming(features / files.CLIP_FILE):
            clip = load_clip(load_state_dict(features / files.CLIP_FILE), arch.clip)
        with naming(features / files.SYNCHFORMER_FILE):
            synchformer = load_synchformer(load_state_dict(features / files.SYNCHFORMER_FILE), arch.synchformer)
        tokenizer = CLIPTokenizer.from_folder(features, context_length=arch.clip.context_length)
        modules = [network, vae, vocoder, clip, synchformer]
        for m in modules:
            m.eval().requires_grad_(False).to(device)
        # The big matmuls run in bf16 on a GPU; the network keeps its latent statistics and
        # derived tables (rotary, timestep frequencies) float32 through the cast.
        for m in (network, clip, synchformer):
            m.to(dtype)
        return _Loaded(network, vae, vocoder, clip, synchformer, tokenizer, device, dtype)

    # -- generation ---------------------------------------------------------------------------
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
        if not seeds:
            return []
        if shot.duration <= 0:
            raise InvalidInput(f"shot {shot.shot_id} has no duration ({shot.duration} s)")
        self.load()
        assert self._loaded is not None
        steps = settings.steps or DEFAULT_STEPS
        cfg = DEFAULT_CFG if settings.cfg_strength is None else float(settings.cfg_strength)
        if steps < 1:
            raise InvalidInput(f"sampling steps must be at least 1, got {steps}")
        clip_stream = _stream(shot, CLIP_STREAM.name)
        sync_stream = _stream(shot, SYNC_STREAM.name)
        if layer.region is not None:
            tracked = track_region(clip_stream, layer.region, offset=shot.offset)
            clip_stream = crop_stream(clip_stream, tracked, CLIP_STREAM.size)
        window = self.architecture.window_seconds
        if shot.duration > window + 1e-9:
            raise InvalidInput(
                f"shot {shot.shot_id} is {shot.duration:.2f} s, longer than the model's {window:g} s window; "
                "generate it through the server, which splits it into crossfaded windows"
            )
        done = [0]

        def step_progress(_k: int, _total: int) -> None:
            done[0] += 1
            if progress is not None:
                progress(min(1.0, done[0] / steps))

        with self._generate_lock:
            audio = self._render_window(
                clip_stream, sync_stream, layer, seeds, 0.0, shot.duration, steps, cfg, step_progress, cancel
            )
        return [audio[i : i + 1].astype(np.float32, copy=True) for i in range(len(seeds))]

    @torch.inference_mode()
    def _render_window(
        self,
        clip_stream: FrameStream,
        sync_stream: FrameStream,
        layer: Layer,
        seeds: Sequence[int],
        start: float,
        duration: float,
        steps: int,
        cfg: float,
        step_progress,
        cancel: threading.Event | None,
    ) -> np.ndarray:
        """(len(seeds), samples) audio for [start, start + duration) of the shot."""
        lo = self._loaded
        assert lo is not None
        net = lo.network
        render_duration = max(duration, MIN_RENDER_SECONDS)
        if abs(net.config.sequence.duration - render_duration) > 1e-9:
            net.set_duration(render_duration)
            net.latent_rot = net.latent_rot.to(lo.device)
            net.clip_rot = net.clip_rot.to(lo.device)
        seq = net.config.sequence
        batch = len(seeds)
        clip_frames = _frames(clip_stream, start, CLIP_STREAM.fps or 8.0, seq.clip_seq_len).to(lo.device, lo.dtype)
        sync_count = (seq.sync_seq_len // 8 - 1) * self.architecture.synchformer.segment_step + \
            self.architecture.synchformer.frames_per_segment
        sync_frames = _frames(sync_stream, start, SYNC_STREAM.fps or 25.0, sync_count).to(lo.device, lo.dtype)
        clip_f = lo.clip.encode_video(clip_frames[None])
        sync_f = lo.synchformer.encode_video(sync_frames[None])
        tokens = lo.tokenizer([layer.prompt, layer.negative_prompt]).to(lo.device)
        text = lo.clip.encode_text_tokens(tokens)
        text_f, neg_f = text[:1], text[1:]
        cond = net.preprocess_conditions(
            clip_f.expand(batch, -1, -1), sync_f.expand(batch, -1, -1), text_f.expand(batch, -1, -1)
        )
        # As upstream's demo: the unconditional branch always carries the (maybe empty)
        # negative prompt's features.
        empty = net.get_empty_conditions(batch, negative_text_features=neg_f.expand(batch, -1, -1))
        # Noise per seed (drawn on the CPU, so a seed gives the same take on any device and batch);
        # the sampler integrates in float32 whatever dtype the network runs in.
        x0 = torch.cat([
            torch.randn((1, seq.latent_seq_len, net.config.latent_dim),
                        generator=torch.Generator().manual_seed(int(seed)))
            for seed in seeds
        ]).to(lo.device)
        x1 = euler_sample(
            lambda t, x: net.ode_wrapper(t.to(lo.device), x, cond, empty, cfg),
            x0, euler_times(steps), progress=step_progress, cancel=cancel,
        )
        latent = net.unnormalize(x1.float())
        mel = lo.vae.decode(latent.transpose(1, 2))
        wav = lo.vocoder(mel).squeeze(1).float().cpu().numpy()
        n = round(duration * seq.sampling_rate)  # the requested length, not the rendered one
        if wav.shape[1] < n:
            wav = np.pad(wav, ((0, 0), (0, n - wav.shape[1])))
        return wav[:, :n]


def _missing_message(variant: str, missing: Sequence[Path]) -> str:
    names = ", ".join(str(p) for p in missing)
    return (
        f"MMAudio {variant} weights are missing: {names}. Run `foleyline models pull "
        f"{files.network_package(variant)}` (it also pulls the CLIP/Synchformer features and the decoder)."
    )


def _stream(shot: ShotInput, name: str) -> FrameStream:
    stream = shot.streams.get(name)
    if stream is None or len(stream) == 0:
        raise MediaError(f"shot {shot.shot_id} has no decoded '{name}' frames; the mmaudio engine needs them")
    return stream


def _frames(stream: FrameStream, start: float, fps: float, count: int) -> torch.Tensor:
    """``count`` frames at ``fps`` from stream time ``start`` (nearest decoded frame; the last
    frame is held past the end) -> (count, 3, H, W) float in [0, 1]."""
    want = start + np.arange(count) / fps
    times = np.asarray(stream.times, dtype=np.float64)
    idx = np.clip(np.searchsorted(times, want - 1e-6), 0, len(times) - 1)
    prev = np.clip(idx - 1, 0, len(times) - 1)
    nearer_prev = np.abs(times[prev] - want) < np.abs(times[idx] - want)
    idx = np.where(nearer_prev, prev, idx)
    frames = stream.take(idx)
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise MediaError(f"the '{stream.spec.name}' stream must hold RGB frames, got shape {frames.shape}")
    return torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2).float() / 255.0
