"""ThinkSound's flow network (the reference's ``MMmodule``, v2), built from the shared MM-DiT
blocks in ``foleyline.server.engines.mmdit``.

Attribute names are the checkpoint keys of ``thinksound_light.ckpt`` (under ``model.model.``).
How it differs from MMAudio (FIXTURES.md, "Network behaviour in words"):

- time runs 1 (noise) → 0 (data) and the network predicts noise − data;
- text is MetaCLIP caption tokens (77 × 1024, zero-padded in channels to 2048) followed by
  T5 CoT tokens (77 × 2048): 154 text tokens, no rotary;
- the global text vector is a linear map of the plain token mean of the raw MetaCLIP text;
- the audio input projection uses kernel 3, the timestep embedding has H frequencies and
  max_period 1, the final layer is modulated by the per-token ``extended_c``;
- CFG doubles the batch as [conditional; learned empties] and returns u + (c − u)·s.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from foleyline.errors import InvalidInput
from foleyline.server.engines.checkpoints import fit_report
from foleyline.server.engines.mmdit import (
    MLP,
    ChannelLastConv1d,
    ConvMLP,
    FinalBlock,
    JointBlock,
    MMDitSingleBlock,
    TimestepEmbedder,
    TokenRows,
    compute_rope_rotations,
    distinct_rows,
    run_trunk,
    upsample_tokens,
)
from foleyline.server.engines.thinksound.configuration_thinksound import (
    METACLIP_TEXT_WIDTH,
    SequenceLengths,
    ThinkSoundConfig,
)

__all__ = ["ThinkSoundConditions", "ThinkSoundNetwork", "fit_tokens"]

Trace = dict[str, torch.Tensor]


@dataclass
class ThinkSoundConditions:
    """The projected conditions, computed once per sample and reused at every step."""

    clip_f: torch.Tensor    # (B, clip tokens, H)
    sync_f: torch.Tensor    # (B, latent frames, H), already upsampled
    text_f: torch.Tensor    # (B, 154, H)
    clip_f_c: torch.Tensor  # (B, H)
    text_f_c: torch.Tensor  # (B, H)
    # global_cond_mlp(clip_f_c + text_f_c): the same at every step, so computed with the rest
    global_mlp: torch.Tensor | None = field(default=None, repr=False)
    # sync_f as its distinct rows when some repeat (upsampling; the empty branch's one feature):
    # the per-token adaLN maps only these
    sync_rows: TokenRows | None = field(default=None, repr=False)


def fit_tokens(x: torch.Tensor, length: int) -> torch.Tensor:
    """Truncate or right-zero-pad (B, N, C) along the token axis to ``length``, as the reference
    does with each conditional sequence before pairing it with the unconditional one."""
    n = x.shape[1]
    if n > length:
        return x[:, :length]
    if n < length:
        return F.pad(x, (0, 0, 0, length - n))
    return x


class ThinkSoundNetwork(nn.Module):
    latent_rot: torch.Tensor
    clip_rot: torch.Tensor

    def __init__(self, config: ThinkSoundConfig) -> None:
        super().__init__()
        self.config = config
        h = config.hidden_dim
        pad = (config.kernel_size - 1) // 2
        self.audio_input_proj = nn.Sequential(
            ChannelLastConv1d(config.latent_dim, h, kernel_size=config.kernel_size, padding=pad),
            nn.SiLU(),
            ConvMLP(h, h * 4, kernel_size=config.kernel_size, padding=pad),
        )
        self.clip_input_proj = nn.Sequential(
            nn.Linear(config.clip_dim, h),
            nn.SiLU(),
            ConvMLP(h, h * 4, kernel_size=3, padding=1),
        )
        self.sync_input_proj = nn.Sequential(
            ChannelLastConv1d(config.sync_dim, h, kernel_size=config.sync_kernel, padding=(config.sync_kernel - 1) // 2),
            nn.SiLU(),
            ConvMLP(h, h * 4, kernel_size=3, padding=1),
        )
        self.text_input_proj = nn.Sequential(
            nn.Linear(config.text_dim, h),
            nn.SiLU(),
            MLP(h, h * 4),
        )
        self.clip_cond_proj = nn.Linear(h, h)
        self.text_cond_proj = nn.Linear(METACLIP_TEXT_WIDTH, h)
        self.global_cond_mlp = MLP(h, h * 4)
        # each Synchformer segment has 8 feature frames; this marks the position inside one
        self.sync_pos_emb = nn.Parameter(torch.zeros(1, 1, 8, config.sync_dim))
        self.final_layer = FinalBlock(h, config.latent_dim, kernel_size=7, padding=3)
        self.t_embed = TimestepEmbedder(h, frequency_embedding_size=h, max_period=1)
        self.joint_blocks = nn.ModuleList(
            JointBlock(h, config.num_heads, mlp_ratio=config.mlp_ratio, pre_only=(i == config.joint_depth - 1))
            for i in range(config.joint_depth)
        )
        self.fused_blocks = nn.ModuleList(
            MMDitSingleBlock(h, config.num_heads, mlp_ratio=config.mlp_ratio, kernel_size=config.kernel_size, padding=pad)
            for _ in range(config.fused_depth)
        )
        # Learned "nothing" inputs for the unconditional branch. Always read from the checkpoint.
        self.empty_string_feat = nn.Parameter(torch.zeros(config.text_seq_len, METACLIP_TEXT_WIDTH), requires_grad=False)
        self.empty_t5_feat = nn.Parameter(torch.zeros(config.text_seq_len, config.text_dim), requires_grad=False)
        self.empty_clip_feat = nn.Parameter(torch.zeros(1, config.clip_dim))
        self.empty_sync_feat = nn.Parameter(torch.zeros(1, config.sync_dim))
        self._lengths = SequenceLengths(config.latent_seq_len, config.clip_seq_len, config.sync_seq_len)
        self._build_rotations()

    # ---- sequence lengths -------------------------------------------------------------------

    @property
    def lengths(self) -> SequenceLengths:
        return self._lengths

    def set_sequence_lengths(self, lengths: SequenceLengths) -> None:
        """Switch to another duration: only the rotary tables depend on it."""
        if lengths.sync % 8:
            raise InvalidInput(f"sync length {lengths.sync} must be whole 8-token segments")
        if lengths != self._lengths:
            self._lengths = SequenceLengths(*lengths)
            self._build_rotations()

    def _apply(self, fn, recurse: bool = True):  # type: ignore[no-untyped-def]
        # .to(dtype) / .to(device) / to_empty would also cast or blank the derived tables; they
        # must stay float32 (the timestep phases reach 1e4 rad), so rebuild them afterwards.
        super()._apply(fn, recurse)
        self._rebuild_tables()
        return self

    def _rebuild_tables(self) -> None:
        device = self.empty_clip_feat.device
        if device.type == "meta":
            device = torch.device("cpu")
        self.t_embed.freqs = TimestepEmbedder.compute_freqs(self.config.hidden_dim, 1, device=device)
        self._build_rotations()

    def _build_rotations(self) -> None:
        device = self.empty_clip_feat.device
        if device.type == "meta":
            device = torch.device("cpu")
        latent, clip, _ = self._lengths
        head_dim = self.config.head_dim
        latent_rot = compute_rope_rotations(latent, head_dim, 10000, freq_scaling=1.0, device=device)
        # clip positions are stretched onto the latent time axis
        clip_rot = compute_rope_rotations(clip, head_dim, 10000, freq_scaling=latent / clip, device=device)
        self.register_buffer("latent_rot", latent_rot, persistent=False)
        self.register_buffer("clip_rot", clip_rot, persistent=False)

    # ---- empties ----------------------------------------------------------------------------

    def empty_clip(self, batch: int) -> torch.Tensor:
        return self.empty_clip_feat.unsqueeze(0).expand(batch, self._lengths.clip, -1)

    def empty_sync(self, batch: int) -> torch.Tensor:
        return self.empty_sync_feat.unsqueeze(0).expand(batch, self._lengths.sync, -1)

    def empty_text(self, batch: int) -> torch.Tensor:
        return self.empty_string_feat.unsqueeze(0).expand(batch, -1, -1)

    def empty_t5(self, batch: int) -> torch.Tensor:
        return self.empty_t5_feat.unsqueeze(0).expand(batch, -1, -1)

    # ---- the network ------------------------------------------------------------------------

    def preprocess_conditions(
        self,
        clip_f: torch.Tensor,
        sync_f: torch.Tensor,
        text_f: torch.Tensor,
        t5_f: torch.Tensor,
        global_text_f: torch.Tensor | None = None,
        *,
        trace: Trace | None = None,
    ) -> ThinkSoundConditions:
        """Project the conditions (independent of the latent and the time)."""
        latent_len, clip_len, sync_len = self._lengths
        b = clip_f.shape[0]
        expected = {
            "clip_f": (clip_f, (b, clip_len, self.config.clip_dim)),
            "sync_f": (sync_f, (b, sync_len, self.config.sync_dim)),
            "text_f": (text_f, (b, self.config.text_seq_len, METACLIP_TEXT_WIDTH)),
            "t5_f": (t5_f, (b, self.config.text_seq_len, self.config.text_dim)),
        }
        for name, (tensor, shape) in expected.items():
            if tuple(tensor.shape) != shape:
                raise InvalidInput(f"{name} has shape {tuple(tensor.shape)}, expected {shape}")
        sync_f = (sync_f.view(b, sync_len // 8, 8, -1) + self.sync_pos_emb).flatten(1, 2)
        clip_f = self.clip_input_proj(clip_f)
        sync_f = self.sync_input_proj(sync_f)
        if global_text_f is not None:
            text_f_c = self.text_cond_proj(global_text_f)
        else:
            text_f_c = self.text_cond_proj(text_f.mean(dim=1))
        # caption tokens zero-padded in channels to the T5 width, then placed before the T5 tokens
        text_f = F.pad(text_f, (0, t5_f.shape[2] - text_f.shape[2]))
        text_f = self.text_input_proj(torch.cat([text_f, t5_f], dim=1))
        sync_f = upsample_tokens(sync_f, latent_len)
        sync_rows = distinct_rows(sync_f)
        clip_f_c = self.clip_cond_proj(clip_f.mean(dim=1))
        if trace is not None:
            trace.update({"cond.clip_f": clip_f, "cond.sync_f": sync_f, "cond.text_f": text_f,
                          "cond.clip_f_c": clip_f_c, "cond.text_f_c": text_f_c})
        global_mlp = self.global_cond_mlp(clip_f_c + text_f_c)
        return ThinkSoundConditions(clip_f, sync_f, text_f, clip_f_c, text_f_c, global_mlp,
                                    sync_rows if isinstance(sync_rows, TokenRows) else None)

    def predict_flow(
        self, latent: torch.Tensor, t: torch.Tensor, cond: ThinkSoundConditions, *, trace: Trace | None = None
    ) -> torch.Tensor:
        """Velocity for channel-last latents (B, N, C) at times t (B,)."""
        return self.flow_of_projected(self.project_latent(latent), t, cond, trace=trace)

    def project_latent(self, latent: torch.Tensor) -> torch.Tensor:
        """The audio input projection (B, N, C) -> (B, N, H): the first part of ``predict_flow``."""
        if latent.shape[1] != self._lengths.latent:
            raise InvalidInput(f"latent has {latent.shape[1]} frames, the network is set for {self._lengths.latent}")
        return self.audio_input_proj(latent)

    def flow_of_projected(
        self, latent: torch.Tensor, t: torch.Tensor, cond: ThinkSoundConditions, *, trace: Trace | None = None
    ) -> torch.Tensor:
        """The rest of ``predict_flow``, from the projected latent (B, N, H)."""
        global_mlp = cond.global_mlp
        if global_mlp is None:
            global_mlp = self.global_cond_mlp(cond.clip_f_c + cond.text_f_c)
        t_emb = self.t_embed(t)
        global_c = t_emb.unsqueeze(1) + global_mlp.unsqueeze(1)
        rows = cond.sync_rows
        extended_c = rows.plus(global_c) if rows is not None else global_c + cond.sync_f
        if trace is not None:
            trace.update({"audio_input_proj": latent, "t_embed": t_emb, "global_cond_mlp": global_mlp,
                          "global_c": global_c,
                          "extended_c": extended_c.dense() if isinstance(extended_c, TokenRows) else extended_c})
        latent = run_trunk(self.joint_blocks, self.fused_blocks, latent, cond.clip_f, cond.text_f, global_c,
                           extended_c, self.latent_rot, self.clip_rot, trace=trace, fused_key="fused_block_{}")
        flow = self.final_layer(latent, extended_c)
        if trace is not None:
            trace["final_layer"] = flow
        return flow

    def cfg_conditions(
        self,
        clip_f: torch.Tensor,
        sync_f: torch.Tensor,
        text_f: torch.Tensor,
        t5_f: torch.Tensor,
        global_text_f: torch.Tensor | None = None,
    ) -> ThinkSoundConditions:
        """Conditions of the doubled batch [conditional; unconditional] that CFG runs on."""
        b = clip_f.shape[0]
        lengths = self._lengths
        clip_f = torch.cat([fit_tokens(clip_f, lengths.clip), self.empty_clip(b)])
        sync_f = torch.cat([fit_tokens(sync_f, lengths.sync), self.empty_sync(b)])
        text_f = torch.cat([fit_tokens(text_f, self.config.text_seq_len), self.empty_text(b)])
        t5_f = torch.cat([fit_tokens(t5_f, self.config.text_seq_len), self.empty_t5(b)])
        if global_text_f is not None:
            global_text_f = torch.cat([global_text_f, torch.zeros_like(global_text_f)])
        return self.preprocess_conditions(clip_f, sync_f, text_f, t5_f, global_text_f)

    def velocity(
        self, x: torch.Tensor, t: torch.Tensor, cond: ThinkSoundConditions, cfg_scale: float = 1.0
    ) -> torch.Tensor:
        """The sampler's velocity for channel-first latents (B, C, N). With ``cfg_scale`` != 1,
        ``cond`` must come from ``cfg_conditions`` (batch 2B); the latent, the same in both
        halves, is then projected once."""
        latent = x.transpose(1, 2)
        if t.dim() == 0:
            t = t.expand(x.shape[0])
        if cfg_scale == 1.0:
            return self.predict_flow(latent, t, cond).transpose(1, 2)
        projected = self.project_latent(latent)
        flow = self.flow_of_projected(torch.cat([projected, projected]), torch.cat([t, t]), cond)
        cond_out, uncond_out = flow.chunk(2, dim=0)
        # exactly this form: u + (c − u)·s (5·c − 4·u differs by a few e-6)
        return (uncond_out + (cond_out - uncond_out) * cfg_scale).transpose(1, 2)

    def forward(
        self,
        x: torch.Tensor,
        t: torch.Tensor,
        clip_f: torch.Tensor,
        sync_f: torch.Tensor,
        text_f: torch.Tensor,
        t5_f: torch.Tensor,
        global_text_f: torch.Tensor | None = None,
        cfg_scale: float = 1.0,
    ) -> torch.Tensor:
        """One call of the reference wrapper: (B, 64, N) noisy latent → (B, 64, N) velocity."""
        if cfg_scale == 1.0:
            cond = self.preprocess_conditions(clip_f, sync_f, text_f, t5_f, global_text_f)
        else:
            cond = self.cfg_conditions(clip_f, sync_f, text_f, t5_f, global_text_f)
        return self.velocity(x, t, cond, cfg_scale)

    def load_checkpoint_state(self, state: dict[str, torch.Tensor]) -> None:
        """Load un-prefixed network weights strictly (non-persistent tables are dropped first)."""
        state = {k: v for k, v in state.items() if k not in ("latent_rot", "clip_rot", "t_embed.freqs")}
        problem = fit_report(self.state_dict(), state)
        if problem:
            c = self.config
            raise InvalidInput(
                f"the network weights do not fit ThinkSound's network (hidden {c.hidden_dim}, {c.num_heads} heads, "
                f"depth {c.depth}/{c.fused_depth} fused, latent {c.latent_dim}): {problem}"
            )
        self.load_state_dict(state, strict=True, assign=self.empty_clip_feat.device.type == "meta")
        # A network built on the meta device got real parameters just now; its derived tables
        # (never in a checkpoint) must be rebuilt on their device.
        self._rebuild_tables()
