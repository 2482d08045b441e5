"""The external encoders ThinkSound's features come from, loaded through transformers from a
LOCAL folder only (``local_files_only``; weights are fetched by ``foleyline models pull``):

- T5 v1_1-xl encoder (``google/t5-v1_1-xl``): the CoT text → (77, 2048) hidden states;
- MetaCLIP H/14 (``facebook/metaclip-h14-fullcc2.5b``, a ``CLIPModel``): the caption →
  (77, 1024) text hidden states, and video frames at 8 fps → projected image embeddings.

The recipes follow the reference's feature extraction (FIXTURES manifest, external_encoders).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from foleyline.errors import InvalidInput, Unavailable
from foleyline.server.engines.thinksound.configuration_thinksound import TEXT_TOKENS

__all__ = ["MetaClipEncoder", "T5TextEncoder", "pad_to_square"]


def _require_folder(folder: Path, what: str) -> Path:
    folder = Path(folder)
    if not (folder / "config.json").is_file():
        raise Unavailable(
            f"the {what} model is missing: expected a transformers folder at {folder} "
            "(with config.json); run `foleyline models pull thinksound`"
        )
    return folder


class T5TextEncoder:
    """Chain-of-thought text → T5 encoder hidden states, 77 tokens (padded, never silently cut:
    callers check ``count_tokens`` first and report overlong text)."""

    def __init__(self, folder: Path, *, device: str | torch.device = "cpu", dtype: torch.dtype = torch.float32) -> None:
        from transformers import AutoTokenizer, T5EncoderModel  # heavy (transformers): only when loading

        folder = _require_folder(folder, "T5 text encoder")
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        self.model = T5EncoderModel.from_pretrained(str(folder), local_files_only=True, dtype=dtype).to(device).eval()
        self.device = torch.device(device)

    @property
    def width(self) -> int:
        return int(self.model.config.d_model)

    def count_tokens(self, text: str) -> int:
        """Tokens the text takes, including the end-of-sequence token, before any truncation."""
        return len(self.tokenizer(text, truncation=False)["input_ids"])

    @torch.no_grad()
    def encode(self, texts: list[str]) -> torch.Tensor:
        batch = self.tokenizer(texts, truncation=True, padding="max_length", max_length=TEXT_TOKENS, return_tensors="pt")
        out = self.model(input_ids=batch.input_ids.to(self.device), attention_mask=batch.attention_mask.to(self.device))
        return out.last_hidden_state.float()


def pad_to_square(frames: np.ndarray) -> np.ndarray:
    """(T, H, W, 3) uint8 → (T, S, S, 3) with the picture centred on black, S = max(H, W); the
    reference pads rather than crops, so nothing at the frame edges is lost."""
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise InvalidInput(f"expected RGB frames (T, H, W, 3), got {frames.shape}")
    t, h, w, _ = frames.shape
    side = max(h, w)
    out = np.zeros((t, side, side, 3), dtype=frames.dtype)
    top, left = (side - h) // 2, (side - w) // 2
    out[:, top:top + h, left:left + w] = frames
    return out


class MetaClipEncoder:
    """MetaCLIP (a ``CLIPModel``): caption token states and per-frame image embeddings."""

    def __init__(self, folder: Path, *, device: str | torch.device = "cpu", dtype: torch.dtype = torch.float32) -> None:
        from transformers import AutoProcessor, CLIPModel  # heavy (transformers): only when loading

        folder = _require_folder(folder, "MetaCLIP")
        self.processor = AutoProcessor.from_pretrained(str(folder), local_files_only=True)
        self.model = CLIPModel.from_pretrained(str(folder), local_files_only=True, dtype=dtype).to(device).eval()
        self.device = torch.device(device)
        self.dtype = dtype

    @property
    def image_width(self) -> int:
        return int(self.model.config.projection_dim)

    @property
    def text_width(self) -> int:
        return int(self.model.config.text_config.hidden_size)

    def count_tokens(self, text: str) -> int:
        return len(self.processor.tokenizer(text, truncation=False)["input_ids"])

    @torch.no_grad()
    def encode_text(self, captions: list[str]) -> torch.Tensor:
        """(B, 77, text width) last hidden states of the caption."""
        batch = self.processor.tokenizer(
            captions, truncation=True, padding="max_length", max_length=TEXT_TOKENS, return_tensors="pt"
        )
        out = self.model.text_model(input_ids=batch.input_ids.to(self.device), attention_mask=batch.attention_mask.to(self.device))
        return out.last_hidden_state.float()

    @torch.no_grad()
    def encode_frames(self, frames: np.ndarray, *, batch_size: int = 16) -> torch.Tensor:
        """(T, H, W, 3) uint8 frames → (T, projection width) image embeddings (not normalised)."""
        squared = pad_to_square(frames)
        chunks = []
        for start in range(0, len(squared), batch_size):
            images = list(squared[start:start + batch_size])
            pixels = self.processor.image_processor(images=images, return_tensors="pt").pixel_values
            out = self.model.get_image_features(pixel_values=pixels.to(self.device, self.dtype))
            chunks.append((out if isinstance(out, torch.Tensor) else out.pooler_output).float())
        return torch.cat(chunks, dim=0)
