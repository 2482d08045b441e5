"""The conditioning encoders, loaded through transformers from LOCAL folders only (the weights
come from ``foleyline models pull``; nothing is fetched here):

- SigLIP2 (``google/siglip2-base-patch16-512``, a fixed-resolution SigLIP checkpoint):
  frames at 8 fps, squashed to 512×512, scaled to [0, 1] and normalised (x − 0.5)/0.5, then
  ``get_image_features`` (the attention-pooled vector, not L2-normalised): (T, 768).
- CLAP (``laion/larger_clap_general``) text tower: ``[negative, prompt]`` tokenised together
  (padded to the longer, no truncation), ``last_hidden_state`` (the unprojected token states,
  not ``text_embeds``), cut to the network's text length: (2, L, 768). The attention mask goes
  to CLAP but not to the flow network, as in the reference.

Both (and the Synchformer) can sit on the CPU and visit the accelerator only while encoding
(``visiting``), which is how the engine fits a smaller GPU.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

from foleyline.errors import InvalidInput, Unavailable

__all__ = ["ClapTextEncoder", "SiglipFrameEncoder", "siglip_pixels", "visiting"]

SIGLIP_SIZE = 512


def _require_folder(folder: Path, what: str, package: str) -> Path:
    folder = Path(folder)
    if not (folder / "config.json").is_file():
        raise Unavailable(
            f"the {what} model is missing: expected a transformers folder at {folder} (with config.json); "
            f"run `foleyline models pull {package}`"
        )
    return folder


@contextmanager
def visiting(module: torch.nn.Module, device: torch.device):
    """Run ``module`` on ``device``: an encoder kept on the CPU (offloaded) visits the
    accelerator for the call and goes back after it, freeing its memory for the network."""
    home = next(module.parameters()).device
    if home != device:
        module.to(device)
    try:
        yield module
    finally:
        if home != device:
            module.to(home)
            if device.type == "cuda":
                torch.cuda.empty_cache()


class _Encoder:
    """A transformers model that runs on ``device`` in ``dtype``; where it lives between calls
    is the caller's choice (``model.to(...)``), see ``visiting``."""

    model: torch.nn.Module

    def __init__(self, device: torch.device, dtype: torch.dtype) -> None:
        self.device, self.dtype = device, dtype
        self.model.to(dtype).eval().requires_grad_(False)


def siglip_pixels(frames: np.ndarray, size: int = SIGLIP_SIZE) -> torch.Tensor:
    """(T, H, W, 3) uint8 RGB -> (T, 3, size, size) float in -1..1 (the reference's transform:
    resize without keeping the aspect ratio, to [0, 1], normalise with mean = std = 0.5)."""
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise InvalidInput(f"expected RGB frames (T, H, W, 3), got {frames.shape}")
    x = torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2).float() / 255.0
    if x.shape[-2:] != (size, size):
        x = torch.nn.functional.interpolate(x, size=(size, size), mode="bilinear", antialias=True,
                                            align_corners=False).clamp(0.0, 1.0)
    return (x - 0.5) / 0.5


class SiglipFrameEncoder(_Encoder):
    def __init__(self, folder: Path, *, device: torch.device, dtype: torch.dtype = torch.float32,
                 package: str = "hunyuan-foley") -> None:
        from transformers import AutoModel  # deferred: transformers is heavy

        folder = _require_folder(folder, "SigLIP2", package)
        self.model = AutoModel.from_pretrained(str(folder), local_files_only=True)
        if not hasattr(self.model, "get_image_features"):
            raise InvalidInput(f"{folder} holds a {type(self.model).__name__}, not a SigLIP image-text model")
        vision = getattr(self.model.config, "vision_config", None)
        self.image_size = int(getattr(vision, "image_size", SIGLIP_SIZE))
        self.width = int(getattr(vision, "hidden_size", 0))
        super().__init__(device, dtype)

    @torch.no_grad()
    def encode(self, frames: np.ndarray, *, batch_size: int = 16) -> torch.Tensor:
        """(T, H, W, 3) uint8 frames -> (T, width) float32 features."""
        chunks = []
        with visiting(self.model, self.device):
            for start in range(0, len(frames), batch_size):
                pixels = siglip_pixels(frames[start:start + batch_size], self.image_size)
                out = self.model.get_image_features(pixel_values=pixels.to(self.device, self.dtype))
                chunks.append((out if isinstance(out, torch.Tensor) else out.pooler_output).float())
        return torch.cat(chunks, dim=0)


class ClapTextEncoder(_Encoder):
    def __init__(self, folder: Path, *, device: torch.device, dtype: torch.dtype = torch.float32,
                 package: str = "hunyuan-foley") -> None:
        from transformers import AutoTokenizer, ClapTextModelWithProjection

        folder = _require_folder(folder, "CLAP text", package)
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        self.model = ClapTextModelWithProjection.from_pretrained(str(folder), local_files_only=True)
        self.width = int(self.model.config.hidden_size)
        # RoBERTa positions start after the padding index: 2 fewer tokens than positions
        self.max_length = min(int(self.tokenizer.model_max_length), int(self.model.config.max_position_embeddings) - 2)
        super().__init__(device, dtype)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, truncation=False)["input_ids"])

    @torch.no_grad()
    def encode(self, texts: list[str], max_tokens: int) -> torch.Tensor:
        """(len(texts), L, width) float32 token states, L = the longest text's tokens, at most
        ``max_tokens`` (longer texts are cut there, as the reference cuts them)."""
        # no truncation below CLAP's own position limit, as the reference; the cut is after
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length,
                               return_tensors="pt")
        with visiting(self.model, self.device):
            out = self.model(input_ids=batch["input_ids"].to(self.device),
                             attention_mask=batch["attention_mask"].to(self.device))
        return out.last_hidden_state[:, :max_tokens].float()
