"""The ``hunyuan_foley`` engine: a shot's picture and one layer's prompt and negative prompt ->
48 kHz takes with HunyuanVideo-Foley (XXL or XL).

One render per layer, not one mix for all layers: the notes' layers are the stems an editor
receives and regenerates one at a time, and the model's text reaches it only through
cross-attention keys, so one prompt per render is what steers that render. The video conditions
every render (the model hears the whole picture whatever the prompt), so each layer's prompt and
negative prompt are what separate the stems; a layer without a negative prompt gets the
release's default ("noisy, harsh"), which the model was tuned with.

Per layer: SigLIP2 frames at 8 fps (cropped to the layer's tracked region of interest when it
has one), Synchformer tokens from 25 fps frames, CLAP states of [negative, prompt]; then the
guided Euler sampler and the DAC decoder. Each seed is rendered on its own (a take never depends
on which other takes were asked for with it) from noise drawn on the CPU, so a seed gives the
same take on any device. A shot without picture streams is rendered from its text alone (the
learned "no video" features). Windows up to 15 s, the model's limit; the server splits longer
shots into crossfaded windows. GPU: bf16 (fp16 without bf16), CPU: fp32.

The released VAE decodes mono: the engine reports the VAE's channel count (1) and the takes
carry it through post and the BWFs as they are.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from foleyline import config
from foleyline.errors import InvalidInput
from foleyline.notes import Layer, Notes
from foleyline.notes.tokens import TokenCount, count_tokens, counter_from_tokenizer
from foleyline.server.engines.base import Engine, EngineCapabilities, ProgressFn, SamplingSettings, ShotInput
from foleyline.server.engines.hunyuan_foley import files
from foleyline.server.engines.hunyuan_foley.configuration_hunyuan_foley import (
    CLIP_FPS,
    MAX_SECONDS,
    SYNC_FPS,
    SYNC_SEGMENT,
    SequenceLengths,
)
from foleyline.server.engines.hunyuan_foley.encoders import visiting
from foleyline.server.engines.hunyuan_foley.loading import Components, load_components, missing_message
from foleyline.server.engines.hunyuan_foley.modeling_hunyuan_foley import HunyuanConditions
from foleyline.server.engines.hunyuan_foley.sampling import (
    DEFAULT_GUIDANCE,
    DEFAULT_NEGATIVE_PROMPT,
    DEFAULT_STEPS,
    sample_latent,
)
from foleyline.server.engines.thinksound.durations import frame_indices
from foleyline.server.media.frames import SYNC_STREAM, FrameStream, StreamSpec
from foleyline.timebase import seconds_to_samples

__all__ = ["HUNYUAN_CLIP_STREAM", "HunyuanFoleyEngine"]

# SigLIP2's input: the whole frame squashed to 512×512, as the reference's transform.
HUNYUAN_CLIP_STREAM = StreamSpec("siglip2", fps=float(CLIP_FPS), size=(512, 512), fit="resize")
SAMPLE_RATE = 48000
VARIANTS = ("xxl", "xl")
VERSION = "1.0"


def _models_root(models_root: Path | None) -> Path:
    return Path(models_root) if models_root is not None else config.models_dir()


def _installed_variant(root: Path) -> str | None:
    return next((v for v in VARIANTS if not files.missing_files(root, v)), None)


class HunyuanFoleyEngine(Engine):
    """``variant``: "xxl" or "xl" (default: the ``hunyuan_foley_model`` setting, else the
    installed one, XXL first). ``offload``: keep the encoders on the CPU between uses (None: when the GPU
    is short of memory)."""

    def __init__(
        self, variant: str | None = None, *, models_root: Path | None = None, device: str | None = None,
        dtype: torch.dtype | None = None, offload: bool | None = None,
    ) -> None:
        self.models_root = _models_root(models_root)
        variant = variant or config.value("hunyuan_foley_model") or _installed_variant(self.models_root) or "xxl"
        if variant not in VARIANTS:
            raise InvalidInput(f"unknown HunyuanVideo-Foley size {variant!r}; choose one of {', '.join(VARIANTS)}")
        self.variant = variant
        self._device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self._dtype, self._offload = dtype, offload
        self._parts: Components | None = None
        self._lock = threading.Lock()

    # -- what the engine is -----------------------------------------------------------------------
    @classmethod
    def unavailable_reason(cls, models_root: Path | None = None) -> str | None:
        root = _models_root(models_root)
        variant = config.value("hunyuan_foley_model") or _installed_variant(root)
        if variant is None:
            return ("no HunyuanVideo-Foley model is installed; run `foleyline models pull hunyuan-foley` "
                    "(XXL) or `foleyline models pull hunyuan-foley-xl` (XL)")
        missing = files.missing_files(root, variant) if variant in VARIANTS else []
        return missing_message(variant, missing) if missing else None

    def capabilities(self) -> EngineCapabilities:
        channels = self._parts.vae.decoder.conv2.out_channels if self._parts is not None else 1
        return EngineCapabilities(
            name="hunyuan_foley",
            model=files.network_package(self.variant),
            version=VERSION,
            sample_rate=SAMPLE_RATE,
            channels=int(channels),
            max_window_seconds=MAX_SECONDS,
            supports_text=True,
            supports_cot=False,
            supports_roi=True,
            supports_edit=False,
            supports_negative_prompt=True,
            device=str(self._device),
            max_text_tokens=77,
        )

    def required_streams(self) -> Sequence[StreamSpec]:
        return (HUNYUAN_CLIP_STREAM, SYNC_STREAM)

    def load(self) -> None:
        with self._lock:
            if self._parts is None:
                self._parts = load_components(self.models_root, self.variant, device=self._device,
                                              dtype=self._dtype, offload=self._offload)

    def count_text_tokens(self, notes: Notes) -> list[TokenCount]:
        """Each layer's prompt in CLAP tokens (the real tokenizer once loaded, else a generous
        estimate) against the 77 the network reads."""
        limit = self.capabilities().max_text_tokens
        if self._parts is None:
            return count_tokens(notes, limit)
        return count_tokens(notes, limit, counter_from_tokenizer(self._parts.clap.tokenizer))

    # -- generation ----------------------------------------------------------------------------------
    def generate(
        self, shot: ShotInput, layer: Layer, seeds: Sequence[int], settings: SamplingSettings, *,
        progress: ProgressFn | None = None, cancel: threading.Event | None = None,
    ) -> list[np.ndarray]:
        if not seeds:
            return []
        if shot.duration <= 0:
            raise InvalidInput(f"shot {shot.shot_id} has no duration ({shot.duration} s)")
        if shot.duration > MAX_SECONDS + 1e-9:
            raise InvalidInput(
                f"shot {shot.shot_id} is {shot.duration:.2f} s, longer than HunyuanVideo-Foley's {MAX_SECONDS:g} s; "
                "generate it through the server, which splits it into crossfaded windows")
        steps = settings.steps or DEFAULT_STEPS
        guidance = DEFAULT_GUIDANCE if settings.cfg_strength is None else float(settings.cfg_strength)
        if steps < 1:
            raise InvalidInput(f"sampling steps must be at least 1, got {steps}")
        self.load()
        parts = self._parts
        assert parts is not None
        # The reference ties every length to the 25 fps frame count (at least one 16-frame window).
        lengths = SequenceLengths.for_sync_frames(max(math.ceil(shot.duration * SYNC_FPS - 1e-6), SYNC_SEGMENT))
        samples = seconds_to_samples(shot.duration, SAMPLE_RATE)
        with self._lock, torch.inference_mode():
            cond, uncond = self._conditions(parts, shot, layer, lengths)
            takes = []
            for index, seed in enumerate(seeds):
                def step(k: int, total: int, _i: int = index) -> None:
                    if progress is not None:
                        progress(min(1.0, (_i * total + k) / (total * len(seeds))))

                noise = torch.randn((1, parts.network.config.audio_vae_latent_dim, lengths.latent),
                                    generator=torch.Generator().manual_seed(int(seed))).to(parts.device)
                latent = sample_latent(parts.network, noise, cond, uncond, steps=steps, guidance=guidance,
                                       progress=step, cancel=cancel)
                audio = parts.vae.decode(latent)[0].float().cpu().numpy()
                if audio.shape[1] < samples:
                    raise InvalidInput(f"decoded {audio.shape[1]} samples for a {samples}-sample shot")
                takes.append(np.ascontiguousarray(audio[:, :samples], dtype=np.float32))
        return takes

    def _conditions(self, parts: Components, shot: ShotInput, layer: Layer,
                    lengths: SequenceLengths) -> tuple[HunyuanConditions, HunyuanConditions]:
        net = parts.network
        dtype = next(net.parameters()).dtype
        clip_stream = shot.streams.get(HUNYUAN_CLIP_STREAM.name)
        sync_stream = shot.streams.get(SYNC_STREAM.name)
        if clip_stream is None or sync_stream is None or len(clip_stream) == 0 or len(sync_stream) == 0:
            clip_f, sync_f = net.empty_features(1, lengths.clip, lengths.sync)
        else:
            clip_f = self._clip_features(parts, shot, layer, clip_stream, lengths)
            sync_f = self._sync_features(parts, sync_stream, lengths)
        negative = layer.negative_prompt.strip() or DEFAULT_NEGATIVE_PROMPT
        prompt = layer.prompt.strip() or layer.label
        text = parts.clap.encode([negative, prompt], net.config.text_length).to(parts.device, dtype)
        cond = net.prepare_conditions(clip_f.to(parts.device, dtype), sync_f.to(parts.device, dtype), text[1:],
                                      lengths.latent)
        empty_clip, empty_sync = net.empty_features(1, clip_f.shape[1], sync_f.shape[1])
        uncond = net.prepare_conditions(empty_clip, empty_sync, text[:1], lengths.latent)
        return cond, uncond

    @staticmethod
    def _clip_features(parts: Components, shot: ShotInput, layer: Layer, stream: FrameStream,
                       lengths: SequenceLengths) -> torch.Tensor:
        if layer.region is not None:
            from foleyline.server.media.roi import crop_stream, track_region

            stream = crop_stream(stream, track_region(stream, layer.region, offset=shot.offset),
                                 HUNYUAN_CLIP_STREAM.size)
        idx = frame_indices(stream.times, np.arange(lengths.clip) / CLIP_FPS)
        return parts.siglip.encode(stream.take(idx)).unsqueeze(0)

    @staticmethod
    def _sync_features(parts: Components, stream: FrameStream, lengths: SequenceLengths) -> torch.Tensor:
        count = (lengths.sync // 8 - 1) * 8 + SYNC_SEGMENT
        idx = frame_indices(stream.times, np.arange(count) / SYNC_FPS)
        frames = torch.from_numpy(np.ascontiguousarray(stream.take(idx))).permute(0, 3, 1, 2).float() / 255.0
        # float32 weights; on a GPU under fp16 autocast, as the reference runs it
        autocast = torch.autocast("cuda", dtype=torch.float16, enabled=parts.device.type == "cuda")
        with visiting(parts.synchformer, parts.device), autocast:
            tokens = parts.synchformer.encode_video(frames.unsqueeze(0).to(parts.device))
        if tokens.shape[1] != lengths.sync:
            raise InvalidInput(f"the Synchformer gave {tokens.shape[1]} tokens where the network expects {lengths.sync}: "
                               "its windows are not the release's (16 frames, hop 8, 8 tokens each)")
        return tokens.float()
