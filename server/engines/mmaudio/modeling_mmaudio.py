"""The MMAudio network (checkpoint-compatible with the official releases).

Joint blocks over audio latents, CLIP frame tokens and text tokens, then latent-only fused
blocks; Synchformer tokens are added to the latent stream's per-token conditioning. The flow
runs from noise (t = 0) to data (t = 1). Attribute names are checkpoint keys.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import torch
from torch import nn

from foleyline.errors import InvalidInput
from foleyline.server.engines.checkpoints import fit_report
from foleyline.server.engines.mmaudio.configuration_mmaudio import MMAudioConfig
from foleyline.server.engines.mmdit import (
    MLP,
    ChannelLastConv1d,
    ConvMLP,
    FinalBlock,
    JointBlock,
    MMDitSingleBlock,
    TimestepEmbedder,
    TokenRows,
    cfg_combine,
    compute_rope_rotations,
    distinct_rows,
    run_trunk,
    upsample_tokens,
)

__all__ = ["MMAudioConditions", "MMAudioModel", "OPTIONAL_CHECKPOINT_KEYS"]

# Non-persistent tables some checkpoints carry anyway; dropped before a strict load.
OPTIONAL_CHECKPOINT_KEYS = ("t_embed.freqs", "latent_rot", "clip_rot")
SYNC_TOKENS_PER_SEGMENT = 8


@dataclass
class MMAudioConditions:
    """Conditioning that does not depend on the latent or the time; computed once per sample."""

    clip_f: torch.Tensor    # (B, clip_len, H)
    sync_f: torch.Tensor    # (B, latent_len, H), already upsampled
    text_f: torch.Tensor    # (B, text_len, H)
    clip_f_c: torch.Tensor  # (B, H)
    text_f_c: torch.Tensor  # (B, H)
    # global_cond_mlp(clip_f_c + text_f_c): the same at every step, so kept once computed
    global_mlp: torch.Tensor | None = field(default=None, repr=False)
    # sync_f as its distinct rows (it is nearest-upsampled; the empty one is one feature
    # repeated): the per-token adaLN maps only these
    sync_rows: TokenRows | None = field(default=None, repr=False)


class MMAudioModel(nn.Module):
    latent_rot: torch.Tensor
    clip_rot: torch.Tensor

    def __init__(self, config: MMAudioConfig) -> None:
        super().__init__()
        config.validate()
        self.config = config
        h = config.hidden_dim
        act = nn.SiLU if config.v2 else nn.SELU
        self.audio_input_proj = nn.Sequential(
            ChannelLastConv1d(config.latent_dim, h, kernel_size=7, padding=3),
            act(),
            ConvMLP(h, h * 4, kernel_size=7, padding=3),
        )
        # v2 inserts a SiLU after the clip/text linear maps (shifting the Sequential indices)
        clip_layers: list[nn.Module] = [nn.Linear(config.clip_dim, h)]
        text_layers: list[nn.Module] = [nn.Linear(config.text_dim, h)]
        if config.v2:
            clip_layers.append(nn.SiLU())
            text_layers.append(nn.SiLU())
        self.clip_input_proj = nn.Sequential(*clip_layers, ConvMLP(h, h * 4, kernel_size=3, padding=1))
        self.sync_input_proj = nn.Sequential(
            ChannelLastConv1d(config.sync_dim, h, kernel_size=7, padding=3),
            act(),
            ConvMLP(h, h * 4, kernel_size=3, padding=1),
        )
        self.text_input_proj = nn.Sequential(*text_layers, MLP(h, h * 4))

        self.clip_cond_proj = nn.Linear(h, h)
        self.text_cond_proj = nn.Linear(h, h)
        self.global_cond_mlp = MLP(h, h * 4)
        self.sync_pos_emb = nn.Parameter(torch.zeros((1, 1, SYNC_TOKENS_PER_SEGMENT, config.sync_dim)))
        self.final_layer = FinalBlock(h, config.latent_dim)
        if config.v2:
            self.t_embed = TimestepEmbedder(h, frequency_embedding_size=h, max_period=1)
        else:
            self.t_embed = TimestepEmbedder(h, frequency_embedding_size=256, max_period=10000)
        joint = config.joint_depth
        self.joint_blocks = nn.ModuleList(
            [JointBlock(h, config.num_heads, mlp_ratio=config.mlp_ratio, pre_only=(i == joint - 1)) for i in range(joint)]
        )
        self.fused_blocks = nn.ModuleList(
            [
                MMDitSingleBlock(h, config.num_heads, mlp_ratio=config.mlp_ratio, kernel_size=3, padding=1)
                for _ in range(config.fused_depth)
            ]
        )
        # Frozen statistics and learned "empty" features: all come from the checkpoint.
        self.latent_mean = nn.Parameter(torch.full((1, 1, config.latent_dim), float("nan")), requires_grad=False)
        self.latent_std = nn.Parameter(torch.full((1, 1, config.latent_dim), float("nan")), requires_grad=False)
        self.empty_string_feat = nn.Parameter(torch.zeros(config.text_seq_len, config.text_dim), requires_grad=False)
        self.empty_clip_feat = nn.Parameter(torch.zeros(1, config.clip_dim))
        self.empty_sync_feat = nn.Parameter(torch.zeros(1, config.sync_dim))
        self._set_rotations()
        # (conditions, empty conditions, their doubled batch) of the sample being drawn: see _guided
        self._guided_cache: tuple | None = None

    # -- sequence lengths -------------------------------------------------------------------
    @property
    def latent_seq_len(self) -> int:
        return self.config.sequence.latent_seq_len

    @property
    def clip_seq_len(self) -> int:
        return self.config.sequence.clip_seq_len

    @property
    def sync_seq_len(self) -> int:
        return self.config.sequence.sync_seq_len

    def _set_rotations(self) -> None:
        device = self._table_device()
        hd = self.config.head_dim
        n, c = self.latent_seq_len, self.clip_seq_len
        self.register_buffer("latent_rot", compute_rope_rotations(n, hd, 10000, device=device), persistent=False)
        self.register_buffer(
            "clip_rot", compute_rope_rotations(c, hd, 10000, freq_scaling=n / c, device=device), persistent=False
        )

    def _apply(self, fn, recurse: bool = True):  # type: ignore[no-untyped-def]
        # .to(bf16) on a GPU would also cast the latent statistics and the derived tables; they
        # stay float32 (v2's timestep phases reach 1e4 rad: a bf16 frequency is off by radians).
        stats = [p.data for p in (self.latent_mean, self.latent_std)]
        super()._apply(fn, recurse)
        for param, before in zip((self.latent_mean, self.latent_std), stats):
            if before.dtype == torch.float32 and param.dtype != torch.float32 and not before.is_meta:
                param.data = before.to(param.device)
        t = self.t_embed
        t.freqs = t.compute_freqs(t.frequency_embedding_size, t.max_period, device=self._table_device(), form=t.form)
        self._set_rotations()
        return self

    def _table_device(self) -> torch.device:
        device = self.latent_mean.device
        return torch.device("cpu") if device.type == "meta" else device

    def set_duration(self, duration: float) -> None:
        """Re-derive the sequence lengths (and rotary tables) for another clip duration."""
        self.config = self.config.with_duration(duration)
        self._set_rotations()

    # -- checkpoint loading -----------------------------------------------------------------
    def load_weights(self, state_dict: dict[str, torch.Tensor]) -> None:
        """Strict load, after dropping the optional non-persistent tables."""
        sd = {k: v for k, v in state_dict.items() if k not in OPTIONAL_CHECKPOINT_KEYS}
        problem = fit_report(self.state_dict(), sd)
        if problem:
            c = self.config
            raise InvalidInput(
                f"the MMAudio checkpoint does not fit this network configuration (hidden {c.hidden_dim}, "
                f"{c.num_heads} heads, depth {c.depth}/{c.fused_depth} fused, latent {c.latent_dim}, "
                f"{'v2' if c.v2 else 'v1'}): {problem}. Check the model name matches the weights file."
            )
        self.load_state_dict(sd, strict=True)

    # -- latent statistics --------------------------------------------------------------------
    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.latent_mean) / self.latent_std

    def unnormalize(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.latent_std + self.latent_mean

    # -- conditioning -------------------------------------------------------------------------
    def preprocess_conditions(
        self, clip_f: torch.Tensor, sync_f: torch.Tensor, text_f: torch.Tensor
    ) -> MMAudioConditions:
        if clip_f.shape[1] != self.clip_seq_len:
            raise InvalidInput(f"clip features have {clip_f.shape[1]} frames, expected {self.clip_seq_len} ({clip_f.shape=})")
        if sync_f.shape[1] != self.sync_seq_len:
            raise InvalidInput(f"sync features have {sync_f.shape[1]} tokens, expected {self.sync_seq_len} ({sync_f.shape=})")
        if text_f.shape[1] != self.config.text_seq_len:
            raise InvalidInput(f"text features have {text_f.shape[1]} tokens, expected {self.config.text_seq_len} ({text_f.shape=})")
        bs = sync_f.shape[0]
        segments = self.sync_seq_len // SYNC_TOKENS_PER_SEGMENT
        sync_f = (sync_f.view(bs, segments, SYNC_TOKENS_PER_SEGMENT, -1) + self.sync_pos_emb).flatten(1, 2)
        clip_f = self.clip_input_proj(clip_f)
        sync_f = upsample_tokens(self.sync_input_proj(sync_f), self.latent_seq_len)
        sync_rows = distinct_rows(sync_f)
        text_f = self.text_input_proj(text_f)
        clip_f_c = self.clip_cond_proj(clip_f.mean(dim=1))
        text_f_c = self.text_cond_proj(text_f.mean(dim=1))
        return MMAudioConditions(clip_f=clip_f, sync_f=sync_f, text_f=text_f, clip_f_c=clip_f_c, text_f_c=text_f_c,
                                 sync_rows=sync_rows if isinstance(sync_rows, TokenRows) else None)

    def get_empty_conditions(
        self, bs: int, *, negative_text_features: torch.Tensor | None = None
    ) -> MMAudioConditions:
        """Conditions for the unconditional branch, computed at batch 1 and broadcast to ``bs``.
        Negative-prompt features replace the empty string and keep their own batch."""
        empty_text = (
            negative_text_features if negative_text_features is not None else self.empty_string_feat.unsqueeze(0)
        )
        empty_clip = self.empty_clip_feat.unsqueeze(0).expand(1, self.clip_seq_len, -1)
        empty_sync = self.empty_sync_feat.unsqueeze(0).expand(1, self.sync_seq_len, -1)
        if negative_text_features is not None and negative_text_features.shape[0] != 1:
            # the clip/sync parts are batch independent: compute them once at batch 1
            base = self.preprocess_conditions(empty_clip, empty_sync, self.empty_string_feat.unsqueeze(0))
            text_f = self.text_input_proj(negative_text_features)
            text_f_c = self.text_cond_proj(text_f.mean(dim=1))
            if negative_text_features.shape[1] != self.config.text_seq_len:
                raise InvalidInput(f"negative text features have {negative_text_features.shape[1]} tokens, expected {self.config.text_seq_len}")
        else:
            base = self.preprocess_conditions(empty_clip, empty_sync, empty_text)
            text_f, text_f_c = base.text_f, base.text_f_c
            if text_f.shape[0] == 1:
                text_f, text_f_c = text_f.expand(bs, -1, -1), text_f_c.expand(bs, -1)
        sync_f = base.sync_f.expand(bs, -1, -1)
        rows = distinct_rows(sync_f) if bs > 1 else base.sync_rows
        return MMAudioConditions(
            clip_f=base.clip_f.expand(bs, -1, -1),
            sync_f=sync_f,
            text_f=text_f,
            clip_f_c=base.clip_f_c.expand(bs, -1),
            text_f_c=text_f_c,
            sync_rows=rows if isinstance(rows, TokenRows) else None,
        )

    # -- the velocity field ------------------------------------------------------------------
    def predict_flow(
        self,
        latent: torch.Tensor,
        t: torch.Tensor,
        conditions: MMAudioConditions,
        *,
        capture: dict[str, torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """Velocity (B, N, C) at flow time ``t`` (B,). ``capture`` (optional) receives named
        intermediate activations for debugging against reference fixtures."""
        return self.flow_of_projected(self.project_latent(latent), t, conditions, capture=capture)

    def project_latent(self, latent: torch.Tensor) -> torch.Tensor:
        """The audio input projection (B, N, C) -> (B, N, H): the first part of ``predict_flow``."""
        if latent.shape[1] != self.latent_seq_len:
            raise InvalidInput(f"latent has {latent.shape[1]} frames, expected {self.latent_seq_len} ({latent.shape=})")
        return self.audio_input_proj(latent)

    def flow_of_projected(self, latent: torch.Tensor, t: torch.Tensor, conditions: MMAudioConditions, *,
                          capture: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        """The rest of ``predict_flow``, from the projected latent (B, N, H)."""
        global_mlp = conditions.global_mlp
        if global_mlp is None:
            global_mlp = self.global_cond_mlp(conditions.clip_f_c + conditions.text_f_c)
        t_emb = self.t_embed(t)
        global_c = (t_emb + global_mlp).unsqueeze(1)
        rows = conditions.sync_rows
        extended_c = rows.plus(global_c) if rows is not None else global_c + conditions.sync_f
        if capture is not None:
            capture.update(audio_input_proj=latent, t_embed=t_emb, global_cond_mlp=global_mlp, global_c=global_c,
                           extended_c=extended_c.dense() if isinstance(extended_c, TokenRows) else extended_c)
        latent = run_trunk(self.joint_blocks, self.fused_blocks, latent, conditions.clip_f, conditions.text_f,
                           global_c, extended_c, self.latent_rot, self.clip_rot, trace=capture)
        # The official checkpoints were trained with the final layer on global_c (upstream #55).
        return self.final_layer(latent, global_c)

    def forward(
        self, latent: torch.Tensor, clip_f: torch.Tensor, sync_f: torch.Tensor, text_f: torch.Tensor, t: torch.Tensor
    ) -> torch.Tensor:
        return self.predict_flow(latent, t, self.preprocess_conditions(clip_f, sync_f, text_f))

    def guided_conditions(self, conditions: MMAudioConditions, empty_conditions: MMAudioConditions) -> MMAudioConditions:
        """[conditional; unconditional] as one batch of 2B, with everything that does not change
        between steps computed: the guided step is then one network pass, not two. The per-token
        conditioning is kept as the distinct rows of both halves (the empty half has few)."""
        bs = conditions.clip_f.shape[0]

        def both(cond: torch.Tensor, empty: torch.Tensor) -> torch.Tensor:
            return torch.cat([cond, empty.expand(bs, *empty.shape[1:])])

        sync_f = both(conditions.sync_f, empty_conditions.sync_f)
        rows = distinct_rows(sync_f)
        guided = MMAudioConditions(
            clip_f=both(conditions.clip_f, empty_conditions.clip_f),
            sync_f=sync_f,
            text_f=both(conditions.text_f, empty_conditions.text_f),
            clip_f_c=both(conditions.clip_f_c, empty_conditions.clip_f_c),
            text_f_c=both(conditions.text_f_c, empty_conditions.text_f_c),
            sync_rows=rows if isinstance(rows, TokenRows) else None,
        )
        guided.global_mlp = self.global_cond_mlp(guided.clip_f_c + guided.text_f_c)
        return guided

    def _guided(self, conditions: MMAudioConditions, empty_conditions: MMAudioConditions) -> MMAudioConditions:
        """``guided_conditions``, built once per sample: the sampler passes the same pair every step."""
        cached = self._guided_cache
        if cached is not None and cached[0]() is conditions and cached[1]() is empty_conditions:
            return cached[2]
        guided = self.guided_conditions(conditions, empty_conditions)
        self._guided_cache = (weakref.ref(conditions), weakref.ref(empty_conditions), guided)
        return guided

    def ode_wrapper(
        self,
        t: torch.Tensor,
        latent: torch.Tensor,
        conditions: MMAudioConditions,
        empty_conditions: MMAudioConditions,
        cfg_strength: float,
    ) -> torch.Tensor:
        """Guided velocity at a scalar time (broadcast over the batch). The conditional and
        unconditional velocities come from one pass over the doubled batch (the reference runs
        two passes of batch B; the rows are the same computations), and the latent, the same in
        both halves, is projected once.

        The network may run in bf16 (a GPU): the latent is cast to its dtype and the velocity
        back to the latent's, so the sampler can integrate in float32; the time stays float32
        (v2's timestep phases reach 1e4 rad: a bf16 time would be off by radians)."""
        tt = t.float() * torch.ones(len(latent), device=latent.device, dtype=torch.float32)
        x = latent.to(self.audio_input_proj[0].weight.dtype)
        if cfg_strength < 1.0:
            return self.predict_flow(x, tt, conditions).to(latent.dtype)
        guided = self._guided(conditions, empty_conditions)
        projected = self.project_latent(x)
        v_cond, v_uncond = self.flow_of_projected(
            torch.cat([projected, projected]), torch.cat([tt, tt]), guided).chunk(2)
        return cfg_combine(v_cond, v_uncond, cfg_strength).to(latent.dtype)
