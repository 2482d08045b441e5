"""CLIP's byte-level BPE tokenizer, read from the model folder's ``vocab.json`` + ``merges.txt``.

Token ids follow open_clip: [SOT] + BPE ids (truncated) + [EOT], then zeros up to 77. MMAudio
uses the features of all 77 positions, so the zero padding (not EOT padding) matters.
"""

from __future__ import annotations

import functools
import html
import json
from pathlib import Path

import ftfy
import regex
import torch

from foleyline.errors import NotFound

__all__ = ["CLIPTokenizer"]

SOT, EOT = "<|startoftext|>", "<|endoftext|>"
_PATTERN = regex.compile(
    r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
    regex.IGNORECASE,
)


@functools.lru_cache(maxsize=1)
def _bytes_to_unicode() -> dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs), strict=True))


def _clean(text: str) -> str:
    # ftfy first, as open_clip does: mojibake repaired the same way gives the same tokens
    text = ftfy.fix_text(text)
    text = html.unescape(html.unescape(text))
    return " ".join(text.split()).strip().lower()


class CLIPTokenizer:
    def __init__(self, vocab_file: Path, merges_file: Path, *, context_length: int = 77) -> None:
        for f in (vocab_file, merges_file):
            if not f.is_file():
                raise NotFound(f"CLIP tokenizer file {f} is missing; run `foleyline models pull` for the model")
        self.encoder: dict[str, int] = json.loads(vocab_file.read_text(encoding="utf-8"))
        lines = merges_file.read_text(encoding="utf-8").splitlines()
        merges = [tuple(line.split()) for line in lines if line and not line.startswith("#")]
        self.bpe_ranks = {pair: i for i, pair in enumerate(merges) if len(pair) == 2}
        self.context_length = context_length
        self.sot_id = self.encoder[SOT]
        self.eot_id = self.encoder[EOT]
        self._byte_encoder = _bytes_to_unicode()
        self._cache: dict[str, list[str]] = {}

    @classmethod
    def from_folder(cls, folder: Path, *, context_length: int = 77) -> CLIPTokenizer:
        return cls(folder / "vocab.json", folder / "merges.txt", context_length=context_length)

    def _bpe(self, token: str) -> list[str]:
        if token in self._cache:
            return self._cache[token]
        word = [*token[:-1], token[-1] + "</w>"]
        while len(word) > 1:
            pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
            best = min(pairs, key=lambda p: self.bpe_ranks.get(p, float("inf")))
            if best not in self.bpe_ranks:
                break
            merged: list[str] = []
            i = 0
            while i < len(word):
                if i < len(word) - 1 and (word[i], word[i + 1]) == best:
                    merged.append(word[i] + word[i + 1])
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        self._cache[token] = word
        return word

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        for piece in _PATTERN.findall(_clean(text)):
            chars = "".join(self._byte_encoder[b] for b in piece.encode("utf-8"))
            ids.extend(self.encoder[t] for t in self._bpe(chars) if t in self.encoder)
        return ids

    def __call__(self, texts: list[str]) -> torch.Tensor:
        """(len(texts), context_length) int64 token ids."""
        out = torch.zeros(len(texts), self.context_length, dtype=torch.long)
        for row, text in enumerate(texts):
            ids = [self.sot_id, *self.encode(text)][: self.context_length - 1] + [self.eot_id]
            out[row, : len(ids)] = torch.tensor(ids)
        return out
