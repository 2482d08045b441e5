"""The CLIP models the zero-shot labeller (``zero_shot.py``) can embed with, each as an
``Embedder``: unit-length image and text embeddings in one space, and the model's logit scale.

- ``HfClip``: a transformers CLIP folder (the ``clip-vit-b32`` package, or any CLIPModel folder);
- ``Dfn5bClip``: MMAudio's DFN5B CLIP ViT-H/14 from the ``mmaudio-features`` folder, reused
  with no extra download (its text tower pooled and projected as CLIP is meant).

Both load from a local folder only and run where ``devices.placement`` says (a GPU when there
is one). torch and transformers are imported when a model is loaded, not before.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from foleyline.errors import InvalidInput, NotFound, Unavailable
from foleyline.server.notes.devices import placement

__all__ = ["HfClip", "Dfn5bClip"]


def _weights_key(path: Path) -> str:
    """Which weights these are, for caches: the file's name, size and time."""
    stat = path.stat()
    return f"{path.parent.name}-{path.name}-{stat.st_size}-{int(stat.st_mtime)}"


class HfClip:
    """A transformers ``CLIPModel`` folder (config.json, weights, tokenizer, image processor)."""

    def __init__(self, folder: Path) -> None:
        # Deferred: torch and transformers are heavy and needed only once a CLIP is installed.
        import torch
        from transformers import AutoImageProcessor, AutoTokenizer, CLIPModel

        self.folder = Path(folder)
        self.name = self.folder.name
        self.placement = placement()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.folder, local_files_only=True)
            self.image_processor = AutoImageProcessor.from_pretrained(self.folder, local_files_only=True)
            model = CLIPModel.from_pretrained(self.folder, local_files_only=True, dtype=getattr(torch, self.placement.dtype))
        except (OSError, ValueError, KeyError) as exc:
            raise Unavailable(f"the CLIP model in {self.folder} could not be loaded ({exc}); "
                              "check the folder holds config.json, the weights, tokenizer and preprocessor files") from exc
        self.model = model.to(self.placement.device).eval()
        self.logit_scale = float(self.model.logit_scale.detach().exp())
        weights = next((p for p in (self.folder / "model.safetensors", self.folder / "pytorch_model.bin") if p.is_file()),
                       self.folder / "config.json")
        self.cache_key = _weights_key(weights)
        self._torch = torch
        self._lock = threading.Lock()

    def _unit(self, out) -> np.ndarray:  # out: a tensor, or a model output holding one
        out = out if isinstance(out, self._torch.Tensor) else out.pooler_output
        out = out.float()
        return (out / out.norm(dim=-1, keepdim=True)).cpu().numpy()

    def embed_images(self, frames: Sequence[np.ndarray]) -> np.ndarray:
        with self._lock, self._torch.inference_mode():
            pixels = self.image_processor(images=[np.ascontiguousarray(f) for f in frames], return_tensors="pt")
            values = pixels["pixel_values"].to(self.placement.device, self.model.dtype)
            return self._unit(self.model.get_image_features(pixel_values=values))

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock, self._torch.inference_mode():
            enc = self.tokenizer(list(texts), padding=True, truncation=True, return_tensors="pt").to(self.placement.device)
            return self._unit(self.model.get_text_features(**enc))


class Dfn5bClip:
    """MMAudio's DFN5B CLIP (open_clip checkpoint and CLIP BPE files in ``mmaudio-features``)."""

    CLIP_FILE = "open_clip_pytorch_model.bin"

    def __init__(self, folder: Path) -> None:
        # Deferred: torch and the MMAudio modules (torch at import) load only when this is used.
        import torch

        from foleyline.server.engines.checkpoints import load_state_dict
        from foleyline.server.engines.mmaudio.clip import DFN5BCLIPConfig, load_clip
        from foleyline.server.engines.mmaudio.tokenizer import CLIPTokenizer

        self.folder = Path(folder)
        self.name = "dfn5b-clip"
        self.placement = placement()
        try:
            state = load_state_dict(self.folder / self.CLIP_FILE)
            self.config = DFN5BCLIPConfig.from_state_dict(state)
            model = load_clip(state, self.config)
            self.tokenizer = CLIPTokenizer.from_folder(self.folder, context_length=self.config.context_length)
        except (NotFound, InvalidInput) as exc:
            raise Unavailable(f"MMAudio's CLIP in {self.folder} could not be loaded ({exc}); "
                              "run `foleyline models pull mmaudio-features`") from exc
        self.model = model.eval().requires_grad_(False).to(self.placement.device, getattr(torch, self.placement.dtype))
        self.logit_scale = float(model.logit_scale.detach().exp())
        self.cache_key = _weights_key(self.folder / self.CLIP_FILE)
        self._torch = torch
        self._lock = threading.Lock()

    def embed_images(self, frames: Sequence[np.ndarray]) -> np.ndarray:
        torch = self._torch
        size = self.config.input_size
        with self._lock, torch.inference_mode():
            pixels = torch.from_numpy(np.stack([np.ascontiguousarray(f) for f in frames])).permute(0, 3, 1, 2)
            pixels = torch.nn.functional.interpolate(pixels.float() / 255.0, size=(size, size), mode="bicubic",
                                                     align_corners=False, antialias=True).clamp(0.0, 1.0)
            pixels = self.model.normalize_frames(pixels).to(self.placement.device, self.model.visual.proj.dtype)
            return self.model.encode_image(pixels).float().cpu().numpy()

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        torch = self._torch
        with self._lock, torch.inference_mode():
            tokens = self.tokenizer(list(texts))
            longest = int((tokens != 0).sum(dim=1).max())  # the rest is padding: causal attention ignores it
            return self.model.encode_text(tokens[:, :longest].to(self.placement.device)).float().cpu().numpy()
