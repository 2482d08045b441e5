"""adaLN-modulated transformer blocks: single-stream, joint (three streams), final.

Conventions (from the checkpoints): the modulation vector is ``Linear(SiLU(c))`` split into
shift₁, scale₁, gate₁, shift₂, scale₂, gate₂ (or shift, scale for pre-only streams and the final
layer); ``modulate(x) = LN(x)·(1 + scale) + shift`` with a non-affine LayerNorm (eps 1e-5).
``c`` may be per-token (B, N, H), per-token as ``TokenRows``, or global (B, 1, H).
"""

from __future__ import annotations

import torch
from torch import nn

from foleyline.server.engines.mmdit.attention import SelfAttention, attention, joint_attention
from foleyline.server.engines.mmdit.layers import MLP, ChannelLastConv1d, ConvMLP
from foleyline.server.engines.mmdit.sync import TokenRows

__all__ = ["FinalBlock", "JointBlock", "MMDitSingleBlock", "adaln", "modulate", "run_trunk"]


def adaln(layer: nn.Module, c: torch.Tensor | TokenRows) -> torch.Tensor:
    """The modulation vector ``layer(c)``, mapping only the distinct rows of a ``TokenRows``."""
    return c.map(layer) if isinstance(c, TokenRows) else layer(c)


def modulate(x: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return x * (1 + scale) + shift


class MMDitSingleBlock(nn.Module):
    """One stream's block. ``kernel_size`` 1 makes the post-attention projection and the FFN
    plain linear layers (text stream); otherwise they are token-axis convolutions.
    ``pre_only``: the stream only supplies keys/values (no projection, no FFN, 2-way adaLN)."""

    def __init__(
        self,
        dim: int,
        num_heads: int,
        *,
        mlp_ratio: float = 4.0,
        pre_only: bool = False,
        kernel_size: int = 7,
        padding: int = 3,
    ) -> None:
        super().__init__()
        self.pre_only = pre_only
        self.norm1 = nn.LayerNorm(dim, elementwise_affine=False)
        self.attn = SelfAttention(dim, num_heads)
        if pre_only:
            self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 2 * dim, bias=True))
            return
        if kernel_size == 1:
            self.linear1 = nn.Linear(dim, dim)
        else:
            self.linear1 = ChannelLastConv1d(dim, dim, kernel_size=kernel_size, padding=padding)
        self.norm2 = nn.LayerNorm(dim, elementwise_affine=False)
        hidden = int(dim * mlp_ratio)
        if kernel_size == 1:
            self.ffn = MLP(dim, hidden)
        else:
            self.ffn = ConvMLP(dim, hidden, kernel_size=kernel_size, padding=padding)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 6 * dim, bias=True))

    def pre_attention(
        self, x: torch.Tensor, c: torch.Tensor | TokenRows, rot: torch.Tensor | None
    ) -> tuple[tuple[torch.Tensor, torch.Tensor, torch.Tensor], tuple[torch.Tensor, ...] | None]:
        modulation = adaln(self.adaLN_modulation, c)
        if self.pre_only:
            shift_msa, scale_msa = modulation.chunk(2, dim=-1)
            gates = None
        else:
            shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = modulation.chunk(6, dim=-1)
            gates = (gate_msa, shift_mlp, scale_mlp, gate_mlp)
        x = modulate(self.norm1(x), shift_msa, scale_msa)
        return self.attn.pre_attention(x, rot), gates

    def post_attention(
        self, x: torch.Tensor, attn_out: torch.Tensor, gates: tuple[torch.Tensor, ...] | None
    ) -> torch.Tensor:
        if self.pre_only:
            return x
        gate_msa, shift_mlp, scale_mlp, gate_mlp = gates  # type: ignore[misc]
        x = x + self.linear1(attn_out) * gate_msa
        r = modulate(self.norm2(x), shift_mlp, scale_mlp)
        return x + self.ffn(r) * gate_mlp

    def forward(self, x: torch.Tensor, c: torch.Tensor | TokenRows, rot: torch.Tensor | None) -> torch.Tensor:
        """A fused (latent-only) block: self-attention over this stream alone."""
        qkv, gates = self.pre_attention(x, c, rot)
        return self.post_attention(x, attention(*qkv), gates)


