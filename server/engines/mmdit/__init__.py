"""Network pieces shared by the MMAudio, ThinkSound and HunyuanVideo-Foley engines (the MM-DiT
family).

Attribute names equal checkpoint keys: renaming one breaks loading of the official weights.

- ``layers``: gated FFNs (linear and token-axis convolution), channel-last convolution (on the
  CPU the faster of two kernels per shape), the two-layer GELU MLP.
- ``rotary``: adjacent-pair rotary tables and their application.
- ``attention``: fused-qkv self-attention with per-head q/k RMSNorm; joint attention; the two
  fused-projection layouts (``split_heads``).
- ``blocks``: adaLN single-stream block, joint block (incl. pre-only), final block, and the
  trunk that runs the joint then the fused blocks.
- ``timestep``: sinusoidal timestep embedding + MLP.
- ``sync``: nearest-exact time upsampling with PyTorch's float32 index rule; ``TokenRows`` (per-token
  conditioning as its distinct rows).
- ``sampler``: Euler flow-matching sampler over any ``fn(t, x)``, with CFG helper.
- ``precision``: the dtype per device (bf16/fp16 on a GPU, float32 on the CPU).
"""

from foleyline.server.engines.mmdit.attention import SelfAttention, attention, joint_attention, split_heads
from foleyline.server.engines.mmdit.blocks import FinalBlock, JointBlock, MMDitSingleBlock, modulate, run_trunk
from foleyline.server.engines.mmdit.layers import MLP, ChannelLastConv1d, ConvMLP, FeedForward, conv_kernel, ffn_hidden_dim
from foleyline.server.engines.mmdit.precision import compute_dtype
from foleyline.server.engines.mmdit.rotary import apply_rope, compute_rope_rotations
from foleyline.server.engines.mmdit.sampler import cfg_combine, euler_sample, euler_times
from foleyline.server.engines.mmdit.sync import TokenRows, distinct_rows, nearest_exact_index, upsample_tokens
from foleyline.server.engines.mmdit.timestep import TimestepEmbedder

__all__ = [
    "MLP",
    "ChannelLastConv1d",
    "ConvMLP",
    "FeedForward",
    "FinalBlock",
    "JointBlock",
    "MMDitSingleBlock",
    "SelfAttention",
    "TimestepEmbedder",
    "TokenRows",
    "apply_rope",
    "attention",
    "cfg_combine",
    "distinct_rows",
    "compute_dtype",
    "compute_rope_rotations",
    "conv_kernel",
    "euler_sample",
    "euler_times",
    "ffn_hidden_dim",
    "joint_attention",
    "modulate",
    "nearest_exact_index",
    "run_trunk",
    "split_heads",
    "upsample_tokens",
]
