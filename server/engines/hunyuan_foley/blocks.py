"""The two block kinds of the HunyuanVideo-Foley transformer. Attribute names are checkpoint keys.

- ``TripleStreamBlock`` (the reference's ``TwoStreamCABlock``): audio and visual tokens, each
  with its own adaLN driven by the timestep vector alone, do joint self-attention over
  [visual, audio], then cross-attention from [visual, audio] queries to the text tokens (keys and
  values only, never updated), then a per-stream GELU MLP. Fused projections are *blocked*
  ([q | k | v] one after the other); q/k norms are RMSNorms with eps 1e-6.
- ``SingleStreamBlock``: audio tokens only, adaLN per token from c = stretched sync + vec; the
  fused qkv is *interleaved* (stride 3), q/k norms use the dtype's machine epsilon, LayerNorms
  eps 1e-5; kernel-3 convolutional output projection and gated conv-FFN. That is MMAudio's
  single-stream block computation exactly, so it is the shared block under this family's names.

Rotary tables come in as a ``Rotary`` plan computed once per network call (positions in
FIXTURES.md: interleaved audio/visual positions in the self-attention, plain positions in the
cross-attention and in the single blocks).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from foleyline.server.engines.hunyuan_foley.configuration_hunyuan_foley import HunyuanFoleyConfig
from foleyline.server.engines.mmdit import (
    FeedForward,
    MMDitSingleBlock,
    apply_rope,
    attention,
    compute_rope_rotations,
    modulate,
    nearest_exact_index,
    split_heads,
)
from foleyline.server.engines.mmdit.checkpoint_names import use_checkpoint_names

__all__ = ["Modulation", "Rotary", "SingleStreamBlock", "TripleStreamBlock", "interleaved_visual_positions"]

Capture = dict[str, torch.Tensor] | None
# HunyuanVideo-Foley's names for the parts of the shared single-stream block.
SINGLE_BLOCK_NAMES = {
    "modulation.linear": "adaLN_modulation.1",
    "linear_qkv": "attn.qkv",
    "q_norm": "attn.q_norm",
    "k_norm": "attn.k_norm",
    "linear2": "ffn",
}


class Modulation(nn.Module):
    """adaLN: ``linear(silu(c))`` split into ``factor`` vectors (checkpoint key ``linear``)."""

    def __init__(self, dim: int, factor: int) -> None:
        super().__init__()
        self.factor = factor
        self.linear = nn.Linear(dim, factor * dim)

    def forward(self, c: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return self.linear(F.silu(c)).chunk(self.factor, dim=-1)


@dataclass(frozen=True)
class Rotary:
    """Every rotary table one network call needs, float32, (1, length, head_dim/2, 2, 2).

    With the interleaved layout the reference stretches the visual q/k to the audio length
    (nearest-exact), interleaves them with the audio (audio at even slots), rotates the 2N-long
    sequence and shrinks the visual half back. Audio token i therefore sits at 2i, and visual
    token j is replaced by the token the round trip brings back (``visual_source``, the identity
    for every clip length the reference produces) rotated at 2·d_j + 1.
    """

    audio_self: torch.Tensor
    visual_self: torch.Tensor
    visual_source: torch.Tensor | None   # (Nv,) gather index, None when it is the identity
    audio: torch.Tensor                  # positions 0..N-1 (cross-attention and single blocks)
    visual: torch.Tensor                 # positions 0..Nv-1
    text: torch.Tensor                   # positions 0..L-1

    @classmethod
    def plan(cls, config: HunyuanFoleyConfig, n: int, nv: int, nl: int, device: torch.device) -> Rotary:
        hd, theta = config.head_dim, config.rope_theta
        table = compute_rope_rotations(max(2 * n, nv, nl), hd, theta, device=device)
        if config.interleaved_audio_visual_rope:
            visual_pos, source = interleaved_visual_positions(n, nv)
            identity = torch.equal(source, torch.arange(nv))
            audio_self = table[:, 0 : 2 * n : 2]
            visual_self = table[:, visual_pos.to(device)]
            visual_source = None if identity else source.to(device)
        else:
            audio_self = table[:, :n]
            visual_self = compute_rope_rotations(nv, hd, theta, freq_scaling=n / nv, device=device)
            visual_source = None
        return cls(audio_self, visual_self, visual_source, table[:, :n], table[:, :nv], table[:, :nl])


def interleaved_visual_positions(n: int, nv: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(positions, source) of the Nv visual tokens in the interleaved self-attention: token j is
    rotated at 2·d_j + 1 with d_j = nearest-exact(N → Nv) index j, and the token that arrives
    there is source[j] = up[d_j] (up: nearest-exact Nv → N). Audio token i is at 2i."""
    down = nearest_exact_index(n, nv)
    return 2 * down + 1, nearest_exact_index(nv, n)[down]


