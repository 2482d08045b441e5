"""Time upsampling of sync tokens to the latent length with PyTorch's "nearest-exact" rule.

PyTorch forms the source index as floor((dst + 0.5) · s) where s = src/dst is rounded to
float32 and the product is float32. At some lengths (192→345, 216→194) this differs from exact
arithmetic, and checkpoints were trained with the float32 rule, so we reproduce it explicitly and
gather (independent of the tensor dtype).
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["TokenRows", "nearest_exact_index", "upsample_rows", "upsample_tokens"]


class TokenRows:
    """Per-token conditioning (B, N, H) held as its distinct rows (B, R, H) and the row each
    token reads (N,). The sync features are nearest-upsampled to the latent length, so the N
    tokens repeat R < N rows (192 of 250 in small_16k, of 345 in the 44k models), and an adaLN
    map (a sixth of a step's matmuls) need only map the rows: the same rows, fewer of them."""

    def __init__(self, rows: torch.Tensor, index: torch.Tensor) -> None:
        self.rows = rows
        self.index = index

    def map(self, fn) -> torch.Tensor:
        return fn(self.rows).index_select(1, self.index)

    def dense(self) -> torch.Tensor:
        return self.rows.index_select(1, self.index)


def nearest_exact_index(src_len: int, dst_len: int) -> torch.Tensor:
    """(dst_len,) int64: which source token feeds each destination position."""
    if src_len <= 0 or dst_len <= 0:
        raise ValueError(f"lengths must be positive: {src_len=} {dst_len=}")
    scale = np.float32(src_len) / np.float32(dst_len)  # float32 division, like the C++ kernel
    pos = np.arange(dst_len, dtype=np.float32) + np.float32(0.5)
    idx = np.floor(pos * np.float32(scale)).astype(np.int64)
    return torch.from_numpy(np.minimum(idx, src_len - 1))


def upsample_tokens(x: torch.Tensor, dst_len: int) -> torch.Tensor:
    """(B, src, C) -> (B, dst_len, C) by nearest-exact along the token axis."""
    idx = nearest_exact_index(x.shape[1], dst_len).to(x.device)
    return x.index_select(1, idx)


def upsample_rows(x: torch.Tensor, dst_len: int) -> torch.Tensor | TokenRows:
    """``upsample_tokens`` kept as its distinct rows when it repeats some (a ``TokenRows``),
    else the upsampled tensor itself."""
    if x.shape[1] >= dst_len:
        return upsample_tokens(x, dst_len)
    return TokenRows(x, nearest_exact_index(x.shape[1], dst_len).to(x.device))
