"""What the frames show, by zero-shot classification with a local CLIP model (transformers).

The analysis writer uses the best labels to colour its prompts ("sharp impacts, hitting metal")
and its reasoning. Optional: without a CLIP folder the writer works from motion alone. Weights
come from ``$FOLEYLINE_CLIP_DIR`` or ``<models dir>/clip`` (a transformers CLIP folder, e.g. a
copy of openai/clip-vit-base-patch32); nothing is downloaded.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from foleyline import config
from foleyline.errors import Unavailable

__all__ = ["SCENE_LABELS", "find_clip", "ZeroShot", "load_zero_shot"]

log = logging.getLogger(__name__)

CLIP_ENV = "FOLEYLINE_CLIP_DIR"

# Things a Foley editor would name, phrased as CLIP captions are.
SCENE_LABELS: tuple[str, ...] = (
    "footsteps on a hard floor", "a person walking outdoors", "a person running", "hands handling an object",
    "hitting metal", "hitting a bag", "chopping food in a kitchen", "cooking in a kitchen", "an axe splitting wood",
    "hammering on an anvil", "a gun firing", "an explosion", "a car on a road", "a door opening or closing",
    "breaking glass", "walking on ice or snow", "a dog", "birds", "rain", "wind in trees", "running water",
    "the sea", "fire", "a crowd of people", "people talking", "an office room", "a city street", "a forest",
    "a sports game", "a machine working",
)


def find_clip(models_dir: Path | None = None) -> Path | None:
    env = config.value("clip_dir")
    folder = Path(env) if env else (models_dir or config.models_dir()) / "clip"
    try:
        model_type = json.loads((folder / "config.json").read_text()).get("model_type")
    except (OSError, ValueError, AttributeError):
        return None
    return folder if model_type == "clip" else None


class ZeroShot:
    def __init__(self, folder: Path) -> None:
        # Deferred: torch and transformers are heavy and needed only once a CLIP model is installed.
        import torch
        from transformers import AutoImageProcessor, AutoTokenizer, CLIPModel

        self.folder = Path(folder)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.folder, local_files_only=True)
            self.image_processor = AutoImageProcessor.from_pretrained(self.folder, local_files_only=True)
            self.model = CLIPModel.from_pretrained(self.folder, local_files_only=True).eval()
        except (OSError, ValueError, KeyError) as exc:
            raise Unavailable(f"the CLIP model in {self.folder} could not be loaded ({exc})") from exc
        self._torch = torch
        self._lock = threading.Lock()
        self._text_cache: dict[tuple[str, ...], object] = {}

    def _text_features(self, labels: tuple[str, ...]):  # -> torch.Tensor
        if labels not in self._text_cache:
            enc = self.tokenizer(list(labels), padding=True, return_tensors="pt")
            out = self.model.get_text_features(**enc)
            out = out if isinstance(out, self._torch.Tensor) else out.pooler_output
            self._text_cache[labels] = out / out.norm(dim=-1, keepdim=True)
        return self._text_cache[labels]

    def labels(self, frames: Sequence[np.ndarray], candidates: Sequence[str] = SCENE_LABELS, *, top_k: int = 3,
               min_probability: float = 0.1) -> list[tuple[str, float]]:
        """The ``top_k`` candidates that best describe ``frames`` (RGB uint8), with probabilities,
        best first; those under ``min_probability`` are left out."""
        if not frames:
            return []
        torch = self._torch
        with self._lock, torch.inference_mode():
            pixels = self.image_processor(images=[np.ascontiguousarray(f) for f in frames], return_tensors="pt")
            image = self.model.get_image_features(pixel_values=pixels["pixel_values"])
            image = image if isinstance(image, torch.Tensor) else image.pooler_output
            image = image / image.norm(dim=-1, keepdim=True)
            shot = image.mean(dim=0, keepdim=True)  # one description for the whole shot
            shot = shot / shot.norm(dim=-1, keepdim=True)
            logits = self.model.logit_scale.exp() * shot @ self._text_features(tuple(candidates)).T
            probs = logits.softmax(dim=-1)[0].tolist()
        ranked = sorted(zip(candidates, probs), key=lambda item: -item[1])[:top_k]
        return [(label, float(p)) for label, p in ranked if p >= min_probability]


_CACHE: dict[str, ZeroShot] = {}
_CACHE_LOCK = threading.Lock()


def load_zero_shot(folder: Path | None = None) -> ZeroShot:
    folder = folder or find_clip()
    if folder is None:
        raise Unavailable(f"no CLIP model is installed: put one in {config.models_dir() / 'clip'} or set {CLIP_ENV}")
    key = str(Path(folder).resolve())
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = ZeroShot(Path(folder))
        return _CACHE[key]
