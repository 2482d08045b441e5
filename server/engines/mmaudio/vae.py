"""MMAudio's mel VAE (magnitude-preserving 1-D conv net), decoder and encoder.

Checkpoint convolution weights are stored raw; ``normalize_weights()`` must run once after
loading (``load_vae`` does it). Everything follows the EDM2 "magnitude preserving" recipe:
weight-normalised convs without bias, SiLU/0.596, residual sums (0.7·x + 0.3·h)/√0.58.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from foleyline.errors import InvalidInput
from foleyline.server.engines.checkpoints import fit_report

__all__ = ["MMAudioVAE", "VAE_PRESETS", "load_vae"]

VAE_PRESETS = {
    "16k": {"data_dim": 80, "embed_dim": 20, "hidden_dim": 384},
    "44k": {"data_dim": 128, "embed_dim": 40, "hidden_dim": 512},
}
CH_MULT = (1, 2, 4)
NUM_RES_BLOCKS = 2
DOWN_LAYERS = (0,)
CLIP_ACT = 256.0


def mp_silu(x: torch.Tensor) -> torch.Tensor:
    return F.silu(x) / 0.596


def mp_sum(a: torch.Tensor, b: torch.Tensor, t: float = 0.3) -> torch.Tensor:
    return a.lerp(b, t) / math.sqrt((1 - t) ** 2 + t**2)


def pixel_normalize(x: torch.Tensor, dim: int | list[int] | None = None, eps: float = 1e-4) -> torch.Tensor:
    """x / (eps + ‖x‖ / √(n)) over ``dim`` (default: all but the first axis), n the reduced size."""
    if dim is None:
        dim = list(range(1, x.ndim))
    norm = torch.linalg.vector_norm(x, dim=dim, keepdim=True, dtype=torch.float32)
    norm = torch.add(eps, norm, alpha=math.sqrt(norm.numel() / x.numel()))
    return x / norm.to(x.dtype)


class MPConv1D(nn.Module):
    """Bias-free conv (padding k//2) whose raw weight is normalised once after loading."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size))

    def forward(self, x: torch.Tensor, gain: torch.Tensor | float = 1.0) -> torch.Tensor:
        w = self.weight * gain
        return F.conv1d(x, w, padding=w.shape[-1] // 2)

    @torch.no_grad()
    def normalize_weight(self) -> None:
        w = self.weight.to(torch.float32)
        w = pixel_normalize(w) / np.sqrt(w[0].numel())
        self.weight.copy_(w.to(self.weight.dtype))


class ResnetBlock1D(nn.Module):
    def __init__(self, in_dim: int, out_dim: int, kernel_size: int = 3) -> None:
        super().__init__()
        self.in_dim, self.out_dim = in_dim, out_dim
        self.conv1 = MPConv1D(in_dim, out_dim, kernel_size)
        self.conv2 = MPConv1D(out_dim, out_dim, kernel_size)
        if in_dim != out_dim:
            self.nin_shortcut = MPConv1D(in_dim, out_dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = pixel_normalize(x, dim=1)
        h = self.conv2(mp_silu(self.conv1(mp_silu(x))))
        if self.in_dim != self.out_dim:
            x = self.nin_shortcut(x)
        return mp_sum(x, h, t=0.3)


class AttnBlock1D(nn.Module):
    """Single-head attention over time; qkv channels interleaved as channel·3 + j."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.qkv = MPConv1D(channels, channels * 3, 1)
        self.proj_out = MPConv1D(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.qkv(x)
        y = y.reshape(y.shape[0], 1, -1, 3, y.shape[-1])
        q, k, v = (t.transpose(-1, -2) for t in pixel_normalize(y, dim=2).unbind(3))
        h = F.scaled_dot_product_attention(q, k, v)
        h = h.transpose(-1, -2).flatten(1, 2)
        return mp_sum(x, self.proj_out(h), t=0.3)


class Upsample1D(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = MPConv1D(channels, channels, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x.repeat_interleave(2, dim=-1))  # nearest ×2


class Downsample1D(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = MPConv1D(channels, channels, 1)
        self.conv2 = MPConv1D(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv2(F.avg_pool1d(self.conv1(x), kernel_size=2, stride=2))


class _Level(nn.Module):
    """One resolution level; attributes named as in the checkpoint (block, attn, up/downsample)."""

    def __init__(self) -> None:
        super().__init__()
        self.block = nn.ModuleList()
        self.attn = nn.ModuleList()  # empty in every released config


class _Mid(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.block_1 = ResnetBlock1D(channels, channels)
        self.attn_1 = AttnBlock1D(channels)
        self.block_2 = ResnetBlock1D(channels, channels)


class Encoder1D(nn.Module):
    def __init__(self, *, dim: int, in_dim: int, embed_dim: int) -> None:
        super().__init__()
        self.conv_in = MPConv1D(in_dim, dim, 3)
        in_ch_mult = (1, *CH_MULT)
        self.down = nn.ModuleList()
        block_in = dim
        for level, mult in enumerate(CH_MULT):
            lv = _Level()
            block_in = dim * in_ch_mult[level]
            for _ in range(NUM_RES_BLOCKS):
                lv.block.append(ResnetBlock1D(block_in, dim * mult))
                block_in = dim * mult
            if level in DOWN_LAYERS:
                lv.downsample = Downsample1D(block_in)
            self.down.append(lv)
        self.mid = _Mid(block_in)
        self.conv_out = MPConv1D(block_in, 2 * embed_dim, 3)
        self.learnable_gain = nn.Parameter(torch.zeros([]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv_in(x)
        for level, lv in enumerate(self.down):
            for block in lv.block:
                h = block(h).clamp(-CLIP_ACT, CLIP_ACT)
            if level in DOWN_LAYERS:
                h = lv.downsample(h)
        h = self.mid.block_2(self.mid.attn_1(self.mid.block_1(h))).clamp(-CLIP_ACT, CLIP_ACT)
        return self.conv_out(mp_silu(h), gain=self.learnable_gain + 1)


class Decoder1D(nn.Module):
    def __init__(self, *, dim: int, out_dim: int, embed_dim: int) -> None:
        super().__init__()
        up_layers = [i + 1 for i in DOWN_LAYERS]
        block_in = dim * CH_MULT[-1]
        self.conv_in = MPConv1D(embed_dim, block_in, 3)
        self.mid = _Mid(block_in)
        levels: list[nn.Module] = []
        for level in reversed(range(len(CH_MULT))):
            lv = _Level()
            for _ in range(NUM_RES_BLOCKS + 1):
                lv.block.append(ResnetBlock1D(block_in, dim * CH_MULT[level]))
                block_in = dim * CH_MULT[level]
            if level in up_layers:
                lv.upsample = Upsample1D(block_in)
            levels.insert(0, lv)
        self.up = nn.ModuleList(levels)
        self.conv_out = MPConv1D(block_in, out_dim, 3)
        self.learnable_gain = nn.Parameter(torch.zeros([]))
        self._up_layers = up_layers

    def forward(self, z: torch.Tensor, *, capture: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        h = self.conv_in(z)
        if capture is not None:
            capture["conv_in"] = h
        h = self.mid.block_2(self.mid.attn_1(self.mid.block_1(h)))
        if capture is not None:
            capture["mid_block_2"] = h
        h = h.clamp(-CLIP_ACT, CLIP_ACT)
        for level in reversed(range(len(self.up))):
            for block in self.up[level].block:
                h = block(h).clamp(-CLIP_ACT, CLIP_ACT)
            if level in self._up_layers:
                h = self.up[level].upsample(h)
        return self.conv_out(mp_silu(h), gain=self.learnable_gain + 1)


class MMAudioVAE(nn.Module):
    """latent (B, C, N) ↔ normalised log-mel (B, mels, 2N)."""

    data_mean: torch.Tensor
    data_std: torch.Tensor

    def __init__(self, *, data_dim: int, embed_dim: int, hidden_dim: int, with_encoder: bool = True) -> None:
        super().__init__()
        self.register_buffer("data_mean", torch.zeros(1, data_dim, 1))
        self.register_buffer("data_std", torch.ones(1, data_dim, 1))
        if with_encoder:
            self.encoder = Encoder1D(dim=hidden_dim, in_dim=data_dim, embed_dim=embed_dim)
        self.decoder = Decoder1D(dim=hidden_dim, out_dim=data_dim, embed_dim=embed_dim)
        self.embed_dim = embed_dim

    @classmethod
    def preset(cls, mode: str, *, with_encoder: bool = True) -> MMAudioVAE:
        if mode not in VAE_PRESETS:
            raise InvalidInput(f"unknown VAE mode {mode!r}; choose 16k or 44k")
        return cls(**VAE_PRESETS[mode], with_encoder=with_encoder)

    def normalize_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, MPConv1D):
                m.normalize_weight()

    def encode_moments(self, mel: torch.Tensor) -> torch.Tensor:
        """(B, mels, T) -> (B, 2C, T/2): posterior mean then log-variance (unclamped)."""
        if not hasattr(self, "encoder"):
            raise InvalidInput("this VAE was built without its encoder")
        return self.encoder((mel - self.data_mean) / self.data_std)

    def decode(self, z: torch.Tensor, *, capture: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        """(B, C, N) latent -> (B, mels, 2N) de-normalised mel."""
        return self.decoder(z, capture=capture) * self.data_std + self.data_mean


def load_vae(state_dict: dict[str, torch.Tensor], *, data_dim: int, embed_dim: int, hidden_dim: int,
             with_encoder: bool = True) -> MMAudioVAE:
    """Build, load strictly (the checkpoint always holds the encoder) and normalise the weights."""
    vae = MMAudioVAE(data_dim=data_dim, embed_dim=embed_dim, hidden_dim=hidden_dim, with_encoder=True)
    sd = dict(state_dict)
    for key in ("data_mean", "data_std"):
        if key in sd:
            sd[key] = sd[key].reshape(1, -1, 1)
    problem = fit_report(vae.state_dict(), sd)
    if problem:
        raise InvalidInput(f"the VAE checkpoint does not fit a {data_dim}-mel VAE (latent {embed_dim}, "
                           f"hidden {hidden_dim}): {problem}")
    vae.load_state_dict(sd, strict=True)
    vae.normalize_weights()
    if not with_encoder:
        del vae.encoder
    return vae
