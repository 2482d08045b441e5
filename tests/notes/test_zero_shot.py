"""The zero-shot labeller's mechanics (label prompts, scores, thresholds, top-k, the embedding
cache) with a stand-in embedder whose answers are known, and the two real CLIP loaders on tiny
random models built in a temp folder (plumbing, not taste)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from foleyline.server.notes.clip_models import Dfn5bClip, HfClip
from foleyline.server.notes.zero_shot import ZeroShot, top_labels

CAPTIONS = ("a dog", "a car", "rain")


class KnownEmbedder:
    """Texts embed to the axis of the caption they contain; an image's embedding is its first
    pixel's value, read as a vector. Every call is recorded."""

    name = "known"
    cache_key = "known-v1"

    def __init__(self, logit_scale: float = 10.0) -> None:
        self.logit_scale = logit_scale
        self.texts: list[str] = []

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += list(texts)
        out = np.zeros((len(texts), 4))
        for row, text in enumerate(texts):
            hits = [i for i, caption in enumerate(CAPTIONS) if caption in text]
            out[row, hits[0] if hits else 3] = 1.0
        return out

    def embed_images(self, frames: Sequence[np.ndarray]) -> np.ndarray:
        return np.stack([f[0, 0, :4].astype(np.float64) for f in frames])


def frame(*vector: float) -> np.ndarray:
    image = np.zeros((2, 2, 4))
    image[0, 0, : len(vector)] = vector
    return image


def test_each_caption_is_asked_in_every_template_and_its_embedding_is_their_mean(tmp_path: Path) -> None:
    embedder = KnownEmbedder()
    zero_shot = ZeroShot(embedder, templates=("a photo of {}.", "a film still of {}."), cache_dir=tmp_path)
    assert zero_shot.prompts("a dog") == ["a photo of a dog.", "a film still of a dog."]
    texts = zero_shot.text_embeddings(CAPTIONS)
    assert embedder.texts == [p for c in CAPTIONS for p in zero_shot.prompts(c)]
    np.testing.assert_allclose(texts, np.eye(4)[:3], atol=1e-12)
    with pytest.raises(ValueError, match="needs a"):
        ZeroShot(embedder, templates=("no slot",))


def test_scores_are_a_softmax_of_the_scaled_cosines(tmp_path: Path) -> None:
    zero_shot = ZeroShot(KnownEmbedder(logit_scale=10.0), cache_dir=tmp_path)
    shot = zero_shot.shot_embedding([frame(0.6, 0.8)])   # cosine 0.6 with "a dog", 0.8 with "a car", 0 with rain
    probabilities = zero_shot.probabilities(shot, CAPTIONS)
    expected = np.exp([6.0, 8.0, 0.0]) / np.exp([6.0, 8.0, 0.0]).sum()
    np.testing.assert_allclose(probabilities, expected, rtol=1e-9)
    assert probabilities.sum() == pytest.approx(1.0)


def test_the_shot_is_the_mean_of_its_frames_made_unit_length(tmp_path: Path) -> None:
    zero_shot = ZeroShot(KnownEmbedder(), cache_dir=tmp_path)
    shot = zero_shot.shot_embedding([frame(2.0), frame(0.0, 5.0)])  # each frame counts once, whatever its norm
    np.testing.assert_allclose(shot, [2 ** -0.5, 2 ** -0.5, 0, 0], atol=1e-12)
    with pytest.raises(ValueError, match="no frames"):
        zero_shot.shot_embedding([])


def test_top_k_and_the_threshold_decide_what_counts_as_seen(tmp_path: Path) -> None:
    zero_shot = ZeroShot(KnownEmbedder(logit_scale=10.0), cache_dir=tmp_path)
    shot = zero_shot.shot_embedding([frame(0.6, 0.8)])
    labels = ["dog", "car", "rain"]
    ranked = zero_shot.rank(shot, labels, CAPTIONS, top_k=3, min_probability=0.0)
    assert [r.label for r in ranked] == ["car", "dog", "rain"]
    assert [r.label for r in zero_shot.rank(shot, labels, CAPTIONS, top_k=1, min_probability=0.0)] == ["car"]
    assert [r.label for r in zero_shot.rank(shot, labels, CAPTIONS, top_k=3, min_probability=0.1)] == ["car", "dog"]
    assert zero_shot.rank(shot, labels, CAPTIONS, top_k=3, min_probability=0.99) == []
    with pytest.raises(ValueError, match="2 labels for 3 captions"):
        zero_shot.rank(shot, labels[:2], CAPTIONS, top_k=1, min_probability=0.0)
    # equal scores keep the label set's order
    assert [r.label for r in top_labels(["a", "b"], np.array([0.5, 0.5]), top_k=2, min_probability=0)] == ["a", "b"]


def test_text_embeddings_are_kept_on_disk_per_model_and_captions(tmp_path: Path) -> None:
    first = KnownEmbedder()
    ZeroShot(first, cache_dir=tmp_path).text_embeddings(CAPTIONS)
    assert len(list(tmp_path.glob("*.npy"))) == 1
    again = KnownEmbedder()
    np.testing.assert_allclose(ZeroShot(again, cache_dir=tmp_path).text_embeddings(CAPTIONS), np.eye(4)[:3])
    assert again.texts == []                                    # read back, not embedded again
    ZeroShot(again, cache_dir=tmp_path).text_embeddings(CAPTIONS[:2])
    assert len(again.texts) == 2                                # other captions: embedded


@pytest.fixture(scope="module")
def tiny_hf_clip(tiny_clip_dir: Path) -> HfClip:
    return HfClip(tiny_clip_dir)


@pytest.mark.parametrize("which", ["hf", "dfn5b"])
def test_the_real_loaders_give_unit_embeddings_in_one_space(which: str, request, tmp_path: Path) -> None:
    embedder = request.getfixturevalue("tiny_hf_clip") if which == "hf" else Dfn5bClip(request.getfixturevalue("tiny_dfn5b_dir"))
    frames = [np.random.default_rng(i).integers(0, 255, (48, 64, 3), dtype=np.uint8) for i in range(3)]
    images = embedder.embed_images(frames)
    texts = embedder.embed_texts(["a photo of a dog.", "a photo of rain falling on a street."])
    assert images.shape[0] == 3 and texts.shape == (2, images.shape[1])
    np.testing.assert_allclose(np.linalg.norm(images, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(texts, axis=1), 1.0, rtol=1e-5)
    assert embedder.logit_scale > 0 and embedder.cache_key
    zero_shot = ZeroShot(embedder, cache_dir=tmp_path)
    shot = zero_shot.shot_embedding(frames)
    ranked = zero_shot.rank(shot, list(CAPTIONS), CAPTIONS, top_k=2, min_probability=0.0)
    assert len(ranked) == 2 and {r.label for r in ranked} <= set(CAPTIONS)
    assert ranked == zero_shot.rank(shot, list(CAPTIONS), CAPTIONS, top_k=2, min_probability=0.0)  # repeatable


def test_dfn5b_text_pooling_ignores_the_padding_after_the_end_token(tiny_dfn5b_dir: Path) -> None:
    import torch

    model = Dfn5bClip(tiny_dfn5b_dir)
    tokens = model.tokenizer(["a dog"])
    short = model.model.encode_text(tokens[:, :8])
    full = model.model.encode_text(tokens)
    torch.testing.assert_close(short, full, rtol=1e-4, atol=1e-5)  # float32 sums of a different length
