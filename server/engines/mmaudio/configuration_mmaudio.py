"""MMAudio hyperparameters: the network presets and the sequence lengths derived from duration.

Example::

    >>> cfg = MMAudioConfig.preset("small_16k")
    >>> cfg.hidden_dim, cfg.joint_depth, cfg.sequence.latent_seq_len
    (448, 4, 250)
    >>> MMAudioConfig.preset("large_44k_v2", duration=5.0).sequence.latent_seq_len
    216
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from foleyline.errors import InvalidInput

__all__ = ["PRESETS", "MMAudioConfig", "SequenceConfig"]


@dataclass(frozen=True)
class SequenceConfig:
    """Token counts of each stream for a clip of ``duration`` seconds.

    Latents run at sampling_rate / (spectrogram hop · latent downsampling); clip frames at 8 fps;
    sync tokens at 24 fps (segments of 16 frames at 25 fps, stride 8, 8 tokens each).
    """

    duration: float = 8.0
    sampling_rate: int = 16000
    spectrogram_frame_rate: int = 256
    latent_downsample_rate: int = 2
    clip_frame_rate: int = 8
    sync_frame_rate: int = 25
    sync_num_frames_per_segment: int = 16
    sync_step_size: int = 8
    sync_downsample_rate: int = 2

    @property
    def num_audio_frames(self) -> int:
        # the waveform length the VAE/vocoder produce: a whole number of latent frames
        return self.latent_seq_len * self.spectrogram_frame_rate * self.latent_downsample_rate

    @property
    def latent_seq_len(self) -> int:
        return int(
            math.ceil(self.duration * self.sampling_rate / self.spectrogram_frame_rate / self.latent_downsample_rate)
        )

    @property
    def clip_seq_len(self) -> int:
        return int(self.duration * self.clip_frame_rate)

    @property
    def sync_seq_len(self) -> int:
        num_frames = self.duration * self.sync_frame_rate
        num_segments = (num_frames - self.sync_num_frames_per_segment) // self.sync_step_size + 1
        return int(num_segments * self.sync_num_frames_per_segment / self.sync_downsample_rate)


@dataclass(frozen=True)
class MMAudioConfig:
    """Every constructor argument of the MMAudio network (see the module docstring)."""

    latent_dim: int = 20
    clip_dim: int = 1024
    sync_dim: int = 768
    text_dim: int = 1024
    hidden_dim: int = 448
    depth: int = 12
    fused_depth: int = 8
    num_heads: int = 7
    mlp_ratio: float = 4.0
    text_seq_len: int = 77
    v2: bool = False
    mode: str = "16k"  # selects VAE/vocoder: "16k" (80 mels) or "44k" (128 mels)
    sequence: SequenceConfig = field(default_factory=SequenceConfig)

    @property
    def head_dim(self) -> int:
        return self.hidden_dim // self.num_heads

    @property
    def joint_depth(self) -> int:
        return self.depth - self.fused_depth

    @property
    def sampling_rate(self) -> int:
        return self.sequence.sampling_rate

    def with_duration(self, duration: float) -> MMAudioConfig:
        return replace(self, sequence=replace(self.sequence, duration=duration))

    def validate(self) -> None:
        if self.hidden_dim % self.num_heads or self.head_dim % 2:
            raise InvalidInput(
                f"hidden_dim {self.hidden_dim} must split into {self.num_heads} heads of even width"
            )
        if not 0 <= self.fused_depth < self.depth:
            raise InvalidInput(f"need 0 <= fused_depth < depth, got {self.fused_depth=} {self.depth=}")
        if self.mode not in ("16k", "44k"):
            raise InvalidInput(f"mode must be '16k' or '44k', got {self.mode!r}")

    @classmethod
    def preset(cls, name: str, *, duration: float = 8.0) -> MMAudioConfig:
        try:
            cfg = PRESETS[name]
        except KeyError:
            raise InvalidInput(f"unknown MMAudio preset {name!r}; choose one of {', '.join(PRESETS)}") from None
        return cfg.with_duration(duration)


_SEQ_16K = SequenceConfig(sampling_rate=16000, spectrogram_frame_rate=256)
_SEQ_44K = SequenceConfig(sampling_rate=44100, spectrogram_frame_rate=512)

PRESETS: dict[str, MMAudioConfig] = {
    "small_16k": MMAudioConfig(latent_dim=20, hidden_dim=64 * 7, depth=12, fused_depth=8, num_heads=7,
                               mode="16k", sequence=_SEQ_16K),
    "small_44k": MMAudioConfig(latent_dim=40, hidden_dim=64 * 7, depth=12, fused_depth=8, num_heads=7,
                               mode="44k", sequence=_SEQ_44K),
    "medium_44k": MMAudioConfig(latent_dim=40, hidden_dim=64 * 14, depth=12, fused_depth=8, num_heads=14,
                                mode="44k", sequence=_SEQ_44K),
    "large_44k": MMAudioConfig(latent_dim=40, hidden_dim=64 * 14, depth=21, fused_depth=14, num_heads=14,
                               mode="44k", sequence=_SEQ_44K),
    "large_44k_v2": MMAudioConfig(latent_dim=40, hidden_dim=64 * 14, depth=21, fused_depth=14, num_heads=14,
                                  v2=True, mode="44k", sequence=_SEQ_44K),
}
