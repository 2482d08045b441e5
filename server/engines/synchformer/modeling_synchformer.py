"""The Synchformer video encoder (MotionFormer ViT-B/16 with divided space-time attention).

Keys live under ``vfeat_extractor.`` exactly as in ``synchformer_state_dict.pth``; all other
keys of that file (the audio branch, the sync head) are ignored. Input: frames at 25 fps,
224×224, values in [0, 1]; each 16-frame segment (stride 8) gives 8 tokens (one per temporal
patch of 2 frames) of width 768, so an 8 s clip (200 frames, 24 segments) gives 192 tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from foleyline.errors import InvalidInput
from foleyline.server.engines.checkpoints import fit_report
from foleyline.server.engines.mmdit.layers import FeedForward

__all__ = ["SynchformerConfig", "SynchformerEncoder", "load_synchformer", "segment_frames"]

CHECKPOINT_PREFIX = "vfeat_extractor."


@dataclass(frozen=True)
class SynchformerConfig:
    embed_dim: int = 768
    depth: int = 12
    num_heads: int = 12
    mlp_ratio: float = 4.0
    patch_size: int = 16
    patch_size_temporal: int = 2
    img_size: int = 224
    frames_per_segment: int = 16
    segment_step: int = 8

    @property
    def grid(self) -> int:
        return self.img_size // self.patch_size

    @property
    def tokens_per_segment(self) -> int:
        return self.frames_per_segment // self.patch_size_temporal

    @classmethod
    def from_state_dict(cls, state_dict: Mapping[str, torch.Tensor], *, num_heads: int,
                        segment_step: int = 8) -> SynchformerConfig:
        """Every size the weights' shapes fix: width, depth, MLP ratio, patch sizes, image size
        and frames per segment. The head count (and the segment hop) leave no trace in them."""
        p = CHECKPOINT_PREFIX
        try:
            patch = state_dict[p + "patch_embed_3d.proj.weight"]  # (D, 3, pt, ps, ps)
            positions = state_dict[p + "pos_embed"].shape[1] - 1   # grid² patches + CLS
            tokens = state_dict[p + "temp_embed"].shape[1]
            hidden = state_dict[p + "blocks.0.mlp.fc1.weight"].shape[0]
        except KeyError as exc:
            raise InvalidInput(f"the Synchformer checkpoint lacks {exc.args[0]}; is it synchformer_state_dict.pth?") from None
        blocks = {int(k[len(p + "blocks."):].split(".")[0]) for k in state_dict if k.startswith(p + "blocks.")}
        embed_dim, patch_t, patch_size = int(patch.shape[0]), int(patch.shape[2]), int(patch.shape[3])
        grid = round(positions ** 0.5)
        if grid * grid != positions:
            raise InvalidInput(f"the Synchformer's pos_embed has {positions + 1} rows: not a square grid plus CLS")
        return cls(embed_dim=embed_dim, depth=len(blocks), num_heads=num_heads, mlp_ratio=hidden / embed_dim,
                   patch_size=patch_size, patch_size_temporal=patch_t, img_size=grid * patch_size,
                   frames_per_segment=tokens * patch_t, segment_step=segment_step)


def segment_frames(frames: torch.Tensor, *, size: int = 16, step: int = 8) -> torch.Tensor:
    """(B, T, C, H, W) -> (B, S, size, C, H, W) overlapping segments."""
    t = frames.shape[1]
    if t < size:
        raise InvalidInput(f"Synchformer needs at least {size} frames, got {t} ({frames.shape=})")
    count = (t - size) // step + 1
    return torch.stack([frames[:, i * step : i * step + size] for i in range(count)], dim=1)


class PatchEmbed(nn.Module):
    def __init__(self, conv: nn.Module) -> None:
        super().__init__()
        self.proj = conv


class DividedAttention(nn.Module):
    """Attention within frames (space) or across frames (time); the CLS token attends to all
    tokens and is shared as an extra key/value by every group."""

    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, *, frames: int, patches: int, over_time: bool) -> torch.Tensor:
        b, n, d = x.shape
        h = self.num_heads
        q, k, v = (t.reshape(b, n, h, d // h).transpose(1, 2) for t in self.qkv(x).chunk(3, dim=-1))
        cls_out = F.scaled_dot_product_attention(q[:, :, :1], k, v)  # (b, h, 1, hd)

        def group(t: torch.Tensor) -> torch.Tensor:
            t = t[:, :, 1:].reshape(b, h, frames, patches, -1)
            # time: one group per spatial patch (sequence over frames); space: one per frame
            t = t.transpose(2, 3) if over_time else t
            return t.reshape(b, h, -1, t.shape[3], t.shape[4])

        qg, kg, vg = group(q), group(k), group(v)
        groups = qg.shape[2]
        cls_k = k[:, :, :1].unsqueeze(2).expand(-1, -1, groups, -1, -1)
        cls_v = v[:, :, :1].unsqueeze(2).expand(-1, -1, groups, -1, -1)
        out = F.scaled_dot_product_attention(qg, torch.cat([cls_k, kg], dim=3), torch.cat([cls_v, vg], dim=3))
        if over_time:
            out = out.reshape(b, h, patches, frames, -1).transpose(2, 3)
        out = out.reshape(b, h, frames * patches, -1)
        out = torch.cat([cls_out, out], dim=2).transpose(1, 2).reshape(b, n, d)
        return self.proj(out)


class DividedBlock(nn.Module):
    """Time attention (norm3), then space attention (norm1), then the MLP (norm2)."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = DividedAttention(dim, num_heads)
        self.timeattn = DividedAttention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = FeedForward(dim, int(dim * mlp_ratio))
        self.norm3 = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x: torch.Tensor, *, frames: int, patches: int) -> torch.Tensor:
        x = x + self.timeattn(self.norm3(x), frames=frames, patches=patches, over_time=True)
        x = x + self.attn(self.norm1(x), frames=frames, patches=patches, over_time=False)
        return x + self.mlp(self.norm2(x))


