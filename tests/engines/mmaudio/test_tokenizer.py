"""CLIP BPE tokenization as open_clip does it: SOT, BPE ids, EOT, zero padding to 77."""

from __future__ import annotations

import json

import pytest

from foleyline.errors import NotFound
from foleyline.server.engines.mmaudio.tokenizer import CLIPTokenizer

from .conftest import write_tiny_tokenizer


def test_merges_apply_and_padding_is_zero(tmp_path):
    write_tiny_tokenizer(tmp_path)
    vocab = json.loads((tmp_path / "vocab.json").read_text())
    tok = CLIPTokenizer.from_folder(tmp_path)
    ids = tok(["Foo  STEP!", ""])
    assert ids.shape == (2, 77)
    row = ids[0].tolist()
    assert row[:5] == [vocab["<|startoftext|>"], vocab["foo</w>"], vocab["step</w>"], vocab["!</w>"],
                       vocab["<|endoftext|>"]]
    assert set(row[5:]) == {0}
    assert ids[1, :2].tolist() == [vocab["<|startoftext|>"], vocab["<|endoftext|>"]]


def test_long_text_is_truncated_keeping_the_end_token(tmp_path):
    write_tiny_tokenizer(tmp_path)
    tok = CLIPTokenizer.from_folder(tmp_path, context_length=8)
    ids = tok(["foo " * 20])[0].tolist()
    assert len(ids) == 8 and ids[-1] == tok.eot_id


def test_missing_files_say_how_to_get_them(tmp_path):
    with pytest.raises(NotFound, match="foleyline models pull"):
        CLIPTokenizer.from_folder(tmp_path)
