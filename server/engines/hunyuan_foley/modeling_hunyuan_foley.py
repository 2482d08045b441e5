"""The HunyuanVideo-Foley flow network (checkpoint-compatible with the released XXL and XL).

It predicts a velocity for a DAC latent (B, C, N), channel first, at model time t on the
0…1000 scale (1000 = noise), conditioned on SigLIP2 frame features (B, Nv, clip_dim), Synchformer
tokens (B, Ns, sync_dim, 8 per window) and CLAP token features (B, L, condition_dim):

1. embeddings: latent → tokens (kernel-1 conv), SigLIP2 → gated SwiGLU projection, CLAP →
   Linear-SiLU-Linear, t → ``vec``; sync tokens get a position inside their 8-token window,
   are projected and stretched to N (nearest-exact) and added once to the audio tokens;
2. triple-stream blocks (audio + visual, text as keys/values), modulated by ``vec``;
3. single-stream blocks on the audio, modulated per token by c = stretched sync + vec;
4. the final layer: LayerNorm then Linear. The checkpoint holds an adaLN for it too, which the
   reference computes but cannot apply (its ``modulate`` leaves 3-D inputs unchanged): it is
   kept as a parameter and never used.

Attribute names are checkpoint keys. Lengths N, Nv, Ns and L come from the inputs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import torch
from torch import nn

from foleyline.errors import InvalidInput
from foleyline.server.engines.checkpoints import fit_report
from foleyline.server.engines.hunyuan_foley.blocks import Capture, Rotary, SingleStreamBlock, TripleStreamBlock
from foleyline.server.engines.hunyuan_foley.configuration_hunyuan_foley import (
    SYNC_TOKENS_PER_SEGMENT,
    HunyuanFoleyConfig,
)
from foleyline.server.engines.mmdit import MLP, ConvMLP, TimestepEmbedder, upsample_tokens

log = logging.getLogger(__name__)

__all__ = ["HunyuanConditions", "HunyuanFoleyModel"]


@dataclass
class HunyuanConditions:
    """The projected conditioning of one batch; independent of the latent and the time."""

    visual: torch.Tensor   # (B, Nv, H)
    sync: torch.Tensor     # (B, N, H): projected sync tokens stretched to the latent length
    text: torch.Tensor     # (B, L, H)

    @staticmethod
    def concat(first: HunyuanConditions, second: HunyuanConditions) -> HunyuanConditions:
        """One batch of both (the unconditional and conditional halves of a guided call)."""
        return HunyuanConditions(*(torch.cat([a, b]) for a, b in zip(
            (first.visual, first.sync, first.text), (second.visual, second.sync, second.text), strict=True)))


class PatchEmbed1D(nn.Module):
    """(B, C, N) latent -> (B, N, H) tokens through a kernel-1 convolution (key ``proj``)."""

    def __init__(self, channels: int, hidden: int) -> None:
        super().__init__()
        self.proj = nn.Conv1d(channels, hidden, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).transpose(1, 2)


class ConditionProjection(nn.Module):
    def __init__(self, in_dim: int, hidden: int) -> None:
        super().__init__()
        self.linear_1 = nn.Linear(in_dim, hidden)
        self.act_1 = nn.SiLU()
        self.linear_2 = nn.Linear(hidden, hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear_2(self.act_1(self.linear_1(x)))


class FinalLayer(nn.Module):
    """LayerNorm (eps 1e-6, no affine) then Linear. ``adaLN_modulation`` is in every checkpoint
    but has no effect in the reference (see the module docstring); it is loaded, never run."""

    def __init__(self, hidden: int, out_channels: int) -> None:
        super().__init__()
        self.norm_final = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.linear = nn.Linear(hidden, out_channels)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden, 2 * hidden))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(self.norm_final(x))


class HunyuanFoleyModel(nn.Module):
    def __init__(self, config: HunyuanFoleyConfig) -> None:
        super().__init__()
        config.validate()
        self.config = config
        h = config.hidden_size
        self.sync_pos_emb = nn.Parameter(torch.zeros(1, 1, SYNC_TOKENS_PER_SEGMENT, config.sync_feat_dim))
        self.empty_clip_feat = nn.Parameter(torch.zeros(1, config.clip_dim))
        self.empty_sync_feat = nn.Parameter(torch.zeros(1, config.sync_feat_dim))
        self.audio_embedder = PatchEmbed1D(config.audio_vae_latent_dim, h)
        self.visual_proj = MLP(config.clip_dim, h, out_dim=h, exact_hidden=True)
        self.cond_in = ConditionProjection(config.condition_dim, h)
        self.time_in = TimestepEmbedder(h, frequency_embedding_size=256, max_period=10000, form="exp")
        pad = config.sync_in_ksz // 2
        self.sync_in = nn.Sequential(
            nn.Linear(config.sync_feat_dim, h),
            nn.SiLU(),
            ConvMLP(h, 4 * h, kernel_size=config.sync_in_ksz, padding=pad),
        )
        self.triple_blocks = nn.ModuleList(TripleStreamBlock(config) for _ in range(config.depth_triple_blocks))
        self.single_blocks = nn.ModuleList(SingleStreamBlock(config) for _ in range(config.depth_single_blocks))
        self.final_layer = FinalLayer(h, config.audio_vae_latent_dim)
        self._rotary: dict[tuple, Rotary] = {}

    # -- checkpoint loading ----------------------------------------------------------------------
    def load_weights(self, state_dict: dict[str, torch.Tensor], *, assign: bool = False) -> None:
        """Strict load with a message that says what does not fit. The reference loads its
        checkpoints with strict=False, which would leave mismatched weights random in silence;
        here a missing, misshapen or unexpected key of any module this network has is an error.

        Keys under a top-level name the network does not have are the training-time modules the
        release's yaml still names (``depth_single_ssl_encoder``, ``use_repa_with_audiossl``: an
        SSL projector no inference code builds); the reference drops them, and so does this, with
        a log line saying which."""
        sd = {k: v for k, v in state_dict.items() if isinstance(v, torch.Tensor)}
        own_modules = {*dict(self.named_children()), *self._parameters, *self._buffers}
        training_only = sorted({k.split(".")[0] for k in sd if k.split(".")[0] not in own_modules})
        if training_only:
            log.info("HunyuanVideo-Foley checkpoint: ignoring %d tensors of modules inference does not build (%s)",
                     sum(k.split(".")[0] in training_only for k in sd), ", ".join(training_only))
            sd = {k: v for k, v in sd.items() if k.split(".")[0] not in training_only}
        problem = fit_report(self.state_dict(), sd)
        if problem:
            c = self.config
            raise InvalidInput(
                f"the HunyuanVideo-Foley checkpoint does not fit the {c.name} network (hidden {c.hidden_size}, "
                f"{c.num_heads} heads, {c.depth_triple_blocks}+{c.depth_single_blocks} blocks): {problem}. "
                "Check that the weights file matches the model size (XXL or XL) or its config.yaml."
            )
        self.load_state_dict(sd, strict=True, assign=assign)
        self._rotary.clear()

    # -- conditioning ----------------------------------------------------------------------------
    def empty_features(self, batch: int, clip_len: int, sync_len: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The learned "no video" features, broadcast to the real features' lengths."""
        clip = self.empty_clip_feat.unsqueeze(0).expand(batch, clip_len, -1)
        sync = self.empty_sync_feat.unsqueeze(0).expand(batch, sync_len, -1)
        return clip, sync

    def project_sync(self, sync_feat: torch.Tensor, latent_len: int) -> torch.Tensor:
        """(B, Ns, Ds) Synchformer tokens -> (B, N, H): window position, projection, stretch."""
        b, ns, ds = sync_feat.shape
        if ns % SYNC_TOKENS_PER_SEGMENT or ds != self.config.sync_feat_dim:
            raise InvalidInput(
                f"sync features must be (B, 8·windows, {self.config.sync_feat_dim}), got {tuple(sync_feat.shape)}")
        x = sync_feat.view(b, ns // SYNC_TOKENS_PER_SEGMENT, SYNC_TOKENS_PER_SEGMENT, ds) + self.sync_pos_emb
        return upsample_tokens(self.sync_in(x.view(b, ns, ds)), latent_len)

    def prepare_conditions(
        self, clip_feat: torch.Tensor, sync_feat: torch.Tensor, text_feat: torch.Tensor, latent_len: int,
        *, capture: Capture = None,
    ) -> HunyuanConditions:
        cfg = self.config
        if clip_feat.shape[-1] != cfg.clip_dim or text_feat.shape[-1] != cfg.condition_dim:
            raise InvalidInput(
                f"expected visual features of width {cfg.clip_dim} and text features of width "
                f"{cfg.condition_dim}, got {tuple(clip_feat.shape)} and {tuple(text_feat.shape)}")
        sync = self.project_sync(sync_feat, latent_len)
        text = self.cond_in(text_feat)
        visual = self.visual_proj(clip_feat)
        if capture is not None:
            capture.update(cond_in=text, visual_proj=visual)
            capture["sync_in"] = self.sync_in(
                (sync_feat.unflatten(1, (-1, SYNC_TOKENS_PER_SEGMENT)) + self.sync_pos_emb).flatten(1, 2))
        return HunyuanConditions(visual=visual, sync=sync, text=text)

    def _rotary_for(self, n: int, nv: int, nl: int, device: torch.device) -> Rotary:
        key = (n, nv, nl, str(device))
        if key not in self._rotary:
            if len(self._rotary) > 8:  # a handful of window lengths per shot; never grow unbounded
                self._rotary.clear()
            self._rotary[key] = Rotary.plan(self.config, n, nv, nl, device)
        return self._rotary[key]

    # -- the velocity field ---------------------------------------------------------------------
    def velocity(
        self, x: torch.Tensor, t: torch.Tensor, conditions: HunyuanConditions, *, capture: Capture = None,
    ) -> torch.Tensor:
        """d x / d σ (B, C, N) for latents x (B, C, N) at model times t (B,) in 0…1000."""
        b, c, n = x.shape
        if c != self.config.audio_vae_latent_dim or conditions.sync.shape[1] != n:
            raise InvalidInput(f"latent {tuple(x.shape)} does not fit the conditions prepared for {conditions.sync.shape[1]} frames")
        vec = self.time_in(t)
        audio = self.audio_embedder(x)
        if capture is not None:
            capture.update(t_freq_embedding=self.time_in.timestep_embedding(t), vec=vec, audio_embedder=audio)
        audio = audio + conditions.sync
        visual, text = conditions.visual, conditions.text
        rotary = self._rotary_for(n, visual.shape[1], text.shape[1], x.device)
        for i, block in enumerate(self.triple_blocks):
            if capture is not None and i == 0:
                capture["triple_block_0.in.audio"] = audio
            audio, visual = block(audio, visual, text, vec, rotary, capture=capture, prefix=f"triple_block_{i}")
            if capture is not None:
                capture[f"triple_block_{i}.audio"], capture[f"triple_block_{i}.v_cond"] = audio, visual
        c_tokens = conditions.sync + vec.unsqueeze(1)
        if capture is not None:
            capture["single_vec"] = c_tokens
        for i, block in enumerate(self.single_blocks):
            audio = block(audio, c_tokens, rotary, capture=capture, prefix=f"single_block_{i}")
            if capture is not None:
                capture[f"single_block_{i}"] = audio
        return self.final_layer(audio).transpose(1, 2)

    def forward(
        self, x: torch.Tensor, t: torch.Tensor, clip_feat: torch.Tensor, cond: torch.Tensor, sync_feat: torch.Tensor,
        *, capture: Capture = None,
    ) -> torch.Tensor:
        """The reference's call: ``model(x, t, clip_feat=..., cond=..., sync_feat=...)["x"]``."""
        conditions = self.prepare_conditions(clip_feat, sync_feat, cond, x.shape[-1], capture=capture)
        return self.velocity(x, t, conditions, capture=capture)