class SpatialAggregator(nn.TransformerEncoderLayer):
    """Pools each temporal slice's h·w tokens into one through a learned CLS token (pre-norm,
    LayerNorm eps 1e-6 like every norm of the MotionFormer; torch's default 1e-5 moves the
    features by ~1e-5 relative)."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float) -> None:
        super().__init__(
            d_model=dim, nhead=num_heads, dim_feedforward=int(dim * mlp_ratio), dropout=0.0,
            activation=nn.GELU(), batch_first=True, norm_first=True, layer_norm_eps=1e-6,
        )
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        bs, d, t, h, w = x.shape
        x = x.permute(0, 2, 3, 4, 1).reshape(bs * t, h * w, d)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1)
        x = super().forward(x)[:, 0]
        return x.view(bs, t, d)


class MotionFormer(nn.Module):
    def __init__(self, config: SynchformerConfig) -> None:
        super().__init__()
        c = config
        self.config = c
        d = c.embed_dim
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.zeros(1, c.grid * c.grid + 1, d))
        self.temp_embed = nn.Parameter(torch.zeros(1, c.tokens_per_segment, d))
        # The 2-D patch embedding is unused at inference but is part of the checkpoint.
        self.patch_embed = PatchEmbed(nn.Conv2d(3, d, c.patch_size, c.patch_size))
        self.patch_embed_3d = PatchEmbed(
            nn.Conv3d(3, d, (c.patch_size_temporal, c.patch_size, c.patch_size),
                      stride=(c.patch_size_temporal, c.patch_size, c.patch_size))
        )
        self.blocks = nn.ModuleList([DividedBlock(d, c.num_heads, c.mlp_ratio) for _ in range(c.depth)])
        self.norm = nn.LayerNorm(d, eps=1e-6)
        self.spatial_attn_agg = SpatialAggregator(d, c.num_heads, c.mlp_ratio)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, T, H, W) segments -> (N, T / 2, D)."""
        n = x.shape[0]
        x = self.patch_embed_3d.proj(x)  # (N, D, t, h, w)
        _, d, t, h, w = x.shape
        x = x.flatten(2).transpose(1, 2)  # tokens ordered frame-major: (t h w)
        x = torch.cat([self.cls_token.expand(n, -1, -1), x], dim=1)
        pos = self.pos_embed[:, 1:].repeat(1, t, 1) + self.temp_embed.repeat_interleave(h * w, 1)
        x = x + torch.cat([self.pos_embed[:, :1], pos], dim=1)
        for blk in self.blocks:
            x = blk(x, frames=t, patches=h * w)
        x = self.norm(x[:, 1:])
        x = x.transpose(1, 2).reshape(n, d, t, h, w)
        return self.spatial_attn_agg(x)


class SynchformerEncoder(nn.Module):
    """Attribute ``vfeat_extractor`` matches the checkpoint prefix."""

    def __init__(self, config: SynchformerConfig | None = None) -> None:
        super().__init__()
        self.config = config or SynchformerConfig()
        self.vfeat_extractor = MotionFormer(self.config)

    @staticmethod
    def normalize(frames: torch.Tensor) -> torch.Tensor:
        """[0, 1] pixels -> the model's input range (mean 0.5, std 0.5)."""
        return (frames - 0.5) / 0.5

    def forward(self, segments: torch.Tensor) -> torch.Tensor:
        """(B, S, T, C, H, W) normalised segments -> (B, S, T/2, D)."""
        b, s, t, c, h, w = segments.shape
        x = segments.reshape(b * s, t, c, h, w).transpose(1, 2)  # (B·S, C, T, H, W)
        out = self.vfeat_extractor(x)
        return out.view(b, s, *out.shape[1:])

    @torch.no_grad()
    def encode_video(self, frames: torch.Tensor, *, batch_size: int = 16) -> torch.Tensor:
        """(B, T, C, 224, 224) frames in [0, 1] at 25 fps -> (B, S·8, D) sync tokens."""
        cfg = self.config
        segments = segment_frames(self.normalize(frames), size=cfg.frames_per_segment, step=cfg.segment_step)
        b, s = segments.shape[:2]
        flat = segments.reshape(b * s, 1, *segments.shape[2:])
        outputs = [self(flat[i : i + batch_size]) for i in range(0, b * s, batch_size)]
        tokens = torch.cat(outputs, dim=0)  # (B·S, 1, 8, D)
        return tokens.reshape(b, s * tokens.shape[2], tokens.shape[3])


def load_synchformer(state_dict: dict[str, torch.Tensor], config: SynchformerConfig | None = None) -> SynchformerEncoder:
    """Keep the ``vfeat_extractor.`` keys of a Synchformer checkpoint and load them strictly."""
    model = SynchformerEncoder(config)
    sd = {k: v for k, v in state_dict.items() if k.startswith(CHECKPOINT_PREFIX)}
    if not sd:
        raise InvalidInput("the Synchformer checkpoint holds no 'vfeat_extractor.' keys; is it synchformer_state_dict.pth?")
    problem = fit_report(model.state_dict(), sd)
    if problem:
        c = model.config
        raise InvalidInput(f"the Synchformer checkpoint does not fit the encoder (width {c.embed_dim}, depth {c.depth}, "
                           f"mlp ratio {c.mlp_ratio:g}): {problem}")
    model.load_state_dict(sd, strict=True)
    return model
