"""The Synchformer encoder: divided attention equals its plain definition; shapes per segment."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import tolerances

from foleyline.errors import InvalidInput
from foleyline.server.engines.synchformer import SynchformerConfig, SynchformerEncoder, load_synchformer, segment_frames
from foleyline.server.engines.synchformer.modeling_synchformer import DividedAttention


def _naive(attn: DividedAttention, x: torch.Tensor, frames: int, patches: int, over_time: bool) -> torch.Tensor:
    """Group by group: the CLS token attends to everything; every other token attends to CLS
    plus its own frame (space) or its own patch position across frames (time)."""
    b, n, d = x.shape
    h = attn.num_heads
    q, k, v = (t.reshape(b, n, h, d // h).transpose(1, 2) for t in attn.qkv(x).chunk(3, dim=-1))
    out = torch.zeros_like(q)
    out[:, :, :1] = F.scaled_dot_product_attention(q[:, :, :1], k, v)
    for tok in range(1, n):
        f, p = divmod(tok - 1, patches)
        group = [1 + ff * patches + p for ff in range(frames)] if over_time else [1 + f * patches + pp for pp in range(patches)]
        idx = torch.tensor([0, *group])
        out[:, :, tok : tok + 1] = F.scaled_dot_product_attention(q[:, :, tok : tok + 1], k[:, :, idx], v[:, :, idx])
    return attn.proj(out.transpose(1, 2).reshape(b, n, d))


@pytest.mark.parametrize("over_time", [True, False])
def test_divided_attention_matches_its_definition(over_time):
    torch.manual_seed(0)
    attn = DividedAttention(8, 2)
    x = torch.randn(2, 1 + 3 * 4, 8)
    ours = attn(x, frames=3, patches=4, over_time=over_time)
    assert torch.allclose(ours, _naive(attn, x, 3, 4, over_time), rtol=0, atol=tolerances.ACTIVATION)


def test_eight_tokens_per_sixteen_frame_segment():
    torch.manual_seed(0)
    model = SynchformerEncoder(SynchformerConfig(embed_dim=16, depth=1, num_heads=2, patch_size=56)).eval()
    frames = torch.rand(1, 40, 3, 224, 224)  # 40 frames -> (40 - 16) // 8 + 1 = 4 segments
    tokens = model.encode_video(frames)
    assert tokens.shape == (1, 32, 16)
    assert segment_frames(frames).shape[:3] == (1, 4, 16)


def test_too_few_frames_and_foreign_checkpoints_are_reported():
    with pytest.raises(InvalidInput, match="at least 16 frames"):
        segment_frames(torch.zeros(1, 10, 3, 8, 8))
    with pytest.raises(InvalidInput, match="vfeat_extractor"):
        load_synchformer({"afeat_extractor.x": torch.zeros(1)})
