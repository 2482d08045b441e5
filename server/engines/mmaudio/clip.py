"""The DFN5B CLIP ViT-H/14 image and text towers, in open_clip's checkpoint layout, without
open_clip or torchvision.

MMAudio uses: per video frame (8 fps, 384×384, CLIP mean/std) the pooled, projected,
L2-normalised image embedding; per text token the ``ln_final`` output of all 77 positions
(no EOT pooling, no text projection), each L2-normalised. The notes drafter reuses the model
as CLIP is meant, for zero-shot labels: ``encode_text`` pools each text at its end token and
projects it into the image embedding's space.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from foleyline.errors import InvalidInput
from foleyline.server.engines.checkpoints import fit_report

__all__ = ["CLIP_MEAN", "CLIP_STD", "DFN5BCLIP", "DFN5BCLIPConfig", "load_clip"]

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass(frozen=True)
class DFN5BCLIPConfig:
    embed_dim: int = 1024
    image_size: int = 378          # position table size; MMAudio feeds 384 px (same 27×27 grid)
    vision_layers: int = 32
    vision_width: int = 1280
    vision_head_width: int = 80
    patch_size: int = 14
    context_length: int = 77
    vocab_size: int = 49408
    text_width: int = 1024
    text_heads: int = 16
    text_layers: int = 24
    mlp_ratio: float = 4.0
    quick_gelu: bool = True
    input_size: int = 384          # the frame size MMAudio resizes to

    @property
    def grid(self) -> int:
        return self.image_size // self.patch_size

    @classmethod
    def from_state_dict(cls, sd: dict[str, torch.Tensor]) -> DFN5BCLIPConfig:
        """The architecture an open_clip state dict holds, read from its tensors' shapes. Head
        counts leave no trace in the shapes: they follow DFN5B's head widths (80 px vision, 64
        text), one head for a tower narrower than that."""
        def count(prefix: str) -> int:
            return len({k[len(prefix):].split(".")[0] for k in sd if k.startswith(prefix)})

        try:
            conv = sd["visual.conv1.weight"]
            width, patch = int(conv.shape[0]), int(conv.shape[-1])
            grid = round((sd["visual.positional_embedding"].shape[0] - 1) ** 0.5)
            text_width = int(sd["token_embedding.weight"].shape[1])
            hidden = int(sd["transformer.resblocks.0.mlp.c_fc.weight"].shape[0])
            return cls(
                embed_dim=int(sd["text_projection"].shape[1]), image_size=grid * patch,
                vision_layers=count("visual.transformer.resblocks."), vision_width=width,
                vision_head_width=width // max(1, width // 80), patch_size=patch,
                context_length=int(sd["positional_embedding"].shape[0]),
                vocab_size=int(sd["token_embedding.weight"].shape[0]), text_width=text_width,
                text_heads=max(1, text_width // 64), text_layers=count("transformer.resblocks."),
                mlp_ratio=hidden / text_width, input_size=grid * patch,
            )
        except (KeyError, IndexError) as exc:
            raise InvalidInput(f"the CLIP checkpoint is not in open_clip's layout (missing {exc})") from None


class QuickGELU(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, width: int, heads: int, mlp_ratio: float, quick_gelu: bool) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)
        self.ln_2 = nn.LayerNorm(width)
        hidden = int(width * mlp_ratio)
        self.mlp = nn.Sequential(OrderedDict([
            ("c_fc", nn.Linear(width, hidden)),
            ("gelu", QuickGELU() if quick_gelu else nn.GELU()),
            ("c_proj", nn.Linear(hidden, width)),
        ]))

    def forward(self, x: torch.Tensor, attn_mask: torch.Tensor | None = None) -> torch.Tensor:
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False, attn_mask=attn_mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width: int, layers: int, heads: int, mlp_ratio: float, quick_gelu: bool) -> None:
        super().__init__()
        self.resblocks = nn.ModuleList(
            [ResidualAttentionBlock(width, heads, mlp_ratio, quick_gelu) for _ in range(layers)]
        )

    def forward(self, x: torch.Tensor, attn_mask: torch.Tensor | None = None) -> torch.Tensor:
        for block in self.resblocks:
            x = block(x, attn_mask)
        return x


class VisionTransformer(nn.Module):
    def __init__(self, c: DFN5BCLIPConfig) -> None:
        super().__init__()
        w = c.vision_width
        scale = w**-0.5
        self.conv1 = nn.Conv2d(3, w, kernel_size=c.patch_size, stride=c.patch_size, bias=False)
        self.class_embedding = nn.Parameter(scale * torch.randn(w))
        self.positional_embedding = nn.Parameter(scale * torch.randn(c.grid * c.grid + 1, w))
        self.ln_pre = nn.LayerNorm(w)
        self.transformer = Transformer(w, c.vision_layers, w // c.vision_head_width, c.mlp_ratio, c.quick_gelu)
        self.ln_post = nn.LayerNorm(w)
        self.proj = nn.Parameter(scale * torch.randn(w, c.embed_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1(x).flatten(2).transpose(1, 2)  # (B, grid², w)
        if x.shape[1] + 1 != self.positional_embedding.shape[0]:
            raise InvalidInput(
                f"image gives {x.shape[1]} patches, the model expects {self.positional_embedding.shape[0] - 1}"
            )
        cls = self.class_embedding.to(x.dtype).expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding.to(x.dtype)
        x = self.transformer(self.ln_pre(x))
        pooled = self.ln_post(x)[:, 0]
        return pooled @ self.proj


class DFN5BCLIP(nn.Module):
    attn_mask: torch.Tensor

    def __init__(self, config: DFN5BCLIPConfig | None = None) -> None:
        super().__init__()
        c = config or DFN5BCLIPConfig()
        self.config = c
        self.visual = VisionTransformer(c)
        self.transformer = Transformer(c.text_width, c.text_layers, c.text_heads, c.mlp_ratio, c.quick_gelu)
        self.token_embedding = nn.Embedding(c.vocab_size, c.text_width)
        self.positional_embedding = nn.Parameter(torch.empty(c.context_length, c.text_width))
        self.ln_final = nn.LayerNorm(c.text_width)
        self.text_projection = nn.Parameter(torch.empty(c.text_width, c.embed_dim))
        self.logit_scale = nn.Parameter(torch.ones([]))
        mask = torch.full((c.context_length, c.context_length), float("-inf")).triu_(1)
        self.register_buffer("attn_mask", mask, persistent=False)

    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) CLIP-normalised images -> (B, embed_dim), L2-normalised."""
        return F.normalize(self.visual(images), dim=-1)

    def encode_text_tokens(self, tokens: torch.Tensor) -> torch.Tensor:
        """(B, 77) token ids -> (B, 77, text_width) per-token features, each L2-normalised."""
        x = self.token_embedding(tokens) + self.positional_embedding.to(self.token_embedding.weight.dtype)
        x = self.transformer(x, attn_mask=self.attn_mask.to(x.dtype))
        return F.normalize(self.ln_final(x), dim=-1)

    def encode_text(self, tokens: torch.Tensor) -> torch.Tensor:
        """(B, L) token ids -> (B, embed_dim): each text pooled at its end token (its highest
        id, as open_clip pools), projected, L2-normalised. Attention is causal, so the padding
        after the end token changes nothing and L may be shorter than the context length."""
        n = tokens.shape[1]
        x = self.token_embedding(tokens) + self.positional_embedding[:n].to(self.token_embedding.weight.dtype)
        x = self.ln_final(self.transformer(x, attn_mask=self.attn_mask[:n, :n].to(x.dtype)))
        pooled = x[torch.arange(x.shape[0], device=x.device), tokens.argmax(dim=-1)]
        return F.normalize(pooled @ self.text_projection, dim=-1)

    @staticmethod
    def normalize_frames(frames: torch.Tensor) -> torch.Tensor:
        """(…, 3, H, W) pixels in [0, 1] -> CLIP mean/std normalised."""
        mean = torch.tensor(CLIP_MEAN, dtype=frames.dtype, device=frames.device).view(3, 1, 1)
        std = torch.tensor(CLIP_STD, dtype=frames.dtype, device=frames.device).view(3, 1, 1)
        return (frames - mean) / std

    @torch.no_grad()
    def encode_video(self, frames: torch.Tensor, *, batch_size: int = 16) -> torch.Tensor:
        """(B, T, 3, H, W) frames in [0, 1] at 8 fps -> (B, T, embed_dim)."""
        b, t = frames.shape[:2]
        flat = self.normalize_frames(frames.reshape(b * t, *frames.shape[2:]))
        out = torch.cat([self.encode_image(flat[i : i + batch_size]) for i in range(0, b * t, batch_size)])
        return out.view(b, t, -1)


def load_clip(state_dict: dict[str, torch.Tensor], config: DFN5BCLIPConfig | None = None) -> DFN5BCLIP:
    """Strict load of an open_clip state dict (an ``attn_mask`` entry, if present, is dropped)."""
    model = DFN5BCLIP(config)
    sd = {k: v for k, v in state_dict.items() if k != "attn_mask"}
    problem = fit_report(model.state_dict(), sd)
    if problem:
        raise InvalidInput(f"the CLIP checkpoint does not fit the DFN5B ViT-H/14 layout: {problem}")
    model.load_state_dict(sd, strict=True)
    return model