def _qk_norm(config: HunyuanFoleyConfig, eps: float | None) -> nn.Module:
    return nn.RMSNorm(config.head_dim, eps=eps) if config.qk_norm else nn.Identity()


class TripleStreamBlock(nn.Module):
    def __init__(self, config: HunyuanFoleyConfig) -> None:
        super().__init__()
        h, bias = config.hidden_size, config.qkv_bias
        self.num_heads = config.num_heads
        ln = dict(elementwise_affine=False, eps=1e-6)
        self.audio_mod = Modulation(h, 9)
        self.audio_norm1 = nn.LayerNorm(h, **ln)
        self.audio_self_attn_qkv = nn.Linear(h, 3 * h, bias=bias)
        self.audio_self_q_norm = _qk_norm(config, 1e-6)
        self.audio_self_k_norm = _qk_norm(config, 1e-6)
        self.audio_self_proj = nn.Linear(h, h, bias=bias)
        self.v_cond_mod = Modulation(h, 9)
        self.v_cond_norm1 = nn.LayerNorm(h, **ln)
        self.v_cond_attn_qkv = nn.Linear(h, 3 * h, bias=bias)
        self.v_cond_attn_q_norm = _qk_norm(config, 1e-6)
        self.v_cond_attn_k_norm = _qk_norm(config, 1e-6)
        self.v_cond_self_proj = nn.Linear(h, h, bias=bias)
        self.audio_norm2 = nn.LayerNorm(h, **ln)
        self.v_cond_norm2 = nn.LayerNorm(h, **ln)
        self.audio_cross_q = nn.Linear(h, h, bias=bias)
        self.v_cond_cross_q = nn.Linear(h, h, bias=bias)
        self.text_cross_kv = nn.Linear(h, 2 * h, bias=bias)
        self.audio_cross_q_norm = _qk_norm(config, 1e-6)
        self.v_cond_cross_q_norm = _qk_norm(config, 1e-6)
        self.text_cross_k_norm = _qk_norm(config, 1e-6)
        self.audio_cross_proj = nn.Linear(h, h, bias=bias)
        self.v_cond_cross_proj = nn.Linear(h, h, bias=bias)
        self.audio_norm3 = nn.LayerNorm(h, **ln)
        self.audio_mlp = FeedForward(h, config.triple_mlp_hidden, approximate=config.gelu_approximate)
        self.v_cond_norm3 = nn.LayerNorm(h, **ln)
        self.v_cond_mlp = FeedForward(h, config.triple_mlp_hidden, approximate=config.gelu_approximate)

    def _self_qkv(self, x, mod, norm, linear, q_norm, k_norm):
        shift, scale = mod
        q, k, v = split_heads(linear(modulate(norm(x), shift, scale)), self.num_heads, 3, layout="blocked")
        return q_norm(q), k_norm(k), v

    def forward(
        self, audio: torch.Tensor, visual: torch.Tensor, text: torch.Tensor, vec: torch.Tensor, rotary: Rotary,
        *, capture: Capture = None, prefix: str = "",
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """audio (B, N, H), visual (B, Nv, H), text (B, L, H) already projected, vec (B, H)."""
        a_mod = [m.unsqueeze(1) for m in self.audio_mod(vec)]
        v_mod = [m.unsqueeze(1) for m in self.v_cond_mod(vec)]
        if capture is not None:
            capture[f"{prefix}.audio_mod"] = torch.cat(a_mod, dim=-1).squeeze(1)
            capture[f"{prefix}.v_cond_mod"] = torch.cat(v_mod, dim=-1).squeeze(1)
        n_visual = visual.shape[1]

        # 1. joint self-attention over [visual, audio]
        aq, ak, av = self._self_qkv(audio, a_mod[0:2], self.audio_norm1, self.audio_self_attn_qkv,
                                    self.audio_self_q_norm, self.audio_self_k_norm)
        vq, vk, vv = self._self_qkv(visual, v_mod[0:2], self.v_cond_norm1, self.v_cond_attn_qkv,
                                    self.v_cond_attn_q_norm, self.v_cond_attn_k_norm)
        aq, ak = apply_rope(aq, rotary.audio_self), apply_rope(ak, rotary.audio_self)
        if rotary.visual_source is not None:
            vq, vk = vq[:, :, rotary.visual_source], vk[:, :, rotary.visual_source]
        vq, vk = apply_rope(vq, rotary.visual_self), apply_rope(vk, rotary.visual_self)
        out = attention(torch.cat([vq, aq], dim=2), torch.cat([vk, ak], dim=2), torch.cat([vv, av], dim=2))
        v_attn, a_attn = out[:, :n_visual], out[:, n_visual:]
        if capture is not None:
            capture[f"{prefix}.self_attn.audio"], capture[f"{prefix}.self_attn.v_cond"] = a_attn, v_attn
        audio = audio + self.audio_self_proj(a_attn) * a_mod[2]
        visual = visual + self.v_cond_self_proj(v_attn) * v_mod[2]

        # 2. cross-attention from [visual, audio] to the text (keys rotated, values not)
        (aq,) = split_heads(self.audio_cross_q(modulate(self.audio_norm2(audio), a_mod[3], a_mod[4])), self.num_heads)
        (vq,) = split_heads(self.v_cond_cross_q(modulate(self.v_cond_norm2(visual), v_mod[3], v_mod[4])), self.num_heads)
        tk, tv = split_heads(self.text_cross_kv(text), self.num_heads, 2, layout="blocked")
        aq = apply_rope(self.audio_cross_q_norm(aq), rotary.audio)
        vq = apply_rope(self.v_cond_cross_q_norm(vq), rotary.visual)
        tk = apply_rope(self.text_cross_k_norm(tk), rotary.text)
        out = attention(torch.cat([vq, aq], dim=2), tk, tv)
        v_attn, a_attn = out[:, :n_visual], out[:, n_visual:]
        if capture is not None:
            capture[f"{prefix}.cross_attn.audio"], capture[f"{prefix}.cross_attn.v_cond"] = a_attn, v_attn
        audio = audio + self.audio_cross_proj(a_attn) * a_mod[5]
        visual = visual + self.v_cond_cross_proj(v_attn) * v_mod[5]

        # 3. per-stream MLP
        audio = audio + self.audio_mlp(modulate(self.audio_norm3(audio), a_mod[6], a_mod[7])) * a_mod[8]
        visual = visual + self.v_cond_mlp(modulate(self.v_cond_norm3(visual), v_mod[6], v_mod[7])) * v_mod[8]
        return audio, visual


class SingleStreamBlock(MMDitSingleBlock):
    """MMAudio's single-stream block computes exactly this (interleaved qkv, machine-epsilon
    q/k RMSNorm, eps-1e-5 LayerNorms, kernel-3 conv projection and gated conv-FFN, per-token
    adaLN); only the checkpoint names differ, so the shared block is used under these names."""

    def __init__(self, config: HunyuanFoleyConfig) -> None:
        super().__init__(config.hidden_size, config.num_heads, mlp_ratio=config.mlp_ratio, kernel_size=3, padding=1)
        use_checkpoint_names(self, SINGLE_BLOCK_NAMES)

    def forward(  # type: ignore[override]
        self, x: torch.Tensor, c: torch.Tensor, rotary: Rotary, *, capture: Capture = None, prefix: str = "",
    ) -> torch.Tensor:
        """x (B, N, H) audio tokens, c (B, N, H) per-token conditioning."""
        qkv, gates = self.pre_attention(x, c, rotary.audio)
        out = attention(*qkv)
        if capture is not None:
            capture[f"{prefix}.modulation"] = self.adaLN_modulation(c)
            capture[f"{prefix}.attn"] = out
        return self.post_attention(x, out, gates)
