"""Time upsampling of sync tokens to the latent length with PyTorch's "nearest-exact" rule, and
per-token conditioning kept as its distinct rows (``TokenRows``).

PyTorch forms the source index as floor((dst + 0.5) · s) where s = src/dst is rounded to
float32 and the product is float32. At some lengths (192→345, 216→194) this differs from exact
arithmetic, and checkpoints were trained with the float32 rule, so we reproduce it explicitly and
gather (independent of the tensor dtype).
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["TokenRows", "distinct_rows", "nearest_exact_index", "upsample_tokens"]


class TokenRows:
    """Per-token conditioning (B, N, H) held as its distinct rows: ``rows`` (M, H), the row each
    token of each batch element reads (``index``, (B, N) into ``rows``) and the batch element each
    row belongs to (``owner``, (M,)). An adaLN map (a sixth of a step's matmuls) then maps only
    the distinct rows: the sync features are nearest-upsampled to the latent length (192 distinct
    rows of 250 in small_16k), and the unconditional branch's are one learned feature repeated
    (a few distinct rows near the edges, where the convolutions see the zero padding)."""

    def __init__(self, rows: torch.Tensor, index: torch.Tensor, owner: torch.Tensor) -> None:
        self.rows = rows
        self.index = index
        self.owner = owner

    @classmethod
    def of(cls, x: torch.Tensor) -> TokenRows:
        """The distinct rows of (B, N, H), per batch element (rows equal bit for bit are one)."""
        rows, index, owner, offset = [], [], [], 0
        for b, element in enumerate(x):
            distinct, inverse = torch.unique(element, dim=0, return_inverse=True)
            rows.append(distinct)
            index.append(inverse + offset)
            owner.append(torch.full((len(distinct),), b, dtype=torch.long, device=x.device))
            offset += len(distinct)
        return cls(torch.cat(rows), torch.stack(index), torch.cat(owner))

    @staticmethod
    def cat(parts: list[TokenRows]) -> TokenRows:
        """The batch elements of ``parts`` one after the other (like ``torch.cat`` on dim 0)."""
        rows, index, owner, offset, batch = [], [], [], 0, 0
        for part in parts:
            rows.append(part.rows)
            index.append(part.index + offset)
            owner.append(part.owner + batch)
            offset += len(part.rows)
            batch += len(part.index)
        return TokenRows(torch.cat(rows), torch.cat(index), torch.cat(owner))

    @property
    def batch(self) -> int:
        return len(self.index)

    def plus(self, per_element: torch.Tensor) -> TokenRows:
        """Add a (B, 1, H) or (B, H) vector per batch element to every token of that element."""
        return TokenRows(self.rows + per_element.reshape(self.batch, -1).index_select(0, self.owner),
                         self.index, self.owner)

    def map(self, fn) -> torch.Tensor:
        """``fn`` of the dense (B, N, H) tensor, evaluated on the distinct rows only."""
        mapped = fn(self.rows)
        return mapped.index_select(0, self.index.flatten()).view(*self.index.shape, mapped.shape[-1])

    def dense(self) -> torch.Tensor:
        return self.map(lambda rows: rows)


def distinct_rows(x: torch.Tensor) -> torch.Tensor | TokenRows:
    """(B, N, H) as a ``TokenRows`` when some of its rows repeat, else ``x`` itself."""
    rows = TokenRows.of(x)
    return rows if len(rows.rows) < x.shape[0] * x.shape[1] else x


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
