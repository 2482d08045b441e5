"""Hyper-parameters of ThinkSound's network (the reference's ``MMmodule``, v2 code path).

    >>> config = ThinkSoundConfig.official()
    >>> config.head_dim, config.joint_depth, config.ffn_hidden
    (64, 7, 2816)
    >>> ThinkSoundConfig.sequence_lengths(9)
    SequenceLengths(latent=194, clip=72, sync=216)

The sequence lengths are not part of the weights: they only set the rotary tables and the sync
upsampling, so one loaded network serves any duration (``set_sequence_lengths``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import NamedTuple

from foleyline.errors import InvalidInput

__all__ = ["SequenceLengths", "ThinkSoundConfig"]

SAMPLE_RATE = 44100
HOP_LENGTH = 2048             # audio samples per latent frame (Oobleck VAE)
CLIP_FPS = 8                  # MetaCLIP frames per second
SYNC_TOKENS_PER_SECOND = 24   # Synchformer: 25 fps, 16-frame windows every 8 frames, 8 tokens each
TEXT_TOKENS = 77              # MetaCLIP caption and T5 CoT token counts
METACLIP_TEXT_WIDTH = 1024    # hard-coded in the reference (text_cond_proj, empty_string_feat)
T5_WIDTH = 2048               # google/t5-v1_1-xl d_model; also the text stream's input width


class SequenceLengths(NamedTuple):
    latent: int
    clip: int
    sync: int


@dataclass(frozen=True)
class ThinkSoundConfig:
    """Every constructor argument of the reference network that changes the weights' shapes or the
    computation. Names follow the reference so its JSON config reads directly."""

    latent_dim: int = 64
    clip_dim: int = 1024
    sync_dim: int = 768
    text_dim: int = T5_WIDTH
    hidden_dim: int = 1024
    depth: int = 21
    fused_depth: int = 14
    num_heads: int = 16
    mlp_ratio: float = 4.0
    kernel_size: int = 3          # audio input projection and fused blocks (v2)
    sync_kernel: int = 7
    text_seq_len: int = TEXT_TOKENS
    # sequence lengths of the default 9 s; changed per call with ``set_sequence_lengths``
    latent_seq_len: int = 194
    clip_seq_len: int = 72
    sync_seq_len: int = 216

    def __post_init__(self) -> None:
        if self.hidden_dim % self.num_heads:
            raise InvalidInput(f"hidden_dim {self.hidden_dim} does not divide into {self.num_heads} heads")
        if not 0 <= self.fused_depth < self.depth:
            raise InvalidInput(f"fused_depth {self.fused_depth} must be below depth {self.depth}")
        if self.text_dim != T5_WIDTH:
            raise InvalidInput(f"text_dim must be the T5 width {T5_WIDTH}, got {self.text_dim}")
        if self.sync_seq_len % 8:
            raise InvalidInput(f"sync_seq_len {self.sync_seq_len} must be whole 8-token segments")

    @property
    def head_dim(self) -> int:
        return self.hidden_dim // self.num_heads

    @property
    def joint_depth(self) -> int:
        return self.depth - self.fused_depth

    @property
    def ffn_hidden(self) -> int:
        nominal = int(self.hidden_dim * self.mlp_ratio)
        return 256 * math.ceil(int(2 * nominal / 3) / 256)

    @classmethod
    def official(cls) -> ThinkSoundConfig:
        """``thinksound_light.ckpt``: 1,277,117,632 parameters."""
        return cls()

    @classmethod
    def from_reference(cls, config: Mapping[str, object]) -> ThinkSoundConfig:
        """From the reference's ``diffusion.config`` dict (or the full model config, or the
        fixture's ``mmmodule_constructor_args``). Options ThinkSound's release does not use are
        refused rather than ignored."""
        if "model" in config:  # the whole model config handed to create_model_from_config
            config = config["model"]["diffusion"]["config"]  # type: ignore[index]
        for flag in ("use_inpaint", "use_mlp", "cross_attend", "add_video", "triple_fusion", "gated_video"):
            if config.get(flag):
                raise InvalidInput(f"the reference option {flag}=True is not supported (the release uses False)")
        if config.get("v2") is False:
            raise InvalidInput("only the v2 network (ThinkSound's release) is supported")
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in config.items() if k in known}
        return cls(**values)  # type: ignore[arg-type]

    @staticmethod
    def sequence_lengths(seconds: int | float) -> SequenceLengths:
        """The reference's lengths for a whole number of seconds (``predict.py``): clip 8·d,
        sync 24·d, latent round(44100 / 2048 · d)."""
        if seconds <= 0 or float(seconds) != int(seconds):
            raise InvalidInput(f"the network runs whole seconds; got {seconds!r}")
        d = int(seconds)
        return SequenceLengths(
            latent=round(SAMPLE_RATE / HOP_LENGTH * d),
            clip=CLIP_FPS * d,
            sync=SYNC_TOKENS_PER_SECOND * d,
        )