class JointBlock(nn.Module):
    """Latent, clip and text streams attending jointly over [latent, clip, text] tokens.

    In a ``pre_only`` block (the last joint block) the clip and text streams only contribute
    keys and values and are passed through unchanged; the latent stream is still full.
    """

    def __init__(self, dim: int, num_heads: int, *, mlp_ratio: float = 4.0, pre_only: bool = False) -> None:
        super().__init__()
        self.pre_only = pre_only
        self.latent_block = MMDitSingleBlock(
            dim, num_heads, mlp_ratio=mlp_ratio, pre_only=False, kernel_size=3, padding=1
        )
        self.clip_block = MMDitSingleBlock(
            dim, num_heads, mlp_ratio=mlp_ratio, pre_only=pre_only, kernel_size=3, padding=1
        )
        self.text_block = MMDitSingleBlock(dim, num_heads, mlp_ratio=mlp_ratio, pre_only=pre_only, kernel_size=1)

    def forward(
        self,
        latent: torch.Tensor,
        clip_f: torch.Tensor,
        text_f: torch.Tensor,
        global_c: torch.Tensor,
        extended_c: torch.Tensor | TokenRows,
        latent_rot: torch.Tensor,
        clip_rot: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Latent is modulated by the per-token ``extended_c``, clip and text by ``global_c``.
        Rotary positions apply to latent and clip tokens, never to text."""
        latent_qkv, latent_g = self.latent_block.pre_attention(latent, extended_c, latent_rot)
        clip_qkv, clip_g = self.clip_block.pre_attention(clip_f, global_c, clip_rot)
        text_qkv, text_g = self.text_block.pre_attention(text_f, global_c, None)
        if self.pre_only:  # the clip and text outputs would be discarded: not computed
            (latent_out,) = joint_attention([latent_qkv, clip_qkv, text_qkv], queries=1)
            return self.latent_block.post_attention(latent, latent_out, latent_g), clip_f, text_f
        latent_out, clip_out, text_out = joint_attention([latent_qkv, clip_qkv, text_qkv])
        latent = self.latent_block.post_attention(latent, latent_out, latent_g)
        clip_f = self.clip_block.post_attention(clip_f, clip_out, clip_g)
        text_f = self.text_block.post_attention(text_f, text_out, text_g)
        return latent, clip_f, text_f


class FinalBlock(nn.Module):
    """adaLN (shift, scale) then a token-axis convolution (kernel 7, bias) to the latent width.
    The caller chooses the conditioning (MMAudio: global_c; ThinkSound: extended_c)."""

    def __init__(self, dim: int, out_dim: int, *, kernel_size: int = 7, padding: int = 3) -> None:
        super().__init__()
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 2 * dim, bias=True))
        self.norm = nn.LayerNorm(dim, elementwise_affine=False)
        self.conv = ChannelLastConv1d(dim, out_dim, kernel_size=kernel_size, padding=padding)

    def forward(self, latent: torch.Tensor, c: torch.Tensor | TokenRows) -> torch.Tensor:
        shift, scale = adaln(self.adaLN_modulation, c).chunk(2, dim=-1)
        return self.conv(modulate(self.norm(latent), shift, scale))


def run_trunk(
    joint_blocks: nn.ModuleList,
    fused_blocks: nn.ModuleList,
    latent: torch.Tensor,
    clip_f: torch.Tensor,
    text_f: torch.Tensor,
    global_c: torch.Tensor,
    extended_c: torch.Tensor | TokenRows,
    latent_rot: torch.Tensor,
    clip_rot: torch.Tensor,
    *,
    trace: dict[str, torch.Tensor] | None = None,
    fused_key: str = "fused_block_{}.latent",
) -> torch.Tensor:
    """The trunk both networks share: joint blocks over the latent, clip and text streams, then
    latent-only fused blocks; returns the latent. ``trace`` (optional) receives each block's
    streams under the fixtures' names (``fused_key`` formats a fused block's index)."""
    for i, block in enumerate(joint_blocks):
        latent, clip_f, text_f = block(latent, clip_f, text_f, global_c, extended_c, latent_rot, clip_rot)
        if trace is not None:
            trace.update({f"joint_block_{i}.latent": latent, f"joint_block_{i}.clip_f": clip_f,
                          f"joint_block_{i}.text_f": text_f})
    for i, block in enumerate(fused_blocks):
        latent = block(latent, extended_c, latent_rot)
        if trace is not None:
            trace[fused_key.format(i)] = latent
    return latent
